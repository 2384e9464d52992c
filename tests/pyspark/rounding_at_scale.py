# ceil/floor (and ceiling) at a decimal place: the number as a decimal, rounded up or down, with room for the carry
# (decimal(p - s + scale + 1, scale)); a negative scale rounds to tens, hundreds, …
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
spark = SparkSession.builder.master("local[*]").getOrCreate()
df = spark.sql("SELECT ceil(-1.25D, 1) a, floor(1.25D, 1) b, ceil(15L, -1) c, floor(CAST(1.255 AS DECIMAL(5,3)), 2) d, ceil(2.5F, 0) e, floor(-15, -1) f, ceil(1.21D, 5) g, ceil(123.456D, -2) h, floor(-123.456D, -2) i, ceiling(0.001D, 2) j")
df.printSchema(); df.show()
spark.range(1).select(F.ceil(F.lit(-0.1), 1), F.floor(F.lit(2.1267), F.lit(2)), F.ceiling(F.lit(7), -1), F.floor(F.lit(None).cast("double"), 1)).show()
print(spark.sql("SELECT ceil(-1.25D, 1), floor(3.1411, -3), ceil(5), CEIL(2.5D), ceiling(0.5D, 0)").columns)
