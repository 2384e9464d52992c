# The module's taxi-schema notebook: read CSV with an explicit schema, repartition and write Parquet, read it
# back, then transformations, actions and a Python UDF.
from pyspark.sql import SparkSession, types
from pyspark.sql import functions as F

spark = SparkSession.builder \
    .master("local[*]") \
    .appName('test') \
    .getOrCreate()

green = spark.read.parquet('pq/green/2024/01/')
green.select('VendorID', 'lpep_pickup_datetime', 'lpep_dropoff_datetime', 'PULocationID', 'DOLocationID', 'trip_distance') \
    .write.option('header', 'true').csv('raw/green', mode='overwrite')

schema = types.StructType([
    types.StructField('VendorID', types.IntegerType(), True),
    types.StructField('pickup_datetime', types.TimestampType(), True),
    types.StructField('dropoff_datetime', types.TimestampType(), True),
    types.StructField('PULocationID', types.IntegerType(), True),
    types.StructField('DOLocationID', types.IntegerType(), True),
    types.StructField('trip_distance', types.DoubleType(), True)
])

df = spark.read \
    .option("header", "true") \
    .schema(schema) \
    .csv('raw/green')
df.printSchema()
print(df.schema)

df = df.repartition(4)
df.write.parquet('pq/fhv/2024/01/', mode='overwrite')

df = spark.read.parquet('pq/fhv/2024/01/')
df.printSchema()
print(df.count())

df.select('pickup_datetime', 'dropoff_datetime', 'PULocationID', 'DOLocationID') \
    .filter(df.VendorID == 2) \
    .orderBy('pickup_datetime') \
    .show(5)


def crazy_stuff(base_num):
    num = int(base_num[1:])
    if num % 7 == 0:
        return f's/{num:03x}'
    elif num % 3 == 0:
        return f'a/{num:03x}'
    else:
        return f'e/{num:03x}'


print(crazy_stuff('B02884'))

crazy_stuff_udf = F.udf(crazy_stuff, returnType=types.StringType())
print(crazy_stuff_udf(df.PULocationID))

df \
    .withColumn('pickup_date', F.to_date(df.pickup_datetime)) \
    .withColumn('dropoff_date', F.to_date(df.dropoff_datetime)) \
    .withColumn('base_id', crazy_stuff_udf(F.concat(F.lit('B'), df.PULocationID))) \
    .select('base_id', 'pickup_date', 'dropoff_date', 'PULocationID', 'DOLocationID') \
    .orderBy('pickup_date', 'PULocationID', 'DOLocationID', 'base_id') \
    .show(5)


@F.udf(returnType=types.DoubleType())
def miles_to_km(miles):
    if miles is None:
        return None
    return round(miles * 1.609344, 3)


df.select(miles_to_km('trip_distance').alias('km')).orderBy(F.desc('km')).show(3)
df.groupBy(crazy_stuff_udf(F.concat(F.lit('B'), df.DOLocationID)).alias('base')) \
    .count() \
    .orderBy(F.desc('count'), 'base') \
    .show(3)
