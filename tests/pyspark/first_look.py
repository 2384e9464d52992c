# The module's first notebook: start a session, read the trips, look at them.
import pyspark
from pyspark.sql import SparkSession, types
from pyspark.sql import functions as F

spark = SparkSession.builder \
    .master("local[*]") \
    .appName('test') \
    .getOrCreate()

print(spark.version)

df = spark.read \
    .option("header", "true") \
    .csv('zones.csv')

df.show()
print(df.columns)
print(df.schema)
df.printSchema()

green = spark.read.parquet('pq/green/*/*')
print(green.count())
green.select('VendorID', 'lpep_pickup_datetime', 'PULocationID', 'total_amount') \
    .filter(green.total_amount > 50) \
    .show(5)

green \
    .withColumn('pickup_date', F.to_date(green.lpep_pickup_datetime)) \
    .select('pickup_date', 'PULocationID', 'trip_distance') \
    .filter("trip_distance >= 10") \
    .orderBy('trip_distance', ascending=False) \
    .show(3, truncate=False)

print(green.filter(green.VendorID != 1).count(), green.filter(F.col('payment_type') <= 2).count())
rows = green.select('VendorID', 'total_amount').orderBy(F.desc('total_amount')).take(2)
print(rows)
print(rows[0].total_amount, rows[0]['VendorID'] if False else rows[0][0])
print(green.VendorID, green['total_amount'] * 2, (green.tip_amount + 1).alias('tip_plus'))
