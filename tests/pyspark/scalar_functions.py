# Math, text, date-time and null-handling functions, through pyspark.sql.functions and through SQL: Spark's values,
# types and column names (inverse hyperbolics to the last bit, Java's printf, URL coding, regular expressions,
# time zone conversions, date_part / extract fields).
import datetime

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.master("local[2]").appName("scalar_functions").config("spark.sql.session.timeZone", "UTC").getOrCreate()


def values(df):
    for field, value in zip(df.schema.fields, df.collect()[0]):
        print(field.name, "|", field.dataType.simpleString(), "|", repr(value))
    print("--")


nums = spark.createDataFrame([(0.5, 2.0, 5, -16, "Spark SQL")], ["x", "y", "n", "m", "s"])
values(nums.select(F.acos("x"), F.asin("x"), F.atan("x"), F.atan2("x", "y"), F.acosh("y"), F.asinh("x"), F.asinh(F.lit(1)),
                   F.atanh("x"), F.cosh("x"), F.sinh("x"), F.tanh("x"), F.cbrt("y"), F.expm1("x"), F.log1p("x")))
values(nums.select(F.hypot("x", "y"), F.rint("x"), F.factorial("n"), F.pi(), F.e(), F.shiftleft("n", 3), F.shiftright("m", 2),
                   F.shiftrightunsigned("m", 2), F.bit_count("n"), F.bitwise_not("n")))
values(nums.select(F.base64("s"), F.unbase64(F.base64("s")), F.substring_index(F.lit("www.apache.org"), ".", 2),
                   F.overlay("s", F.lit("_"), 6), F.overlay("s", F.lit("tructured"), 2, 4), F.elt(F.lit(2), "s", F.lit("x")),
                   F.find_in_set(F.lit("ab"), F.lit("abc,b,ab")), F.url_encode(F.lit("a b&c=é")), F.url_decode(F.lit("a%20b+c"))))
values(nums.select(F.regexp_count("s", F.lit("[A-Z]")), F.regexp_substr("s", F.lit("[a-z]+")), F.regexp_instr("s", F.lit("SQL")),
                   F.regexp_extract_all(F.lit("100-200, 300-400"), F.lit(r"(\d+)-(\d+)"), 2),
                   F.format_string("%s has %d chars, %.3f %08.2f|%-5s|", "s", F.length("s"), "x", "y", F.lit("ab")),
                   F.printf(F.lit("%x %o %,d %e %b %c"), "n", "n", F.lit(1234567), "y", F.lit(True), F.lit(65))))
values(nums.select(F.lcase("s"), F.ucase("s"), F.char_length("s"), F.character_length(F.lit("ü")), F.substr("s", F.lit(3), F.lit(4)),
                   F.position(F.lit("SQL"), "s"), F.ilike("s", F.lit("%sql")), F.like("s", F.lit("S%")), F.equal_null("n", F.lit(None)),
                   F.nullifzero(F.lit(0)), F.zeroifnull(F.lit(None).cast("int")), F.typeof("x")))
times = spark.createDataFrame([(datetime.datetime(2019, 8, 12, 1, 7, 5, 123456), datetime.date(2024, 2, 29))], ["ts", "d"])
values(times.select(F.day("d"), F.dayname("d"), F.monthname("d"), F.from_utc_timestamp("ts", "Asia/Seoul"),
                    F.to_utc_timestamp("ts", "America/New_York"), F.unix_seconds("ts"), F.unix_millis("ts"), F.unix_micros("ts"),
                    F.timestamp_millis(F.lit(1230219000123)), F.timestamp_micros(F.lit(1230219000123123))))
values(times.select(F.date_part(F.lit("YEAR"), "ts"), F.date_part(F.lit("doy"), "d"), F.date_part(F.lit("SECONDS"), "ts"),
                    F.extract(F.lit("week"), "ts"), F.extract(F.lit("DOW_ISO"), "d"), F.datepart(F.lit("minute"), "ts"),
                    F.make_timestamp(F.lit(2014), F.lit(12), F.lit(28), F.lit(6), F.lit(30), F.lit(45.887)),
                    F.make_timestamp(F.lit(2014), F.lit(12), F.lit(28), F.lit(6), F.lit(30), F.lit(45.887), F.lit("CET")),
                    F.to_unix_timestamp(F.lit("2016-04-08"), F.lit("yyyy-MM-dd")), F.current_timezone()))

for line in ["acos(2), acosh(0.5), atanh(2), cbrt(-8.5), factorial(21), shiftleft(1L, 40), bit_count(-1), ~5",
             "base64(x'00ff'), substring_index('www.apache.org', '.', -2), overlay('Spark SQL' PLACING 'ANSI ' FROM 7 FOR 0)",
             "elt(1, 'scala', 'java'), find_in_set('a,b', 'a,b'), printf('%5.2f|%+d %(d % d', 3.14159D, 5, -5, 5)",
             "format_string('%.1f %.0f %.2f %s %s', 0.05D, 2.5D, 1.005D, 1.5D, null), regexp_instr('abc', 'x')",
             "'Spark' ILIKE '%SPARK%', equal_null(null, null), date_part('dow', date'2019-08-12'), extract(QUARTER FROM date'2019-08-12')",
             "from_utc_timestamp('2016-08-31', 'Asia/Seoul'), make_timestamp(2019, 6, 30, 23, 59, 60)"]:
    values(spark.sql("SELECT " + line))
for mistake in ["SELECT elt(3, 'a', 'b')", "SELECT make_timestamp(2019, 13, 1, 10, 11, 12)", "SELECT format_string('%d', 'x')",
                "SELECT from_utc_timestamp(timestamp'2017-07-14 02:40:00', 'Mars/Base')"]:
    try:
        spark.sql(mistake).collect()
    except Exception as e:
        print(str(e).split("\n")[0])
constants = spark.range(1).select(F.current_database(), F.current_schema(), F.current_catalog(), F.negate(F.lit(3)))
print(constants.columns, constants.collect())
print(spark.range(3).select(F.array_agg("id")).columns, spark.range(3).orderBy(F.desc_nulls_first("id")).collect())
print(spark.sql("SELECT current_user() = user(), session_user() = user()").collect())
urls = spark.createDataFrame([("http://user:pw@spark.apache.org:8080/p/a.html?q=1&b=x#frag", "AbCD123-@$#")], ["u", "t"])
values(urls.select(F.parse_url("u", F.lit("HOST")), F.parse_url("u", F.lit("QUERY"), F.lit("b")), F.parse_url("u", F.lit("FILE")),
                   F.parse_url("u", F.lit("USERINFO")), F.try_parse_url(F.lit("not a url"), F.lit("HOST")), F.mask("t"),
                   F.mask("t", F.lit("Q"), F.lit("q"), F.lit("d"), F.lit("o")), F.regexp("t", F.lit("[0-9]+"))))
values(spark.sql("SELECT mask('AbCD123-@$#', NULL, NULL, NULL, NULL), parse_url('http://x.org/p?a=1', 'QUERY', 'z'), parse_url('http://spark.apache.org/path?query=1', 'QUERY'), parse_url('http://x.org/p#r', 'REF'), parse_url('http://x.org/p', 'PROTOCOL'), parse_url('http://x.org:80/p', 'AUTHORITY')"))
try:
    spark.sql("SELECT parse_url('http://a b', 'HOST')").collect()
except Exception as e:
    print(str(e).split("\n")[0])
