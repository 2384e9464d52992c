SELECT count(*) AS trips, count(passenger_count), count(DISTINCT PULocationID) AS zones, sum(total_amount),
       avg(trip_distance), min(lpep_pickup_datetime), max(fare_amount)
FROM green
