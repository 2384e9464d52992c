"""Records what Spark's printSchema() prints (StructType.treeString) and the schema's simpleString for
the real TLC green file, for Kindling's generated green sample, and for one column of every basic type. The golden
file is compared by crates/engine/tests/display.rs.

Run with real pyspark (pip install pyspark; Java 17):  python3 tests/spark/record_schemas.py
"""
import json
import subprocess
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = ROOT / "tests" / "golden" / "schemas.json"
REAL_GREEN = ROOT.parent / "shared" / "data" / "tlc" / "green_tripdata_2024-01.parquet"
EVERY_TYPE = """
SELECT 1 AS i, CAST(1 AS BIGINT) AS l, 1.5D AS d, CAST(1 AS FLOAT) AS f, 'a' AS s, TRUE AS b,
       DATE'2020-01-01' AS dt, TIMESTAMP'2020-01-01 00:00:00' AS ts, TIMESTAMP_NTZ'2020-01-01 00:00:00' AS tn,
       CAST(1 AS DECIMAL(10,2)) AS dec, NULL AS n, CAST(1 AS SMALLINT) AS sm, CAST(1 AS TINYINT) AS ti,
       X'00' AS bin
"""


def describe(df):
    schema = df._jdf.schema()
    return {"tree_string": schema.treeString(), "simple_string": df.schema.simpleString()}


def main():
    spark = SparkSession.builder.master("local[1]").config("spark.sql.session.timeZone", "UTC").getOrCreate()
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "green.parquet"
        subprocess.run(
            ["cargo", "run", "--quiet", "--bin", "kindling", "--", "gen", "green", "--year", "2024", "--month", "1",
             "--rows", "100", "--out", str(sample)],
            cwd=ROOT, check=True)
        golden = {
            "spark_version": spark.version,
            "tlc green 2024-01": describe(spark.read.parquet(str(REAL_GREEN))),
            "generated green": describe(spark.read.parquet(str(sample))),
            "every type": describe(spark.sql(EVERY_TYPE)),
        }
    GOLDEN.write_text(json.dumps(golden, indent=1) + "\n")
    spark.stop()
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
