//! Helpers shared by the integration tests.
#![allow(dead_code)]

use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;
use std::process::{Command, Output};

/// A seeded random matrix with entries in [lo, hi).
pub fn random(rows: usize, cols: usize, lo: f64, hi: f64, seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array2::from_shape_simple_fn((rows, cols), || rng.random_range(lo..hi))
}

/// The real-NIST fixture shipped with the tests (130 samples, 26 classes).
pub fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nist26_valid_small.mat")
}

/// Runs the `gradink` binary with `args` and captures its output.
pub fn gradink(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gradink"))
        .args(args)
        .output()
        .expect("run gradink")
}

/// A fresh empty folder under the target dir for one test's files.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// A MATLAB v5 array for `write_mat`: name, rows, cols, column-major values, as u8 or f64.
pub enum MatArray<'a> {
    Double(&'a str, usize, usize, Vec<f64>),
    UInt8(&'a str, usize, usize, Vec<u8>),
}

/// Writes an uncompressed MATLAB v5 file (the layout `scipy.io.savemat` writes
/// without compression), so tests can make good and broken files.
pub fn write_mat(path: &std::path::Path, arrays: &[MatArray]) {
    fn element(out: &mut Vec<u8>, kind: u32, payload: &[u8]) {
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(payload);
        while !out.len().is_multiple_of(8) {
            out.push(0);
        }
    }
    let mut file = Vec::new();
    let mut header = b"MATLAB 5.0 MAT-file, written by gradink tests".to_vec();
    header.resize(116, b' ');
    file.extend_from_slice(&header);
    file.extend_from_slice(&[0; 8]);
    file.extend_from_slice(&0x0100u16.to_le_bytes());
    file.extend_from_slice(b"IM");
    for array in arrays {
        let (name, rows, cols, class, kind, data) = match array {
            MatArray::Double(n, r, c, v) => (
                n,
                r,
                c,
                6u32,
                9u32,
                v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>(),
            ),
            MatArray::UInt8(n, r, c, v) => (n, r, c, 9u32, 2u32, v.clone()),
        };
        let mut body = Vec::new();
        element(&mut body, 6, &[class as u8, 0, 0, 0, 0, 0, 0, 0]);
        let dims: Vec<u8> = [*rows as i32, *cols as i32]
            .iter()
            .flat_map(|d| d.to_le_bytes())
            .collect();
        element(&mut body, 5, &dims);
        element(&mut body, 1, name.as_bytes());
        element(&mut body, kind, &data);
        element(&mut file, 14, &body);
    }
    std::fs::write(path, file).expect("write test .mat");
}

/// A folder with nist36_{train,valid,test}.mat made from the real fixture
/// (same 130 samples in each split), so CLI commands can run on it.
pub fn fixture_dir(name: &str) -> PathBuf {
    let split = gradink::data::load_split(fixture(), "valid").expect("fixture loads");
    let (rows, classes) = (split.len(), split.classes);
    let data: Vec<f64> = split.images.t().iter().map(|&v| v as f64).collect(); // column-major
    let mut labels = vec![0u8; rows * classes];
    for (r, &c) in split.labels.iter().enumerate() {
        labels[r + c * rows] = 1;
    }
    let dir = scratch(name);
    for s in ["train", "valid", "test"] {
        let (dk, lk) = (format!("{s}_data"), format!("{s}_labels"));
        write_mat(
            &dir.join(format!("nist36_{s}.mat")),
            &[
                MatArray::Double(&dk, rows, 1024, data.clone()),
                MatArray::UInt8(&lk, rows, classes, labels.clone()),
            ],
        );
    }
    dir
}

/// `../shared/data/<relative>` (the data folder beside the checkout, as in
/// CI) if it is there. If not, prints one line naming what is missing and
/// returns `None`, so the test can return early; in CI (`CI=true`), where
/// the folder must be complete, it fails the test instead, so a skip never
/// hides a regression. Pair it with
/// `#[cfg_attr(not(shared_data), ignore = "needs ../shared/data/…")]` on the
/// test, so that `cargo test` counts the test as ignored where the folder is
/// absent (`build.rs` sets the cfg).
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
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
