# try_ functions and TRY_CAST: the value, or NULL for a row where it fails (overflow, bad text, bad fields),
# whatever the ANSI setting; a cast's year needs 4 to 7 digits, as in Spark.
from pyspark.sql import SparkSession, functions as F
spark = SparkSession.builder.master("local[2]").appName("try_functions").config("spark.sql.session.timeZone", "UTC").getOrCreate()
def values(df):
    for field, value in zip(df.schema.fields, df.collect()[0]):
        print(field.name, "|", field.dataType.simpleString(), "|", repr(value))
    print("--")
values(spark.sql("SELECT try_add(2147483647, 1), try_add(1, 2), try_subtract(-9223372036854775808L, 1), try_multiply(3, 4), try_mod(7, 0), try_divide(1, 0)"))
values(spark.sql("SELECT try_to_timestamp('2016-12-31 00:12:00'), try_to_timestamp('foo'), try_to_timestamp('2016-12-31', 'yyyy-MM-dd'), try_to_date('x'), try_to_number('$78.12', '$99.99'), try_to_number('x', '99')"))
values(spark.sql("SELECT TRY_CAST('12' AS INT), TRY_CAST('a' AS INT), try_cast('2024-13-01' AS DATE), try_url_decode('a%2'), try_make_timestamp(2019, 13, 1, 10, 11, 12)"))
df = spark.createDataFrame([("12", 1), ("x", 2147483647)], ["s", "n"])
df.select(F.try_to_timestamp("s"), F.try_add("n", F.lit(1)), F.try_to_number("s", F.lit("99"))).show()
print(df.select(F.col("s").try_cast("int")).collect())
for text in ["12", "123", "1234", "12-01", "2024-1-5", "0012-01-01"]:
    print(text, spark.sql(f"SELECT TRY_CAST('{text}' AS TIMESTAMP), TRY_CAST('{text}' AS DATE)").collect()[0])
