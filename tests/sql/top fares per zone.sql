-- The two dearest trips from each pickup zone. The filter on row_number lets Spark keep only each zone's first two
-- rows before the window numbers them (WindowGroupLimit, in each task before the shuffle and again after it).
SELECT PULocationID, total_amount, lpep_pickup_datetime, rn
FROM (
    SELECT
        PULocationID,
        total_amount,
        lpep_pickup_datetime,
        row_number() OVER (PARTITION BY PULocationID ORDER BY total_amount DESC, lpep_pickup_datetime) AS rn
    FROM green
)
WHERE rn <= 2
ORDER BY PULocationID, rn
LIMIT 30
