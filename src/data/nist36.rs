//! NIST36 in its course format: MATLAB v5 `.mat` files with `{split}_data`
//! (N × 1024, each row a 32×32 image stored column-major, ink ≈ 0 on
//! white ≈ 1) and `{split}_labels` (N × classes, one-hot, any numeric type).

use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView1};
use std::path::{Path, PathBuf};

/// Images are 32×32.
pub const IMAGE_SIDE: usize = 32;
const PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;

/// What to do when the data is not there.
pub const MISSING_DATA_HINT: &str = "; get the course files with `bash data/get-data.sh` (or use the stand-in shipped in data/nist36_standin)";

/// The 36 class names: A–Z then 0–9 (a 26-class file uses the first 26).
pub fn class_names(classes: usize) -> Vec<String> {
    (0..classes).map(|c| class_name(c).to_string()).collect()
}

/// The character for class `c`.
pub fn class_name(c: usize) -> char {
    const NAMES: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    NAMES.get(c).map(|&b| b as char).unwrap_or('?')
}

/// One split: images as stored (one flattened column-major image per row)
/// and class indices.
#[derive(Clone, Debug)]
pub struct Split {
    pub images: Array2<f32>,
    pub labels: Vec<usize>,
    pub classes: usize,
}

impl Split {
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// The three splits of a NIST36 folder.
#[derive(Clone, Debug)]
pub struct Nist36 {
    pub train: Split,
    pub valid: Split,
    pub test: Split,
}

impl Nist36 {
    /// Loads `nist36_train.mat`, `nist36_valid.mat` and `nist36_test.mat` from `dir`.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self> {
        let file = |split: &str| dir.as_ref().join(format!("nist36_{split}.mat"));
        Ok(Nist36 {
            train: load_split(file("train"), "train")?,
            valid: load_split(file("valid"), "valid")?,
            test: load_split(file("test"), "test")?,
        })
    }
}

/// The upright 32×32 image of one stored row (the row is column-major, so
/// the stored order is the transpose of the picture).
pub fn upright(row: ArrayView1<f32>) -> Array2<f32> {
    let stored = row
        .to_owned()
        .into_shape_with_order((IMAGE_SIDE, IMAGE_SIDE))
        .expect("a NIST36 row has 1024 pixels");
    stored.reversed_axes().as_standard_layout().to_owned()
}

/// Loads `{split}_data` and `{split}_labels` from one `.mat` file.
pub fn load_split(path: impl AsRef<Path>, split: &str) -> Result<Split> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| match Error::io(path, e) {
        Error::NotFound { path, .. } => Error::NotFound {
            path,
            hint: MISSING_DATA_HINT.to_string(),
        },
        other => other,
    })?;
    let mat = parse_mat(path, &bytes)?;
    drop(bytes);

    let data_key = format!("{split}_data");
    let labels_key = format!("{split}_labels");
    let data = find(&mat, path, &data_key)?;
    let labels = find(&mat, path, &labels_key)?;

    let (rows, cols) = dims(data);
    if cols != PIXELS {
        return Err(bad_shape(
            path,
            &data_key,
            rows,
            cols,
            "N×1024 (32×32 images)".into(),
        ));
    }
    let (label_rows, classes) = dims(labels);
    if label_rows != rows || classes == 0 {
        return Err(bad_shape(
            path,
            &labels_key,
            label_rows,
            classes,
            format!("{rows}×classes, one row per image in '{data_key}'"),
        ));
    }

    // MATLAB stores column-major: entry (r, c) is at r + c·rows.
    let values = as_f64(data.data());
    let images = Array2::from_shape_fn((rows, cols), |(r, c)| values[r + c * rows] as f32);
    let onehot = as_f64(labels.data());
    let mut classes_of = Vec::with_capacity(rows);
    for r in 0..rows {
        let row = (0..classes).map(|c| onehot[r + c * rows]);
        let ones: Vec<usize> = row
            .clone()
            .enumerate()
            .filter(|&(_, v)| v == 1.0)
            .map(|(c, _)| c)
            .collect();
        let zeros = row.filter(|&v| v == 0.0).count();
        if ones.len() != 1 || zeros != classes - 1 {
            return Err(Error::NotOneHot {
                path: path.to_path_buf(),
                key: labels_key,
                row: r,
            });
        }
        classes_of.push(ones[0]);
    }
    Ok(Split {
        images,
        labels: classes_of,
        classes,
    })
}

fn parse_mat(path: &Path, bytes: &[u8]) -> Result<matfile::MatFile> {
    const HDF5_SIGNATURE: &[u8] = b"\x89HDF\r\n\x1a\n";
    let header = String::from_utf8_lossy(&bytes[..bytes.len().min(116)]);
    if header.contains("MATLAB 7.3")
        || bytes.get(512..520) == Some(HDF5_SIGNATURE)
        || bytes.starts_with(HDF5_SIGNATURE)
    {
        return Err(Error::Hdf5 {
            path: path.to_path_buf(),
        });
    }
    let malformed = |reason: String| Error::Malformed {
        path: path.to_path_buf(),
        reason,
    };
    if bytes.len() < 128 || !header.starts_with("MATLAB 5.0 MAT-file") {
        return Err(malformed("no 'MATLAB 5.0 MAT-file' header".into()));
    }
    // The parser may panic on some corrupt inputs; a bad file must be an error.
    std::panic::catch_unwind(|| matfile::MatFile::parse(bytes))
        .map_err(|_| malformed("the parser gave up".into()))?
        .map_err(|e| malformed(format!("{e:?}").chars().take(120).collect()))
}

fn find<'m>(mat: &'m matfile::MatFile, path: &Path, key: &str) -> Result<&'m matfile::Array> {
    mat.find_by_name(key).ok_or_else(|| Error::MissingKey {
        path: PathBuf::from(path),
        key: key.to_string(),
        found: mat
            .arrays()
            .iter()
            .map(|a| a.name().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

fn dims(array: &matfile::Array) -> (usize, usize) {
    match array.size().as_slice() {
        [r, c] => (*r, *c),
        [r, c, rest @ ..] => (*r, c * rest.iter().product::<usize>()),
        [n] => (*n, 1),
        [] => (0, 0),
    }
}

fn bad_shape(path: &Path, key: &str, rows: usize, cols: usize, expected: String) -> Error {
    Error::BadShape {
        path: path.to_path_buf(),
        key: key.to_string(),
        rows,
        cols,
        expected,
    }
}

/// Any numeric class as f64 (labels are sometimes declared double but stored as bytes).
fn as_f64(data: &matfile::NumericData) -> std::borrow::Cow<'_, [f64]> {
    use matfile::NumericData as D;
    use std::borrow::Cow;
    fn widen<X: Copy + Into<f64>>(v: &[X]) -> Cow<'static, [f64]> {
        Cow::Owned(v.iter().map(|&x| x.into()).collect())
    }
    match data {
        D::Double { real, .. } => Cow::Borrowed(real),
        D::Single { real, .. } => widen(real),
        D::Int8 { real, .. } => widen(real),
        D::UInt8 { real, .. } => widen(real),
        D::Int16 { real, .. } => widen(real),
        D::UInt16 { real, .. } => widen(real),
        D::Int32 { real, .. } => widen(real),
        D::UInt32 { real, .. } => widen(real),
        D::Int64 { real, .. } => Cow::Owned(real.iter().map(|&x| x as f64).collect()),
        D::UInt64 { real, .. } => Cow::Owned(real.iter().map(|&x| x as f64).collect()),
    }
}
