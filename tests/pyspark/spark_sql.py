# The module's Spark SQL notebook: green and yellow trips with common columns, unionAll, a temp view, and the
# monthly revenue report written with SQL.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder \
    .master("local[*]") \
    .appName('test') \
    .getOrCreate()

df_green = spark.read.parquet('pq/green/*/*')
df_green = df_green \
    .withColumnRenamed('lpep_pickup_datetime', 'pickup_datetime') \
    .withColumnRenamed('lpep_dropoff_datetime', 'dropoff_datetime')

df_yellow = spark.read.parquet('pq/yellow/*/*')
df_yellow = df_yellow \
    .withColumnRenamed('tpep_pickup_datetime', 'pickup_datetime') \
    .withColumnRenamed('tpep_dropoff_datetime', 'dropoff_datetime')

common_colums = []
yellow_columns = set(df_yellow.columns)
for col in df_green.columns:
    if col in yellow_columns:
        common_colums.append(col)
print(common_colums)

df_green_sel = df_green \
    .select(common_colums) \
    .withColumn('service_type', F.lit('green'))
df_yellow_sel = df_yellow \
    .select(common_colums) \
    .withColumn('service_type', F.lit('yellow'))

df_trips_data = df_green_sel.unionAll(df_yellow_sel)
df_trips_data.groupBy('service_type').count().orderBy('service_type').show()
print(df_trips_data.columns)

df_trips_data.createOrReplaceTempView('trips_data')
spark.sql("""
SELECT
    service_type,
    count(1)
FROM
    trips_data
GROUP BY
    service_type
ORDER BY 1
""").show()

df_result = spark.sql("""
SELECT
    -- Revenue grouping
    PULocationID AS revenue_zone,
    date_trunc('month', pickup_datetime) AS revenue_month,
    service_type,

    -- Revenue calculation
    ROUND(SUM(fare_amount), 2) AS revenue_monthly_fare,
    ROUND(SUM(extra), 2) AS revenue_monthly_extra,
    ROUND(SUM(mta_tax), 2) AS revenue_monthly_mta_tax,
    ROUND(SUM(tip_amount), 2) AS revenue_monthly_tip_amount,
    ROUND(SUM(total_amount), 2) AS revenue_monthly_total_amount,
    ROUND(SUM(congestion_surcharge), 2) AS revenue_monthly_congestion_surcharge,

    -- Additional calculations
    ROUND(AVG(passenger_count), 4) AS avg_montly_passenger_count,
    ROUND(AVG(trip_distance), 4) AS avg_montly_trip_distance
FROM
    trips_data
GROUP BY
    1, 2, 3
""")
df_result.printSchema()
df_result.orderBy('revenue_zone', 'revenue_month', 'service_type').show(5)
print(df_result.count())

df_result.coalesce(1).write.parquet('report/revenue/', mode='overwrite')
report = spark.read.parquet('report/revenue/')
print(report.count(), report.rdd.getNumPartitions())

# `!=` and `<>` are NOT (a = b) to Spark: in names, plans and filters; split names its default limit.
print(spark.sql("SELECT 1 <> 2, 1 != 2, split('a1b', '[0-9]'), length(uuid())").columns)
ids = spark.range(4)
ids.where(ids.id != 2).select((ids.id != 1).alias("not_one"), ids.id != 3).show()
ids.where("id <> 2").explain()
maybe = spark.createDataFrame([(1, "a"), (None, "b")], "x int, s string")
maybe.where(maybe.x != 1).explain()
maybe.where("s <> 'a'").select("x").explain()
