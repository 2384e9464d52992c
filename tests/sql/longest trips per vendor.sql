-- The three longest trips of each vendor, ties included: rank() gives tied trips the same place, so `place <= 3`
-- can keep more than three rows (and the WindowGroupLimit on rank keeps every tied row too).
SELECT VendorID, trip_distance, place
FROM (
    SELECT VendorID, trip_distance, rank() OVER (PARTITION BY VendorID ORDER BY trip_distance DESC) AS place
    FROM green
)
WHERE place <= 3
ORDER BY VendorID, place, trip_distance
