//! An image folder in the ImageFolder layout (flowers17: class folders `0` …
//! `16`, 80 images each). Class folders sort numerically when their names are
//! numbers; every regular, non-hidden file inside is taken as an image.

use crate::error::require_dir;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

pub const FLOWERS17: [&str; 17] = [
    "daffodil",
    "snowdrop",
    "lily of the valley",
    "bluebell",
    "crocus",
    "iris",
    "tigerlily",
    "tulip",
    "fritillary",
    "sunflower",
    "daisy",
    "colts' foot",
    "dandelion",
    "cowslip",
    "buttercup",
    "windflower",
    "pansy",
];
const HINT: &str = "download 17flowers.tgz from https://www.robots.ox.ac.uk/~vgg/data/flowers/17/ and arrange image_NNNN.jpg into class folders (NNNN - 1) / 80, as in ../shared/data/flowers17";

/// The class folder names (sorted) and `(image path, class index)` pairs.
pub fn list(dir: &Path) -> Result<(Vec<String>, super::Labelled)> {
    require_dir(dir, "the flowers17 data folder", HINT)?;
    let mut classes: Vec<String> = entries(dir)?
        .into_iter()
        .filter(|p| p.is_dir())
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    classes.sort_by_key(|name| (name.parse::<u64>().unwrap_or(u64::MAX), name.clone()));
    if classes.is_empty() {
        return Err(Error::Missing {
            what: "class folders".into(),
            path: dir.to_path_buf(),
            hint: HINT.into(),
        });
    }
    let mut items = Vec::new();
    for (label, class) in classes.iter().enumerate() {
        let mut files: Vec<PathBuf> = entries(&dir.join(class))?
            .into_iter()
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::Missing {
                what: format!("any image file in class folder `{class}`"),
                path: dir.join(class),
                hint: HINT.into(),
            });
        }
        items.extend(files.into_iter().map(|f| (f, label as i64)));
    }
    Ok((classes, items))
}

/// Non-hidden entries of a folder.
fn entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let read =
        std::fs::read_dir(dir).map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
    Ok(read
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect())
}
