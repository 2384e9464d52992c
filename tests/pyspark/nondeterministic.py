# Nondeterministic columns: rand/randn draw Spark's numbers (seeded seed + partition), monotonically_increasing_id
# and spark_partition_id follow the partitions; sorting or grouping by rand pulls the draw into a projection below,
# and a filter draws only for the rows its earlier conditions kept; repartitionByRange cuts at the boundaries Spark samples.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.master("local[2]").appName("nondeterministic").getOrCreate()
ids = spark.range(0, 10, 1, 3)
df = ids.select("id", F.rand(42).alias("r"), F.randn(7).alias("g"), F.monotonically_increasing_id().alias("m"), F.spark_partition_id().alias("p"))
df.show(truncate=False)
df.explain()
ids.select(F.rand(1), F.randn(seed=5)).show()
ids.withColumn("r", F.rand(3)).filter("r < 0.5").show()
ids.withColumn("r", F.rand(3)).filter("r < 0.5").explain()
ids.orderBy(F.rand(9)).show()
ids.orderBy(F.rand(9)).explain()
ids.withColumn("r", F.rand(3)).select("id", "r", (F.col("r") * 2).alias("r2")).explain()
ids.filter(F.rand(4) < 0.5).explain()
ids.filter(F.rand(4) < 0.5).show()
spark.sql("SELECT id, rand(5) AS r, spark_partition_id() AS p, monotonically_increasing_id() AS m FROM range(0, 6, 1, 2)").show()
print(spark.range(3).select(F.rand()).columns[0].startswith("rand("))
print(spark.range(1).select(F.spark_partition_id(), F.monotonically_increasing_id()).columns)
ids.groupBy((F.rand(2) * 2).cast("int").alias("b")).count().orderBy("b").show()
ids.filter((F.col("id") > 3) & (F.rand(4) < 0.5)).show()
ids.filter((F.col("id") > 3) & (F.rand(4) < 0.5)).explain()
ids.withColumn("r", F.rand(3)).filter(F.col("id") > 5).explain()
try:
    ids.join(ids.withColumnRenamed("id", "k"), (F.col("id") == F.col("k")) & (F.rand(1) > 0.5)).count()
except Exception as e:
    print(str(e).split(";")[0])

green = spark.read.parquet("pq/green/*/*")
tagged = green.select("VendorID", F.monotonically_increasing_id().alias("row_id"), F.spark_partition_id().alias("part"), F.rand(2021).alias("r"))
tagged.groupBy("part").agg(F.count("*").alias("n"), F.min("row_id").alias("first"), F.max("row_id").alias("last"), F.round(F.sum("r"), 6).alias("sum_r")).orderBy("part").show()
print(tagged.filter(F.col("r") < 0.001).count())

# input_file_name(): the file each row was read from (shown from pq/ on: the folder above differs); empty after a
# shuffle, where no scan reads a file.
files = green.select(F.regexp_extract(F.input_file_name(), "(pq/.*)", 1).alias("file"), "VendorID")
files.groupBy("file").count().orderBy("file").show(truncate=False)
print(green.repartition(3).select(F.input_file_name().alias("f")).distinct().collect())
spark.sql("SELECT input_file_name() AS f FROM range(2)").show()
keyed = spark.range(0, 40, 1, 3).withColumn("k", (F.col("id") * 7) % 13)
ranged = keyed.repartitionByRange(4, "k")
ranged.explain()
print(ranged.rdd.getNumPartitions())
print(ranged.select("k", F.spark_partition_id().alias("p")).groupBy("p").agg(F.min("k"), F.max("k"), F.count("*")).orderBy("p").collect())
by_two = keyed.repartitionByRange(3, F.col("k").desc(), "id")
print(by_two.select(F.spark_partition_id().alias("p"), "k", "id").orderBy("p", "id").limit(5).collect())
