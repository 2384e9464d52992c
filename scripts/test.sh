#!/usr/bin/env bash
# Runs every test: native unit and integration tests, then the web build and the end-to-end tests in headless
# Chromium against it (threaded and single-threaded).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$KINDLING_ROOT"
scripts/setup.sh
cargo test --workspace --locked
scripts/samples.sh
with_web_toolchain trunk build
cargo build --quiet --bin kindling
node --test tests/e2e/
