# The standard-library modules an RDD program reaches for that the sandbox lacks: operator (add, itemgetter, …)
# and string (the character sets, capwords).
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
