# Arrays, maps and structs: columns of nested types in createDataFrame (given and inferred), how show(),
# printSchema(), the schema and collect() present them, the functions that build and read them, and explode.
from pyspark.sql import Row, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

spark = SparkSession.builder.master("local[*]").appName("arrays_maps_structs").getOrCreate()

trips = spark.createDataFrame(
    [
        (1, [12, None, 30], {"cash": 1, "card": None}, Row(zone="Harlem", borough="Manhattan"), "a,b,,c"),
        (2, [7, 7, 5], {"card": 4}, None, None),
        (3, None, None, Row(zone=None, borough=None), ""),
        (4, [], {}, Row(zone="Astoria", borough="Queens"), "x"),
    ],
    "vendor int, fares array<int>, payments map<string,int>, pickup struct<zone:string,borough:string>, tags string",
)
trips.show()
trips.printSchema()
print(trips.schema)
print(trips.dtypes)
print(trips.collect())

trips.select(
    F.split("tags", ","),
    F.size("fares"),
    F.array("vendor", F.lit(2)),
    F.struct("vendor", "tags"),
    F.create_map(F.lit("k"), "vendor"),
    F.array(F.lit(1.5), F.lit(None)),
    F.array(F.array(F.lit("x"))),
).show(truncate=False)
trips.select(F.split("tags", ","), F.array("vendor", F.lit(2)), F.struct("vendor", "tags"), F.create_map(F.lit("k"), "vendor")).printSchema()

first_two = trips.where("vendor < 3")
read = first_two.select(
    F.col("fares")[0],
    F.col("fares").getItem(1),
    F.col("payments")["cash"],
    F.col("payments").getItem("none"),
    F.col("pickup")["zone"],
    F.col("pickup").getField("borough"),
    F.element_at("fares", -1),
    F.element_at("payments", "card"),
    F.array_contains("fares", 30),
    F.array_contains("fares", 99),
    F.sort_array("fares", asc=False),
    F.sort_array("fares"),
    F.array_distinct("fares"),
    F.flatten(F.array("fares", "fares")),
    F.concat("fares", "fares"),
    F.size("payments"),
)
read.show(truncate=False)
read.printSchema()

for mistake in [
    lambda: first_two.select(F.element_at("fares", 5)).show(),
    lambda: first_two.select(F.element_at("fares", 0)).show(),
    lambda: first_two.select(F.col("fares")[-1]).show(),
]:
    try:
        mistake()
    except Exception as e:
        print(str(e).split("\n")[0])

spark.createDataFrame([("a1b22c333", "a,b,c,,")], ["text", "csv"]).select(
    F.split("text", "[0-9]+"), F.split("csv", ",", 2), F.split("csv", ","), F.split("csv", "")
).show(truncate=False)

inferred = spark.createDataFrame([(1, [1.5, 2.0], {"k": "v"}, Row(a=1, b="x"))])
inferred.printSchema()
inferred.show()

trips.select(F.explode("fares")).show()
trips.select("vendor", F.explode_outer("fares")).show()
trips.select("vendor", F.posexplode("fares")).show()
trips.select("vendor", F.explode("payments")).show()
trips.select("vendor", F.posexplode_outer("payments")).show()
trips.select(F.explode("fares").alias("fare"), "vendor").show()
trips.select(F.posexplode("fares").alias("position", "fare"), "vendor").show()
trips.select(F.explode(F.split("tags", ",")).alias("tag")).groupBy("tag").count().orderBy("tag").show()
trips.selectExpr("explode(fares) as fare", "vendor").where("fare > 7").show()
trips.select(F.explode("fares"), F.explode("fares")).show()
trips.createOrReplaceTempView("trips")
spark.sql("SELECT vendor, explode(payments) FROM trips ORDER BY vendor, key").show()

rides = spark.createDataFrame(
    [(1, [1, None, 3], "a"), (2, [2, 5], "b"), (3, None, "a"), (1, [7], None), (2, [2, 5], "b")],
    "vendor int, fares array<int>, zone string",
)
rides.groupBy("vendor").agg(F.collect_list("fares"), F.collect_set("zone"), F.sort_array(F.collect_set("zone"))).orderBy(
    "vendor"
).show(truncate=False)
rides.groupBy("vendor").agg(F.collect_list("fares"), F.collect_set("zone")).printSchema()
rides.groupBy().agg(F.sort_array(F.collect_list("vendor")).alias("vendors"), F.size(F.collect_set("zone"))).show()
by_vendor = Window.partitionBy("zone").orderBy("vendor")
rides.select("zone", "vendor", F.collect_list("vendor").over(by_vendor).alias("so_far")).orderBy("zone", "vendor").show()
rides.createOrReplaceTempView("rides")
spark.sql("SELECT zone, sort_array(collect_list(vendor)) AS vendors FROM rides GROUP BY zone ORDER BY zone").show()

# Structs by dotted names, distinct and grouping over arrays and structs, and rows hashed to Spark's partitions.
trips.select("pickup.zone", "pickup.*").show()
try:
    trips.distinct().show()
except Exception as e:
    print(str(e).split("\n")[0].rstrip(";"))
trips.select("vendor", "fares", "pickup").union(trips.select("vendor", "fares", "pickup")).distinct().orderBy("vendor").show()
rides.groupBy("fares").count().orderBy("count", "fares").show()
trips.groupBy("pickup").agg(F.sum("vendor")).orderBy("pickup").show()
trips.orderBy(F.desc("fares")).show()
spark.sql("SELECT vendor, fares[0], payments['cash'], pickup.zone, pickup.borough, fares[1] + 1 FROM trips WHERE vendor < 3 ORDER BY vendor").show()
many = spark.createDataFrame(
    [([i, None, i * 7], Row(a=i, b=str(i)), {str(i): i}) for i in range(12)], "arr array<int>, s struct<a:int,b:string>, m map<string,int>"
)
print([[r.arr[0] for r in part] for part in many.repartition(4, "arr").rdd.glom().collect()])
print([[r.s.a for r in part] for part in many.repartition(4, "s").rdd.glom().collect()])
print([[r.s.a for r in part] for part in many.repartition(4, "m").rdd.glom().collect()])

# More array and map functions, two refusals, and UDFs that take and return arrays.
from pyspark.sql.types import ArrayType, StringType  # noqa: E402

lists = spark.createDataFrame(
    [(1, [3, None, 1, 3], [1, 5], {"a": 1, "b": None}, ["x", None, "y"]), (2, [], [2], {}, []), (3, None, None, None, None)],
    "id int, arr array<int>, other array<int>, m map<string,int>, words array<string>",
)
more = lists.select(
    "id",
    F.map_keys("m"),
    F.map_values("m"),
    F.array_join("words", ","),
    F.array_join("words", "-", "?"),
    F.slice("arr", 2, 2),
    F.slice("arr", -2, 5),
    F.array_max("arr"),
    F.array_min("arr"),
    F.array_position("arr", 3),
    F.array_remove("arr", 3),
    F.array_union("arr", "other"),
    F.array_intersect("arr", "other"),
    F.array_except("arr", "other"),
    F.arrays_overlap("arr", "other"),
)
more.show(truncate=False)
more.printSchema()
lists.select(F.array_join("arr", ";")).show()
for mistake in [lambda: lists.select(F.slice("arr", 0, 1)).show(), lambda: lists.write.mode("overwrite").csv("out/arrays_csv")]:
    try:
        mistake()
    except Exception as e:
        print(str(e).split("\n")[0].rstrip(";"))
splitter = F.udf(lambda s: s.split(","), ArrayType(StringType()))
counter = F.udf(lambda a: len(a))
spark.createDataFrame([("a,b",), ("c",)], ["t"]).select(splitter("t").alias("parts"), counter(F.array(F.lit(1), F.lit(2))).alias("n")).show()

# Structs inside collected rows are Rows too.
nested = spark.createDataFrame(
    [(1, Row(x=1, y="s"), [Row(x=2, y="t")], {"k": Row(x=3, y="u")})],
    "id int, s struct<x:int,y:string>, l array<struct<x:int,y:string>>, m map<string,struct<x:int,y:string>>",
).collect()[0]
print(nested)
print(nested.asDict(True))
print(nested.s["x"], nested.s.asDict(), "x" in nested.s, nested.l[0].y, nested.m["k"]["y"], nested.s == Row(x=1, y="s"))
print(len(nested), len(nested.s), len(Row(a=1, b="x")), len(nested.l))
