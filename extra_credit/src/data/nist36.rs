//! NIST36 `.mat` files (MATLAB v5), read by the root crate's loader
//! (`gradink::data::load_split`: bounded reads of regular files only, every
//! declared size checked, finite pixels in range, one-hot labels; one
//! sentence naming the file and the variable otherwise), then handed to
//! libtorch: `x` (N, 1024) as stored (each row a column-major 32×32 image),
//! `y` the class indices. Classes are A–Z then 0–9.

use super::Dataset;
use crate::error::require_dir;
use crate::Result;
use gradink::data::Split;
use std::path::Path;
use tch::Tensor;

pub const CLASSES: usize = 36;
const HINT: &str = "it is the course's hw5 data (nist36_train.mat, nist36_valid.mat, nist36_test.mat); a stand-in in the same format is shipped in data/nist36_standin";

/// The three splits of a NIST36 folder and their number of classes (the
/// same in all three, as the root crate checks: 26 or 36).
pub struct Nist36 {
    pub train: Dataset,
    pub valid: Dataset,
    pub test: Dataset,
    pub classes: usize,
}

/// Loads `nist36_{train,valid,test}.mat` from `dir`.
pub fn load_all(dir: &Path) -> Result<Nist36> {
    require_dir(dir, "the NIST36 data folder", HINT)?;
    let data = gradink::data::Nist36::load(dir)?;
    Ok(Nist36 {
        classes: data.train.classes,
        train: to_dataset(&data.train),
        valid: to_dataset(&data.valid),
        test: to_dataset(&data.test),
    })
}

/// Loads `nist36_{split}.mat` from `dir`; `x` is (N, 1024) as stored.
pub fn load(dir: &Path, split: &str) -> Result<Dataset> {
    require_dir(dir, "the NIST36 data folder", HINT)?;
    let path = dir.join(format!("nist36_{split}.mat"));
    Ok(to_dataset(&gradink::data::load_split(&path, split)?))
}

fn to_dataset(split: &Split) -> Dataset {
    let (n, d) = split.images.dim();
    let images = split.images.as_standard_layout();
    let pixels = images.as_slice().expect("standard layout is contiguous");
    let labels: Vec<i64> = split.labels.iter().map(|&c| c as i64).collect();
    Dataset::new(
        Tensor::from_slice(pixels).view([n as i64, d as i64]),
        &labels,
    )
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
