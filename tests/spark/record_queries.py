"""Records the module's DataFrame jobs on real Spark: result rows, schemas, show() and explain() text and
partition counts, on trips made by `kindling gen` (green and yellow, two months each, in the course's
pq/<kind>/<year>/<MM>/ layout). Compared by crates/engine/tests/queries.rs, which runs the same jobs — one Rust
function per case name below — through Kindling's DataFrame API.

Run with real pyspark (pip install pyspark; Java 17):  python3 tests/spark/record_queries.py
"""
import datetime
import decimal
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["TZ"] = "UTC"
time.tzset()

from pyspark.sql import SparkSession, functions as F  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = ROOT / "tests" / "golden" / "queries.json"
ZONES = ROOT.parent / "shared" / "data" / "taxi_zone_lookup.csv"
INT96_FIXTURE = ROOT / "tests" / "fixtures" / "spark_int96_timestamps.parquet"
CORES = 2
# Keep in step with the file specs in crates/engine/tests/queries.rs.
FILES = [
    {"kind": "green", "year": 2024, "month": 1, "rows": 6000, "seed": 11},
    {"kind": "green", "year": 2024, "month": 2, "rows": 4000, "seed": 12},
    {"kind": "yellow", "year": 2024, "month": 1, "rows": 7000, "seed": 13},
    {"kind": "yellow", "year": 2024, "month": 2, "rows": 5000, "seed": 14},
]


def generate_files(base):
    """Writes FILES with `kindling gen` under `base`, in the course's pq/<kind>/<year>/<MM>/ layout."""
    for spec in FILES:
        out = Path(base) / f"pq/{spec['kind']}/{spec['year']}/{spec['month']:02}/part-0.parquet"
        subprocess.run(
            ["cargo", "run", "--quiet", "--bin", "kindling", "--", "gen", spec["kind"], "--year", str(spec["year"]),
             "--month", str(spec["month"]), "--rows", str(spec["rows"]), "--seed", str(spec["seed"]),
             "--out", str(out)],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def program_environment(base):
    """Lays out what the test programs read under `base` (the generated trips, the real zone lookup as zones.csv)
    and returns the environment they run in on real PySpark."""
    generate_files(base)
    shutil.copy(ZONES, Path(base) / "zones.csv")
    return dict(os.environ, TZ="UTC", PYSPARK_PYTHON=sys.executable)


def value(v):
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S") + (f".{v.microsecond:06d}" if v.microsecond else "")
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return str(v)
    if isinstance(v, decimal.Decimal):
        return str(v)
    return v


def rows(df):
    return [[value(v) for v in row] for row in df.collect()]


def normalized_plan(text):
    """Expression ids and plan ids differ from run to run; file locations from machine to machine (and Spark cuts a
    long location short, which may cut off the partition filters after it)."""
    text = re.sub(r"#(\d+)", "#x", text)
    text = re.sub(r"plan_id=\d+", "plan_id=x", text)
    return re.sub(r"Location: .*?PushedFilters: ", "Location: x, PushedFilters: ", text)


def explain(df, extended=False):
    return normalized_plan(df._jdf.queryExecution().explainString(
        df.sparkSession._jvm.org.apache.spark.sql.execution.ExplainMode.fromString(
            "extended" if extended else "simple")))


def record(df, show_rows=20, plan=False):
    # explain() first: after an action, Spark's adaptive plan shows its final form instead of the initial one.
    case = {"explain": explain(df)} if plan else {}
    case.update({
        "rows": rows(df),
        "schema": df._jdf.schema().treeString(),
        "show": df._jdf.showString(show_rows, 20, False),
    })
    if plan:
        # After collect() the DataFrame's adaptive plan is final: query stages, coalesced shuffle reads.
        case["explain_final"] = explain(df)
    return case


def record_extended(df):
    case = {"explain_extended": explain(df, extended=True)}
    case.update(record(df))
    return case


def error_of(action):
    try:
        action()
    except Exception as error:  # noqa: BLE001 - any Spark error is the expected outcome here
        return str(error).split("\n")[0]
    return None


def trips(spark, base):
    green = (spark.read.parquet(f"{base}/pq/green/*/*")
             .withColumnRenamed("lpep_pickup_datetime", "pickup_datetime")
             .withColumnRenamed("lpep_dropoff_datetime", "dropoff_datetime"))
    yellow = (spark.read.parquet(f"{base}/pq/yellow/*/*")
              .withColumnRenamed("tpep_pickup_datetime", "pickup_datetime")
              .withColumnRenamed("tpep_dropoff_datetime", "dropoff_datetime"))
    common = [c for c in green.columns if c in set(yellow.columns)]
    return (green.select(common).withColumn("service_type", F.lit("green"))
            .unionAll(yellow.select(common).withColumn("service_type", F.lit("yellow"))))


def cases(spark, base):
    green = spark.read.parquet(f"{base}/pq/green/*/*")
    data = trips(spark, base)
    revenue = data.groupBy(
        F.col("PULocationID").alias("revenue_zone"),
        F.date_trunc("month", "pickup_datetime").alias("revenue_month"),
        "service_type",
    ).agg(
        F.sum("fare_amount").alias("revenue_monthly_fare"),
        F.sum("extra").alias("revenue_monthly_extra"),
        F.sum("mta_tax").alias("revenue_monthly_mta_tax"),
        F.sum("tip_amount").alias("revenue_monthly_tip_amount"),
        F.sum("tolls_amount").alias("revenue_monthly_tolls_amount"),
        F.sum("improvement_surcharge").alias("revenue_monthly_improvement_surcharge"),
        F.sum("total_amount").alias("revenue_monthly_total_amount"),
        F.sum("congestion_surcharge").alias("revenue_monthly_congestion_surcharge"),
        F.avg("passenger_count").alias("avg_monthly_passenger_count"),
        F.avg("trip_distance").alias("avg_monthly_trip_distance"),
    )
    hourly = (green.filter(F.col("lpep_pickup_datetime") >= "2024-01-15 00:00:00")
              .groupBy(F.date_trunc("hour", "lpep_pickup_datetime").alias("hour"), F.col("PULocationID").alias("zone"))
              .agg(F.sum("total_amount").alias("amount"), F.count(F.lit(1)).alias("number_records")))
    expressions = green.select(
        "VendorID",
        (F.col("fare_amount") + F.col("tip_amount")).alias("fare_and_tip"),
        (F.lit(7) / F.lit(2)).alias("seven_halves"),
        F.col("passenger_count").cast("long").alias("passengers"),
        F.when(F.col("payment_type") == 1, "card").when(F.col("payment_type") == 2, "cash").otherwise("other").alias("payment"),
        F.to_date("lpep_pickup_datetime").alias("pickup_date"),
        F.hour("lpep_pickup_datetime").alias("pickup_hour"),
        F.dayofweek("lpep_pickup_datetime").alias("weekday"),
        F.datediff("lpep_dropoff_datetime", "lpep_pickup_datetime").alias("days"),
        ((F.unix_timestamp("lpep_dropoff_datetime") - F.unix_timestamp("lpep_pickup_datetime")) / 3600).alias("hours"),
        F.date_format("lpep_pickup_datetime", "yyyy-MM-dd HH:mm").alias("pickup_text"),
        F.concat(F.col("PULocationID").cast("string"), F.lit(" / "), F.col("DOLocationID").cast("string")).alias("pair"),
        F.round(F.col("trip_distance") * 1.609, 1).alias("km"),
        F.coalesce(F.col("congestion_surcharge"), F.lit(-1.0)).alias("congestion"),
        F.col("PULocationID").isin(74, 75).alias("harlem"),
        F.col("total_amount").between(10, 20).alias("ten_to_twenty"),
        F.upper(F.col("store_and_fwd_flag")).alias("flag"),
        F.greatest("fare_amount", "total_amount").alias("most"),
        F.abs("total_amount").alias("absolute"),
        F.date_trunc("month", "lpep_pickup_datetime").alias("month"),
    )
    totals = green.select(
        F.count(F.lit(1)).alias("trips"),
        F.count("passenger_count").alias("with_passengers"),
        F.countDistinct("PULocationID").alias("zones"),
        F.sum("total_amount").alias("total"),
        F.avg("trip_distance").alias("mean_distance"),
        F.min("lpep_pickup_datetime").alias("first_pickup"),
        F.max("fare_amount").alias("largest_fare"),
        F.sum("ehail_fee").alias("ehail"),
        F.avg("ehail_fee").alias("mean_ehail"),
    )
    more_expressions = green.select(
        F.to_timestamp(F.date_format("lpep_pickup_datetime", "yyyy-MM-dd HH:mm:ss"), "yyyy-MM-dd HH:mm:ss").alias("parsed"),
        F.concat_ws("-", F.col("VendorID").cast("string"), F.col("store_and_fwd_flag")).alias("joined"),
        F.lower(F.lit("ABC")).alias("lower"),
        F.trim(F.lit("  x  ")).alias("trimmed"),
        F.substring(F.lit("Manhattan"), 2, 3).alias("sub"),
        F.length("store_and_fwd_flag").alias("len"),
        F.least("fare_amount", "tip_amount").alias("least"),
        F.year("lpep_pickup_datetime").alias("year"),
        F.month("lpep_pickup_datetime").alias("month"),
        F.dayofmonth("lpep_pickup_datetime").alias("day"),
        F.col("store_and_fwd_flag").like("N%").alias("like_n"),
        F.col("passenger_count").isNull().alias("no_passengers"),
        (F.col("fare_amount") % 7).alias("mod"),
        (-F.col("fare_amount")).alias("negated"),
        (~(F.col("VendorID") == 1)).alias("not_vendor_1"),
        F.unix_timestamp(F.lit("2024-01-01 00:00:00")).alias("epoch"),
        F.round(F.lit(2.5)).alias("half_up"),
        F.round(F.col("fare_amount"), -1).alias("tens"),
        F.coalesce(F.col("ehail_fee"), F.col("tip_amount")).alias("fee"),
        (F.col("VendorID") + F.lit(1).cast("long")).alias("long_sum"),
    )
    decimals = green.select("VendorID", F.col("fare_amount").cast("decimal(10,2)").alias("fare"))
    joined_names = green.select("PULocationID", "DOLocationID").withColumnRenamed("PULocationID", "zone") \
        .withColumn("Zone", F.col("DOLocationID"))
    def hourly_revenue(df, pickup, prefix):
        return (df.filter(F.col(pickup) >= "2024-01-01 00:00:00")
                .groupBy(F.date_trunc("hour", pickup).alias("hour"), F.col("PULocationID").alias("zone"))
                .agg(F.sum("total_amount").alias("amount"), F.count(F.lit(1)).alias("number_records"))
                .withColumnRenamed("amount", f"{prefix}_amount")
                .withColumnRenamed("number_records", f"{prefix}_number_records"))

    green_revenue = hourly_revenue(green, "lpep_pickup_datetime", "green")
    yellow_revenue = hourly_revenue(spark.read.parquet(f"{base}/pq/yellow/*/*"), "tpep_pickup_datetime", "yellow")
    revenue_join = green_revenue.join(yellow_revenue, on=["hour", "zone"], how="outer")
    zones = spark.read.option("header", "true").option("inferSchema", "true").csv(str(ZONES))
    with_zones = revenue_join.join(zones, revenue_join.zone == zones.LocationID).drop("LocationID", "zone")
    pul, dol = zones.alias("pul"), zones.alias("dol")
    zone_pairs = (green.join(pul, F.col("PULocationID") == F.col("pul.LocationID"), "left")
                  .join(dol, F.col("DOLocationID") == F.col("dol.LocationID"), "left")
                  .select(F.concat(F.coalesce(F.col("pul.Zone"), F.lit("Unknown")), F.lit(" / "),
                                   F.coalesce(F.col("dol.Zone"), F.lit("Unknown"))).alias("pair"))
                  .groupBy("pair").count().orderBy(F.col("count").desc(), "pair").limit(5))
    boroughs = zones.select("Borough").distinct()
    service_zones = zones.select("service_zone").distinct()
    def zones_far_apart():
        return (zones.alias("a").join(zones.alias("b"), F.col("a.LocationID") < F.col("b.LocationID") - 260)
                .select(F.col("a.LocationID").alias("low"), F.col("b.LocationID").alias("high")))
    spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")
    without_broadcasts = {
        "zones far apart, no broadcasts": record(zones_far_apart(), plan=True),
        "zone names × boroughs, no broadcasts": record(
            zones.select("Zone").limit(3).crossJoin(zones.select("Borough").limit(2)).select("Zone", "Borough")),
    }
    spark.conf.unset("spark.sql.autoBroadcastJoinThreshold")
    return {
        **without_broadcasts,
        "boroughs × service zones": record(
            boroughs.crossJoin(service_zones).orderBy("Borough", "service_zone"), plan=True),
        "zones far apart (no equal keys)": record(zones_far_apart(), plan=True),
        "zone pairs": record(zone_pairs, plan=True),
        "revenue join": record(revenue_join, plan=True),
        "revenue with zones": record(with_zones, plan=True),
        "zone names left join": record(
            green.select("PULocationID", "total_amount").join(zones, F.col("PULocationID") == zones.LocationID, "left")
            .select("PULocationID", "Zone", "total_amount").limit(10)),
        "trips from known zones (semi)": record(green.select("PULocationID").join(
            zones.filter(F.col("Borough") == "Manhattan"), F.col("PULocationID") == zones.LocationID, "left_semi")
            .groupBy("PULocationID").count(), plan=True),
        "revenue report": record(revenue, plan=True),
        "hourly revenue": record(hourly, plan=True),
        "service type counts": record(data.groupBy("service_type").count(), plan=True),
        "zone totals": record(green.groupBy("PULocationID").agg(F.sum("total_amount"), F.max("tip_amount")), plan=True),
        "expressions": record(expressions.limit(8)),
        "totals": record(totals, plan=True),
        "distinct vendors": record(green.select("VendorID").distinct()),
        "more expressions": record(more_expressions.limit(8)),
        "decimal arithmetic": record(decimals.select(
            (F.col("fare") + 1).alias("plus_one"), (F.col("fare") * 3).alias("triple"),
            (F.col("fare") * F.col("fare")).alias("squared"), (F.col("fare") - F.col("fare")).alias("zero"),
            (F.col("fare") + 0.5).alias("plus_double")).limit(5)),
        "decimal aggregates": record(decimals.groupBy("VendorID").agg(F.sum("fare"), F.avg("fare"), F.max("fare"))),
        "most frequent pickup zones": record(
            green.groupBy("PULocationID").count().orderBy(F.col("count").desc(), "PULocationID").limit(5), plan=True),
        "ordered by amount": record(
            green.select("PULocationID", "lpep_pickup_datetime", "total_amount")
            .orderBy("total_amount", "lpep_pickup_datetime", "PULocationID"), plan=True),
        "passengers descending": record(
            green.select("passenger_count", "lpep_pickup_datetime", "VendorID")
            .orderBy(F.col("passenger_count").desc(), F.col("lpep_pickup_datetime").asc(), "VendorID").limit(30)),
        "sorted within partitions": record(
            green.select("PULocationID", "total_amount").sortWithinPartitions(F.desc("total_amount")), plan=True),
        "filtered projection": record(
            green.filter(F.col("total_amount") > 10).select("VendorID", (F.col("fare_amount") + 1).alias("f")), plan=True),
        "tip share": record_extended(
            green.filter(F.col("total_amount") > 10)
            .withColumn("tip_share", F.col("tip_amount") / F.col("total_amount"))
            .groupBy("PULocationID").agg(F.sum("total_amount"), F.avg("tip_share").alias("share"))),
        "first per vendor": record(green.groupBy("VendorID").agg(F.first("PULocationID").alias("first_zone"))),
        "drop duplicates": record(green.dropDuplicates(["VendorID"]).select("VendorID", "PULocationID", "total_amount")),
        "drop is case-insensitive": {"columns": joined_names.drop("zone").columns},
        "union widens": {"schema": green.select("passenger_count").union(
            spark.read.parquet(f"{base}/pq/yellow/*/*").select("passenger_count")).schema.simpleString()},
        "count": {"count": data.count()},
        "partitions": {
            "scan": green.rdd.getNumPartitions(),
            "repartition 24": green.repartition(24).rdd.getNumPartitions(),
            "coalesce 1": green.coalesce(1).rdd.getNumPartitions(),
            "group-by adaptive": green.groupBy("PULocationID").count().rdd.getNumPartitions(),
        },
        "errors": {
            "unresolved column": error_of(lambda: green.select("total_amont")),
            "division by zero": error_of(lambda: green.select((F.col("VendorID") / 0).alias("x")).collect()),
            "integer overflow in an addition": error_of(
                lambda: green.select((F.col("VendorID") + 2147483647).alias("x")).collect()),
            "integer overflow": error_of(lambda: green.select((F.col("VendorID") * 2000000000).alias("x")).collect()),
            "ambiguous column after a self-join": error_of(
                lambda: spark.read.option("header", "true").option("inferSchema", "true").csv(str(ZONES)).alias("a")
                .join(spark.read.option("header", "true").option("inferSchema", "true").csv(str(ZONES)).alias("b"),
                      F.col("a.LocationID") == F.col("b.LocationID")).select("Zone")),
            "invalid cast": error_of(lambda: green.select(F.lit("abc").cast("int").alias("x")).collect()),
        },
    }


def record_int96(spark):
    """Spark writes timestamps as INT96 by default; the file it writes becomes a test fixture."""
    rows_in = [(1, datetime.datetime(2020, 1, 1, 12, 30, 45, 123456)), (2, None), (3, datetime.datetime(1999, 12, 31, 23, 59, 59))]
    df = spark.createDataFrame(rows_in, "id int, ts timestamp").coalesce(1)
    with tempfile.TemporaryDirectory() as tmp:
        df.write.mode("overwrite").parquet(f"{tmp}/int96")
        part = next(Path(f"{tmp}/int96").glob("part-*.parquet"))
        INT96_FIXTURE.write_bytes(part.read_bytes())
    written = spark.read.parquet(str(INT96_FIXTURE))
    return {"rows": rows(written), "schema": written._jdf.schema().treeString(), "show": written._jdf.showString(20, 20, False)}


def main():
    spark = (SparkSession.builder.master(f"local[{CORES}]")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    golden = {"spark_version": spark.version, "cores": CORES, "files": FILES}
    with tempfile.TemporaryDirectory() as tmp:
        generate_files(tmp)
        golden["cases"] = cases(spark, tmp)
        spark.conf.set("spark.sql.adaptive.enabled", "false")
        green = spark.read.parquet(f"{tmp}/pq/green/*/*")
        golden["cases"]["partitions"]["group-by without adaptive"] = \
            green.groupBy("PULocationID").count().rdd.getNumPartitions()
    golden["int96"] = record_int96(spark)
    GOLDEN.write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")
    spark.stop()
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
