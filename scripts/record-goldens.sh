#!/usr/bin/env bash
# Re-records every golden in tests/golden/ on real Spark: installs pyspark (with Java 17 present) if it is missing,
# then runs each recorder in tests/spark/. The goldens are committed; tests compare against them without Spark.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -c "import pyspark" 2>/dev/null; then
    python3 -m pip install --quiet "pyspark==4.3.0"
fi
for recorder in tests/spark/record_*.py; do
    echo "== $recorder"
    python3 "$recorder"
done
