# Missing values (fillna, dropna, df.na, replace with its CASE in Spark's order), unionByName with missing columns, the set
# operations and transform.
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("missing values").getOrCreate()

trips = spark.createDataFrame(
    [("Astoria", 1, 12.5, True), (None, None, float("nan"), None), ("SoHo", 3, None, False), (None, 4, 7.0, None)],
    "zone string, passengers int, fare double, paid boolean",
)
trips.fillna(0).show()
trips.na.fill(1.5).show()
trips.fillna("unknown").show()
trips.fillna({"zone": "unknown", "fare": 9.0}).show()
trips.fillna(7, subset=["fare"]).show()
trips.fillna(False).show()
trips.fillna(0, subset="passengers").show()
trips.dropna().show()
trips.dropna(how="all").show()
trips.na.drop(thresh=3).show()
trips.dropna(subset=["zone", "passengers"]).show()

extra = spark.createDataFrame([(2, "card"), (3, "cash")], "passengers int, payment string")
trips.unionByName(extra, allowMissingColumns=True).show()
trips.select("passengers").unionByName(extra.select("passengers")).orderBy("passengers").show()

counts = spark.createDataFrame([(1,), (1,), (2,), (3,), (3,), (3,)], "n int")
others = spark.createDataFrame([(1,), (3,), (3,), (4,)], "n int")
print(sorted(r.n for r in counts.intersect(others).collect()))
print(sorted(r.n for r in counts.intersectAll(others).collect()))
print(sorted(r.n for r in counts.subtract(others).collect()))
print(sorted(r.n for r in counts.exceptAll(others).collect()))


def only_paid(df, column):
    return df.where(df[column])


print(trips.transform(only_paid, "paid").count(), trips.transform(lambda d: d.select("zone")).columns)

# replace(): old values swapped for new ones in the columns of their kind (numbers, text, booleans).
kinds = spark.createDataFrame(
    [(1, 2.0, "a", True), (2, 1.0, "b", False), (None, None, None, None)], "i int, d double, s string, b boolean"
)
kinds.replace(1, 10).show()
kinds.replace([1, 2], [5, 6], "i").show()
kinds.replace({"a": "A", "b": None}).show()
kinds.na.replace("a", "z").show()
kinds.replace(1.0, 9.5).show()
kinds.replace(True, False).show()
names = spark.createDataFrame([(1, "Alice"), (2, "Bob"), (3, "Tom")], "n int, name string")
names.replace({"Tom": "T", "Alice": "A", "Bob": "B"}).explain()
names.replace({3: 30, 1: 10, 2: 20}).show()
try:
    names.replace(["a", "b"], ["c"])
except ValueError as e:
    print(e)
