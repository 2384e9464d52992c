# The RDD version of the hourly revenue: filter, map to ((hour, zone), (amount, 1)), reduceByKey, back to a
# DataFrame.
from datetime import datetime

from pyspark.sql import SparkSession

spark = SparkSession.builder.master("local[*]").getOrCreate()

start = datetime(year=2024, month=1, day=15)
rows = spark.read.parquet('pq/green/*/*').select('lpep_pickup_datetime', 'PULocationID', 'total_amount').rdd


def pair(row):
    hour = row.lpep_pickup_datetime.replace(minute=0, second=0, microsecond=0)
    return ((hour, row.PULocationID), (row.total_amount, 1))


def add(left, right):
    return (left[0] + right[0], left[1] + right[1])


revenue = rows.filter(lambda row: row.lpep_pickup_datetime >= start) \
    .map(pair) \
    .reduceByKey(add) \
    .map(lambda kv: (kv[0][0], kv[0][1], kv[1][0], kv[1][1])) \
    .toDF(['hour', 'zone', 'revenue', 'count'])
revenue.collect()
