"""Records what Spark's SQL tab shows for the last query of each program in tests/metrics/: the operator graph
(node names, edges) and each operator's metrics, read from Spark's REST API on loopback
(/api/v1/applications/<id>/sql?details=true) while the program's session is still open. The programs run on the
generated trips and the real zone lookup, as tests/spark/record_pyspark.py runs the notebooks. Compared by
crates/pyspark/tests/sql_metrics.rs, which runs the same programs in Kindling and draws its operator graph from the
job's trace.

Run with real pyspark (pip install pyspark; Java 17):  python3 tests/spark/record_sql_metrics.py
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PROGRAMS = ROOT / "tests" / "metrics"
GOLDEN = ROOT / "tests" / "golden" / "sql_metrics.json"
CORES = 2


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url) as response:
        return json.load(response)


def last_execution(spark):
    """The program's last SQL execution once Spark has finished it and its metrics have stopped changing (task
    metrics reach the status store through the listener bus, after the action returns)."""
    ui, app = spark.sparkContext.uiWebUrl, spark.sparkContext.applicationId
    previous = None
    for _ in range(60):
        executions = fetch(f"{ui}/api/v1/applications/{app}/sql?details=true&planDescription=false")
        last = max(executions, key=lambda e: e["id"])
        if last["status"] == "COMPLETED" and last == previous:
            return last
        previous = last
        time.sleep(0.5)
    sys.exit("Spark's last SQL execution did not settle")


def run_one(program, out):
    """Runs `program` in this process, in a session with its UI on a free loopback port, and writes the graph of
    its last SQL execution to `out`."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master(f"local[{CORES}]")
             .config("spark.ui.port", str(free_port()))
             .config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.sql.session.timeZone", "UTC")
             .getOrCreate())
    source = Path(program).read_text()
    exec(compile(source, program, "exec"), {"__name__": "__main__"})
    execution = last_execution(spark)
    nodes = [{"id": n["nodeId"], "name": n["nodeName"].strip(),
              "metrics": {m["name"]: m["value"] for m in n["metrics"]}} for n in execution["nodes"]]
    edges = [[e["fromId"], e["toId"]] for e in execution["edges"]]
    Path(out).write_text(json.dumps({"nodes": sorted(nodes, key=lambda n: n["id"]), "edges": edges}))
    spark.stop()


def main():
    from record_queries import FILES, program_environment
    with tempfile.TemporaryDirectory() as base:
        env = program_environment(base)
        programs = {}
        for path in sorted(PROGRAMS.glob("*.py")):
            out = Path(base) / "graph.json"
            done = subprocess.run([sys.executable, __file__, "--one", str(path), str(out)], cwd=base, env=env,
                                  capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(f"{path.name} failed on real PySpark:\n{done.stderr[-3000:]}")
            programs[path.name] = json.loads(out.read_text())
            print(f"{path.name}: {len(programs[path.name]['nodes'])} nodes")
    GOLDEN.write_text(json.dumps({"files": FILES, "programs": programs}, indent=1) + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        run_one(sys.argv[2], sys.argv[3])
    else:
        main()
