# Green trips written partitioned by vendor (one folder per VendorID), then read back and counted per vendor: the
# scan reads partition folders.
from pyspark.sql import SparkSession

spark = SparkSession.builder.master("local[*]").getOrCreate()

spark.read.parquet('pq/green/*/*').write.partitionBy('VendorID').parquet('tmp/green_by_vendor', mode='overwrite')
per_vendor = spark.read.parquet('tmp/green_by_vendor').groupBy('VendorID').count()
per_vendor.collect()
