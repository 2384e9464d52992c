#!/usr/bin/env bash
# Installs everything Kindling needs to build, serve and test, skipping whatever is already there.
# Safe to run again: every step first checks for the exact version it wants.
#
# Why the tool installs are debug builds: trunk and wasm-bindgen-cli only orchestrate and post-process;
# their release profiles (fat LTO, one codegen unit) cost ~33 minutes on a 2-core machine, a debug build
# a fraction of that. See ARCHITECTURE.md, "Build and setup costs".
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$KINDLING_ROOT"

STABLE=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
TRUNK_VERSION=0.22.1
# Trunk requires the wasm-bindgen CLI to be exactly the version in Cargo.lock (it would otherwise download one).
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"

step() { printf '\n== setup: %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_debian_packages() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then return; fi
  step "Debian chromium + chromium-driver"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver
}

install_toolchains() {
  if ! rustup run "$STABLE" rustc --version >/dev/null 2>&1; then
    step "Rust $STABLE"
    rustup toolchain install "$STABLE" --profile minimal
  fi
  if ! rustup component list --installed --toolchain "$KINDLING_NIGHTLY" 2>/dev/null | grep -q '^rust-src' ||
     ! rustup target list --installed --toolchain "$KINDLING_NIGHTLY" 2>/dev/null | grep -q '^wasm32-unknown-unknown'; then
    step "Rust $KINDLING_NIGHTLY with rust-src and wasm32-unknown-unknown"
    rustup toolchain install "$KINDLING_NIGHTLY" --profile minimal --component rust-src --target wasm32-unknown-unknown
  fi
}

# cargo_tool BIN VERSION CRATE [extra cargo install args...]
cargo_tool() {
  local bin=$1 version=$2 crate=$3
  shift 3
  if "$CARGO_BIN/$bin" --version 2>/dev/null | grep -qF " $version"; then return; fi
  step "cargo install $crate $version (debug build)"
  CARGO_PROFILE_DEV_DEBUG=0 cargo "+$KINDLING_NIGHTLY" install "$crate" --version "=$version" --debug --force "$@"
}

# Real Spark for the export test (crates/cli/tests/export.rs) and for re-recording goldens; it needs Java 17.
PYSPARK_VERSION=4.3.0
install_pyspark() {
  if ! command -v java >/dev/null; then
    step "Debian openjdk-17-jre-headless"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq openjdk-17-jre-headless
  fi
  if python3 -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" 2>/dev/null; then return; fi
  step "pip install pyspark $PYSPARK_VERSION"
  python3 -m pip install --quiet "pyspark==$PYSPARK_VERSION"
}

install_npm_packages() {
  if [ node_modules/.package-lock.json -nt package-lock.json ]; then return; fi
  step "npm packages (CodeMirror, dagre, esbuild, coi-serviceworker, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error
}

install_debian_packages &
apt_job=$!
install_toolchains
install_npm_packages
# trunk's lockfile is complete; wasm-bindgen-cli's pins a crate the registry no longer serves, so no --locked.
cargo_tool trunk "$TRUNK_VERSION" trunk --locked
cargo_tool wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
wait "$apt_job"
install_pyspark
step "done"
