# inline / inline_outer (a row per struct, a column per field), json_tuple (a JSON object's fields as c0, c1, …) and stack
# (values laid out in rows, with SQL's AS (k, v)), as generators in the select list and in SQL, planned as Spark's Generate.
from pyspark.sql import SparkSession, functions as F
spark = SparkSession.builder.master("local[2]").appName("generators").getOrCreate()
df = spark.createDataFrame([(1, '{"a": 1, "b": {"c": 2}, "e": "t"}', [(1, "x"), (2, None)]), (2, 'bad', [])], "id int, j string, s array<struct<n: int, t: string>>")
df.select("id", F.json_tuple("j", "a", "b", "e", "zz")).show()
df.select("id", F.json_tuple("j", "a", "e").alias("x", "y")).show()
df.select("id", F.inline("s")).show()
df.select("id", F.inline_outer("s")).show()
df.select(F.inline("s")).printSchema()
df.select("id", F.json_tuple("j", "a")).explain()
df.select("id", F.inline("s")).explain()
spark.sql("SELECT json_tuple('{\"k\": [1, 2]}', 'k', 'x')").show()
spark.sql("SELECT inline(array(struct(1, 'a'), struct(2, 'b')))").show()
wide = spark.createDataFrame([(1, 2, 3)], "a int, b int, c int")
stacked = wide.select("a", F.stack(F.lit(2), "b", "c", F.lit(9)))
stacked.show()
stacked.printSchema()
stacked.explain()
spark.sql("SELECT stack(2, 'x', 1, 'y', NULL) AS (k, v)").show()
spark.sql("SELECT stack(3, 1, 2, 3)").show()
for query in ["SELECT stack(2, 1, 'a', 'b', 2)", "SELECT stack(0, 1)", "SELECT stack(a, 1) FROM VALUES (1) t(a)"]:
    try:
        spark.sql(query).collect()
    except Exception as e:
        print(str(e).split("\n")[0].split("SQLSTATE")[0])
