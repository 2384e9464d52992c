# rollup and cube as Spark plans them (an Expand with spark_grouping_id), grouping() and grouping_id() in PySpark and
# SQL (also grouping_id of some keys), Spark's error outside grouping sets; bitwise &, |, ^ on whole numbers.
from pyspark.sql import SparkSession, functions as F
spark = SparkSession.builder.master("local[2]").appName("grouping_sets").getOrCreate()
df = spark.createDataFrame([(1, 'x', 10), (1, 'y', 20), (2, 'x', 30)], "a int, b string, c int")
r = df.rollup("a", "b").agg(F.grouping("a"), F.grouping_id(), F.sum("c").alias("total")).orderBy("a", "b")
r.show()
r.printSchema()
r.explain()
df.cube("a").agg(F.grouping_id().alias("g"), F.count("*")).orderBy("a").show()
spark.sql("SELECT a, b, grouping(a), grouping_id(), grouping_id(a, b), sum(c) FROM VALUES (1, 'x', 10), (1, 'y', 20), (2, 'x', 30) AS t(a, b, c) "
          "GROUP BY CUBE(a, b) ORDER BY a, b").show()
for mistake in [lambda: df.groupBy("a").agg(F.grouping("a")), lambda: df.rollup("a", "b").agg(F.grouping_id("b"))]:
    try:
        mistake().show()
    except Exception as e:
        print(str(e).split("\n")[0].split(" (")[0].split("SQLSTATE")[0])
bits = spark.createDataFrame([(12, 10), (7, None)], "a int, b int")
shown = bits.select(F.col("a").bitwiseAND(F.col("b")), F.col("a").bitwiseOR(3), F.col("a").bitwiseXOR(F.lit(5)))
shown.show()
shown.printSchema()
spark.sql("SELECT 12 & 10, 12 | 3L, 12 ^ 5, CAST(7 AS TINYINT) & CAST(3 AS TINYINT)").show()
