# PySpark's exception classes, imported from pyspark.errors and pyspark.sql.utils, catch Spark's errors.
from pyspark.errors import AnalysisException, ParseException, PySparkValueError, IllegalArgumentException
from pyspark.sql import SparkSession
from pyspark.sql.utils import AnalysisException as UtilsAnalysisException

spark = SparkSession.builder.appName("error classes").getOrCreate()
trips = spark.range(10)
try:
    trips.select("fare").show()
except AnalysisException as e:
    print("analysis:", str(e).split(" SQLSTATE")[0])
try:
    spark.sql("SELEC 1")
except ParseException as e:
    print("parse:", str(e).splitlines()[0])
try:
    trips.randomSplit([1.0, -2.0])
except PySparkValueError as e:
    print("value:", e)
try:
    trips.sample(2.0).count()
except IllegalArgumentException as e:
    print("illegal:", e)
try:
    spark.table("no_such_table")
except UtilsAnalysisException as e:
    print("utils:", str(e).split(" SQLSTATE")[0])
