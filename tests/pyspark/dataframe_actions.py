# foreach / foreachPartition, toLocalIterator, and corr / cov on a DataFrame and through df.stat.
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[2]").getOrCreate()
df = spark.createDataFrame([(1, 2.0), (2, 4.5), (3, 5.0), (4, 9.5)], "a int, b double")
df.foreach(lambda row: row.a)
df.foreachPartition(lambda rows: [r.a for r in rows])
print(list(df.toLocalIterator()), [x * 2 for x in spark.sparkContext.parallelize([1, 2, 3]).toLocalIterator()])
print(df.corr("a", "b"), df.cov("a", "b"), df.stat.corr("a", "b") if hasattr(df, "stat") else "no stat")
try:
    df.corr("a", "b", "spearman")
except Exception as e:
    print(e)
