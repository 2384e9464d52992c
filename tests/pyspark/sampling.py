# sample, randomSplit and sampleBy: the same seed over the same partitions keeps the rows Spark keeps; splits share draws,
# so every row lands in exactly one part; Spark's errors for bad fractions and weights; toJSON.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.master("local[2]").appName("sampling").getOrCreate()
ids = spark.range(200)
print(sorted(r.id for r in ids.sample(0.1, 3).collect()))
print(sorted(r.id for r in ids.sample(fraction=0.05, seed=42).collect()))
print(sorted(r.id for r in ids.sample(False, 0.02, 7).collect()))
print(ids.sample(0.0, 1).count(), ids.sample(1.0, 1).count())
train, test = ids.randomSplit([0.8, 0.2], seed=11)
print(train.count(), test.count(), sorted(r.id for r in test.collect()))
print(train.join(test, "id").count())
ids.sample(0.1, 3).explain()
test.explain()
print(spark.range(0, 10, 3, 3).rdd.glom().collect())

green = spark.read.parquet("pq/green/*/*")
sampled = green.sample(fraction=0.01, seed=2021)
sampled.select("VendorID", "lpep_pickup_datetime", "PULocationID", "total_amount").orderBy("lpep_pickup_datetime", "PULocationID", "total_amount").show(5)
print(sampled.count())
parts = green.select("VendorID", "PULocationID", "DOLocationID", "trip_distance", "total_amount").randomSplit([3.0, 1.0], 99)
print([p.count() for p in parts], sum(p.count() for p in parts) == green.count())
parts[1].groupBy("VendorID").agg(F.count("*").alias("n"), F.round(F.sum("total_amount"), 2).alias("total")).orderBy("VendorID").show()

for mistake in [lambda: ids.sample(1.5), lambda: ids.randomSplit([1.0, -1.0], 3), lambda: ids.randomSplit([0.0, 0.0], 3),
                lambda: ids.sample("x")]:
    try:
        mistake().count()
    except Exception as e:
        print(e)
strata = spark.range(0, 100).select((F.col("id") % 3).alias("key"), "id")
by_key = strata.sampleBy(F.col("key"), fractions={0: 0.1, 1: 0.2}, seed=0)
print(by_key.groupBy("key").count().orderBy("key").collect())
print(by_key.orderBy("id").limit(8).collect())
print(strata.sampleBy(F.col("key"), {2: 1.0}, seed=5).count())
for mistake in [lambda: strata.sampleBy(F.col("key"), {0: 1.5}), lambda: strata.sampleBy(F.col("key"), [0.5])]:
    try:
        mistake()
    except Exception as e:
        print(str(e).split("\n")[0])
people = spark.createDataFrame([(1, "Ann", None), (2, None, 3.5)], "id int, name string, x double")
print(people.toJSON().collect(), people.toJSON().first())
