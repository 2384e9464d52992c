# approx_count_distinct: HyperLogLog++ over Spark's XXH64 hashes, per group and overall, with its partial state in
# the plan; xxhash64 of every type.
from pyspark.sql import SparkSession, functions as F
spark = SparkSession.builder.master("local[2]").appName("approx_count_distinct").getOrCreate()
df = spark.range(0, 100000, 1, 4).select((F.col("id") % 7).alias("k"), F.col("id"), (F.col("id") % 300).alias("m"), (F.col("id") % 3000).cast("string").alias("s"))
df.groupBy("k").agg(F.approx_count_distinct("id"), F.approx_count_distinct("m"), F.approx_count_distinct("s", 0.1), F.approx_count_distinct("s")).orderBy("k").show()
df.agg(F.approx_count_distinct("id"), F.approx_count_distinct("m"), F.approx_count_distinct("s"), F.approx_count_distinct(F.col("m") + 0.5)).show()
df.agg(F.approx_count_distinct("m")).explain()
spark.sql("SELECT approx_count_distinct(id % 500), approx_count_distinct(id, 0.2) FROM range(10000)").show()
spark.sql("SELECT xxhash64('Spark'), xxhash64('Spark', array(123), 2), xxhash64(1), xxhash64(1L), xxhash64(1.5D), xxhash64(date'2024-01-01'), xxhash64('a longer string of more than thirty-two bytes!!'), xxhash64(CAST(NULL AS INT)), xxhash64(true), xxhash64(2.5)").show(truncate=False)
green = spark.read.parquet("pq/green/*/*")
green.groupBy("VendorID").agg(F.approx_count_distinct("PULocationID").alias("zones"), F.countDistinct("PULocationID").alias("exact")).orderBy("VendorID").show()
green.select(F.xxhash64("VendorID", "lpep_pickup_datetime", "total_amount").alias("h")).orderBy("h").show(3)
