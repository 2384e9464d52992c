# Column ordinals in orderBy/groupBy, describe() and summary() tables, pivot tables, rollup and cube.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.appName("describe and pivot").getOrCreate()

trips = spark.createDataFrame(
    [("Astoria", 1, 12.5), ("SoHo", 2, 30.0), ("Astoria", 3, None), ("Astoria", 1, 8.0), ("Harlem", None, 5.5)],
    "zone string, passengers int, fare double",
)
trips.orderBy(2, 3).show()
trips.orderBy(-3).show()
trips.groupBy(1).count().orderBy(1).show()

trips.describe().show()
trips.describe("fare").show()
trips.summary("count", "min", "max").show()

trips.groupBy("zone").pivot("passengers").sum("fare").orderBy("zone").show()
trips.groupBy("zone").pivot("passengers", [1, 3]).agg(F.count("fare"), F.max("fare").alias("top")).orderBy("zone").show()
trips.groupBy().pivot("zone").avg("fare").show()
trips.groupBy("passengers").pivot("zone").count().orderBy("passengers").show()

# Subtotals: rollup groups by each prefix of the keys, cube by every subset of them (NULL marks a rolled-up key).
trips.rollup("zone").count().orderBy("zone").show()
trips.rollup("zone", "passengers").agg(F.sum("fare"), F.count("*")).orderBy("zone", "passengers").show()
trips.cube("zone", "passengers").count().orderBy("zone", "passengers", "count").show()
trips.cube("zone").agg(F.sum("passengers").alias("people")).orderBy("zone").show()
