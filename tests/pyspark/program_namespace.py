# The program's own names never reach Kindling's pyspark package: a loop variable called `col`, classes and values
# named like PySpark's, and wildcard imports that shadow Python's built-ins as they do in PySpark.
from pyspark.sql import SparkSession
from pyspark.sql.functions import *
from pyspark.sql.types import *

spark = SparkSession.builder.appName("namespace").getOrCreate()
schema = StructType([StructField("zone", StringType()), StructField("fare", DoubleType())])
trips = spark.createDataFrame([("Astoria", 12.5), ("SoHo", 30.0), ("Astoria", 7.25)], schema)

for col in trips.columns:
    print(col, dict(trips.dtypes)[col])

lit = "a string now"
Column = None
DataFrame = 3
Row = 4
StructField = "not a class"


def when(x):
    return x * 2


print(when(21))
trips.select("zone", "fare").filter("fare > 10").withColumn("double_fare", trips.fare * 2).show()
trips.groupBy("zone").agg(sum("fare").alias("total"), max("fare").alias("top")).orderBy("zone").show()
print(trips.collect()[0])
trips.printSchema()
print(round("fare"), abs(-3) if False else "")
