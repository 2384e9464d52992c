# pandas-style indexing of a DataFrame: df[[names]] selects, df[condition] filters; the results are DataFrames like any
# other (cached, joined, viewed, explained).
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
spark = SparkSession.builder.master("local[*]").getOrCreate()
people = spark.createDataFrame([(2, "Alice", 160), (5, "Bob", 175), (8, "Mike", 182)], ["age", "name", "height"])
people[["name", "age"]].show()
people[people.age > 3].show()
people[people[0] > 3].show()
people[people.name.isin("Bob", "Mike")].orderBy("age").show()
people[~people.name.isin("Alice", "Bob")].show()
tall = people[people.height > 170]
print(tall.columns, tall.count(), tall)
tall[["name"]].show()
tall.cache()
print(tall.count(), tall.is_cached)
tall[tall.age > 6].explain()
print(people[("age", "height")].columns)
people.join(people[people.age < 6].select("name"), "name").orderBy("name").show()
tall.createOrReplaceTempView("tall")
spark.sql("select name from tall").show()
print(people[["name"]].rdd.map(lambda r: r.name).collect())
try:
    people[["age", "weight"]]
except Exception as error:
    print(str(error).split("SQLSTATE")[0])
