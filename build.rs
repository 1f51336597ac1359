//! Sets `cfg(shared_data)` when `../shared/data` (the data folder that sits
//! beside the checkout in CI) is there: tests that read it are compiled as
//! ignored without it, so `cargo test` counts them as skipped and names what
//! is missing. CI (`.ci/run`) refuses to start without it, and there a
//! missing file fails its test (`tests/common`), so a skip never hides a
//! regression. After adding `../shared` beside an existing build,
//! `touch build.rs` to rerun this (also after installing chromium).

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_data)");
    println!("cargo::rustc-check-cfg=cfg(chromium)");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-changed=build.rs");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let shared = Path::new(&manifest).join("../shared/data");
    if shared.is_dir() {
        println!("cargo::rerun-if-changed={}", shared.display());
        println!("cargo::rustc-cfg=shared_data");
    }
    // The browser test (tests/serve_browser.rs) runs where Debian's chromium
    // and chromedriver are installed, and always in CI, where it fails if
    // they are missing; elsewhere it is compiled as ignored.
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let browser = ["/usr/bin/chromium", "/usr/bin/chromedriver"]
        .iter()
        .all(|p| Path::new(p).exists());
    if ci || browser {
        println!("cargo::rustc-cfg=chromium");
    }
}
