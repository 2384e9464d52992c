# Percentiles: percentile_approx (one percentage or several), percentile and median, per group and over a whole
# DataFrame, and in SQL; percentile_approx and approxQuantile with coarse summaries (Spark's quantile summary per
# task, merged), crosstab.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.master("local[*]").appName("percentiles").getOrCreate()

values = spark.createDataFrame(
    [(k, None if v is None else float(v)) for k, v in [(1, 1), (1, 2), (1, 3), (1, 4), (2, 5), (2, 1), (2, 3), (2, 3), (2, None), (3, None)]],
    "k int, v double",
)
per_group = values.groupBy("k").agg(
    F.percentile_approx("v", 0.5),
    F.percentile_approx("v", [0.25, 0.75]),
    F.median("v"),
    F.percentile("v", 0.3),
    F.percentile_approx("v", 0.5, 100),
).orderBy("k")
per_group.show(truncate=False)
per_group.printSchema()
values.select(F.percentile_approx("k", 0.9), F.median("k")).show()
spark.range(1, 101).select(
    F.percentile_approx("id", [0.1, 0.5, 0.99]), F.median("id"), F.percentile("id", 0.99)
).show(truncate=False)

green = spark.read.parquet("pq/green/*/*")
fares = green.groupBy("VendorID").agg(
    F.percentile("fare_amount", [0.5, 0.9]).alias("fare_p50_p90"), F.median("trip_distance").alias("median_distance")
)
fares.orderBy("VendorID").show(truncate=False)
green.createOrReplaceTempView("green")
spark.sql(
    "SELECT payment_type, median(total_amount) AS typical, percentile(tip_amount, 0.75) AS tips, "
    "percentile_approx(passenger_count, 0.5) AS passengers FROM green GROUP BY payment_type ORDER BY payment_type"
).show()

spread = spark.range(0, 120000, 1, 4).select(((F.col("id") * 7919) % 100003).alias("v"), (F.col("id") % 3).alias("g"))
print(spread.approxQuantile("v", [0.1, 0.33, 0.5, 0.9, 0.99], 0.01), spread.stat.approxQuantile("v", [0.5], 0.1))
print(spread.groupBy("g").agg(F.percentile_approx("v", [0.25, 0.5, 0.75], 50).alias("p")).orderBy("g").collect())
small = spark.createDataFrame([(i, float(i * 3 % 7), None if i % 4 == 0 else i) for i in range(1, 21)], "a int, b double, c int")
print(small.approxQuantile("a", [0.0, 0.25, 0.5, 0.75, 1.0], 0.0), small.approxQuantile(["b", "c"], [0.1, 0.9], 0.05))
print(small.approxQuantile("c", [0.5], 0.25), small.filter("a > 100").approxQuantile("a", [0.5], 0.0))
for bad in [lambda: small.approxQuantile("a", [1.5], 0.0), lambda: small.approxQuantile("a", [0.5], -1.0)]:
    try:
        bad()
    except Exception as e:
        print(str(e).split("\n")[0])
table = small.withColumn("m", F.col("a") % 3).withColumn("n", F.col("a") % 2).crosstab("m", "n")
table.orderBy("m_n").show()
table.printSchema()
# SQL names the defaults it fills in; a DISTINCT percentile keeps its percentage a constant.
print(spark.sql("SELECT percentile_approx(a, 0.5), approx_percentile(a, array(0.5, 0.9)), percentile(a, 0.5) FROM VALUES (1), (2) t(a)").columns)
spark.sql("SELECT count(DISTINCT 0.8), percentile_approx(DISTINCT a, 0.5), sum(DISTINCT a) FROM VALUES (1), (2), (2) t(a)").show()
