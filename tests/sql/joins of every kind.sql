WITH manhattan AS (SELECT LocationID, Zone FROM zones WHERE Borough = 'Manhattan'),
     pickups AS (SELECT PULocationID AS LocationID, count(*) AS trips FROM green GROUP BY 1)
SELECT 'inner' AS kind, count(*) AS n FROM pickups p JOIN manhattan m ON p.LocationID = m.LocationID
UNION ALL SELECT 'left', count(*) FROM pickups p LEFT OUTER JOIN manhattan m ON p.LocationID = m.LocationID
UNION ALL SELECT 'right', count(*) FROM pickups p RIGHT JOIN manhattan m ON p.LocationID = m.LocationID
UNION ALL SELECT 'full', count(*) FROM pickups FULL OUTER JOIN manhattan USING (LocationID)
UNION ALL SELECT 'semi', count(*) FROM pickups p LEFT SEMI JOIN manhattan m ON p.LocationID = m.LocationID
UNION ALL SELECT 'anti', count(*) FROM pickups p LEFT ANTI JOIN manhattan m ON p.LocationID = m.LocationID
UNION ALL SELECT 'cross', count(*) FROM manhattan CROSS JOIN (SELECT DISTINCT VendorID FROM green) v
