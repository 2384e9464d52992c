WITH daily AS (
    SELECT to_date(lpep_pickup_datetime) AS day, PULocationID, total_amount
    FROM green
    WHERE total_amount > 0
)
SELECT day, count(*) AS trips, round(sum(total_amount), 2) AS revenue
FROM daily
GROUP BY day
HAVING count(*) > 150 AND max(total_amount) > 20
ORDER BY revenue DESC NULLS LAST, day
