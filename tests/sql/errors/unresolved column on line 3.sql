SELECT VendorID
FROM green
WHERE tip_amont > 0