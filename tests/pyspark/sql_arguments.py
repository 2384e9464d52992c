# spark.sql with arguments: `{name}` fields filled from keyword arguments (a DataFrame, a Column, a str, a number)
# and parameter markers bound from `args` (`:name` from a dict, `?` from a list), with Spark's errors.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.appName("sql arguments").getOrCreate()
trips = spark.createDataFrame(
    [("Astoria", 12.5, 1), ("SoHo", 30.0, 2), ("Astoria", 7.25, 1), ("Harlem", 18.0, 4)],
    "zone string, fare double, passengers int",
)

spark.sql("SELECT zone, fare FROM {trips} WHERE fare > {least} ORDER BY fare", trips=trips, least=10).show()
spark.sql("SELECT {c}, count(*) AS n FROM {t} WHERE zone <> {z} GROUP BY {c} ORDER BY 1", t=trips, c=trips.zone, z="It's").show()
spark.sql("SELECT {c} FROM {t} WHERE {c} = {z}", t=trips, c=F.col("zone"), z="SoHo").show()
print([t for t in spark.catalog.listTables() if "_pyspark_" in str(t)])

spark.sql("SELECT zone, fare * :rate AS fare FROM {t} WHERE passengers >= :least ORDER BY zone, fare", {"rate": 2, "least": 2}, t=trips).show()
named = spark.sql("SELECT :a + 1 AS x, :b, :c, :d, :e", args={"a": 5, "b": "q", "c": 2.5, "d": True, "e": None})
print(named.columns)
named.show()
spark.sql("SELECT ? * 2, ?", args=[21, F.lit("lit")]).show()
spark.sql("SELECT zone FROM {t} WHERE fare BETWEEN ? AND ? ORDER BY zone", [10, 20], t=trips).show()

for query, args in [("SELECT :a + 1", None), ("SELECT :a + :b", {"a": 1}), ("SELECT ?, ?", [1]), ("SELECT ? + 1, :x", [1])]:
    try:
        spark.sql(query, args=args).show()
    except Exception as e:
        print(str(e).split("; line")[0])
try:
    spark.sql("SELECT {c} FROM {t}", t=trips, c=trips.fare + 1).show()
except Exception as e:
    print(e)
print([t for t in spark.catalog.listTables() if "_pyspark_" in str(t)])
