from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.master("local[*]").appName("revenue").getOrCreate()
df_green = spark.read.parquet("data/pq/green/*/*")
df_zones = spark.read.option("header", "true").option("inferSchema", "true").csv("taxi+_zone_lookup.csv")
revenue = df_green.groupBy("PULocationID").agg(F.round(F.sum("total_amount"), 2).alias("revenue"), F.count("*").alias("trips"))
report = revenue.join(df_zones, revenue.PULocationID == df_zones.LocationID).select("Zone", "Borough", "revenue", "trips")
report.orderBy(F.desc("revenue"), "Zone").show(10, truncate=False)
report.write.mode("overwrite").parquet("data/report/revenue")
print(spark.read.parquet("data/report/revenue").count())
