SELECT total_amont FROM green
