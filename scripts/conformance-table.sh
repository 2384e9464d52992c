#!/usr/bin/env bash
# Runs Spark's SQL golden files (crates/sql's conformance test) and writes the per-file pass table into README.md,
# between the "Passes per file" paragraph and the next section.
set -euo pipefail
cd "$(dirname "$0")/.."
table=$(cargo test -q -p kindling-sql --test conformance -- --nocapture 2>/dev/null | grep '^|')
python3 - "$table" <<'PY'
import re, sys
table = sys.argv[1].strip() + "\n"
readme = open("README.md").read()
start = readme.index("| file | rows | errors |")
end = readme.index("\n\n", start) + 1
open("README.md", "w").write(readme[:start] + table + readme[end:])
PY
grep '^| \*\*total' README.md
