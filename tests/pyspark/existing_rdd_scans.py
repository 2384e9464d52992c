# A DataFrame made from Python rows (tuples, Rows, dicts) is Spark's LogicalRDD: scanned whole (Scan ExistingRDD,
# inside whole-stage codegen), the columns a query does not need projected away above it; VALUES stays a
# LocalTableScan.
from pyspark.sql import SparkSession

spark = SparkSession.builder.master("local[2]").appName("existing_rdd_scans").getOrCreate()
df = spark.createDataFrame([(1, "a", 2.0), (2, "b", 3.0)], ["n", "s", "x"])
df.explain()
df.select("n").explain()
df.filter("n > 1").select("s").explain()
df.groupBy("s").count().explain()
df.explain(True)
spark.createDataFrame([(1,)], "a int").explain()
spark.createDataFrame([{"a": 1, "b": "x"}]).select("b").explain()
spark.sql("SELECT * FROM VALUES (1, 'a') AS t(n, s)").explain()
# Dicts: each one's values in the order of its sorted keys; the columns are every key seen (or the names given, in
# that order); a full schema reads each field by its name.
dicts = spark.createDataFrame([{"b": "x", "a": 1}, {"a": 2, "c": 3.5}])
dicts.printSchema()
dicts.show()
spark.createDataFrame([{"b": "x", "a": 1}], ["b", "a"]).show()
spark.createDataFrame([{"b": "x", "a": 1}], "b string, a int").show()
