SELECT z.Zone, COUNT(1) AS trips
FROM green g
JOIN zones z ON g.PULocationID = z.LocationID
GROUP BY z.Zone
ORDER BY trips DESC, z.Zone
LIMIT 5
