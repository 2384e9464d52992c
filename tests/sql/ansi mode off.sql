-- With spark.sql.ansi.enabled=false a division by zero and a cast that cannot be done are NULL, and a whole number
-- too big for a narrower type wraps around.
SET spark.sql.ansi.enabled=false;

SELECT
    VendorID,
    total_amount / (passenger_count - passenger_count) AS per_nobody,
    CAST(store_and_fwd_flag AS INT) AS flag_number,
    CAST(CAST(trip_distance * 1000 AS INT) AS TINYINT) AS wrapped,
    CAST('2021-02-30' AS DATE) AS no_such_day,
    PULocationID % 0 AS remainder
FROM green
ORDER BY lpep_pickup_datetime, VendorID, total_amount
LIMIT 5
