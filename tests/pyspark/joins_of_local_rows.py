# Rows made with createDataFrame come from an RDD, whose size Spark does not know: never broadcast, so an equi-join
# is a sort-merge join and a join without equal keys a CartesianProduct, whose rows come pair of partitions by pair.
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[*]").getOrCreate()
drivers = spark.createDataFrame([(14, "Tom"), (23, "Alice"), (16, "Bob")], ["shift", "name"])
cabs = spark.createDataFrame([(80, "Tom"), (85, "Bob")], ["cab", "name"])
drivers.crossJoin(cabs.select("cab")).show()
drivers.crossJoin(cabs.select("cab")).explain()
drivers.join(cabs, how="cross").show()
drivers.join(cabs, "name").explain()
drivers.join(cabs, "name").orderBy("name").show()
drivers.join(cabs, drivers.shift < cabs.cab).explain()
drivers.join(cabs, drivers.shift < cabs.cab, "left").explain()
spark.range(3).crossJoin(spark.range(2)).explain()
