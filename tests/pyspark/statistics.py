# Statistics of spread — standard deviation, variance, skewness, kurtosis, covariance and correlation — by group,
# over the whole table, in SQL and over a window; groups of one row and of no rows give NULL; regr_count / avgx / avgy / sxx / syy.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

spark = SparkSession.builder.master("local[*]").appName("statistics").getOrCreate()

trips = spark.createDataFrame(
    [(1, 2.5, 10.0), (1, 1.0, 6.5), (1, 7.25, 31.0), (2, 3.0, 12.0), (2, None, 9.5), (3, 4.0, 15.0)],
    "vendor int, distance double, fare double",
)
trips.groupBy("vendor").agg(
    F.stddev("fare"),
    F.stddev_pop("fare"),
    F.variance("fare"),
    F.var_pop("fare"),
    F.corr("distance", "fare"),
    F.covar_samp("distance", "fare"),
    F.covar_pop("distance", "fare"),
).orderBy("vendor").show()

trips.agg(F.skewness("fare"), F.kurtosis("fare"), F.std("distance"), F.stddev_samp("distance")).show()
trips.where("fare > 100").agg(F.stddev("fare"), F.corr("distance", "fare")).show()

green = spark.read.parquet("pq/green/*/*")
green.groupBy("VendorID").agg(
    F.round(F.stddev("total_amount"), 6).alias("spread"),
    F.round(F.corr("trip_distance", "fare_amount"), 6).alias("distance_fare"),
).orderBy("VendorID").show()

by_vendor = Window.partitionBy("vendor").orderBy("fare")
trips.select("vendor", "fare", F.stddev("fare").over(by_vendor).alias("running_spread")).orderBy("vendor", "fare").show()

trips.createOrReplaceTempView("trips")
spark.sql("SELECT vendor, var_samp(fare), stddev(fare) FILTER (WHERE distance > 2) FROM trips GROUP BY vendor ORDER BY vendor").show()
points = spark.createDataFrame([(1.0, 2.0, "a"), (2.0, 4.5, "a"), (3.0, None, "b"), (4.0, 7.0, "b"), (None, 1.0, "a")], "y double, x double, k string")
fitted = points.groupBy("k").agg(F.regr_count("y", "x"), F.regr_avgx("y", "x"), F.regr_avgy("y", "x")).orderBy("k")
fitted.show()
fitted.printSchema()
points.createOrReplaceTempView("points")
spark.sql("SELECT regr_count(y, x), regr_avgx(y, x), regr_avgy(y, x) FROM points").show()
import random
draws = random.Random(7)
scattered = spark.createDataFrame([(draws.uniform(-50, 50), None if i % 11 == 0 else draws.uniform(0, 9), i % 3) for i in range(400)], "y double, x double, g int")
print(scattered.groupBy("g").agg(F.regr_sxx("y", "x"), F.regr_syy("y", "x")).orderBy("g").collect())
scattered.createOrReplaceTempView("scattered")
print(spark.sql("SELECT regr_sxx(y, x), regr_syy(y, x) FROM scattered WHERE g = 1").collect(), scattered.filter("g > 5").agg(F.regr_sxx("y", "x")).collect())
fits = scattered.groupBy("g").agg(F.regr_slope("y", "x"), F.regr_intercept("y", "x"), F.regr_r2("y", "x"), F.regr_sxy("y", "x"))
print(fits.orderBy("g").collect())
spark.sql("SELECT g, regr_slope(y, x), regr_r2(x, y), regr_sxy(x, y) FROM scattered WHERE g < 2 GROUP BY g ORDER BY g").show()
flat = spark.createDataFrame([(1.0, 3.0), (2.0, 3.0), (None, 4.0)], "y double, x double")
flat.agg(F.regr_slope("y", "x"), F.regr_intercept("y", "x"), F.regr_r2("y", "x"), F.regr_r2("x", "y"), F.regr_sxy("y", "x")).show()
by_g = Window.partitionBy("g").orderBy("x").rowsBetween(-3, 0)
scattered.where("x IS NOT NULL").select("g", "x", F.regr_slope("y", "x").over(by_g).alias("local_slope")).orderBy("g", "x").show(5)
