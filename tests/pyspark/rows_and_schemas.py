# Rows as PySpark has them, schemas written as text, aggregates over every numeric column, and settings kept by the
# session.
from pyspark.sql import Row, SparkSession
from pyspark.sql.types import IntegerType, StringType, StructField, StructType

spark = SparkSession.builder.appName("rows").config("spark.sql.shuffle.partitions", "4").config("app.owner", "kindling").getOrCreate()
print(spark.conf.get("spark.sql.shuffle.partitions"), spark.conf.get("app.owner"), spark.conf.get("app.missing", "none"))
spark.conf.set("app.owner", "learner")
print(spark.conf.get("app.owner"))
spark.conf.unset("app.owner")
print(spark.conf.get("app.owner", "unset"))

trip = Row(zone="Astoria", fare=12.5, passengers=2)
print(trip, trip.zone, trip["fare"], trip[2], trip[-1], len(trip.asDict()))
print("zone" in trip, "Astoria" in trip, trip == ("Astoria", 12.5, 2), trip.asDict())
Trip = Row("zone", "fare")
print(Trip, Trip("Harlem", 7.0), Trip("Harlem", 7.0).fare, Row(1, "x"), 1 in Row(1, "x"))
zone, fare, passengers = trip
print(zone, fare, passengers, list(trip), tuple(trip), {trip: "seen"}[Row(zone="Astoria", fare=12.5, passengers=2)])
print(Row(trip=Row(zone="SoHo", stops=[Row(n=1), Row(n=2)])).asDict(True))

people = spark.createDataFrame([Row(name="Ana", age=31), Row(name="Bo", age=25)])
people.printSchema()
rows = people.orderBy("age").collect()
print(rows, rows[0].name, rows[0]["age"], rows[1].asDict())
print(people.orderBy("age").first(), people.orderBy("age").take(1), people.orderBy("age").head(2))
print(people.rdd.map(lambda r: r.age * 2).collect(), people.rdd.map(lambda r: Row(initial=r.name[0])).toDF().collect())
print(sorted(people.rdd.collect(), key=lambda r: r.age))
print(spark.createDataFrame([Trip("Harlem", 7.0), Trip("SoHo", 9.5)]).collect())

for schema in ["name string, age int", "name: string, age: int", "struct<name:string,age:int>",
               "`full name` string NOT NULL, age bigint COMMENT 'years'"]:
    spark.createDataFrame([("Ana", 31)], schema).printSchema()
spark.createDataFrame([1, 2, 3], "int").show()
spark.createDataFrame([("Ana", 31)], StructType([StructField("name", StringType(), False), StructField("age", IntegerType())])).printSchema()
spark.range(3).printSchema()

fares = spark.createDataFrame([("a", 1, 2.5), ("b", 2, 3.5), ("a", 3, None)], "vendor string, trips int, fare double")
fares.groupBy("vendor").sum().orderBy("vendor").show()
fares.groupBy("vendor").avg().orderBy("vendor").show()
fares.groupBy().max().show()
fares.groupBy("vendor").min("fare").orderBy("vendor").show()
try:
    fares.groupBy("vendor").sum("vendor")
except Exception as e:
    print(str(e).split("\n")[0])
