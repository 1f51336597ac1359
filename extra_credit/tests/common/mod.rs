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

/// Writes an uncompressed MATLAB v5 file holding `double` arrays
/// `(name, rows, cols, column-major values)`, the layout
/// `scipy.io.savemat` writes without compression (as the root crate's
/// tests do), so tests can make good and broken NIST36 files.
pub fn write_mat(path: &std::path::Path, arrays: &[(&str, usize, usize, Vec<f64>)]) {
    fn element(out: &mut Vec<u8>, kind: u32, payload: &[u8]) {
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(payload);
        while !out.len().is_multiple_of(8) {
            out.push(0);
        }
    }
    let mut file = b"MATLAB 5.0 MAT-file, written by extra_credit tests".to_vec();
    file.resize(116, b' ');
    file.extend_from_slice(&[0; 8]);
    file.extend_from_slice(&0x0100u16.to_le_bytes());
    file.extend_from_slice(b"IM");
    for (name, rows, cols, values) in arrays {
        let mut body = Vec::new();
        element(&mut body, 6, &[6, 0, 0, 0, 0, 0, 0, 0]); // mxDOUBLE_CLASS
        let dims: Vec<u8> = [*rows as i32, *cols as i32]
            .iter()
            .flat_map(|d| d.to_le_bytes())
            .collect();
        element(&mut body, 5, &dims);
        element(&mut body, 1, name.as_bytes());
        let data: Vec<u8> = values.iter().flat_map(|x| x.to_le_bytes()).collect();
        element(&mut body, 9, &data); // miDOUBLE
        element(&mut file, 14, &body);
    }
    std::fs::write(path, file).expect("write test .mat");
}

/// A NIST36 split of `n` images (pixels 0…1, labels cycling through the 36
/// classes), as `write_mat` arrays.
pub fn nist36_split(split: &str, n: usize) -> Vec<(String, usize, usize, Vec<f64>)> {
    let pixels: Vec<f64> = (0..n * 1024).map(|i| (i % 7) as f64 / 6.0).collect();
    let mut labels = vec![0.0; n * 36];
    for r in 0..n {
        labels[r + (r % 36) * n] = 1.0;
    }
    vec![
        (format!("{split}_data"), n, 1024, pixels),
        (format!("{split}_labels"), n, 36, labels),
    ]
}

/// Writes `nist36_{split}.mat` for the three splits into `dir`.
pub fn write_nist36(dir: &std::path::Path, n: usize) {
    for split in ["train", "valid", "test"] {
        let arrays = nist36_split(split, n);
        let arrays: Vec<_> = arrays
            .iter()
            .map(|(k, r, c, v)| (k.as_str(), *r, *c, v.clone()))
            .collect();
        write_mat(&dir.join(format!("nist36_{split}.mat")), &arrays);
    }
}

/// A SqueezeNet 1.1 features file of the right names and shapes (freshly
/// initialised values), so a run gets past the weights check.
pub fn zero_squeezenet(path: &std::path::Path) {
    use tch::{nn, Device};
    let vs = nn::VarStore::new(Device::Cpu);
    let _net = extra_credit::models::squeezenet::features(&vs.root());
    vs.save(path).expect("write test weights");
}
