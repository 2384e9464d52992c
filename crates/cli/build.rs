//! Links the `kindling` binary at a fixed address (not position-independent) on Linux.
//!
//! A position-independent executable is relocated by the dynamic loader at every start: for this binary some
//! 73 000 pointers in 270 pages, each page copied on first write. That was three quarters of a millisecond of CPU and a
//! millisecond of wall time per start, paid by every `kindling run` — a tenth of the small queries' whole time.
//! Linked at a fixed address the pointers are written by the linker, once, and the pages load as they are.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
