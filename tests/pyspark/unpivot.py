# unpivot / melt: wide rows to long ones, ids kept, value columns widened to a common type, Spark's errors.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.appName("unpivot").getOrCreate()
fares = spark.createDataFrame(
    [("Astoria", 2, 12.5, None), ("SoHo", 1, 30.0, 4.5), ("Harlem", None, 18.0, 2.0)],
    "zone string, trips int, fare double, tip double",
)
long = fares.unpivot("zone", ["trips", "fare", "tip"], "measure", "amount")
long.show()
long.printSchema()
fares.melt(ids=["zone"], values=None, variableColumnName="variable", valueColumnName="value").show()
fares.unpivot([], ["fare", "tip"], "which", "dollars").show()
fares.unpivot(F.col("zone"), "tip", "k", "v").orderBy("zone").show()
long.groupBy("measure").agg(F.sum("amount").alias("total"), F.count("amount").alias("n")).orderBy("measure").show()
print(long.count(), long.filter(F.col("amount").isNull()).count())
for mistake in [
    lambda: fares.unpivot("zone", None, "a", "b").unpivot("a", None, "c", "d"),
    lambda: fares.unpivot(["zone", "trips", "fare", "tip"], None, "a", "b"),
    lambda: fares.unpivot("trips", ["zone", "fare"], "a", "b"),
]:
    try:
        mistake().show()
    except Exception as e:
        print(str(e).split("\n")[0].rstrip(";"))
