SELECT passenger_count, lpep_pickup_datetime, VendorID
FROM green
ORDER BY passenger_count DESC NULLS FIRST, lpep_pickup_datetime ASC, VendorID
LIMIT 12
