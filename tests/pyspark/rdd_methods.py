# The RDD methods beyond map/filter/reduceByKey: actions finished on the driver, key-value joins through a shuffle,
# combineByKey and its relatives, partitionBy with PySpark's hash or a function of our own, sorting by range
# partitions, sampling, zipWithIndex, and the numeric statistics; cartesian (a task per pair of partitions).
from pyspark.sql import SparkSession

spark = SparkSession.builder.master("local[2]").appName("rdd methods").getOrCreate()
sc = spark.sparkContext
fares = sc.parallelize([("Astoria", 12.5), ("SoHo", 30.0), ("Astoria", 7.25), ("Harlem", 18.0), ("SoHo", 4.5)], 2)
zones = sc.parallelize([("Astoria", "Queens"), ("SoHo", "Manhattan"), ("Flushing", "Queens")], 2)
numbers = sc.parallelize(range(1, 21), 3)

print(numbers.reduce(lambda a, b: a + b), numbers.fold(0, lambda a, b: a + b), numbers.sum())
print(numbers.aggregate((0, 0), lambda acc, x: (acc[0] + x, acc[1] + 1), lambda a, b: (a[0] + b[0], a[1] + b[1])))
print(numbers.max(), numbers.min(), numbers.max(key=lambda x: -x), numbers.mean(), numbers.stdev(), numbers.sampleVariance())
print(numbers.stats())
print(numbers.top(3), numbers.takeOrdered(3), numbers.takeOrdered(2, key=lambda x: -x))
print(sorted(fares.countByKey().items()), sorted(sc.parallelize([1, 2, 2, 3, 3, 3]).countByValue().items()))
print(fares.lookup("SoHo"), fares.keyBy(lambda kv: kv[1] > 10).take(2), sc.parallelize([]).isEmpty())

print(sorted(fares.join(zones).collect()))
print(sorted(fares.leftOuterJoin(zones).collect()))
print(sorted(fares.rightOuterJoin(zones).collect()))
print(sorted(fares.fullOuterJoin(zones, 3).collect()))
print(sorted((k, (sorted(a), sorted(b))) for k, (a, b) in fares.cogroup(zones).collect()))
print(sorted(fares.subtractByKey(zones).collect()), sorted(numbers.subtract(sc.parallelize(range(5, 20))).collect()))
print(sorted(numbers.intersection(sc.parallelize([3, 5, 30, 5])).collect()))
print(fares.union(zones).getNumPartitions(), fares.union(zones).count())

print(sorted(fares.combineByKey(lambda v: [v], lambda c, v: c + [v], lambda a, b: a + b).collect()))
print(sorted(fares.aggregateByKey((0, 0.0), lambda acc, v: (acc[0] + 1, acc[1] + v), lambda a, b: (a[0] + b[0], a[1] + b[1])).collect()))
print(sorted(fares.foldByKey(0.0, lambda a, b: a + b).collect()))
print(fares.partitionBy(3).glom().collect())
print(fares.partitionBy(2, lambda zone: len(zone)).glom().collect())
print(fares.sortByKey().collect(), fares.sortByKey(False, 3).glom().collect())
print(numbers.sortBy(lambda x: (x % 4, -x), numPartitions=2).glom().collect())
print(numbers.sample(False, 0.3, 7).collect(), numbers.sample(True, 0.5, 7).collect())
print(sc.parallelize(list("kindling"), 3).zipWithIndex().collect())
print(sc.parallelize(list("kindling"), 3).zipWithUniqueId().collect())
print(numbers.coalesce(1).glom().collect(), numbers.repartition(5).getNumPartitions())
try:
    sc.parallelize([]).reduce(lambda a, b: a + b)
except Exception as e:
    print(type(e).__name__, e)
letters = sc.parallelize(["a", "b"], 2)
pairs = sc.parallelize([1, 2, 3], 2).cartesian(letters)
print(pairs.getNumPartitions(), pairs.glom().collect())
print(pairs.map(lambda p: (p[1], p[0])).reduceByKey(lambda x, y: x + y).collect(), letters.cartesian(letters).count())
