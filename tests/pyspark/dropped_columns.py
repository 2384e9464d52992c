# A filter or a sort may read a column an earlier select dropped: Spark brings it back up from below for that
# step. A column of another DataFrame is an AnalysisException instead.
from pyspark.sql import SparkSession

spark = SparkSession.builder.master("local[*]").appName("dropped").getOrCreate()
df_green = spark.read.parquet("pq/green/*/*")
df_zones = spark.read.option("header", "true").option("inferSchema", "true").csv("zones.csv")

trips = df_green.select("PULocationID", "total_amount")
trips.filter(df_green.trip_distance > 20).orderBy(df_green.lpep_pickup_datetime.desc()).show(5)
print(trips.filter(df_green.payment_type == 2).count())

doubled = df_green.select((df_green.total_amount * 2).alias("double_total"))
doubled.filter(df_green.passenger_count >= 5).orderBy(df_green.lpep_dropoff_datetime, "double_total").show(5)


def without_ids(message):
    """The message up to Spark's plan, without attribute numbers (they count differently in each engine)."""
    kept = []
    digits_of_id = False
    for char in message.split(";")[0]:
        if char == "#":
            digits_of_id = True
        elif digits_of_id and char.isdigit():
            continue
        else:
            digits_of_id = False
        kept.append(char)
    return "".join(kept)


for attempt in [lambda: df_green.filter(df_zones.LocationID > 1),
                lambda: df_green.orderBy(df_zones.Zone),
                lambda: df_green.groupBy("PULocationID").count().filter(df_green.VendorID == 1)]:
    try:
        attempt().show()
    except Exception as error:
        print(without_ids(str(error)))
