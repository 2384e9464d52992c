/* CASE, CAST and literal types */
SELECT
    VendorID,
    CASE payment_type WHEN 1 THEN 'card' WHEN 2 THEN 'cash' ELSE 'other' END AS payment,
    CASE WHEN total_amount >= 20 THEN 'large' WHEN total_amount >= 10 THEN 'medium' END AS size,
    CAST(passenger_count AS LONG) AS passengers,
    CAST(trip_distance AS INT) AS whole_miles,
    CAST(PULocationID AS STRING) || '-' || CAST(DOLocationID AS STRING) AS pair,
    fare_amount * 1.5 AS fare_and_half,
    7 / 2 AS seven_halves,
    10L AS ten,
    -3 AS minus_three,
    1.5D AS one_and_half
FROM green
WHERE payment_type IN (1, 2, 3) AND trip_distance BETWEEN 1 AND 5 AND store_and_fwd_flag LIKE 'N%'
ORDER BY lpep_pickup_datetime, VendorID, total_amount
LIMIT 10
