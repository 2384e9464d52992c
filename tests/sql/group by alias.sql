SELECT PULocationID AS zone, count(*) AS n, sum(tip_amount) AS tips
FROM green
GROUP BY zone
HAVING n > 40
ORDER BY n DESC, zone
LIMIT 10
