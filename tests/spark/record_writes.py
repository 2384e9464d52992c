"""Records how Spark lays out written files, and what real Spark reads back from files Kindling wrote (made with
`kindling convert`, the course's CSV → Parquet step). Compared by crates/engine/tests/writes.rs.

Run with real pyspark (pip install pyspark; Java 17):  python3 tests/spark/record_writes.py
"""
import datetime
import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

os.environ["TZ"] = "UTC"
time.tzset()

from pyspark.sql import SparkSession  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = ROOT / "tests" / "golden" / "writes.json"
GREEN_CSV = ROOT.parent / "shared" / "data" / "tlc" / "green_tripdata_sample_2020-04.csv"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def value(v):
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S") + (f".{v.microsecond:06d}" if v.microsecond else "")
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


def layout(folder):
    """The files of a written folder, relative, with the job's UUID replaced."""
    return sorted(UUID.sub("<uuid>", str(p.relative_to(folder))) for p in Path(folder).rglob("*")
                  if p.is_file() and not p.name.startswith("."))


def read_back(df):
    return {
        "count": df.count(),
        "schema": df._jdf.schema().treeString(),
        "rows": sorted(([value(v) for v in row] for row in df.collect()), key=lambda r: json.dumps(r, default=str)),
    }


def kindling(*args):
    subprocess.run(["cargo", "run", "--quiet", "--bin", "kindling", "--", *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def main():
    spark = (SparkSession.builder.master("local[2]").config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS").getOrCreate())
    green = spark.read.option("header", "true").option("inferSchema", "true").csv(str(GREEN_CSV))
    golden = {"spark_version": spark.version}
    with tempfile.TemporaryDirectory() as tmp:
        green.repartition(4).write.parquet(f"{tmp}/spark/parquet")
        green.repartition(3).write.option("compression", "gzip").parquet(f"{tmp}/spark/gzip")
        green.repartition(2).write.option("header", "true").csv(f"{tmp}/spark/csv")
        green.write.partitionBy("VendorID").parquet(f"{tmp}/spark/by_vendor")
        golden["spark layouts"] = {name: layout(f"{tmp}/spark/{name}") for name in ["parquet", "gzip", "csv", "by_vendor"]}
        try:
            green.write.parquet(f"{tmp}/spark/parquet")
            golden["error mode"] = None
        except Exception as error:  # noqa: BLE001 - the error is what is recorded
            golden["error mode"] = str(error).split("\n")[0].replace(f"file:{tmp}", "<tmp>")

        kindling("convert", str(GREEN_CSV), "--header", "--infer-schema", "--partitions", "4",
                 "--out", f"{tmp}/kindling/parquet")
        kindling("convert", str(GREEN_CSV), "--header", "--infer-schema", "--partitions", "2", "--to", "csv",
                 "--out", f"{tmp}/kindling/csv")
        kindling("convert", str(GREEN_CSV), "--header", "--infer-schema", "--partition-by", "VendorID",
                 "--out", f"{tmp}/kindling/by_vendor")
        golden["kindling layouts"] = {name: layout(f"{tmp}/kindling/{name}") for name in ["parquet", "csv", "by_vendor"]}
        golden["spark reads kindling by_vendor"] = read_back(spark.read.parquet(f"{tmp}/kindling/by_vendor"))
        golden["spark reads kindling parquet"] = read_back(spark.read.parquet(f"{tmp}/kindling/parquet"))
        golden["spark reads kindling csv"] = read_back(
            spark.read.option("header", "true").option("inferSchema", "true").csv(f"{tmp}/kindling/csv"))
    GOLDEN.write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")
    spark.stop()
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
