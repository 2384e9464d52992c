"""Records the PySpark test programs (tests/pyspark/*.py) on real PySpark: each program runs as its own process,
with the generated trips under pq/<kind>/<year>/<MM>/ and the real zone lookup as zones.csv in its working
directory, and what it prints to stdout is stored. Compared by crates/pyspark/tests/programs.rs, which runs the same
programs on the same files in Kindling.

Run with real pyspark (pip install pyspark; Java 17):  python3 tests/spark/record_pyspark.py [program.py ...]
Naming programs records only those and keeps the others' recorded output.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from record_queries import FILES, program_environment

ROOT = Path(__file__).resolve().parent.parent.parent
PROGRAMS = ROOT / "tests" / "pyspark"
GOLDEN = ROOT / "tests" / "golden" / "pyspark.json"


def main():
    chosen = set(sys.argv[1:])
    kept = json.loads(GOLDEN.read_text())["programs"] if chosen and GOLDEN.exists() else {}
    with tempfile.TemporaryDirectory() as base:
        env = program_environment(base)
        programs = dict(kept)
        for path in sorted(PROGRAMS.glob("*.py")):
            if chosen and path.name not in chosen:
                continue
            done = subprocess.run([sys.executable, str(path)], cwd=base, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(f"{path.name} failed on real PySpark:\n{done.stderr[-3000:]}")
            programs[path.name] = done.stdout
            print(f"{path.name}: {len(done.stdout.splitlines())} lines")
    programs = dict(sorted(programs.items()))
    GOLDEN.write_text(json.dumps({"files": FILES, "programs": programs}, indent=1) + "\n")


if __name__ == "__main__":
    main()
