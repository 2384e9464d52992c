# Hourly revenue of green and of yellow trips, joined on (hour, zone) with an outer join: a sort-merge join of
# two aggregations, each side shuffled on the keys and sorted.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.master("local[*]").getOrCreate()


def hourly(colour, pickup):
    return spark.read.parquet(f'pq/{colour}/*/*') \
        .filter(F.col(pickup) >= '2024-01-01 00:00:00') \
        .groupBy(F.date_trunc('hour', pickup).alias('hour'), F.col('PULocationID').alias('zone')) \
        .agg(F.sum('total_amount').alias(f'{colour}_amount'), F.count(F.lit(1)).alias(f'{colour}_number_records'))


joined = hourly('green', 'lpep_pickup_datetime').join(hourly('yellow', 'tpep_pickup_datetime'), on=['hour', 'zone'], how='outer')
joined.collect()
