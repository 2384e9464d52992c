# JSON text in columns: get_json_object paths, from_json with a DDL string, a StructType, an array or a map type
# (PERMISSIVE: bad text gives a struct of NULLs), to_json of structs, arrays and maps, schema_of_json,
# json_array_length, json_object_keys.
from pyspark.sql import SparkSession, functions as F
from pyspark.sql.types import *
spark = SparkSession.builder.master("local[2]").appName("json_functions").config("spark.sql.session.timeZone", "UTC").getOrCreate()
def values(df):
    for field, value in zip(df.schema.fields, df.collect()[0]):
        print(field.name, "|", field.dataType.simpleString(), "|", field.nullable, "|", repr(value))
    print("--")
df = spark.createDataFrame([('{"a": 1, "b": {"c": [1, 2.5, "x"]}, "d": null, "e": "t"}', 3)], ["j", "n"])
values(df.select(F.get_json_object("j", "$.a"), F.get_json_object("j", "$.b.c[1]"), F.get_json_object("j", "$.b"), F.get_json_object("j", "$.e"), F.get_json_object("j", "$.zz"), F.get_json_object(F.lit("not json"), "$.a")))
values(df.select(F.from_json("j", "a INT, e STRING, d STRING"), F.from_json("j", StructType([StructField("a", LongType())])), F.from_json(F.lit('[1,2]'), "array<int>"), F.from_json(F.lit('{"x": 1}'), "map<string,int>")))
values(df.select(F.to_json(F.struct("n", "j")), F.to_json(F.array(F.lit(1), F.lit(2))), F.to_json(F.create_map(F.lit("k"), F.lit(1.5)))))
values(df.select(F.schema_of_json(F.lit('{"a": 1, "b": [1.5], "c": "x", "d": null, "e": {"f": true}}')), F.json_array_length(F.lit("[1, 2, [3]]")), F.json_object_keys(F.lit('{"a": 1, "b": 2}'))))
values(spark.sql("""SELECT get_json_object('{"a":[{"b":1},{"b":2}]}', '$.a[*].b'), from_json('{"a": "x"}', 'a INT'), to_json(named_struct('a', 1, 'b', array('x'))), from_json('bad', 'a INT')"""))

parsed = df.select(F.from_json("j", "a INT, b STRUCT<c: ARRAY<STRING>>, e STRING").alias("p"))
parsed.printSchema()
parsed.select("p.a", "p.b.c", F.to_json("p")).show(truncate=False)
for mistake in ["SELECT to_json(1)"]:
    try:
        spark.sql(mistake).collect()
    except Exception as e:
        print(str(e).split("\n")[0][:60])

# CSV text in columns: one record read with a schema (PERMISSIVE: a field that does not parse is NULL), written back.
lines = spark.createDataFrame([("1,abc,2024-01-05",), ("x,\"q,r\",",), (None,)], "line string")
parsed = lines.select(F.from_csv("line", "a INT, b STRING, d DATE").alias("r"), F.from_csv("line", "a STRING, b STRING"))
parsed.show(truncate=False)
parsed.printSchema()
parsed.select(F.to_csv("r"), F.to_csv("r", {"sep": ";"})).show(truncate=False)
spark.sql("SELECT from_csv('26/10/2015;7', 'd DATE, n INT', map('dateFormat', 'dd/MM/yyyy', 'sep', ';'))").show(truncate=False)
spark.sql("SELECT to_csv(named_struct('a', 1, 'b', 'x y', 'c', CAST(NULL AS INT)))").show()
for bad in ["SELECT from_csv('26/October/2015', 'd Date', map('dateFormat', 'dd/MMMMM/yyyy'))", "SELECT from_csv('1', 'a INT', 'x')"]:
    try:
        spark.sql(bad).collect()
    except Exception as e:
        print(str(e).split("]")[0] + "]")
