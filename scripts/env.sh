# Sourced by the other scripts: the pinned toolchains and the environment the web build needs.
KINDLING_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The threaded wasm build needs nightly (-Z build-std rebuilds std with atomics). Native crates use the stable
# toolchain pinned in rust-toolchain.toml.
KINDLING_NIGHTLY=nightly-2026-05-20
export PATH="$KINDLING_ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Runs a command (trunk) with the web build's toolchain. Native and web builds share target/: their artifacts
# differ by target and toolchain, so neither invalidates the other.
with_web_toolchain() {
  RUSTUP_TOOLCHAIN="$KINDLING_NIGHTLY" CARGO_UNSTABLE_BUILD_STD=panic_abort,std "$@"
}
