-- The most common pickup / dropoff pair, "Unknown" where a zone is missing (a homework question).
SELECT
    CONCAT(COALESCE(pul.Zone, 'Unknown'), ' / ', COALESCE(dol.Zone, 'Unknown')) AS pair,
    COUNT(1) AS trips
FROM green t
LEFT JOIN zones pul ON t.PULocationID = pul.LocationID
LEFT JOIN zones dol ON t.DOLocationID = dol.LocationID
GROUP BY 1
ORDER BY 2 DESC, 1
LIMIT 5
