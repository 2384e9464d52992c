SELECT
    to_date(lpep_pickup_datetime) AS day,
    date_trunc('HOUR', lpep_pickup_datetime) AS hour,
    year(lpep_pickup_datetime), month(lpep_pickup_datetime), dayofmonth(lpep_pickup_datetime),
    hour(lpep_pickup_datetime), dayofweek(lpep_pickup_datetime),
    datediff(lpep_dropoff_datetime, lpep_pickup_datetime) AS days,
    date_format(lpep_pickup_datetime, 'yyyy-MM-dd HH:mm') AS text,
    upper(store_and_fwd_flag), lower('ABC'), trim('  x  '), substring('Manhattan', 2, 3), substring('Queens', 3, 2),
    length(store_and_fwd_flag), round(trip_distance * 1.609, 1) AS km, abs(total_amount),
    greatest(fare_amount, total_amount), least(fare_amount, tip_amount), concat_ws('-', 'a', store_and_fwd_flag),
    coalesce(ehail_fee, tip_amount) AS fee, passenger_count IS NULL AS no_passengers,
    fare_amount % 7 AS modulo, NOT (VendorID = 1) AS not_vendor_1
FROM green
ORDER BY lpep_pickup_datetime, VendorID, total_amount
LIMIT 8
