# Aggregates that keep text (max, first, max_by of strings) run in Spark's SortAggregate, each partition sorted by
# the keys first; with an object state (collect_list) it is an ObjectHashAggregate, otherwise a HashAggregate.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
spark = SparkSession.builder.master("local[*]").getOrCreate()
trips = spark.createDataFrame([("Queens", "JFK", 12.5), ("Bronx", "Fordham", 7.0), ("Queens", "Astoria", 9.25), ("Brooklyn", "DUMBO", None), ("Bronx", "Mott Haven", 4.0)], ["borough", "zone", "fare"])
by = trips.groupBy("borough")
by.agg(F.max("zone"), F.count("*")).show()
by.agg(F.max("zone"), F.count("*")).explain()
by.agg(F.first("zone"), F.sum("fare")).orderBy("borough").show()
by.agg(F.max("fare"), F.min("fare")).explain()
by.agg(F.collect_list("zone"), F.max("zone")).explain()
trips.agg(F.min("zone"), F.last("borough")).explain()
trips.agg(F.min("zone"), F.last("borough")).show()
trips.groupBy("borough").agg(F.max_by("zone", "fare")).explain()
