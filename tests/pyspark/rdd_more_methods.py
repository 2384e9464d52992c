# More of the RDD API: sc.range and emptyRDD, collectAsMap, groupBy, treeAggregate/treeReduce, and the storage level
# cache(), persist() and unpersist() record (pyspark.storagelevel).
from pyspark.sql import SparkSession
from pyspark.storagelevel import StorageLevel
from operator import add
spark = SparkSession.builder.master("local[2]").getOrCreate()
sc = spark.sparkContext
print(sc.range(5).collect(), sc.range(2, 9, 3).collect(), sc.range(4).getNumPartitions(), sc.emptyRDD().collect(), sc.emptyRDD().takeOrdered(2))
rides = sc.parallelize([("JFK", 3), ("LGA", 1), ("JFK", 5)], 2)
print(rides.collectAsMap())
groups = sc.parallelize([1, 1, 2, 3, 5, 8], 3).groupBy(lambda x: x % 2).collect()
print(sorted([(k, sorted(v)) for (k, v) in groups]))
fares = sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10)
print(fares.treeAggregate(0, add, add), fares.treeAggregate(0, add, add, 1), fares.treeReduce(add), fares.treeReduce(add, 5))
r = sc.range(3)
print(r.is_cached, str(r.getStorageLevel()))
r2 = r.cache()
print(r2 is r, r.is_cached, str(r.getStorageLevel()), r.getStorageLevel())
r.unpersist()
print(r.is_cached, str(r.getStorageLevel()))
r.persist(StorageLevel.MEMORY_AND_DISK)
print(r.is_cached, str(r.getStorageLevel()), r.count())
try:
    fares.treeReduce(add, 0)
except ValueError as e:
    print("ValueError", e)
