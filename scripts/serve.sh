#!/usr/bin/env bash
# Builds the web app and serves it at http://127.0.0.1:8080 (cross-origin isolated), rebuilding on changes.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$KINDLING_ROOT"
scripts/setup.sh
scripts/samples.sh
with_web_toolchain trunk serve
