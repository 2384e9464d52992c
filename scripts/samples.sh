#!/usr/bin/env bash
# Generates the app's bundled samples into www/samples with the project's own generator (`kindling gen`), and
# samples/manifest.json, which tells the engine worker the path each file is read by (the course's layout).
# They are build outputs, not sources: the same seeds always give the same files.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$KINDLING_ROOT"
cargo build --quiet --bin kindling
kindling=target/debug/kindling
out=www/samples
mkdir -p "$out"
manifest=()

# sample KIND YEAR MONTH ROWS SEED FORMAT COMPRESSION FILE PATH
sample() {
  "$kindling" gen "$1" --year "$2" --month "$3" --rows "$4" --seed "$5" --format "$6" --compression "$7" \
    --out "$out/$8" >/dev/null
  manifest+=("{\"path\": \"$9\", \"url\": \"samples/$8\"}")
}

for month in 01 02; do
  sample green 2021 "$month" 20000 "1$month" parquet snappy "green-2021-$month.parquet" \
    "data/pq/green/2021/$month/part-00000.snappy.parquet"
  sample yellow 2021 "$month" 40000 "2$month" parquet snappy "yellow-2021-$month.parquet" \
    "data/pq/yellow/2021/$month/part-00000.snappy.parquet"
done
sample fhvhv 2021 2 30000 302 csv gzip "fhvhv-2021-02.csv.gz" "fhvhv_tripdata_2021-02.csv.gz"
sample zones 2021 1 0 7 csv none "zones.csv" "taxi+_zone_lookup.csv"

(IFS=,; printf '[%s]\n' "${manifest[*]}") > "$out/manifest.json"
