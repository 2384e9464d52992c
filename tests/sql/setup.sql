-- The views every corpus query reads, made the way the module makes them (with `zones` added by the harness from
-- the real zone lookup CSV). ${data} is where the generated trips are.
CREATE OR REPLACE TEMP VIEW green AS SELECT * FROM parquet.`${data}pq/green/*/*`;
CREATE OR REPLACE TEMP VIEW yellow AS SELECT * FROM parquet.`${data}pq/yellow/*/*`;

CREATE OR REPLACE TEMPORARY VIEW trips_data AS
SELECT VendorID, lpep_pickup_datetime AS pickup_datetime, lpep_dropoff_datetime AS dropoff_datetime,
       store_and_fwd_flag, RatecodeID, PULocationID, DOLocationID, passenger_count, trip_distance, fare_amount,
       extra, mta_tax, tip_amount, tolls_amount, improvement_surcharge, total_amount, payment_type,
       congestion_surcharge, 'green' AS service_type
FROM green
UNION ALL
SELECT VendorID, tpep_pickup_datetime AS pickup_datetime, tpep_dropoff_datetime AS dropoff_datetime,
       store_and_fwd_flag, RatecodeID, PULocationID, DOLocationID, passenger_count, trip_distance, fare_amount,
       extra, mta_tax, tip_amount, tolls_amount, improvement_surcharge, total_amount, payment_type,
       congestion_surcharge, 'yellow' AS service_type
FROM yellow;
