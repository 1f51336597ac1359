//! The course's SUN subset (8 scene classes): `train_files.txt` with
//! `train_labels.txt` and `test_files.txt` with `test_labels.txt`, one entry a
//! line, image paths relative to the data folder, labels 0–7.

use crate::error::{require, require_dir};
use crate::{Error, Result};
use std::path::Path;

pub const CLASSES: [&str; 8] = [
    "aquarium",
    "desert",
    "highway",
    "kitchen",
    "laundromat",
    "park",
    "waterfall",
    "windmill",
];
const HINT: &str = "it is the course's hw1 data folder (train_files.txt, train_labels.txt, test_files.txt, test_labels.txt and the class folders), here ../shared/data/sun_hw1";

/// `(image path, label)` pairs of the `split` ("train" or "test") lists.
pub fn list(dir: &Path, split: &str) -> Result<super::Labelled> {
    require_dir(dir, "the SUN data folder", HINT)?;
    let files = read_lines(&dir.join(format!("{split}_files.txt")))?;
    let labels_path = dir.join(format!("{split}_labels.txt"));
    let labels = read_lines(&labels_path)?;
    if files.len() != labels.len() {
        return Err(Error::bad(
            &labels_path,
            format!("{} labels for {} files", labels.len(), files.len()),
        ));
    }
    files
        .into_iter()
        .zip(labels)
        .map(|(file, label)| match label.parse::<i64>() {
            Ok(l) if (0..CLASSES.len() as i64).contains(&l) => Ok((dir.join(file), l)),
            _ => Err(Error::bad(
                &labels_path,
                format!("label `{label}` is not 0–7"),
            )),
        })
        .collect()
}

/// The largest list file read (the course's are about 40 KB).
pub const MAX_LIST_BYTES: u64 = 64 << 20;

/// The non-empty, trimmed lines of a list file (a regular file of at most
/// [`MAX_LIST_BYTES`], UTF-8 text).
fn read_lines(path: &Path) -> Result<Vec<String>> {
    require(path, "the SUN list file", HINT)?;
    let bytes = gradink::fsutil::read_regular_file(path, MAX_LIST_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Error::bad(path, format!("not a text file (byte {at} is not UTF-8)"))
    })?;
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    if lines.is_empty() {
        return Err(Error::bad(
            path,
            "the file is empty (one image path or label a line expected)",
        ));
    }
    Ok(lines)
}
