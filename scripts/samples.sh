#!/usr/bin/env bash
# Generates the app's bundled samples into www/samples with the project's own generator (`kindling gen`).
# They are build outputs, not sources: the same seed always gives the same files.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$KINDLING_ROOT"
cargo run --quiet --bin kindling -- gen green --year 2024 --month 1 --rows 60000 --seed 42 \
  --out www/samples/green_tripdata_2024-01.parquet
