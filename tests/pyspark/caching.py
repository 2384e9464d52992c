# cache() and persist(): the plan shows the InMemoryTableScan over the kept relation and the plan that makes it;
# results are the same cached or not; the storage level as PySpark reports it; unpersist() and clearCache().
from pyspark import StorageLevel
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.master("local[2]").appName("caching").getOrCreate()
trips = spark.range(1000).selectExpr("id", "id % 7 AS zone", "(id % 13) * 1.5 AS fare")
print(trips.is_cached, trips.storageLevel)
cached = trips.cache()
print(cached is trips, trips.is_cached, trips.storageLevel)
trips.explain()
print(trips.count(), trips.filter("zone = 3").count())
trips.filter("zone = 3").explain()
trips.groupBy("zone").agg(F.round(F.sum("fare"), 1).alias("total")).orderBy("zone").show()
cheap = trips.filter("fare < 3").persist(StorageLevel.MEMORY_ONLY)
print(cheap.storageLevel, repr(cheap.storageLevel), cheap.count())
cheap.explain()
print(str(StorageLevel.DISK_ONLY), str(StorageLevel.MEMORY_AND_DISK_2), StorageLevel.MEMORY_ONLY == StorageLevel(False, True, False, False))
trips.unpersist()
print(trips.is_cached, trips.storageLevel, trips.count())
trips.explain()
cheap.explain()
spark.catalog.clearCache()
cheap.explain()
