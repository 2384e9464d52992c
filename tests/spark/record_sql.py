"""Records the SQL corpus (tests/sql/*.sql and tests/sql/errors/*.sql) on real Spark: for each file, the result of
its last statement — rows, schema, show() and explain() text before and after running — or, for the error cases,
the first line of Spark's error. The views come from tests/sql/setup.sql plus `zones`, the real zone lookup.
Compared by crates/sql/tests/corpus.rs, which runs the same files through Kindling's SQL front end.

Run with real pyspark (pip install pyspark; Java 17):  python3 tests/spark/record_sql.py
"""
import json
import os
import re
import tempfile
import time
from pathlib import Path

os.environ["TZ"] = "UTC"
time.tzset()

from pyspark.sql import SparkSession  # noqa: E402

from record_queries import CORES, FILES, ZONES, explain, generate_files, normalized_plan, rows  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS = ROOT / "tests" / "sql"
GOLDEN = ROOT / "tests" / "golden" / "sql.json"


def statements(text):
    """The statements of a file: spark.sql() takes one at a time. Statements end with `;` at the end of a line."""
    return [s for s in re.split(r";[ \t]*(?:\n|$)", text) if s.strip() and not all(
        line.strip().startswith("--") or not line.strip() for line in s.splitlines())]


def run(spark, text, base):
    # A file may SET the session time zone or ANSI mode; each file starts in UTC, in ANSI mode.
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.ansi.enabled", "true")
    result = None
    for statement in statements(text.replace("${data}", base + "/")):
        result = spark.sql(statement)
    return result


def record(df, name):
    if name.startswith("explain"):
        return {"rows": [[normalized_plan(r[0])] for r in df.collect()], "schema": df._jdf.schema().treeString()}
    case = {"explain": explain(df)}
    case.update({
        "rows": rows(df),
        "schema": df._jdf.schema().treeString(),
        "show": df._jdf.showString(20, 20, False),
    })
    case["explain_final"] = explain(df)
    return case


def first_line_of_error(spark, text, base):
    try:
        run(spark, text, base).collect()
    except Exception as error:  # noqa: BLE001 - any Spark error is the expected outcome here
        return str(error).strip().split("\n")[0]
    raise AssertionError(f"no error from {text!r}")


def main():
    spark = (SparkSession.builder.master(f"local[{CORES}]")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    golden = {"spark_version": spark.version, "cores": CORES, "files": FILES, "cases": {}, "errors": {}}
    with tempfile.TemporaryDirectory() as base:
        generate_files(base)
        spark.read.option("header", "true").option("inferSchema", "true").csv(str(ZONES)).createOrReplaceTempView("zones")
        run(spark, (CORPUS / "setup.sql").read_text(), base)
        for path in sorted(CORPUS.glob("*.sql")):
            if path.stem != "setup":
                golden["cases"][path.stem] = record(run(spark, path.read_text(), base), path.stem)
        for path in sorted((CORPUS / "errors").glob("*.sql")):
            golden["errors"][path.stem] = first_line_of_error(spark, path.read_text(), base)
    GOLDEN.write_text(json.dumps(golden, indent=1, ensure_ascii=False) + "\n")
    spark.stop()
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
