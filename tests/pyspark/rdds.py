# The module's RDD notebook: the revenue report with filter / map / reduceByKey / toDF, then mapPartitions.
from collections import namedtuple
from datetime import datetime

from pyspark.sql import SparkSession, types
from pyspark.sql import functions as F

spark = SparkSession.builder \
    .master("local[*]") \
    .appName('test') \
    .getOrCreate()

df_green = spark.read.parquet('pq/green/*/*')

rdd = df_green \
    .select('lpep_pickup_datetime', 'PULocationID', 'total_amount') \
    .rdd

print(rdd.getNumPartitions())
print(rdd.take(2))

start = datetime(year=2024, month=1, day=15)


def filter_outliers(row):
    return row.lpep_pickup_datetime >= start


def prepare_for_grouping(row):
    hour = row.lpep_pickup_datetime.replace(minute=0, second=0, microsecond=0)
    zone = row.PULocationID
    key = (hour, zone)

    amount = row.total_amount
    count = 1
    value = (amount, count)

    return (key, value)


def calculate_revenue(left_value, right_value):
    left_amount, left_count = left_value
    right_amount, right_count = right_value

    output_amount = left_amount + right_amount
    output_count = left_count + right_count

    return (output_amount, output_count)


RevenueRow = namedtuple('RevenueRow', ['hour', 'zone', 'revenue', 'count'])


def unwrap(row):
    return RevenueRow(
        hour=row[0][0],
        zone=row[0][1],
        revenue=row[1][0],
        count=row[1][1]
    )


print(rdd.filter(filter_outliers).count())
print(rdd.filter(filter_outliers).map(prepare_for_grouping).take(1))

reduced = rdd \
    .filter(filter_outliers) \
    .map(prepare_for_grouping) \
    .reduceByKey(calculate_revenue)
print(reduced.getNumPartitions())
# Which keys went to which partition: PySpark's portable_hash decides.
print(reduced.glom().map(len).collect())

result_schema = types.StructType([
    types.StructField('hour', types.TimestampType(), True),
    types.StructField('zone', types.IntegerType(), True),
    types.StructField('revenue', types.DoubleType(), True),
    types.StructField('count', types.IntegerType(), True)
])

df_result = reduced \
    .map(unwrap) \
    .toDF(result_schema)
df_result.printSchema()
df_result \
    .withColumn('revenue', F.round('revenue', 2)) \
    .orderBy('hour', 'zone') \
    .show(5)

inferred = reduced.map(unwrap).toDF()
inferred.printSchema()
print(inferred.count())

print(sorted(rdd.map(lambda row: (row.PULocationID % 5, 1)).reduceByKey(lambda a, b: a + b).collect()))
grouped = rdd.map(lambda row: (row.PULocationID % 3, row.total_amount)).groupByKey(4)
print(grouped.getNumPartitions(), sorted(grouped.mapValues(len).collect()))
print(sorted(rdd.map(lambda row: row.PULocationID).filter(lambda z: z < 4).distinct().collect()))

columns = ['VendorID', 'lpep_pickup_datetime', 'PULocationID', 'DOLocationID', 'trip_distance']
duration_rdd = df_green.select(columns).rdd


def apply_model_in_batch(rows):
    count = 0
    for row in rows:
        count = count + 1
    return [count]


print(duration_rdd.mapPartitions(apply_model_in_batch).collect())


def predict(rows):
    for row in rows:
        yield (row.VendorID, row.trip_distance * 5)


def infinite_model(rows):
    for row in rows:
        if row.trip_distance > 20:
            yield row.PULocationID


print(duration_rdd.mapPartitions(predict).take(3))
print(sorted(duration_rdd.mapPartitions(infinite_model).collect())[:10])
print(duration_rdd.flatMap(lambda row: [row.VendorID] * 2).count())
print(duration_rdd.map(lambda row: (row.VendorID, row.PULocationID)).keys().distinct().count())

sc = spark.sparkContext
numbers = sc.parallelize(range(10), 3)
print(numbers.getNumPartitions(), numbers.glom().collect())
words = sc.parallelize(['green', 'yellow', 'fhvhv', 'green', 'yellow', 'green'])
print(sorted(words.map(lambda w: (w, 1)).reduceByKey(lambda a, b: a + b).collect()))
print(words.map(lambda w: (w, 1)).reduceByKey(lambda a, b: a + b, 3).glom().map(sorted).collect())
