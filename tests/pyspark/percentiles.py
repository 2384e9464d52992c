# Percentiles: percentile_approx (one percentage or several), percentile and median, per group and over a whole
# DataFrame, and in SQL. percentile_approx is compared where Spark's summary still holds every value (Kindling does
# not yet thin the summary as Spark does past ten thousand values).
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
