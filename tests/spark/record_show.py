"""Records the exact text of Spark's show() (Dataset.showString) for the real TLC green file and for one row of
every basic type, truncated and not. Compared by crates/engine/tests/show.rs.

Run with real pyspark (pip install pyspark; Java 17):  python3 tests/spark/record_show.py
"""
import json
from pathlib import Path

from pyspark.sql import SparkSession

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = ROOT / "tests" / "golden" / "show.json"
REAL_GREEN = ROOT.parent / "shared" / "data" / "tlc" / "green_tripdata_2024-01.parquet"
# Keep in step with every_type_row() in crates/engine/tests/show.rs.
EVERY_TYPE = """
SELECT 1.0E7D AS a, 1.0E-4D AS b, 0.001D AS c, 1234567.5D AS d, -0.0D AS e, CAST('NaN' AS DOUBLE) AS f,
       'a very long string that goes past twenty' AS s, CAST(NULL AS STRING) AS n,
       TIMESTAMP'2020-01-01 00:00:00.123' AS ts, TIMESTAMP_NTZ'2021-02-15 13:05:00' AS tn, DATE'2020-01-01' AS dt,
       CAST(1.5 AS FLOAT) AS fl, CAST(2.50 AS DECIMAL(10,2)) AS dec, TRUE AS b, X'0AFF' AS bin,
       -7 AS i, CAST(9007199254740993 AS BIGINT) AS l, 'Zoë' AS u
"""


def show_string(df, n, truncate):
    return df._jdf.showString(n, truncate, False)


def main():
    spark = SparkSession.builder.master("local[1]").config("spark.sql.session.timeZone", "UTC").getOrCreate()
    green = spark.read.parquet(str(REAL_GREEN))
    every = spark.sql(EVERY_TYPE)
    golden = {
        "spark_version": spark.version,
        "green first 5": show_string(green, 5, 20),
        "green 3 columns untruncated": show_string(green.select("store_and_fwd_flag", "ehail_fee", "total_amount"), 3, 0),
        "green 1 row": show_string(green.select("VendorID", "lpep_pickup_datetime"), 1, 20),
        "green 0 rows": show_string(green.select("VendorID"), 0, 20),
        "every type": show_string(every, 20, 20),
        "every type untruncated": show_string(every, 20, 0),
        "every type truncate 3": show_string(every, 20, 3),
    }
    GOLDEN.write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")
    spark.stop()
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
