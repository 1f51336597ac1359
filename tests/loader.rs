//! NIST36 loading: the real fixture, and every kind of bad input as a typed error.

mod common;

use common::{fixture, scratch, write_mat, MatArray};
use gradink::data::{load_split, shuffled_batches, upright, Nist36};
use gradink::Error;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::Path;

#[test]
fn fixture_shapes_and_labels() {
    let s = load_split(fixture(), "valid").expect("fixture loads");
    assert_eq!(s.images.dim(), (130, 1024));
    assert_eq!(s.classes, 26);
    // Sorted by class, five per class: A A A A A B ...
    let expected: Vec<usize> = (0..26).flat_map(|c| [c; 5]).collect();
    assert_eq!(s.labels, expected);
    let (lo, hi) = s
        .images
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    assert!(
        lo > -0.2 && lo < 0.0 && hi > 1.0 && hi < 1.2,
        "range {lo}..{hi}"
    );
}

/// The row (0..32) holding the most ink in an upright image.
fn inkiest_row(image: &ndarray::Array2<f32>) -> usize {
    (0..32)
        .max_by_key(|&r| image.row(r).iter().filter(|&&v| v < 0.5).count())
        .unwrap()
}

#[test]
fn upright_images_are_upright() {
    let s = load_split(fixture(), "valid").unwrap();
    // A T's crossbar is its inkiest row and lies at the top; an L's base at the bottom.
    for i in 95..100 {
        assert_eq!(s.labels[i], 19);
        assert!(inkiest_row(&upright(s.images.row(i))) < 12, "T sample {i}");
    }
    for i in 55..60 {
        assert_eq!(s.labels[i], 11);
        assert!(inkiest_row(&upright(s.images.row(i))) > 20, "L sample {i}");
    }
    // Without the transpose the L's base would be a column, not a row.
    let stored = s
        .images
        .row(55)
        .to_owned()
        .into_shape_with_order((32, 32))
        .unwrap();
    assert!(inkiest_row(&stored) < 20);
}

#[test]
fn labels_declared_double_are_accepted() {
    let dir = scratch("labels_double");
    let path = dir.join("d.mat");
    let data: Vec<f64> = (0..2 * 1024).map(|i| (i % 7) as f64 / 7.0).collect();
    write_mat(
        &path,
        &[
            MatArray::Double("train_data", 2, 1024, data),
            // column-major one-hot: row 0 → class 1, row 1 → class 0
            MatArray::Double("train_labels", 2, 3, vec![0., 1., 1., 0., 0., 0.]),
        ],
    );
    let s = load_split(&path, "train").unwrap();
    assert_eq!(s.labels, vec![1, 0]);
    assert_eq!(s.classes, 3);
    // Column-major: entry (row 1, col 0) is the second stored value.
    assert_eq!(s.images[[1, 0]], 1.0 / 7.0);
}

fn expect_err(path: &Path, split: &str) -> Error {
    let err = load_split(path, split).expect_err("bad input must be an error");
    let message = err.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "path missing from: {message}"
    );
    err
}

fn good_data(rows: usize, width: usize) -> MatArray<'static> {
    MatArray::Double("train_data", rows, width, vec![0.5; rows * width])
}

fn one_hot_u8(rows: usize, classes: usize) -> Vec<u8> {
    let mut v = vec![0u8; rows * classes];
    for r in 0..rows {
        v[r + (r % classes) * rows] = 1;
    }
    v
}

#[test]
fn missing_file() {
    let err = expect_err(Path::new("no/such/nist36_train.mat"), "train");
    assert!(matches!(err, Error::NotFound { .. }));
    assert!(err.to_string().contains("get-data.sh"), "{err}");
    assert!(matches!(
        Nist36::load("no/such/dir"),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn missing_key() {
    let path = scratch("missing_key").join("m.mat");
    write_mat(&path, &[good_data(2, 1024)]);
    let err = expect_err(&path, "train");
    assert!(
        matches!(err, Error::MissingKey { ref key, .. } if key == "train_labels"),
        "{err}"
    );
    assert!(
        err.to_string().contains("train_data"),
        "should list what was found: {err}"
    );
}

#[test]
fn wrong_width() {
    let path = scratch("wrong_width").join("w.mat");
    write_mat(
        &path,
        &[
            good_data(2, 784),
            MatArray::UInt8("train_labels", 2, 36, one_hot_u8(2, 36)),
        ],
    );
    let err = expect_err(&path, "train");
    assert!(matches!(err, Error::BadShape { cols: 784, .. }), "{err}");
}

#[test]
fn label_rows_differ_from_data_rows() {
    let path = scratch("row_mismatch").join("r.mat");
    write_mat(
        &path,
        &[
            good_data(3, 1024),
            MatArray::UInt8("train_labels", 2, 36, one_hot_u8(2, 36)),
        ],
    );
    let err = expect_err(&path, "train");
    assert!(matches!(err, Error::BadShape { rows: 2, .. }), "{err}");
}

#[test]
fn labels_not_one_hot() {
    let path = scratch("not_one_hot").join("o.mat");
    let mut labels = one_hot_u8(3, 4);
    labels[2 + 3 * 3] = 1; // row 2 now has two ones
    write_mat(
        &path,
        &[
            good_data(3, 1024),
            MatArray::UInt8("train_labels", 3, 4, labels),
        ],
    );
    let err = expect_err(&path, "train");
    assert!(matches!(err, Error::NotOneHot { row: 2, .. }), "{err}");
}

#[test]
fn hdf5_file() {
    let path = scratch("hdf5").join("h.mat");
    let mut bytes = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .".to_vec();
    bytes.resize(512, b' ');
    bytes.extend_from_slice(b"\x89HDF\r\n\x1a\n");
    bytes.resize(2048, 0);
    std::fs::write(&path, bytes).unwrap();
    let err = expect_err(&path, "train");
    assert!(matches!(err, Error::Hdf5 { .. }), "{err}");
}

#[test]
fn truncated_files() {
    let real = std::fs::read(fixture()).unwrap();
    let dir = scratch("truncated");
    for (k, len) in [0, 10, 128, 200, real.len() / 2, real.len() - 1]
        .into_iter()
        .enumerate()
    {
        let path = dir.join(format!("t{k}.mat"));
        std::fs::write(&path, &real[..len]).unwrap();
        let err = expect_err(&path, "valid");
        assert!(
            matches!(err, Error::Malformed { .. } | Error::MissingKey { .. }),
            "{len} bytes: {err}"
        );
    }
}

#[test]
fn batches_are_a_seeded_permutation() {
    let a = shuffled_batches(100, 32, &mut ChaCha8Rng::seed_from_u64(1));
    let b = shuffled_batches(100, 32, &mut ChaCha8Rng::seed_from_u64(1));
    let c = shuffled_batches(100, 32, &mut ChaCha8Rng::seed_from_u64(2));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(
        a.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![32, 32, 32, 4]
    );
    let mut all: Vec<usize> = a.concat();
    all.sort();
    assert_eq!(all, (0..100).collect::<Vec<_>>());
}
