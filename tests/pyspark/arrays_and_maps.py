# Arrays and maps reshaped, as Spark names, types and fills them: array_sort (NULLs last), append / prepend /
# insert (NULL padding), compact, repeat, size, arrays_zip (fields named after the columns), reverse, sequence,
# get / try_element_at, map_concat, map_entries, map_from_arrays / _entries, map_contains_key, str_to_map.
from pyspark.sql import SparkSession, functions as F
spark = SparkSession.builder.master("local[2]").appName("arrays_and_maps").config("spark.sql.session.timeZone", "UTC").getOrCreate()
df = spark.createDataFrame([([3, None, 1, 2], [10, 20], {"a": 1, "b": 2}, "x")], ["arr", "b", "m", "s"])
def values(df):
    for field, value in zip(df.schema.fields, df.collect()[0]):
        print(field.name, "|", field.dataType.simpleString(), "|", field.nullable, "|", repr(value))
    print("--")
values(df.select(F.array_sort("arr"), F.array_append("arr", F.lit(9)), F.array_prepend("arr", F.lit(0)), F.array_insert("arr", 2, F.lit(7)),
                 F.array_compact("arr"), F.array_repeat("s", 3), F.array_size("arr"), F.arrays_zip("arr", "b"), F.reverse("arr")))
values(df.select(F.sequence(F.lit(1), F.lit(5)), F.sequence(F.lit(5), F.lit(1)), F.sequence(F.lit(1), F.lit(9), F.lit(3)),
                 F.map_concat("m", F.create_map(F.lit("c"), F.lit(3))), F.map_entries("m"), F.map_from_arrays(F.array(F.lit("x"), F.lit("y")), "b"),
                 F.map_from_entries(F.array(F.struct("s", F.col("arr")[0]))), F.map_contains_key("m", F.lit("a")),
                 F.str_to_map(F.lit("a:1,b:2")), F.try_element_at("arr", F.lit(9)), F.get("arr", F.lit(1)), F.get("arr", F.lit(10))))
values(spark.sql("SELECT array_sort(array(3, 1, 2)), sequence(1, 3), array_insert(array(1, 2), -1, 9), array_insert(array(1, 2), 5, 9), str_to_map('a=1;b=2', ';', '=')"))

values(df.select(F.array_sort(F.array(F.lit("b"), F.lit(None), F.lit("a"))), F.sequence(F.lit(-2), F.lit(2), F.lit(2)),
                 F.arrays_zip(F.array(F.lit(1), F.lit(2)), F.array(F.lit("x")))))
for mistake in ["SELECT array_insert(array(1, 2), 0, 9)", "SELECT sequence(1, 5, -1)", "SELECT map_concat(map(1, 'a'), map(1, 'b'))",
                "SELECT map_from_arrays(array(1, 2), array('a'))", "SELECT element_at(array(1, 2), 5)"]:
    try:
        spark.sql(mistake).collect()
    except Exception as e:
        print(str(e).split("\n")[0])
