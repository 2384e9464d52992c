"""Records how many rows each output partition gets when Spark repartitions: by hash of key columns
(`repartition(n, cols)`) and round-robin (`repartition(n)`), on the real TLC green file and on a folder of files
made by `kindling gen` read with several input partitions. Compared by crates/engine/tests/exchange.rs.

Run with real pyspark (pip install pyspark; Java 17):  python3 tests/spark/record_exchanges.py
"""
import json
import subprocess
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = ROOT / "tests" / "golden" / "exchanges.json"
REAL_GREEN = ROOT.parent / "shared" / "data" / "tlc" / "green_tripdata_2024-01.parquet"
FILES = [
    {"year": 2020, "month": 1, "rows": 40000, "seed": 1},
    {"year": 2020, "month": 2, "rows": 80000, "seed": 2},
    {"year": 2020, "month": 3, "rows": 120000, "seed": 3},
    {"year": 2021, "month": 1, "rows": 5001, "seed": 4},
]
CORES = 4
HASH_CASES = [(7, ["PULocationID"]), (200, ["PULocationID", "DOLocationID"]), (12, ["lpep_pickup_datetime"])]
ROUND_ROBIN = [6, 10, 200]


def counts(df):
    return df.rdd.glom().map(len).collect()


def cases(df):
    return {
        "input_rows_per_partition": counts(df),
        "hash": [{"partitions": n, "keys": keys, "rows_per_partition": counts(df.repartition(n, *keys))}
                 for n, keys in HASH_CASES],
        "round_robin": [{"partitions": n, "rows_per_partition": counts(df.repartition(n))} for n in ROUND_ROBIN],
    }


def main():
    spark = SparkSession.builder.master(f"local[{CORES}]").config("spark.sql.session.timeZone", "UTC").getOrCreate()
    golden = {"spark_version": spark.version, "cores": CORES, "files": FILES}
    golden["real green"] = cases(spark.read.parquet(str(REAL_GREEN)))
    with tempfile.TemporaryDirectory() as tmp:
        for spec in FILES:
            out = Path(tmp) / f"green/{spec['year']}/{spec['month']:02}/part-0.parquet"
            subprocess.run(
                ["cargo", "run", "--quiet", "--bin", "kindling", "--", "gen", "green", "--year", str(spec["year"]),
                 "--month", str(spec["month"]), "--rows", str(spec["rows"]), "--seed", str(spec["seed"]),
                 "--out", str(out)],
                cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        golden["generated folder"] = cases(spark.read.parquet(f"{tmp}/green/*/*"))
    GOLDEN.write_text(json.dumps(golden, indent=1) + "\n")
    spark.stop()
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
