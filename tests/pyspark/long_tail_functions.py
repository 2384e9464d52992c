# The functions module beyond the course's: string, math and date functions with PySpark's argument conventions
# (a string names a column unless the function takes a value there) and PySpark's column names.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
spark = SparkSession.builder.master("local[*]").getOrCreate()
df = spark.createDataFrame([("Manhattan", 3, 2.5, "2024-03-10"), ("Queens", -7, 10.0, "2021-01-31")], "zone string, n int, x double, d string")
df.select(F.lpad("zone", 12, "*"), F.rpad("zone", 4, "-"), F.startswith("zone", F.lit("Man")), F.instr("zone", "ee"), F.locate("a", "zone"), F.translate("zone", "an", "AN"), F.repeat("zone", 2), F.left("zone", F.lit(3))).show()
df.select(F.pmod("n", F.lit(5)), F.sqrt("x"), F.pow("x", 2), F.sign("n"), F.bround("x", 0), F.ceil("x"), F.floor("x"), F.log2("x"), F.degrees("x")).show()
df.select(F.date_add("d", 3), F.date_sub(F.col("d"), 1), F.add_months("d", 1), F.last_day("d"), F.next_day("d", "Mon"), F.dayofyear("d"), F.quarter("d"), F.weekday("d"), F.make_date(F.lit(2024), F.lit(2), F.lit(29))).show()
df.select(F.timestamp_add("HOUR", F.lit(5), F.to_timestamp("d")), F.timestamp_diff("DAY", F.to_timestamp("d"), F.to_timestamp(F.lit("2025-01-01")))).show()
df.select(F.hex("zone"), F.encode("zone", "UTF-8"), F.decode(F.encode("zone", "UTF-8"), "UTF-8"), F.to_number(F.lit("12,454"), F.lit("00,000")), F.btrim(F.lit("xxQueensxx"), F.lit("x")), F.ltrim(F.lit("  a "))).show()
df = spark.createDataFrame([(None, 3, 1613383200), (2, 2, 0)], "a int, b int, s bigint")
df.select(F.nvl("a", "b"), F.ifnull("a", F.lit(9)), F.nullif("a", "b"), F.nvl2("a", "b", F.lit(0)), F.from_unixtime("s"), F.from_unixtime("s", "yyyy/MM/dd"), F.to_char(F.to_timestamp(F.lit("2021-02-15 10:00:00")), F.lit("dd.MM.yyyy"))).show()
df = spark.createDataFrame([(1, True), (1, False), (2, True)], "k int, ok boolean")
df.groupBy("k").agg(F.every("ok"), F.bool_and("ok"), F.some("ok"), F.bool_or("ok")).orderBy("k").show()
df = spark.createDataFrame([("100", 25, "héllo")], "s string, n int, t string")
df.select(F.conv("s", 2, 10), F.bin("n"), F.octet_length("t"), F.bit_length("t"), F.to_timestamp_ntz(F.lit("2021-01-01 10:00:00"))).show()

# Control characters inside a value are written as escapes, so each row stays on one line.
spark.sql("SELECT 'two\nlines' AS text, concat('a', char(9), 'b') AS tabbed").show()

# hash(): Spark's Murmur3 with seed 42, over every type, NULLs leaving the seed as it is.
from pyspark.sql import Row  # noqa: E402

hashed = spark.createDataFrame(
    [(1, "a", 2.5, [1, 2], Row(x=1)), (None, None, None, None, None)], "i int, s string, d double, a array<int>, st struct<x:int>"
)
hashed.select(F.hash("i"), F.hash("s"), F.hash("i", "s", "d"), F.hash("a"), F.hash("st"), F.hash(F.lit(1))).show()
spark.sql("SELECT hash(1), hash('x', 2L), hash(NULL)").show()

# Intervals made from fields, dates moved and compared, timestamps read as LTZ.
days = spark.createDataFrame([("2024-03-01", "2024-01-01", 3, 1.5)], "a string, b string, n int, x double").select(
    F.to_date("a").alias("a"), F.to_date("b").alias("b"), "n", "x")
made = days.select(F.date_diff("a", "b"), F.dateadd("b", "n"), F.make_dt_interval("n", "n", F.lit(3), "x"),
                   F.make_ym_interval(F.lit(1), "n"), F.make_dt_interval(), F.to_timestamp_ltz(F.lit("2024-01-01 10:00:00")))
made.show(truncate=False)
made.printSchema()
from pyspark.sql.types import DayTimeIntervalType
print(made.schema.fields[2].dataType, made.schema.fields[3].dataType, DayTimeIntervalType(DayTimeIntervalType.HOUR).simpleString())
spark.sql("SELECT make_dt_interval(1), make_ym_interval(2), make_dt_interval(1, 25, 61, 1.1234567)").show(truncate=False)
