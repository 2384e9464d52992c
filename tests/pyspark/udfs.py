# Python UDFs: as a call, as decorators (with and without a return type), with keyword arguments, registered for
# SQL under a name, and returning values of another type than declared (which become NULL, as in Spark).
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StringType, DoubleType

spark = SparkSession.builder.appName("udfs").getOrCreate()
trips = spark.createDataFrame(
    [("Astoria", 12.5, 1), ("SoHo", 30.0, 2), ("Harlem", 18.0, None)],
    "zone string, fare double, passengers int",
)


@F.udf(returnType=IntegerType())
def seats_left(passengers):
    return None if passengers is None else 4 - passengers


@F.udf
def shout(zone):
    return zone.upper() + "!"


def fare_share(fare, people=1):
    return fare / people


share = F.udf(fare_share, DoubleType())
trips.select("zone", seats_left("passengers"), shout(trips.zone)).show()
trips.select(share(people=F.lit(2), fare=trips.fare), share("fare", people=F.lit(4)), share(fare="fare")).show()
trips.select(share("fare", people=F.lit(2)).alias("half")).printSchema()

spark.udf.register("seats_left", seats_left)
spark.udf.register("initials", lambda zone: zone[:2], StringType())
trips.createOrReplaceTempView("udf_trips")
spark.sql("SELECT zone, initials(zone) AS i, seats_left(passengers) AS s FROM udf_trips ORDER BY zone").show()
wrong_type = F.udf(lambda fare: str(fare), IntegerType())
trips.select(wrong_type("fare")).show()
