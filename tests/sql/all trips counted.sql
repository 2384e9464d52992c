SELECT count(*) AS trips FROM (
    SELECT VendorID FROM green UNION ALL SELECT VendorID FROM yellow
) both_colours
