# max_by / min_by (a later row that ties the best ordering wins; NULL orderings are passed over), product, bit_and /
# bit_or / bit_xor, mode; listagg / string_agg (also DISTINCT and WITHIN GROUP); in groups, overall, in SQL and in plans.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.master("local[2]").appName("more_aggregates").getOrCreate()
df = spark.createDataFrame([("a", 1, 10.0), ("a", 3, 30.0), ("b", 2, None), ("b", 5, 5.0), ("a", 3, 7.0), ("c", None, 1.0), ("b", 5, 2.0)], ["k", "n", "x"])
df.groupBy("k").agg(F.max_by("x", "n"), F.min_by("x", "n"), F.product("n"), F.bit_and("n"), F.bit_or("n"), F.bit_xor("n"), F.mode("n")).orderBy("k").show()
# a and b are both the most frequent: mode(k, True) gives the smallest, as Kindling's mode always does.
df.agg(F.max_by("k", "x"), F.min_by("k", "x"), F.product("x"), F.mode("k", True).alias("mode(k)")).show()
df.agg(F.max_by("x", "n")).printSchema()
spark.sql("SELECT max_by(x, n), min_by(k, x), bit_or(n), bit_and(n), mode(k) FROM VALUES ('a', 1, 2.5D), ('b', 2, 4.0D), ('b', 3, NULL) AS t(k, n, x)").show()
for mistake in ["SELECT product(n) FROM VALUES (1), (2) AS t(n)", "SELECT bit_or(x) FROM VALUES (1.5D) AS t(x)"]:
    try:
        spark.sql(mistake).show()
    except Exception as e:
        print(str(e).split(";")[0])

green = spark.read.parquet("pq/green/*/*")
green.groupBy("VendorID").agg(F.max_by("PULocationID", "total_amount").alias("zone_of_top_fare"), F.min_by("lpep_pickup_datetime", "trip_distance").alias("shortest_at"),
                              F.mode("payment_type").alias("usual_payment"), F.bit_or(F.col("passenger_count").cast("int")).alias("bits")).orderBy("VendorID").show()
ids = spark.range(0, 100, 1, 2).select((F.col("id") % 3).alias("k"), (F.col("id") % 7).alias("n"), (F.col("id") / 4).alias("x"))
ids.groupBy("k").agg(F.max_by("x", "n"), F.product("n"), F.bit_xor("n")).explain()
ids.groupBy("k").agg(F.mode("n")).explain()
ids.groupBy("k").agg(F.max_by("x", "n"), F.min_by("n", "x"), F.product(F.col("n") + 1), F.bit_xor("n")).orderBy("k").show()
words = spark.createDataFrame([(1, "b"), (1, "a"), (2, "c"), (1, None), (3, None)], "g int, s string")
joined = words.groupBy("g").agg(F.listagg("s", ","), F.string_agg("s"), F.listagg_distinct("s", "|")).orderBy("g")
joined.show()
joined.printSchema()
words.createOrReplaceTempView("words")
spark.sql("SELECT g, listagg(s, '-') WITHIN GROUP (ORDER BY s DESC), string_agg(s) FROM words GROUP BY g ORDER BY g").show()
spark.sql("SELECT listagg(s) FROM VALUES ('x'), ('y') t(s)").show()

# histogram_numeric: Spark's streaming histogram, ties broken by its seeded generator; x keeps the argument's type.
import random
draws = random.Random(11)
readings = spark.createDataFrame([(i % 4, draws.randint(0, 40), draws.uniform(0, 5)) for i in range(300)], "g int, n int, v double")
readings.groupBy("g").agg(F.histogram_numeric("n", F.lit(4)).alias("h")).orderBy("g").show(truncate=False)
print(readings.agg(F.histogram_numeric("v", F.lit(3))).collect())
readings.agg(F.histogram_numeric("n", F.lit(5))).printSchema()
spark.sql("SELECT histogram_numeric(d, 2), histogram_numeric(t, 3) FROM VALUES (DATE'2024-01-01', TIMESTAMP'2024-01-01 10:00:00'), (DATE'2024-01-03', TIMESTAMP'2024-01-01 10:00:30'), (DATE'2024-03-01', NULL) AS r(d, t)").show(truncate=False)
readings.createOrReplaceTempView("readings")
spark.sql("SELECT histogram_numeric(v, 2) FILTER (WHERE g = 1) FROM readings").explain()
for bad in ["SELECT histogram_numeric(n, 1) FROM readings", "SELECT histogram_numeric(n, g) FROM readings", "SELECT histogram_numeric('a' = 'a', 3)"]:
    try:
        spark.sql(bad).collect()
    except Exception as e:
        print(str(e).split(" SQLSTATE")[0])
