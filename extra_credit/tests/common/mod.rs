//! Helpers shared by the extra_credit tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/data/<relative>` (the data folder beside the checkout, as in
/// CI) if it is there. If not, prints one line naming what is missing and
/// returns `None`, so the test can return early; in CI (`CI=true`) it fails
/// the test instead, so a skip never hides a regression. Pair it with
/// `#[cfg_attr(not(shared_data), ignore = "needs ../shared/data/…")]`, so
/// that `cargo test` counts the test as ignored where the folder is absent
/// (`build.rs` sets the cfg).
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(relative);
    if path.exists() {
        return Some(path);
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !in_ci,
        "{} is missing, and CI must run every test that reads ../shared/data",
        path.display()
    );
    // Straight to stderr, past the test harness's capture: one line, always shown.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: ../shared/data/{relative} is absent (it sits beside the checkout in CI)"
    );
    None
}

/// The NIST36-format stand-in shipped in the repository (`data/nist36_standin`).
pub fn shipped_standin() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/nist36_standin")
}
