# The standard-library modules an RDD program reaches for that the sandbox lacks: operator (add, itemgetter, …),
# string (the character sets, capwords) and tempfile (folders on the session's file system to write DataFrames
# into; paths given as file: URIs too; inputFiles lists what a DataFrame reads).
import operator
import string
from operator import add, itemgetter
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[2]").getOrCreate()
sc = spark.sparkContext
pairs = sc.parallelize([("a", 3), ("b", 1), ("a", 2), ("c", 5)], 2)
print(sorted(pairs.reduceByKey(operator.add).collect()))
print(pairs.sortBy(itemgetter(1)).collect(), sc.parallelize(range(10)).reduce(add), sc.parallelize(range(1, 6)).fold(1, operator.mul))
print(operator.itemgetter(0, 2)("xyz"), operator.neg(3), operator.truediv(7, 2), operator.floordiv(7, 2), operator.lt(1, 2), operator.contains([1, 2], 2))
print(string.ascii_letters, string.digits, string.capwords("hello big   world"), len(string.punctuation), len(string.printable))
print(string.punctuation)

import os
import tempfile
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[2]").appName("sandbox_modules").getOrCreate()
folder = tempfile.mkdtemp(prefix="kindling_")
print(folder.startswith(tempfile.gettempdir()), os.path.basename(folder)[:9], len(os.path.basename(folder)))
try:
    spark.range(3).write.parquet(folder)
except Exception as e:
    print(str(e).replace(folder, "<folder>"))
spark.range(3).write.parquet(os.path.join(folder, "out"))
print(spark.read.parquet("file://" + os.path.join(folder, "out")).count())
with tempfile.TemporaryDirectory(suffix="_csv") as scratch:
    spark.range(4).write.mode("overwrite").csv(scratch)
    print(scratch.endswith("_csv"), spark.read.csv(scratch).count())
try:
    tempfile.mkdtemp(dir=os.path.join(folder, "missing"))
except FileNotFoundError as e:
    print("FileNotFoundError", str(e).replace(folder, "<folder>")[:50])
spark.range(4).write.csv(os.path.join(folder, "letters"))
both = spark.read.parquet(os.path.join(folder, "out")).union(spark.read.csv(os.path.join(folder, "letters")).selectExpr("cast(_c0 as bigint) id"))
files = sorted(both.inputFiles())
print(len(files), all(f.startswith("file://" + folder) for f in files), sorted(set(os.path.splitext(f)[1] for f in files)), spark.range(3).inputFiles())
