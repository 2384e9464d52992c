"""Records how Spark cuts a folder of Parquet files into input partitions: the number of partitions and the rows in
each, for several core counts and spark.sql.files.maxPartitionBytes values. The files are made by `kindling gen`
(deterministic), in the course's layout, plus a _SUCCESS marker that must be ignored.
Compared by crates/engine/tests/input_partitions.rs.

Run with real pyspark (pip install pyspark; Java 17):  python3 tests/spark/record_input_partitions.py
"""
import json
import subprocess
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = ROOT / "tests" / "golden" / "input_partitions.json"
FILES = [
    {"year": 2020, "month": 1, "rows": 40000, "seed": 1},
    {"year": 2020, "month": 2, "rows": 80000, "seed": 2},
    {"year": 2020, "month": 3, "rows": 120000, "seed": 3},
    {"year": 2021, "month": 1, "rows": 5000, "seed": 4},
]
GLOB = "green/*/*"
MAX_PARTITION_BYTES = [None, 1024 * 1024, 300 * 1024]
CORES = [1, 2, 4]


def relative_path(spec):
    return f"green/{spec['year']}/{spec['month']:02}/part-0.parquet"


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for spec in FILES:
            out = Path(tmp) / relative_path(spec)
            subprocess.run(
                ["cargo", "run", "--quiet", "--bin", "kindling", "--", "gen", "green", "--year", str(spec["year"]),
                 "--month", str(spec["month"]), "--rows", str(spec["rows"]), "--seed", str(spec["seed"]),
                 "--out", str(out)],
                cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            spec["path"] = relative_path(spec)
            spec["size"] = out.stat().st_size
        (Path(tmp) / "green/2021/01/_SUCCESS").write_text("")
        runs = []
        for cores in CORES:
            for max_bytes in MAX_PARTITION_BYTES:
                builder = SparkSession.builder.master(f"local[{cores}]")
                if max_bytes:
                    builder = builder.config("spark.sql.files.maxPartitionBytes", str(max_bytes))
                spark = builder.getOrCreate()
                df = spark.read.parquet(f"{tmp}/{GLOB}")
                runs.append({
                    "cores": cores,
                    "max_partition_bytes": max_bytes,
                    "rows_per_partition": df.rdd.glom().map(len).collect(),
                    "spark_version": spark.version,
                })
                spark.stop()
    GOLDEN.write_text(json.dumps({"glob": GLOB, "files": FILES, "runs": runs}, indent=1) + "\n")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
