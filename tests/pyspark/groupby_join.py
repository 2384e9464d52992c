# The module's group-by and join notebook: hourly revenue per zone for green and yellow in SQL, an outer join
# of the two on (hour, zone), then a join with the zone lookup.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder \
    .master("local[*]") \
    .appName('test') \
    .getOrCreate()

df_green = spark.read.parquet('pq/green/*/*')
df_green.createOrReplaceTempView('green')

df_green_revenue = spark.sql("""
SELECT
    date_trunc('hour', lpep_pickup_datetime) AS hour,
    PULocationID AS zone,

    SUM(total_amount) AS amount,
    COUNT(1) AS number_records
FROM
    green
WHERE
    lpep_pickup_datetime >= '2024-01-01 00:00:00'
GROUP BY
    1, 2
""")

df_yellow = spark.read.parquet('pq/yellow/*/*')
df_yellow.createOrReplaceTempView('yellow')

df_yellow_revenue = spark.sql("""
SELECT
    date_trunc('hour', tpep_pickup_datetime) AS hour,
    PULocationID AS zone,

    SUM(total_amount) AS amount,
    COUNT(1) AS number_records
FROM
    yellow
WHERE
    tpep_pickup_datetime >= '2024-01-01 00:00:00'
GROUP BY
    1, 2
""")

df_green_revenue_tmp = df_green_revenue \
    .withColumnRenamed('amount', 'green_amount') \
    .withColumnRenamed('number_records', 'green_number_records')

df_yellow_revenue_tmp = df_yellow_revenue \
    .withColumnRenamed('amount', 'yellow_amount') \
    .withColumnRenamed('number_records', 'yellow_number_records')

df_join = df_green_revenue_tmp.join(df_yellow_revenue_tmp, on=['hour', 'zone'], how='outer')
df_join.printSchema()
print(df_join.count())
df_join \
    .withColumn('green_amount', F.round('green_amount', 2)) \
    .withColumn('yellow_amount', F.round('yellow_amount', 2)) \
    .orderBy('hour', 'zone') \
    .show(5)

df_join.write.parquet('tmp/revenue/total', mode='overwrite')
df_join = spark.read.parquet('tmp/revenue/total')

df_zones = spark.read.option('header', 'true').csv('zones.csv')
df_zones.printSchema()

df_result = df_join.join(df_zones, df_join.zone == df_zones.LocationID)
df_result.drop('LocationID', 'zone').printSchema()
df_result \
    .drop('LocationID', 'zone') \
    .groupBy('Borough') \
    .agg(F.sum('green_number_records').alias('green'), F.sum('yellow_number_records').alias('yellow')) \
    .orderBy('Borough') \
    .show()
