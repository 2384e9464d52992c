# The monthly revenue report over green and yellow trips together (a union under one aggregation).
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.master("local[*]").getOrCreate()


def trips(colour, prefix):
    return spark.read.parquet(f'pq/{colour}/*/*') \
        .withColumnRenamed(f'{prefix}_pickup_datetime', 'pickup_datetime') \
        .withColumnRenamed(f'{prefix}_dropoff_datetime', 'dropoff_datetime')


green, yellow = trips('green', 'lpep'), trips('yellow', 'tpep')
common = [c for c in green.columns if c in set(yellow.columns)]
green.select(common).withColumn('service_type', F.lit('green')) \
    .unionAll(yellow.select(common).withColumn('service_type', F.lit('yellow'))) \
    .createOrReplaceTempView('trips_data')

report = spark.sql("""
SELECT PULocationID AS revenue_zone, date_trunc('month', pickup_datetime) AS revenue_month, service_type,
       SUM(fare_amount) AS revenue_monthly_fare, SUM(total_amount) AS revenue_monthly_total_amount,
       AVG(passenger_count) AS avg_monthly_passenger_count, AVG(trip_distance) AS avg_monthly_trip_distance
FROM trips_data
GROUP BY 1, 2, 3
""")
report.collect()
