SELECT g.total_amont FROM green g
