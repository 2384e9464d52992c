-- Arrays built by aggregation: the payment types each vendor's trips used, each once and sorted, how many trips
-- there were, and the first and last of the sorted types.
SELECT
    VendorID,
    sort_array(collect_set(payment_type)) AS payment_types,
    size(collect_list(payment_type)) AS trips,
    element_at(sort_array(collect_set(payment_type)), 1) AS first_type,
    sort_array(collect_set(payment_type), false)[0] AS last_type
FROM green
GROUP BY VendorID
ORDER BY VendorID
