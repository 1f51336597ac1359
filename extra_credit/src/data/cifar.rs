//! CIFAR-10, binary version: files of 3073-byte records, one label byte (0–9)
//! then 1024 red, 1024 green and 1024 blue bytes of a 32×32 image, row-major.

use super::Dataset;
use crate::error::{require, require_dir};
use crate::{Error, Result};
use std::path::Path;
use tch::{Kind, Tensor};

pub const RECORD: usize = 3073;
/// The largest batch file read (the real ones are 30,730,000 bytes).
pub const MAX_FILE_BYTES: u64 = 1 << 30;
pub const CLASSES: [&str; 10] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];
const HINT: &str = "download and unpack https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz and pass its cifar-10-batches-bin folder with --data";

/// Reads one binary batch file; images are scaled to [0, 1].
pub fn load_file(path: &Path) -> Result<Dataset> {
    require(path, "the CIFAR-10 batch file", HINT)?;
    let bytes = gradink::fsutil::read_regular_file(path, MAX_FILE_BYTES)?;
    if bytes.is_empty() || bytes.len() % RECORD != 0 {
        return Err(Error::bad(
            path,
            format!(
                "truncated or not a CIFAR-10 batch: {} bytes is not a whole number of 3073-byte records",
                bytes.len()
            ),
        ));
    }
    let n = bytes.len() / RECORD;
    let mut labels = Vec::with_capacity(n);
    let mut pixels = Vec::with_capacity(n * (RECORD - 1));
    for record in bytes.chunks_exact(RECORD) {
        if record[0] > 9 {
            return Err(Error::bad(
                path,
                format!(
                    "corrupt: record {} has label {}, outside 0–9",
                    labels.len(),
                    record[0]
                ),
            ));
        }
        labels.push(record[0] as i64);
        pixels.extend_from_slice(&record[1..]);
    }
    let x = Tensor::from_slice(&pixels)
        .view([n as i64, 3, 32, 32])
        .to_kind(Kind::Float)
        / 255.0;
    Ok(Dataset::new(x, &labels))
}

/// The training batches present (`data_batch_1.bin` … `data_batch_5.bin`, at
/// least the first) and `test_batch.bin`.
pub fn load(dir: &Path) -> Result<(Dataset, Dataset)> {
    require_dir(dir, "the CIFAR-10 data folder", HINT)?;
    let mut parts = vec![load_file(&dir.join("data_batch_1.bin"))?];
    for i in 2..=5 {
        let path = dir.join(format!("data_batch_{i}.bin"));
        if path.exists() {
            parts.push(load_file(&path)?);
        }
    }
    let train = Dataset {
        x: Tensor::cat(&parts.iter().map(|d| &d.x).collect::<Vec<_>>(), 0),
        y: Tensor::cat(&parts.iter().map(|d| &d.y).collect::<Vec<_>>(), 0),
    };
    let test = load_file(&dir.join("test_batch.bin"))?;
    Ok((train, test))
}
