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
    /// The three must have labels of the same width (26 or 36 classes).
    pub fn load(dir: impl AsRef<Path>) -> Result<Self> {
        let file = |split: &str| dir.as_ref().join(format!("nist36_{split}.mat"));
        let data = Nist36 {
            train: load_split(file("train"), "train")?,
            valid: load_split(file("valid"), "valid")?,
            test: load_split(file("test"), "test")?,
        };
        for (split, name) in [(&data.valid, "valid"), (&data.test, "test")] {
            same_classes(&file("train"), &data.train, &file(name), split)?;
        }
        Ok(data)
    }
}

/// `Error::ClassMismatch` unless `a` and `b` have labels of the same width.
pub fn same_classes(a_path: &Path, a: &Split, b_path: &Path, b: &Split) -> Result<()> {
    if a.classes == b.classes {
        return Ok(());
    }
    Err(Error::ClassMismatch {
        first: a_path.to_path_buf(),
        first_classes: a.classes,
        second: b_path.to_path_buf(),
        second_classes: b.classes,
    })
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
    let bytes = super::matv5::read_regular_file(path, MISSING_DATA_HINT)?;
    let mat = super::matv5::parse(path, &bytes)?;
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

    if rows == 0 {
        return Err(Error::BadData {
            path: path.to_path_buf(),
            key: data_key,
            problem: "is empty (0 images)".into(),
        });
    }
    check_pixels(path, &data_key, data, rows)?;
    if is_complex(labels.data()) {
        return Err(Error::BadData {
            path: path.to_path_buf(),
            key: labels_key,
            problem: "is a complex array; labels must be real one-hot rows".into(),
        });
    }
    // MATLAB stores column-major: entry (r, c) is at r + c·rows.
    let values = as_f64(data.data());
    let onehot = as_f64(labels.data());
    if values.len() != rows * cols || onehot.len() != rows * classes {
        return Err(Error::Malformed {
            path: path.to_path_buf(),
            reason: format!("'{data_key}' or '{labels_key}' holds fewer values than its shape"),
        });
    }
    let images = Array2::from_shape_fn((rows, cols), |(r, c)| values[r + c * rows] as f32);
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

/// The pixel values real NIST36 files hold lie in about −0.15…1.15; a value
/// outside this wider range means the file is not 0…1 images (docs/robustness.md).
pub const PIXEL_RANGE: (f64, f64) = (-0.5, 1.5);

/// Images must be real floating point, finite and within [`PIXEL_RANGE`]:
/// names the first bad entry (row and column, 0-based, of the N×1024 matrix).
fn check_pixels(path: &Path, key: &str, data: &matfile::Array, rows: usize) -> Result<()> {
    use matfile::NumericData as D;
    let bad = |problem: String| Error::BadData {
        path: path.to_path_buf(),
        key: key.to_string(),
        problem,
    };
    if is_complex(data.data()) {
        return Err(bad("is a complex array; images must be real".into()));
    }
    let first_bad =
        |ok: &dyn Fn(usize) -> Option<f64>, n: usize| (0..n).find_map(|i| ok(i).map(|v| (i, v)));
    let (lo, hi) = PIXEL_RANGE;
    let outside = |v: f64| !v.is_finite() || v < lo || v > hi;
    let found = match data.data() {
        D::Double { real, .. } => {
            first_bad(&|i| Some(real[i]).filter(|&v| outside(v)), real.len())
        }
        D::Single { real, .. } => first_bad(
            &|i| Some(real[i] as f64).filter(|&v| outside(v)),
            real.len(),
        ),
        other => {
            return Err(bad(format!(
                "holds {} integers; images must be single or double values in 0…1 (ink 0, paper 1), e.g. uint8 data divided by 255",
                numeric_class(other)
            )))
        }
    };
    if let Some((i, v)) = found {
        let (r, c) = (i % rows.max(1), i / rows.max(1));
        let why = if v.is_finite() {
            format!("; images are 0…1 (ink 0, paper 1) and values outside {lo}…{hi} are refused")
        } else {
            String::new()
        };
        return Err(bad(format!(
            "holds {v} at row {r}, column {c} (0-based; the first such value){why}"
        )));
    }
    Ok(())
}

fn is_complex(data: &matfile::NumericData) -> bool {
    use matfile::NumericData as D;
    match data {
        D::Double { imag, .. } => imag.is_some(),
        D::Single { imag, .. } => imag.is_some(),
        D::Int8 { imag, .. } => imag.is_some(),
        D::UInt8 { imag, .. } => imag.is_some(),
        D::Int16 { imag, .. } => imag.is_some(),
        D::UInt16 { imag, .. } => imag.is_some(),
        D::Int32 { imag, .. } => imag.is_some(),
        D::UInt32 { imag, .. } => imag.is_some(),
        D::Int64 { imag, .. } => imag.is_some(),
        D::UInt64 { imag, .. } => imag.is_some(),
    }
}

fn numeric_class(data: &matfile::NumericData) -> &'static str {
    use matfile::NumericData as D;
    match data {
        D::Double { .. } => "double",
        D::Single { .. } => "single",
        D::Int8 { .. } => "int8",
        D::UInt8 { .. } => "uint8",
        D::Int16 { .. } => "int16",
        D::UInt16 { .. } => "uint16",
        D::Int32 { .. } => "int32",
        D::UInt32 { .. } => "uint32",
        D::Int64 { .. } => "int64",
        D::UInt64 { .. } => "uint64",
    }
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
