SELECT VendorID FROM green UNION SELECT VendorID, PULocationID FROM green
