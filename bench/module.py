"""The module's queries on Kindling and, when installed, Spark local[*], DuckDB, Polars and DataFusion.

    python3 bench/module.py --rows 1000000 --months 1-12 [--engines kindling,spark,duckdb,polars,datafusion]

Generates TLC-shaped data with `kindling gen` (green and yellow trips per month, fhvhv trips, the zone lookup, all
Parquet) in a work folder, runs each query on each engine, checks that the engines agree (row count and a checksum
of one column), and prints a table of wall times and ratios to Kindling, then one of the CPU time (user + system,
all threads) each engine spent on its fastest run: where the wall times differ more than the CPU times, the
difference is in how the work was spread over the cores. Kindling runs each query as `kindling run query.sql`
(one process, view setup included); the others run in this process, started once. Spark's CPU time is not shown:
its work happens in a JVM that outlives the queries.
"""
import argparse
import hashlib
import math
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDLING = ROOT / "target" / "release" / "kindling"

# The module's jobs as SQL over the views green, yellow, fhvhv and zones. Each is checked by (rows, sum of
# the named column).
QUERIES = {
    "revenue report": ("""
        SELECT PULocationID AS revenue_zone, date_trunc('month', pickup_datetime) AS revenue_month, service_type,
               SUM(fare_amount) AS revenue_monthly_fare, SUM(total_amount) AS revenue_monthly_total_amount,
               AVG(passenger_count) AS avg_monthly_passenger_count, AVG(trip_distance) AS avg_monthly_trip_distance
        FROM (SELECT PULocationID, lpep_pickup_datetime AS pickup_datetime, 'green' AS service_type, fare_amount,
                     total_amount, passenger_count, trip_distance FROM green
              UNION ALL
              SELECT PULocationID, tpep_pickup_datetime AS pickup_datetime, 'yellow' AS service_type, fare_amount,
                     total_amount, passenger_count, trip_distance FROM yellow) trips
        GROUP BY 1, 2, 3""", "revenue_monthly_total_amount"),
    "hourly revenue (group-by)": ("""
        SELECT date_trunc('hour', lpep_pickup_datetime) AS hour, PULocationID AS zone,
               SUM(total_amount) AS amount, COUNT(1) AS number_records
        FROM green GROUP BY 1, 2""", "amount"),
    "green/yellow outer join": ("""
        SELECT COALESCE(g.hour, y.hour) AS hour, COALESCE(g.zone, y.zone) AS zone,
               g.amount AS green_amount, y.amount AS yellow_amount
        FROM (SELECT date_trunc('hour', lpep_pickup_datetime) AS hour, PULocationID AS zone, SUM(total_amount) AS amount
              FROM green GROUP BY 1, 2) g
        FULL OUTER JOIN
             (SELECT date_trunc('hour', tpep_pickup_datetime) AS hour, PULocationID AS zone, SUM(total_amount) AS amount
              FROM yellow GROUP BY 1, 2) y
        ON g.hour = y.hour AND g.zone = y.zone""", "yellow_amount"),
    "join with zones": ("""
        SELECT z.Zone, SUM(g.total_amount) AS revenue, COUNT(1) AS trips
        FROM green g JOIN zones z ON g.PULocationID = z.LocationID
        GROUP BY z.Zone""", "revenue"),
    "fhvhv trips per day": ("""
        SELECT CAST(pickup_datetime AS DATE) AS day, COUNT(1) AS trips FROM fhvhv GROUP BY 1""", "trips"),
    "fhvhv top zone pairs": ("""
        SELECT CONCAT(COALESCE(pul.Zone, 'Unknown'), ' / ', COALESCE(dol.Zone, 'Unknown')) AS pair, COUNT(1) AS trips
        FROM fhvhv f LEFT JOIN zones pul ON f.PULocationID = pul.LocationID
                     LEFT JOIN zones dol ON f.DOLocationID = dol.LocationID
        GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5""", "trips"),
}


# The module's RDD job (filter, map to ((hour, zone), (amount, 1)), reduceByKey) on one month of green trips, in
# Python: Kindling runs it with `kindling run`, Spark in this process; the other engines have no RDDs.
RDD_JOB = """
from datetime import datetime

START = datetime(year=2020, month=1, day=1)


def keep(row):
    return row.lpep_pickup_datetime >= START


def pair(row):
    hour = row.lpep_pickup_datetime.replace(minute=0, second=0, microsecond=0)
    return ((hour, row.PULocationID), (row.total_amount, 1))


def add(left, right):
    return (left[0] + right[0], left[1] + right[1])


def rdd_job(spark, path):
    rows = spark.read.parquet(path).select("lpep_pickup_datetime", "PULocationID", "total_amount").rdd
    amounts = rows.filter(keep).map(pair).reduceByKey(add).map(lambda group: group[1][0]).collect()
    return len(amounts), sum(amounts)
"""
RDD_TITLE = "RDD reduceByKey (1 month of green)"


def checked(query, column):
    return f"SELECT COUNT(1) AS n, SUM(CAST({column} AS DOUBLE)) AS checksum FROM ({query}) q"


def generate(work, rows, months):
    """The data for `rows` and `months`, generated again only when the generator now writes other rows than the
    ones kept in `work` (checked on a small sample)."""
    data = work / "data"
    done = work / "done"
    version = f"{rows} {months} {generator_fingerprint(work)}\n"
    if done.exists() and done.read_text() == version:
        return data
    shutil.rmtree(data, ignore_errors=True)
    for kind in ("green", "yellow"):
        run([KINDLING, "gen", kind, "--year", "2020", "--months", months, "--rows", str(rows), "--out", data / "pq"])
    run([KINDLING, "gen", "fhvhv", "--year", "2021", "--months", "2", "--rows", str(rows), "--out", data / "pq"])
    run([KINDLING, "gen", "zones", "--year", "2021", "--rows", "0", "--format", "parquet", "--out", data / "zones.parquet"])
    done.write_text(version)
    return data


def generator_fingerprint(work):
    """A hash of a small file made by this build's generator."""
    work.mkdir(parents=True, exist_ok=True)
    sample = work / "fingerprint.parquet"
    run([KINDLING, "gen", "green", "--year", "2020", "--month", "1", "--rows", "1000", "--out", sample])
    return hashlib.sha256(sample.read_bytes()).hexdigest()[:16]


def cpu_seconds():
    """User + system CPU time so far of this process (every thread) and of its finished child processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(call):
    """(wall seconds, CPU seconds, result) of `call()`."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = call()
    return time.perf_counter() - wall, cpu_seconds() - cpu, result


def run(command, **kwargs):
    return subprocess.run([str(part) for part in command], check=True, capture_output=True, text=True, **kwargs)


def globs(data, files=False):
    """The views' paths: the course's `pq/<kind>/*/*` (year and month folders) as Spark and Kindling read them, or
    globs of the files themselves for DuckDB and Polars."""
    tail = "/*/*/*.parquet" if files else "/*/*"
    return {"green": f"{data}/pq/green{tail}", "yellow": f"{data}/pq/yellow{tail}", "fhvhv": f"{data}/pq/fhvhv{tail}",
            "zones": f"{data}/zones.parquet"}


class Kindling:
    name = "Kindling"
    cpu_measured = True

    def __init__(self, data, work):
        self.views = "".join(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM parquet.`{path}`;\n"
                             for view, path in globs(data).items())
        self.work = work

    def rdd(self, path):
        file = self.work / "rdd_job.py"
        file.write_text("from pyspark.sql import SparkSession\n" + RDD_JOB +
                        f"\nprint(*rdd_job(SparkSession.builder.getOrCreate(), '{path}'), sep='\\t')\n")
        out = run([KINDLING, "run", file]).stdout.strip().split("\t")
        return int(out[0]), float(out[1])

    def query(self, sql):
        file = self.work / "query.sql"
        file.write_text(self.views + sql + ";\n")
        out = run([KINDLING, "run", file]).stdout.strip().split("\t")
        return int(out[0]), float(out[1]) if out[1] != "NULL" else None


class Spark:
    name = "Spark local[*]"
    # The queries run in the JVM, a child process that is still running when they end: its CPU time is not seen.
    cpu_measured = False

    def __init__(self, data, work):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        from pyspark.sql import SparkSession
        self.spark = SparkSession.builder.master("local[*]").config("spark.driver.memory", "8g").getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")
        for view, path in globs(data).items():
            self.spark.read.parquet(path).createOrReplaceTempView(view)

    def query(self, sql):
        row = self.spark.sql(sql).collect()[0]
        return row[0], row[1]

    def rdd(self, path):
        namespace = {"__name__": "rdd_job"}
        exec(RDD_JOB, namespace)
        return namespace["rdd_job"](self.spark, path)


class DuckDB:
    name = "DuckDB"
    cpu_measured = True

    def __init__(self, data, work):
        import duckdb
        self.con = duckdb.connect()
        for view, path in globs(data, files=True).items():
            self.con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet('{path}')")

    def query(self, sql):
        return self.con.execute(sql).fetchone()


class Polars:
    name = "Polars"
    cpu_measured = True

    def __init__(self, data, work):
        import polars as pl
        self.context = pl.SQLContext({view: pl.scan_parquet(path) for view, path in globs(data, files=True).items()})

    def query(self, sql):
        row = self.context.execute(sql, eager=True).row(0)
        return row[0], row[1]


class DataFusion:
    name = "DataFusion"
    cpu_measured = True

    def __init__(self, data, work):
        import datafusion
        # Spark's SQL keeps identifiers as written (PULocationID); DataFusion would lowercase them.
        config = datafusion.SessionConfig({"datafusion.sql_parser.enable_ident_normalization": "false"})
        self.ctx = datafusion.SessionContext(config)
        # Its listing tables do not descend into year/month folders: one table per file, one view over them.
        for view, pattern in globs(data, files=True).items():
            files = sorted(Path("/").glob(pattern.lstrip("/")))
            for index, file in enumerate(files):
                self.ctx.register_parquet(f"{view}_{index}", str(file))
            union = " UNION ALL ".join(f"SELECT * FROM {view}_{index}" for index in range(len(files)))
            self.ctx.sql(f"CREATE VIEW {view} AS {union}")

    def query(self, sql):
        batch = self.ctx.sql(sql).collect()[0]
        return batch.column(0)[0].as_py(), batch.column(1)[0].as_py()


ENGINES = {"kindling": Kindling, "spark": Spark, "duckdb": DuckDB, "polars": Polars, "datafusion": DataFusion}


def agree(a, b):
    return a[0] == b[0] and (a[1] == b[1] or (a[1] is not None and b[1] is not None and math.isclose(a[1], b[1], rel_tol=1e-9)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per month and kind")
    parser.add_argument("--months", default="1-12")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--work", type=Path, default=Path("/tmp/kindling-bench"))
    parser.add_argument("--repeat", type=int, default=2, help="runs per query; the best counts")
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "kindling"], cwd=ROOT, check=True)
    args.work.mkdir(parents=True, exist_ok=True)
    data = generate(args.work / f"{args.rows}-{args.months}", args.rows, args.months)
    engines = []
    for key in args.engines.split(","):
        try:
            engines.append(ENGINES[key](data, args.work))
        except ImportError as missing:
            print(f"skipping {key}: {missing}", file=sys.stderr)

    results, cpu_times = {}, {}
    for title, (query, column) in QUERIES.items():
        for engine in engines:
            best, best_cpu, answer = math.inf, math.inf, None
            for _ in range(args.repeat):
                try:
                    wall, cpu, answer = timed(lambda: engine.query(checked(query, column)))
                except Exception as error:  # an engine that cannot run a query is reported, not fatal
                    answer = f"error: {str(error).splitlines()[0][:80]}"
                    break
                if wall < best:
                    best, best_cpu = wall, cpu
            results[(title, engine.name)] = (best, answer)
            cpu_times[(title, engine.name)] = best_cpu

    first_month = f"{data}/pq/green/2020/{args.months.split('-')[0].split(',')[0].zfill(2)}"
    for engine in engines:
        if hasattr(engine, "rdd"):
            try:
                wall, cpu, answer = timed(lambda: engine.rdd(first_month))
            except Exception as error:
                wall, cpu, answer = math.inf, math.inf, f"error: {str(error).splitlines()[0][:80]}"
            results[(RDD_TITLE, engine.name)] = (wall, answer)
            cpu_times[(RDD_TITLE, engine.name)] = cpu
        else:
            results[(RDD_TITLE, engine.name)] = (math.inf, "no RDDs")

    total_rows = sum(1 for _ in data.rglob("*.parquet"))
    print(f"\n{args.rows:,} rows per month and kind, months {args.months} ({total_rows} files); best of {args.repeat}; "
          f"{os.cpu_count()} cores\n")
    names = [engine.name for engine in engines]
    print("| query | " + " | ".join(names) + " | agree |")
    print("|---|" + "---|" * (len(names) + 1))
    for title in [*QUERIES, RDD_TITLE]:
        reference = results[(title, names[0])]
        cells, agreeing = [], True
        for name in names:
            seconds, answer = results[(title, name)]
            if isinstance(answer, str):
                cells.append(answer)
                agreeing &= answer == "no RDDs"
                continue
            ratio = "" if name == names[0] or not math.isfinite(reference[0]) else f" ({seconds / reference[0]:.2f}×)"
            cells.append(f"{seconds:.3f} s{ratio}")
            agreeing &= isinstance(reference[1], tuple) and agree(tuple(reference[1]), tuple(answer))
        print(f"| {title} | " + " | ".join(cells) + f" | {'yes' if agreeing else 'NO'} |")
    print_cpu_times([engine for engine in engines if engine.cpu_measured], results, cpu_times)


def print_cpu_times(engines, results, cpu_times):
    """The CPU time of each engine's fastest run, beside its wall time."""
    print("\nCPU time (user + system, all threads) of the fastest run, and the cores it kept busy on average:\n")
    print("| query | " + " | ".join(engine.name for engine in engines) + " |")
    print("|---|" + "---|" * len(engines))
    for title in [*QUERIES, RDD_TITLE]:
        cells = []
        for engine in engines:
            wall, cpu = results[(title, engine.name)][0], cpu_times.get((title, engine.name), math.inf)
            cells.append(f"{cpu:.3f} s ({cpu / wall:.1f} cores)" if math.isfinite(cpu) and wall > 0 else "—")
        print(f"| {title} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
