//! Sets `cfg(shared_data)` when `../shared/data` (the data folder that sits
//! beside the checkout in CI) is there: tests that read it are compiled as
//! ignored without it, so `cargo test` counts them as skipped and names what
//! is missing. CI (`.ci/run`) refuses to start without it, and there a
//! missing file fails its test (`tests/common`), so a skip never hides a
//! regression. After adding `../shared` beside an existing build,
//! `touch build.rs` to rerun this.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_data)");
    println!("cargo::rerun-if-changed=build.rs");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let shared = Path::new(&manifest).join("../shared/data");
    if shared.is_dir() {
        println!("cargo::rerun-if-changed={}", shared.display());
        println!("cargo::rustc-cfg=shared_data");
    }
}
