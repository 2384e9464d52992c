# Null and NaN tests, logarithms, regular expressions, try_divide, count_if and sort orders with NULLs placed.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.appName("functions").getOrCreate()

zones = spark.createDataFrame(
    [("JFK Airport", 1.0, None), ("Astoria 42", float("nan"), 3), (None, 2.5, 0), ("LaGuardia Airport", 8.0, 2)],
    "zone string, fare double, trips int",
)
zones.select(F.isnull("zone"), F.isnotnull("trips"), F.isnan("fare"), F.nanvl("fare", F.lit(0.0))).show()
zones.select(F.log(10.0, "fare"), F.log("fare"), F.log10("fare"), F.log2("fare")).show()
zones.select(
    F.regexp_replace("zone", r"(\w+) (\w+)", "$2 $1"),
    F.regexp_extract("zone", r"(\d+)", 1),
    F.regexp_like("zone", F.lit("Air")),
    zones.zone.rlike("^[AJ]"),
).show(truncate=False)
zones.where(F.col("zone").rlike("Airport$")).select("zone").show()
zones.select(F.try_divide("fare", "trips")).show()
zones.agg(F.count_if(F.col("trips") > 0), F.sumDistinct("trips")).show()
zones.orderBy(F.col("trips").asc_nulls_last()).show()
zones.orderBy(F.col("zone").desc_nulls_first()).show()
print(zones.zone.rlike("^A"), F.col("trips").desc_nulls_first())
