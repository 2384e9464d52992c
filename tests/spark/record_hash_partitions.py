"""Records Spark's own hash() and hash-partition ids for keys of each type, as the golden file that
crates/engine/tests/partitioner.rs compares Kindling's partitioner against.

Run with real pyspark (pip install pyspark; Java 17):  python3 tests/spark/record_hash_partitions.py
It rewrites tests/golden/hash_partitions.json.
"""
import json
from pathlib import Path

from pyspark.sql import SparkSession, functions as F

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "hash_partitions.json"
PARTITION_COUNTS = [200, 7]

# Values are written as text (or None for NULL) and turned into typed columns by Spark SQL, so the golden file
# says exactly which value Spark saw.
TO_TYPE = {
    "boolean": "CAST({c} AS BOOLEAN)",
    "int": "CAST({c} AS INT)",
    "long": "CAST({c} AS BIGINT)",
    "float": "CAST({c} AS FLOAT)",
    "double": "CAST({c} AS DOUBLE)",
    "string": "{c}",
    "date": "date_from_unix_date(CAST({c} AS INT))",
    "timestamp": "timestamp_micros(CAST({c} AS BIGINT))",
}

INTS = ["0", "1", "-1", "42", "2147483647", "-2147483648", "132", "265", "7", None]
CASES = [
    ("boolean", ["boolean"], [["true"], ["false"], [None]]),
    ("int", ["int"], [[v] for v in INTS]),
    ("long", ["long"], [[v] for v in INTS + ["9223372036854775807", "-9223372036854775808", "4294967296"]]),
    ("float", ["float"], [[v] for v in ["0.0", "-0.0", "1.5", "-2.25", "NaN", "Infinity", "3.4028235E38", None]]),
    ("double", ["double"], [[v] for v in ["0.0", "-0.0", "1.5", "9.36", "-44.07", "NaN", "-Infinity", "1.0E300", None]]),
    ("string", ["string"], [[v] for v in [
        "", "a", "ab", "abc", "abcd", "abcde", "East Harlem North", "JFK Airport", "Zoë", "日本語", "HV0003", None]]),
    ("date", ["date"], [[v] for v in ["0", "18262", "19723", "-1", "19753", None]]),
    ("timestamp", ["timestamp"], [[v] for v in [
        "0", "1704067200000000", "1585958229000000", "-1000000", "1704067201123456", None]]),
    ("hour and zone", ["timestamp", "string"], [
        ["1704067200000000", "Astoria"], ["1704070800000000", "Astoria"], ["1704067200000000", "Jamaica"],
        [None, "Jamaica"], ["1704067200000000", None], [None, None]]),
    ("pickup and dropoff zone ids", ["int", "int"], [["74", "75"], ["75", "74"], ["1", "265"], [None, "7"]]),
    ("long, double, date", ["long", "double", "date"], [["1", "2.5", "19723"], ["-7", "-0.0", "0"], ["3", None, "1"]]),
]


def record(spark):
    cases = []
    for name, types, rows in CASES:
        raw = spark.createDataFrame(
            [(i, *row) for i, row in enumerate(rows)],
            "id INT, " + ", ".join(f"v{k} STRING" for k in range(len(types))),
        )
        keys = [f"k{k}" for k in range(len(types))]
        typed = raw.selectExpr("id", *[TO_TYPE[t].format(c=f"v{k}") + f" AS k{k}" for k, t in enumerate(types)])
        hashes = {r["id"]: r["h"] for r in typed.select("id", F.hash(*keys).alias("h")).collect()}
        partition_ids = {}
        for n in PARTITION_COUNTS:
            placed = typed.repartition(n, *keys).select("id", F.spark_partition_id().alias("p")).collect()
            by_id = {r["id"]: r["p"] for r in placed}
            partition_ids[str(n)] = [by_id[i] for i in range(len(rows))]
        cases.append({
            "name": name,
            "types": types,
            "rows": rows,
            "hash": [hashes[i] for i in range(len(rows))],
            "partition_ids": partition_ids,
        })
    return cases


def main():
    spark = (
        SparkSession.builder.master("local[2]").appName("kindling-golden-hash")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate()
    )
    golden = {"spark_version": spark.version, "partition_counts": PARTITION_COUNTS, "cases": record(spark)}
    GOLDEN.write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")
    spark.stop()
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
