EXPLAIN SELECT PULocationID, sum(total_amount) FROM green WHERE VendorID = 2 GROUP BY PULocationID
