# Lambdas: transform (with the index), filter, exists / forall (three-valued), aggregate / reduce (with and without
# a finishing step), zip_with (NULL padding), array_sort with a comparator, map_filter, transform_keys / _values,
# map_zip_with — named (namedlambdavariable()), typed and planned as Spark does, in PySpark and in SQL; a lambda
# reads the row's other columns and the variables of the lambda around it; Spark's errors for wrong lambdas.
from pyspark.sql import SparkSession, functions as F
spark = SparkSession.builder.master("local[2]").appName("higher_order_functions").config("spark.sql.session.timeZone", "UTC").getOrCreate()
df = spark.createDataFrame([(1, [1, 2, 3], {"a": 1, "b": 2}, ["x", "y"]), (2, [], None, None), (3, None, {"c": 5}, ["z"]),
                            (4, [4, None, 6], {}, [])], "id int, xs array<int>, m map<string,int>, words array<string>")
arrays = df.select("id", F.transform("xs", lambda x: x + 1), F.transform("xs", lambda x, i: x * i).alias("ti"),
                   F.filter("xs", lambda x: x > 1), F.filter("xs", lambda x, i: i > 0).alias("tail"),
                   F.exists("xs", lambda x: x > 2), F.forall("xs", lambda x: x > 0),
                   F.aggregate("xs", F.lit(0), lambda acc, x: acc + x),
                   F.aggregate("xs", F.lit(0), lambda acc, x: acc + x, lambda acc: acc * 10).alias("agg10"),
                   F.transform("xs", lambda x: x + F.col("id")).alias("plus_id"))
arrays.show(truncate=False)
arrays.printSchema()
arrays.explain()
maps = df.select(F.map_filter("m", lambda k, v: v > 1), F.transform_values("m", lambda k, v: v * 2),
                 F.transform_keys("m", lambda k, v: F.upper(k)), F.zip_with("xs", "words", lambda a, b: F.concat(a, b)),
                 F.map_zip_with("m", "m", lambda k, a, b: a + b),
                 F.array_sort("words", lambda l, r: F.when(l < r, 1).when(l > r, -1).otherwise(0)).alias("desc"),
                 F.reduce("xs", F.lit(0).cast("long"), lambda acc, x: acc + x))
maps.show(truncate=False)
maps.printSchema()
nested = spark.createDataFrame([([[1, 2], [3]],)], ["nested"])
nested.select(F.transform("nested", lambda inner: F.transform(inner, lambda y: y + F.size(inner))).alias("t")).show()
spark.sql("SELECT transform(array(1, 2), x -> x + 1) AS a, filter(array(1, 2, 3), (x, i) -> i > 0) AS b, "
          "aggregate(array(1, 2, 3), 0, (acc, x) -> acc + x) AS c, exists(array(1, NULL), x -> x > 1) AS d, "
          "forall(array(1, NULL), x -> x > 1) AS e, array_sort(array(3, 1, 2), (l, r) -> r - l) AS f, "
          "aggregate(array(1, 2), 0, (a, x) -> a + x, a -> a * 2.5) AS g").show()
spark.sql("SELECT x, transform(array(1, 2), x -> x + 1) FROM VALUES (10) AS t(x)").show(truncate=False)
spark.sql("SELECT map_zip_with(map(1, 'a', 2, 'b'), map(2, 'x', 3, 'y'), (k, a, b) -> concat(a, b)) AS z, "
          "zip_with(array(1, 2, 3), array('a'), (x, y) -> concat(x, y)) AS w").show(truncate=False)
df.createOrReplaceTempView("t")
spark.sql("SELECT id, filter(xs, x -> x % 2 = id % 2) AS same_parity FROM t ORDER BY id").show()
for mistake in ["SELECT aggregate(array(1.5D, 2D), 0, (acc, x) -> acc + x)",
                "SELECT transform(array(1, 2), (x, y, z) -> x)",
                "SELECT transform(array(1, 2), x -> x, 3)",
                "SELECT filter(array(1, 2), x -> x + 1)",
                "SELECT exists(array(1, 2), x -> x)",
                "SELECT transform_keys(map(1, 2, 3, 4), (k, v) -> 1)",
                "SELECT transform_keys(map(1, 2), (k, v) -> NULL)"]:
    try:
        spark.sql(mistake).collect()
    except Exception as e:
        print(str(e).split("\n")[0].split("; line")[0])
