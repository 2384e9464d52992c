# Time windows: groupBy(window(ts, '1 hour')) counts per hour (rows without a time dropped), sliding windows (a row
# in several, by an Expand), a start offset, window_time, the window struct's fields, TIMESTAMP_NTZ times, SQL's
# window(), the plan Spark makes of it, and Spark's errors for durations a window cannot have.
import datetime
from pyspark.sql import SparkSession, functions as F
spark = SparkSession.builder.master("local[2]").appName("time_windows").config("spark.sql.session.timeZone", "UTC").getOrCreate()
at = lambda h, m: datetime.datetime(2020, 1, 1, h, m)
trips = spark.createDataFrame([(at(10, 5), 1.5), (at(10, 55), 2.0), (at(11, 10), 3.25), (None, 4.0), (at(9, 59), 0.5)], "pickup timestamp, fare double")
hourly = trips.groupBy(F.window("pickup", "1 hour")).agg(F.count("*").alias("trips"), F.sum("fare").alias("fares")).orderBy("window")
hourly.show(truncate=False)
hourly.printSchema()
trips.groupBy(F.window("pickup", "1 hour")).count().explain()
trips.select("pickup", F.window("pickup", "30 minutes", "10 minutes")).orderBy("pickup", "window").show(truncate=False)
trips.select(F.window("pickup", "1 hour", "30 minutes", "15 minutes").alias("w")).where(F.col("w")["start"] > at(10, 0)).orderBy("w").show(truncate=False)
windowed = trips.withColumn("window", F.window("pickup", "20 minutes"))
windowed.select(F.col("window")["start"].alias("start"), F.window_time("window"), "fare").orderBy("start").show()
ntz = spark.createDataFrame([(datetime.datetime(2021, 3, 4, 5, 6),)], "t timestamp_ntz")
ntz.select(F.window("t", "1 day")).printSchema()
ntz.select(F.window("t", "1 day")).show(truncate=False)
trips.createOrReplaceTempView("trips")
spark.sql("SELECT window(pickup, '2 hours') AS w, sum(fare) AS fares FROM trips GROUP BY window(pickup, '2 hours') ORDER BY w").show(truncate=False)
for durations in [("1 month",), ("1 hour", "2 hours"), ("0 seconds",), ("abc",), ("1 hour", "30 minutes", "40 minutes")]:
    try:
        trips.select(F.window("pickup", *durations)).collect()
    except Exception as e:
        print(str(e).split("\n")[0].split("SQLSTATE")[0])
