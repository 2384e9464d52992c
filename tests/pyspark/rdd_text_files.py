# Text files as RDDs: sc.textFile cut into pieces as Hadoop cuts them (a line belongs to the piece it starts in),
# saveAsTextFile writing one part file per partition, wholeTextFiles giving each file whole.
from pyspark.sql import SparkSession

spark = SparkSession.builder.master("local[2]").appName("rdd text files").getOrCreate()
sc = spark.sparkContext
zones = sc.textFile("zones.csv")
print(zones.getNumPartitions(), zones.count(), zones.take(3))
print([len(part) for part in sc.textFile("zones.csv", 7).glom().collect()])
boroughs = zones.filter(lambda line: not line.startswith('"LocationID"')).map(lambda line: (line.split(",")[1].strip('"'), 1))
print(sorted(boroughs.reduceByKey(lambda a, b: a + b).collect()))

sc.parallelize(["a", "b", 3, None, ("x", 1), 2.5], 3).saveAsTextFile("rdd_text/out")
print(sc.textFile("rdd_text/out/part-00001").collect(), sc.textFile("rdd_text/out/part-00002", 3).glom().collect())
print(sorted(sc.textFile("rdd_text/out").collect()))
print([(path.split("/")[-1], text) for path, text in sc.wholeTextFiles("rdd_text/out/part-00000").collect()])
try:
    sc.parallelize(["again"]).saveAsTextFile("rdd_text/out")
except Exception as e:
    print("the folder exists already")
