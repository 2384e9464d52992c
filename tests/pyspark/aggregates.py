# Aggregates beyond sum and count: first/last with and without NULLs, several DISTINCT aggregates in one groupBy,
# count of distinct pairs, and aggregates with a FILTER clause in SQL.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.master("local[*]").appName("aggregates").getOrCreate()

trips = spark.createDataFrame(
    [(1, None, "a", 10.0), (1, 5, "b", 12.5), (2, 3, None, 7.0), (2, 3, "c", 7.0), (3, None, None, 1.0)],
    "vendor int, zone int, payment string, fare double",
)
trips.groupBy("vendor").agg(
    F.first("zone"),
    F.first("zone", ignorenulls=True),
    F.last("payment"),
    F.last("payment", True),
).orderBy("vendor").show()

trips.groupBy("vendor").agg(
    F.countDistinct("zone"),
    F.countDistinct("payment"),
    F.countDistinct("zone", "payment"),
    F.sum("fare"),
    F.count("fare"),
).orderBy("vendor").show()

trips.createOrReplaceTempView("trips")
spark.sql(
    """
    SELECT vendor,
           count(DISTINCT zone) FILTER (WHERE fare > 5) AS zones_above_5,
           sum(DISTINCT fare) AS distinct_fares,
           avg(fare) FILTER (WHERE payment IS NOT NULL) AS paid_average
    FROM trips GROUP BY vendor ORDER BY vendor
    """
).show()
