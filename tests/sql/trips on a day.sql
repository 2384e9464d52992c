SELECT count(*) FROM green WHERE to_date(lpep_pickup_datetime) = '2024-01-15'
