SELECT service_type, count(1) FROM trips_data GROUP BY service_type;
