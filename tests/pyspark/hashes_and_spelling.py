# Fingerprints (md5, sha1, sha2, crc32), spelling (levenshtein, soundex), months_between, trunc and format_number,
# in the DataFrame API and in SQL.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.appName("hashes and spelling").getOrCreate()
people = spark.createDataFrame(
    [("Robert", "Rupert", "2024-01-31 10:00:00", "2024-03-31 08:30:00"), ("Ashcraft", "Ashcroft", "2024-02-29 00:00:00", "2023-11-30 23:59:59"),
     ("Tymczak", "", "2024-03-15 12:00:00", "2024-01-01 00:00:00"), (None, "x", None, "2024-01-01 00:00:00"), ("1st", "first", "2024-05-10 00:00:00", "2024-05-10 18:00:00")],
    "name string, other string, t1 string, t2 string",
).withColumn("t1", F.to_timestamp("t1")).withColumn("t2", F.to_timestamp("t2"))
people.select("name", F.md5("name"), F.sha1("name"), F.crc32("name")).show(truncate=False)
people.select(F.sha2("name", 256), F.sha2("name", 0), F.sha2("name", 224).alias("short"), F.sha2("name", 512).alias("long")).show(truncate=False)
people.select("name", "other", F.levenshtein("name", "other"), F.levenshtein("name", "other", 3), F.soundex("name"), F.soundex("other")).show()
people.select(F.months_between("t1", "t2"), F.months_between("t1", "t2", False), F.months_between(F.to_date("t1"), F.to_date("t2"))).show(truncate=False)
people.select(F.to_date("t1").alias("d"), *[F.trunc(F.to_date("t1"), unit).alias(unit) for unit in ["year", "yy", "quarter", "month", "mm", "week", "day"]]).show()
people.createOrReplaceTempView("people")
spark.sql("SELECT md5('a'), sha('a'), sha2('abc', 384), crc32('kindling'), levenshtein('kitten', 'sitting'), soundex('Miller'), "
          "months_between('2024-03-15', '2024-01-31'), trunc(date'2024-08-19', 'Q') FROM people LIMIT 1").show(truncate=False)
people.select(F.md5("name")).printSchema()
try:
    people.select(F.sha2("name", 100))
except Exception as e:
    print(e)

amounts = spark.createDataFrame([(x,) for x in [0.125, 0.375, 1.005, 1.015, 2.5, 3.5, 1234567.891, -0.5, -0.0, 1e21, -1234.5678,
                                                float("nan"), float("-inf"), None]], "x double")
amounts.select("x", F.format_number("x", 2).alias("two"), F.format_number("x", 0).alias("none"), F.format_number("x", -1).alias("bad")).show(truncate=False)
spark.createDataFrame([(1234567,), (-98765,)], "n int").select(F.format_number("n", 2), F.format_number(F.col("n").cast("decimal(10,2)") / 3, 3)).show()
spark.sql("SELECT format_number(1234.5, 1), format_number(CAST(9876543210 AS BIGINT), 0)").show()
