# DataFrame.groupingSets: the sets given as lists of grouping columns (Spark 4), one Expand copy per set.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
spark = SparkSession.builder.master("local[*]").getOrCreate()
trips = spark.createDataFrame([("Queens", "cash", 12), ("Queens", "card", 7), ("Bronx", "card", 3), ("Bronx", "card", 5), ("Manhattan", "cash", 9)], ["borough", "payment", "fare"])
trips.groupingSets([("borough", "payment")], "borough", "payment").agg(F.sum("fare")).explain()
trips.groupingSets([("borough", "payment"), ("borough",), ()], "borough", "payment").agg(F.sum("fare").alias("total"), F.count("*")).orderBy("borough", "payment").show()
trips.groupingSets([["payment"], []], "borough", "payment").agg(F.max("fare")).orderBy("borough", "payment").show()
trips.groupingSets([(F.col("payment"),), ()], F.col("payment")).count().orderBy("payment").show()
