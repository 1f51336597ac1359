//! NIST36 `.mat` files (MATLAB v5): `{split}_data` (N, 1024) floats, each row a
//! 32×32 image stored column-major, and one-hot `{split}_labels` (N, 36) of any
//! numeric class. Classes are A–Z then 0–9.

use super::Dataset;
use crate::error::require;
use crate::{Error, Result};
use std::path::Path;
use tch::Tensor;

pub const CLASSES: usize = 36;
const HINT: &str = "it is the course's hw5 data (nist36_train.mat, nist36_valid.mat, nist36_test.mat); a stand-in in the same format is shipped in data/nist36_standin";

/// Loads `nist36_{split}.mat` from `dir`; `x` is (N, 1024) as stored.
pub fn load(dir: &Path, split: &str) -> Result<Dataset> {
    require(dir, "the NIST36 data folder", HINT)?;
    let path = dir.join(format!("nist36_{split}.mat"));
    require(&path, &format!("the NIST36 {split} file"), HINT)?;
    let file = std::fs::File::open(&path)
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let mat = matfile::MatFile::parse(std::io::BufReader::new(file))
        .map_err(|e| Error::bad(&path, format!("not a readable MATLAB v5 file ({e:?})")))?;
    let (data, n, d) = numeric(&mat, &format!("{split}_data"), &path)?;
    let (labels, nl, classes) = numeric(&mat, &format!("{split}_labels"), &path)?;
    if d != 1024 || nl != n || classes != CLASSES {
        return Err(Error::bad(
            &path,
            format!("expected data (N, 1024) and labels (N, 36), found ({n}, {d}) and ({nl}, {classes})"),
        ));
    }
    // matfile hands arrays back column-major: element (r, c) is at r + c * n.
    let mut x = vec![0f32; n * d];
    for r in 0..n {
        for c in 0..d {
            x[r * d + c] = data[r + c * n] as f32;
        }
    }
    let y: Vec<i64> = (0..n)
        .map(|r| {
            (0..classes)
                .max_by(|&a, &b| labels[r + a * n].total_cmp(&labels[r + b * n]))
                .unwrap() as i64
        })
        .collect();
    Ok(Dataset::new(
        Tensor::from_slice(&x).view([n as i64, d as i64]),
        &y,
    ))
}

/// (N, 1024) rows → upright images (N, 1, 32, 32): each row is a column-major
/// 32×32 image, so view it row-major and transpose.
pub fn to_images(x: &Tensor) -> Tensor {
    let n = x.size()[0];
    x.view([n, 32, 32])
        .transpose(1, 2)
        .contiguous()
        .view([n, 1, 32, 32])
}

/// A 2-D numeric array as f64 values (column-major) with its two dimensions.
fn numeric(mat: &matfile::MatFile, name: &str, path: &Path) -> Result<(Vec<f64>, usize, usize)> {
    use matfile::NumericData::*;
    let array = mat
        .find_by_name(name)
        .ok_or_else(|| Error::bad(path, format!("has no variable `{name}`")))?;
    let size = array.size();
    if size.len() != 2 {
        return Err(Error::bad(path, format!("`{name}` is not 2-D ({size:?})")));
    }
    let values: Vec<f64> = match array.data() {
        Int8 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        UInt8 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        Int16 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        UInt16 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        Int32 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        UInt32 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        Int64 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        UInt64 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        Single { real, .. } => real.iter().map(|&v| v as f64).collect(),
        Double { real, .. } => real.clone(),
    };
    Ok((values, size[0], size[1]))
}
