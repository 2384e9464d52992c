SELECT date_trunc('hour') FROM green
