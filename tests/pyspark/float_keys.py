# Floating-point keys are normalized before grouping, as Spark does: 0.0 and -0.0 are one group, every NaN another.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
spark = SparkSession.builder.master("local[*]").getOrCreate()
tips = spark.createDataFrame([(0.0, 1), (-0.0, 2), (float("nan"), 3), (float("nan"), 4), (2.5, 5), (None, 6)], ["tip", "trip"])
tips.groupBy("tip").agg(F.count("*"), F.sum("trip")).orderBy("tip").show()
tips.select("tip").distinct().orderBy("tip").show()
tips.dropDuplicates(["tip"]).select("tip").orderBy("tip").show()
print(tips.select(F.countDistinct("tip")).collect())
