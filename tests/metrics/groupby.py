# Hourly revenue per zone of the green trips: a filter, a partial and a final aggregation around one shuffle.
from pyspark.sql import SparkSession

spark = SparkSession.builder.master("local[*]").getOrCreate()

spark.read.parquet('pq/green/*/*').createOrReplaceTempView('green')
revenue = spark.sql("""
SELECT date_trunc('hour', lpep_pickup_datetime) AS hour, PULocationID AS zone,
       SUM(total_amount) AS amount, COUNT(1) AS number_records
FROM green
WHERE lpep_pickup_datetime >= '2024-01-15 00:00:00'
GROUP BY 1, 2
""")
revenue.collect()
