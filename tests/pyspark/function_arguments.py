# Which arguments of a function are columns and which are values, as PySpark 4 decides: trim characters, positions,
# lengths, limits and patterns may be other columns; appended elements and instr's needle are values. Names and
# plans as Spark writes them.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
spark = SparkSession.builder.master("local[*]").getOrCreate()
trips = spark.createDataFrame(
    [("--Astoria--", "-", "JFK Airport terminal", 4, "\\d+", "zone 12 and 7"),
     ("..Harlem.", ".", "LaGuardia", 2, "[a-z]+", "no digits")],
    ["zone", "pad", "place", "k", "pattern", "text"])

trips.select(F.ltrim("zone", "pad"), F.rtrim("zone", F.lit("-")), F.trim("zone", "pad"), F.btrim("zone", "pad")).show()
trips.selectExpr("ltrim(pad, zone)", "rtrim(pad, zone)", "trim(pad, zone)", "trim(LEADING pad FROM zone)").show()
trips.select(F.position(F.lit("a"), "place", "k"), F.position(F.lit("r"), "place"), F.locate("a", "place", 3)).show()
trips.select(F.substring("place", 2, "k"), F.substr("place", "k", F.lit(3)), F.split("text", " ", "k"), F.rlike("text", "pattern")).show()
trips.select(F.instr("text", "a", 3), F.instr("place", "a", -1, 2), F.instr("place", "r", 1, 1)).show()
try:
    trips.select(F.instr("place", "a", 1, 0)).show()
except Exception as error:
    print(str(error).split("]")[0] + "]")
trips.select(F.regexp_replace("text", "\\d", "#", 8), F.printf(F.lit("%s has %d"), "place", "k"), F.printf("pattern", "k")).show()
trips.select(F.array_append(F.array("k"), None), F.array_prepend(F.array("pad"), "x"), F.array_insert(F.array("pad", "pad"), 2, "mid")).show()
trips.select(F.col("place").startswith("La"), trips.place.endswith("terminal"), trips.text.contains(trips.pad)).show()
trips.filter(trips.place.contains("Air")).explain()
trips.orderBy(F.desc_nulls_last(trips.k), F.asc_nulls_first(F.col("zone"))).select("zone").show()

# Picking aggregates keep the name they were called by.
visits = spark.createDataFrame([(None, 3), ("Bronx", 1), ("Queens", 2)], "borough string, n int")
visits.select(F.first_value("borough"), F.last_value("borough", True), F.any_value("borough", True), F.approx_percentile("n", 0.5)).show()
visits.createOrReplaceTempView("visits")
print(spark.sql("SELECT first_value(borough) IGNORE NULLS, last_value(borough, true), last(borough) IGNORE NULLS FROM visits").columns)
visits.select(F.count(F.expr("*")), F.count_if(F.col("borough").startswith("B"))).show()

# Units and zones as PySpark passes them: any case, and Java's three-letter zone names.
stamps = spark.createDataFrame([("2023-01-31 22:30:00", "JST", "2023|03|05", "yyyy|MM|dd")], ["ts", "tz", "day", "fmt"])
stamps.select(F.timestamp_add("month", F.lit(1), F.col("ts").cast("timestamp")), F.timestamp_diff("Week", F.col("ts").cast("timestamp"), F.to_timestamp_ntz("day", "fmt"))).show()
stamps.select(F.from_utc_timestamp("ts", "PST"), F.to_utc_timestamp("ts", stamps.tz), F.from_utc_timestamp("ts", "EST")).show()
try:
    stamps.select(F.timestamp_add("fortnight", F.lit(1), F.col("ts").cast("timestamp"))).show()
except Exception as error:
    print(str(error).split("]")[0] + "]")

# Cells are measured as Spark measures them: an emoji is two Java chars, East Asian full-width letters count double.
names = spark.createDataFrame([("taxi", 1), ("🚕", 2), ("出租车", 3), ("택시 정류장에서 기다리는 중입니다", 4)], ["name", "id"])
names.show()
names.show(truncate=6)
