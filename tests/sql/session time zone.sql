-- Instants are read and shown in the session time zone: casts between text, dates and timestamps, hour(),
-- date_trunc and timestamp literals (one at a time the clocks skip in New York).
SET spark.sql.session.timeZone=America/New_York;

SELECT
    lpep_pickup_datetime,
    CAST(lpep_pickup_datetime AS TIMESTAMP) AS instant,
    CAST(CAST(lpep_pickup_datetime AS TIMESTAMP) AS LONG) AS epoch_seconds,
    hour(CAST(lpep_pickup_datetime AS TIMESTAMP)) AS pickup_hour,
    date_trunc('DAY', TIMESTAMP '2021-01-01 03:00:00Z') AS new_york_day,
    to_date(TIMESTAMP '2021-01-01 03:00:00Z') AS new_york_date,
    CAST(TIMESTAMP '2021-07-01 12:00:00Z' AS STRING) AS summer_text,
    TIMESTAMP '2021-03-14 02:30:00' AS skipped_hour,
    CAST(DATE '2021-03-14' AS TIMESTAMP) AS midnight
FROM green
ORDER BY lpep_pickup_datetime, VendorID, total_amount
LIMIT 5
