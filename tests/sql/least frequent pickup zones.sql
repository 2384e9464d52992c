SELECT zones.Zone AS zone, count(*)
FROM green INNER JOIN zones ON green.PULocationID = zones.LocationID
GROUP BY 1
ORDER BY 2 ASC, 1
LIMIT 3
