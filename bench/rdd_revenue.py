# The module's RDD job — filter, map to ((hour, zone), (amount, 1)), reduceByKey, toDF — and a Python UDF over
# every row, timed. Runs unchanged on real PySpark (`python3 bench/rdd_revenue.py DIR`) and on Kindling
# (`kindling run bench/rdd_revenue.py -- DIR` is not needed: the path comes from KINDLING_BENCH_DATA or the cwd).
import time
from datetime import datetime

from pyspark.sql import SparkSession, types
from pyspark.sql import functions as F

spark = SparkSession.builder.master('local[*]').appName('bench').getOrCreate()
df_green = spark.read.parquet('pq/green/*/*')
rows = df_green.count()

start = datetime(year=2024, month=1, day=1)


def filter_outliers(row):
    return row.lpep_pickup_datetime >= start


def prepare_for_grouping(row):
    hour = row.lpep_pickup_datetime.replace(minute=0, second=0, microsecond=0)
    return ((hour, row.PULocationID), (row.total_amount, 1))


def calculate_revenue(left, right):
    return (left[0] + right[0], left[1] + right[1])


began = time.time()
result = df_green.select('lpep_pickup_datetime', 'PULocationID', 'total_amount').rdd \
    .filter(filter_outliers) \
    .map(prepare_for_grouping) \
    .reduceByKey(calculate_revenue) \
    .map(lambda kv: (kv[0][0], kv[0][1], kv[1][0], kv[1][1])) \
    .toDF(['hour', 'zone', 'revenue', 'count'])
groups = result.count()
rdd_seconds = time.time() - began
print(f'RDD reduceByKey job: {rows} rows -> {groups} groups in {rdd_seconds:.1f} s')


def crazy_stuff(base_num):
    num = int(base_num[1:])
    if num % 7 == 0:
        return f's/{num:03x}'
    elif num % 3 == 0:
        return f'a/{num:03x}'
    else:
        return f'e/{num:03x}'


crazy_stuff_udf = F.udf(crazy_stuff, returnType=types.StringType())
began = time.time()
bases = df_green.select(crazy_stuff_udf(F.concat(F.lit('B'), df_green.PULocationID)).alias('base')).distinct().count()
udf_seconds = time.time() - began
print(f'UDF: {rows} rows -> {bases} distinct values in {udf_seconds:.1f} s ({rows / udf_seconds:,.0f} rows/s)')
