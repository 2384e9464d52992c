# Window functions from PySpark: Window.partitionBy/orderBy/rowsBetween/rangeBetween, Column.over, the ranking
# functions, lag/lead/nth_value, aggregates over frames, and the top row per group with withColumn and where.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

spark = SparkSession.builder.master("local[*]").appName("windows").getOrCreate()

trips = spark.createDataFrame(
    [(1, 2.5, 10.0), (1, 1.0, 6.5), (1, 7.25, 31.0), (1, 3.0, 10.0), (2, 3.0, 12.0), (2, None, 9.5), (3, 4.0, 15.0)],
    "vendor int, distance double, fare double",
)
by_fare = Window.partitionBy("vendor").orderBy(F.desc("fare"))
trips.select(
    "vendor",
    "fare",
    F.row_number().over(by_fare),
    F.rank().over(by_fare),
    F.dense_rank().over(by_fare),
    F.percent_rank().over(by_fare),
    F.cume_dist().over(by_fare),
    F.ntile(2).over(by_fare),
).orderBy("vendor", "fare", "distance").show(truncate=False)

trips.select(
    "vendor",
    "fare",
    F.lag("fare").over(by_fare).alias("previous"),
    F.lead("fare", 1, 0.0).over(by_fare).alias("next"),
    F.nth_value("distance", 2).over(by_fare).alias("second_distance"),
    F.nth_value("distance", 2, True).over(by_fare).alias("second_set_distance"),
).orderBy("vendor", "fare", "previous").show()

two_rows = Window.partitionBy("vendor").orderBy("fare", "distance").rowsBetween(-1, Window.currentRow)
near_fares = Window.partitionBy("vendor").orderBy("fare").rangeBetween(-5, 5)
everything = Window.orderBy("fare").rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)
trips.select(
    "vendor",
    "fare",
    F.sum("fare").over(two_rows).alias("last_two"),
    F.avg("fare").over(near_fares).alias("near_average"),
    F.max("fare").over(Window.partitionBy("vendor")).alias("vendor_max"),
    F.count("*").over(everything).alias("all_rows"),
    F.stddev("fare").over(Window.partitionBy("vendor").orderBy("fare")).alias("running_spread"),
).orderBy("vendor", "fare", "distance").show()

trips.select(F.sum("fare").over(two_rows), F.rank().over(by_fare)).printSchema()
print(F.row_number().over(by_fare))

top = trips.withColumn("rn", F.row_number().over(by_fare)).where("rn = 1").drop("rn")
top.orderBy("vendor").show()

# RANGE frames that reach an interval away from a date or a timestamp (SQL only: PySpark's rangeBetween takes numbers).
rides = spark.createDataFrame(
    [("a", "2024-01-31 08:00:00", 5.0), ("a", "2024-01-31 08:40:00", 7.0), ("a", "2024-01-31 10:00:00", 3.0),
     ("a", "2024-02-29 09:00:00", 4.0), ("a", "2024-03-30 09:00:00", 9.0), ("b", "2024-01-01 00:00:00", 1.0),
     ("b", None, 2.0), ("b", "2024-01-01 00:30:00", 6.0)],
    "zone string, at string, fare double",
).withColumn("at", F.to_timestamp("at")).withColumn("day", F.to_date("at"))
rides.createOrReplaceTempView("rides")
spark.sql("""
SELECT zone, at, fare,
       sum(fare) OVER (PARTITION BY zone ORDER BY at RANGE BETWEEN INTERVAL 1 HOUR PRECEDING AND CURRENT ROW) AS last_hour,
       count(*) OVER (PARTITION BY zone ORDER BY at DESC RANGE BETWEEN CURRENT ROW AND INTERVAL '1' MONTH FOLLOWING) AS month_before,
       max(fare) OVER (PARTITION BY zone ORDER BY day RANGE BETWEEN INTERVAL '30' DAY PRECEDING AND INTERVAL 2 DAYS FOLLOWING) AS near_days,
       avg(at) OVER (PARTITION BY zone ORDER BY at RANGE BETWEEN INTERVAL '1 00:30' DAY TO MINUTE PRECEDING AND CURRENT ROW) AS mean_time
FROM rides ORDER BY zone, at
""").show(truncate=False)
for bad in ["SELECT sum(fare) OVER (ORDER BY day RANGE INTERVAL 2 HOURS PRECEDING) FROM rides",
            "SELECT sum(fare) OVER (ORDER BY at RANGE 3 PRECEDING) FROM rides",
            "SELECT sum(fare) OVER (ORDER BY day RANGE BETWEEN INTERVAL '30' DAY PRECEDING AND INTERVAL 1 MONTH FOLLOWING) FROM rides"]:
    try:
        spark.sql(bad).collect()
    except Exception as e:
        print(str(e).split("]")[0] + "]")
