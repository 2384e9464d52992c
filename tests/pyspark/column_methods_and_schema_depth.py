# Column.ilike / isNaN / transform / substr, printSchema(level) down to a depth, and a time zone set with spark.conf taken up
# at once by current_timezone().
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
spark = SparkSession.builder.master("local[*]").getOrCreate()
df = spark.createDataFrame([("Alice", float("nan"), (1, ("x", [1, 2]))), ("Bob", 2.5, (2, ("y", [3])))], "name string, h double, s struct<a:int, b:struct<c:string, d:array<int>>>")
df.filter(df.name.ilike("%ICE")).select("name").show()
df.select(df.h.isNaN(), df.name.transform(F.upper).transform(lambda c: F.concat(c, F.lit("!"))).alias("shout")).show()
df.printSchema(1)
df.printSchema(2)
df.printSchema(3)
df.printSchema(0)
spark.conf.set("spark.sql.session.timeZone", "America/New_York")
spark.range(1).select(F.current_timezone()).show()
zones = spark.createDataFrame([("Manhattan", 2)], ["zone", "n"])
zones.select(zones.zone.substr(1, 3), F.col("zone").substr(F.lit(2), F.col("n")), F.substring("zone", 1, 3), F.lit("abc").substr(0, 2)).show()
