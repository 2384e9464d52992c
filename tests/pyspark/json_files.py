# JSON Lines: a DataFrame with nested columns written with df.write.json, read back with Spark's schema inference
# (fields sorted by name, ints as bigint, maps and structs as structs, dates and timestamps as text) and with a
# schema given, then a join and an aggregation over what was read.
import datetime
import decimal

from pyspark.sql import Row, SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.master("local[*]").appName("json_files").getOrCreate()

trips = spark.createDataFrame(
    [
        (1, [12, None, 30], {"cash": 1}, Row(zone="Harlem", borough="Manhattan"), 1.5, datetime.date(2024, 1, 2),
         datetime.datetime(2024, 1, 2, 3, 4, 5, 600000), decimal.Decimal("1.50"), True, None),
        (2, [7, 5], {"card": 4}, None, 1e7, None, None, None, False, "late"),
        (3, None, None, Row(zone=None, borough="Queens"), None, datetime.date(2024, 2, 29), None, decimal.Decimal("-0.25"), None, "ok"),
    ],
    "vendor int, fares array<int>, payments map<string,int>, pickup struct<zone:string,borough:string>, "
    "distance double, day date, at timestamp, tip decimal(5,2), paid boolean, note string",
)
trips.coalesce(1).write.mode("overwrite").json("out/trips_json")

read = spark.read.json("out/trips_json")
read.printSchema()
read.orderBy("vendor").show(truncate=False)
print(read.orderBy("vendor").collect())

given = spark.read.schema("vendor int, fares array<int>, pickup struct<zone:string,borough:string>, day date").json(
    "out/trips_json"
)
given.printSchema()
given.orderBy("vendor").show(truncate=False)

zones = spark.createDataFrame([("Manhattan", 1), ("Queens", 2)], ["borough", "code"])
read.join(zones, read.pickup.borough == zones.borough).select("vendor", "code").orderBy("vendor").show()
read.select("vendor", F.explode("fares").alias("fare")).groupBy("vendor").agg(F.sum("fare")).orderBy("vendor").show()
