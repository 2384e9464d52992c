# show(vertical=True) prints one record per row, names and values padded to the widest; rollup and cube take column
# positions (1-based) as groupBy does.
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
spark = SparkSession.builder.master("local[*]").getOrCreate()
stands = spark.createDataFrame([("Queens", 12, 3.5), ("Staten Island ferry terminal zone", None, 1.0), ("🚕 stand", 7, None)], ["zone", "trips", "fare"])
stands.show(vertical=True)
stands.show(2, vertical=True)
stands.show(truncate=8, vertical=True)
stands.filter("trips > 100").show(vertical=True)
stands.rollup(1).count().orderBy(1).show()
stands.cube(1, 2).agg(F.sum("fare")).orderBy(1, 2).show()
