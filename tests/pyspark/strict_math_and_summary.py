# Logarithms, exponentials, powers and cube roots to the last digit of Java's StrictMath (which Spark uses), and
# summary() with its percentiles and distinct counts.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
spark = SparkSession.builder.master("local[*]").getOrCreate()
fares = spark.range(1, 61).select((F.col("id") * 0.61 - 3.3).alias("x"))
fares.select("x", F.exp("x"), F.log(F.abs("x")), F.log10(F.abs("x")), F.log2(F.abs("x")), F.log(7.0, F.abs("x"))).show(60, truncate=False)
fares.select("x", F.pow(F.abs("x"), 2.3), F.cbrt("x"), F.expm1("x"), F.log1p(F.abs("x")), F.asinh("x"), F.acosh(F.abs("x") + 1)).show(60, truncate=False)
spark.sql("SELECT ln(1.5725), log10(6.29), cbrt(0.74), log2(3), exp(1), power(2.5, 1.7)").show(truncate=False)

rides = spark.createDataFrame(
    [("JFK", 12, 52.5, "card"), ("LGA", 3, 18.25, "cash"), ("EWR", 7, None, "card"), ("JFK", 25, 70.0, None), ("LGA", 9, 31.0, "card")],
    "airport string, miles int, fare double, payment string")
rides.summary().show()
rides.summary("count", "count_distinct", "approx_count_distinct", "10%", "50%", "90%").show()
rides.select("miles").summary("min", "33.3%", "max").show()
