# spark.catalog as PySpark has it: listTables() lists Table entries (names in lower case, a pattern filters them),
# listColumns(), the current database and catalog, tableExists().
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[*]").getOrCreate()
trips = spark.createDataFrame([("JFK", 3, 12.5)], "zone string, n int, fare double")
trips.createOrReplaceTempView("trip_zones")
spark.range(2).createOrReplaceTempView("Tiny")
print(spark.catalog.listTables(pattern="tiny|trip_zones"))
print(spark.catalog.listTables(pattern="trip_*"))
print(spark.catalog.listTables(pattern="nothing*|TINY"))
print([t.name for t in spark.catalog.listTables(pattern="tiny|trip_zones")], spark.catalog.listTables(pattern="tiny|trip_zones")[0].isTemporary)
print(spark.catalog.listColumns("trip_zones"))
print(spark.catalog.currentDatabase(), spark.catalog.currentCatalog())
print(spark.catalog.tableExists("trip_zones"), spark.catalog.tableExists("nope"))
