SELECT max((unix_timestamp(lpep_dropoff_datetime) - unix_timestamp(lpep_pickup_datetime)) / 3600) AS longest_hours
FROM green
