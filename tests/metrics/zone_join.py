# Green trips joined with the 265-row zone lookup, counted per borough: the lookup is small, so it is broadcast.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.master("local[*]").getOrCreate()

trips = spark.read.parquet('pq/green/*/*')
zones = spark.read.option('header', 'true').csv('zones.csv')
per_borough = trips.join(zones, trips.PULocationID == zones.LocationID) \
    .groupBy('Borough') \
    .agg(F.count(F.lit(1)).alias('trips'), F.sum('total_amount').alias('amount'))
per_borough.collect()
