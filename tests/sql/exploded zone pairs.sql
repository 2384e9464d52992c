-- explode turns each trip's pickup and drop-off zones into two rows, which are then counted per zone: the busiest
-- ten.
SELECT zone, count(*) AS visits
FROM (SELECT explode(array(PULocationID, DOLocationID)) AS zone FROM green)
GROUP BY zone
ORDER BY visits DESC, zone
LIMIT 10
