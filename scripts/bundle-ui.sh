#!/usr/bin/env bash
# Bundles the app's JavaScript helpers (CodeMirror editors, dagre layout: www/ui/index.js) into one classic script.
# Trunk runs it before every build (Trunk.toml); index.html copies the result into dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
node_modules/.bin/esbuild www/ui/index.js --bundle --format=iife --minify --log-level=warning \
  --outfile=target/kindling-ui/kindling-ui.js
