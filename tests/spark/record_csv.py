"""Records how Spark reads CSV: printSchema(), show() and count() for the real TLC CSV samples and the zone lookup
(header + inferSchema, and header alone), and the three parse modes on a small malformed file whose text is stored
in the golden itself. Compared by crates/engine/tests/csv.rs.

Run with real pyspark (pip install pyspark; Java 17):  python3 tests/spark/record_csv.py
"""
import json
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = ROOT / "tests" / "golden" / "csv.json"
DATA = ROOT.parent / "shared" / "data"
REAL_FILES = [
    "tlc/green_tripdata_sample_2020-04.csv",
    "tlc/yellow_tripdata_sample_2020-04.csv",
    "tlc/fhvhv_tripdata_sample_2020-04.csv",
    "tlc/fhv_tripdata_sample_2020-04.csv",
    "taxi_zone_lookup.csv",
]
MALFORMED = 'id,name,amount\n1,a,1.5\n2,"b, quoted",2.5\n3,c,not-a-number\n4,d\n5,e,3.5,extra\n,,\n'
MALFORMED_SCHEMA = "id INT, name STRING, amount DOUBLE"


def described(df, rows=5):
    return {
        "tree_string": df._jdf.schema().treeString(),
        "show": df._jdf.showString(rows, 20, False),
        "count": df.count(),
    }


def main():
    spark = SparkSession.builder.master("local[1]").config("spark.sql.session.timeZone", "UTC").getOrCreate()
    golden = {"spark_version": spark.version, "inferred": {}, "strings": {}, "malformed": {"text": MALFORMED,
              "schema": MALFORMED_SCHEMA}}
    for name in REAL_FILES:
        path = str(DATA / name)
        golden["inferred"][name] = described(spark.read.option("header", "true").option("inferSchema", "true").csv(path))
        golden["strings"][name] = described(spark.read.option("header", "true").csv(path), rows=2)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "malformed.csv"
        path.write_text(MALFORMED)
        for mode in ["PERMISSIVE", "DROPMALFORMED"]:
            df = spark.read.option("header", "true").option("mode", mode).schema(MALFORMED_SCHEMA).csv(str(path))
            golden["malformed"][mode] = described(df, rows=20)
        try:
            spark.read.option("header", "true").option("mode", "FAILFAST").schema(MALFORMED_SCHEMA).csv(str(path)).collect()
            golden["malformed"]["FAILFAST"] = None
        except Exception as error:  # the JVM exception's own message line
            golden["malformed"]["FAILFAST"] = next(
                line.strip() for line in str(error).splitlines() if "MALFORMED_RECORD" in line)
    GOLDEN.write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")
    spark.stop()
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
