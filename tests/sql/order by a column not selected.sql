SELECT VendorID, total_amount FROM green ORDER BY lpep_pickup_datetime DESC, total_amount, VendorID LIMIT 6
