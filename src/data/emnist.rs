//! Extra training handwriting: the EMNIST ByClass test partition as packed in
//! `../shared/data/emnist_byclass_test/` (lossless WebP sheets of 28×28 tiles
//! and a `test.json` index), rendered exactly like the NIST36 stand-in so the
//! rows can be appended to its training split.
//!
//! Rendering (the stand-in's recipe, see its README): the whole 28×28 frame is
//! scaled to 32×32 with bicubic resampling on values in [0, 1], clipped,
//! inverted (ink ≈ 0 on white ≈ 1) and flattened column-major.

use crate::data::{Split, IMAGE_SIDE};
use crate::error::{Error, Result};
use image::imageops::{self, FilterType};
use image::{GrayImage, ImageBuffer, Luma};
use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

/// EMNIST tiles are 28×28.
const TILE: u32 = 28;
/// NIST36 has 36 classes: A–Z then 0–9.
const CLASSES: usize = 36;

/// What `test.json` says about the sheets.
#[derive(Deserialize)]
struct Index {
    files: Vec<String>,
    /// EMNIST label of every image, in partition order.
    id: Vec<usize>,
}

/// The NIST36 class of an EMNIST ByClass label (0–9 digits, 10–35 capitals),
/// or `None` for the 26 lowercase classes NIST36 does not have.
pub fn nist36_class(emnist_label: usize) -> Option<usize> {
    match emnist_label {
        0..=9 => Some(26 + emnist_label),
        10..=35 => Some(emnist_label - 10),
        _ => None,
    }
}

/// The EMNIST indices listed in a stand-in's `source_indices.csv`
/// (`split,class,emnist_byclass_test_index`), so that they can be left out.
pub fn standin_indices(csv: impl AsRef<Path>) -> Result<HashSet<usize>> {
    let path = csv.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = HashSet::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let field = line.rsplit(',').next().unwrap_or("").trim();
        let index = field.parse::<usize>().map_err(|_| Error::Malformed {
            path: path.to_path_buf(),
            reason: format!("line {}: '{field}' is not an EMNIST index", n + 1),
        })?;
        out.insert(index);
    }
    Ok(out)
}

/// Up to `per_class` samples of each NIST36 class from the EMNIST folder `dir`,
/// skipping the indices in `exclude`; which samples is chosen by `seed`.
/// Rows are rendered like the stand-in (32×32, column-major, ink dark).
pub fn load_emnist36(
    dir: impl AsRef<Path>,
    exclude: &HashSet<usize>,
    per_class: usize,
    seed: u64,
) -> Result<Split> {
    let dir = dir.as_ref();
    let index = read_index(dir)?;

    // Choose the samples: per class, a seeded shuffle of the allowed indices.
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); CLASSES];
    for (i, &label) in index.id.iter().enumerate() {
        if let Some(c) = nist36_class(label) {
            if !exclude.contains(&i) {
                by_class[c].push(i);
            }
        }
    }
    let chosen = choose_per_class(by_class, per_class, seed);
    let indices: Vec<usize> = chosen.iter().map(|&(i, _)| i).collect();
    let images = render_sheets(dir, &index, &indices)?;
    Ok(Split {
        images,
        labels: chosen.iter().map(|&(_, c)| c).collect(),
        classes: CLASSES,
    })
}

/// The EMNIST images `indices` (partition order numbers) of the folder
/// `dir`, rendered as stand-in rows, one row per index in the given order.
pub fn load_emnist_rows(dir: impl AsRef<Path>, indices: &[usize]) -> Result<Array2<f32>> {
    let dir = dir.as_ref();
    let index = read_index(dir)?;
    render_sheets(dir, &index, indices)
}

/// (EMNIST index, class) pairs, sorted: per class a seeded shuffle of its
/// indices, the first `per_class` of each kept.
fn choose_per_class(
    mut by_class: Vec<Vec<usize>>,
    per_class: usize,
    seed: u64,
) -> Vec<(usize, usize)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    for (c, indices) in by_class.iter_mut().enumerate() {
        indices.shuffle(&mut rng);
        chosen.extend(indices.iter().take(per_class).map(|&i| (i, c)));
    }
    chosen.sort_unstable();
    chosen
}

/// The capitals and digits of the EMNIST folder `dir` that a classifier
/// trained with `train --data STANDIN --emnist DIR --emnist-per-class
/// per_class --seed seed` never saw: neither the stand-in's training rows
/// (listed as `train` in `standin_csv`) nor the EMNIST rows that `--emnist`
/// added. (Index, NIST36 class) pairs in partition order.
pub fn held_out36(
    dir: impl AsRef<Path>,
    standin_csv: impl AsRef<Path>,
    per_class: usize,
    seed: u64,
) -> Result<Vec<(usize, usize)>> {
    let index = read_index(dir.as_ref())?;
    let csv = standin_csv.as_ref();
    let every_standin = standin_indices(csv)?;
    let text = std::fs::read_to_string(csv).map_err(|e| Error::io(csv, e))?;
    let standin_train: HashSet<usize> = text
        .lines()
        .filter(|l| l.starts_with("train,"))
        .filter_map(|l| l.rsplit(',').next()?.trim().parse().ok())
        .collect();
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); CLASSES];
    for (i, &label) in index.id.iter().enumerate() {
        if let Some(c) = nist36_class(label) {
            if !every_standin.contains(&i) {
                by_class[c].push(i);
            }
        }
    }
    let trained: HashSet<usize> = choose_per_class(by_class, per_class, seed)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    Ok(index
        .id
        .iter()
        .enumerate()
        .filter_map(|(i, &label)| Some((i, nist36_class(label)?)))
        .filter(|(i, _)| !trained.contains(i) && !standin_train.contains(i))
        .collect())
}

/// The raw 28×28 EMNIST tiles (white ink on black, upright) of `indices`.
pub fn load_emnist_tiles(dir: impl AsRef<Path>, indices: &[usize]) -> Result<Vec<GrayImage>> {
    let dir = dir.as_ref();
    let index = read_index(dir)?;
    let mut tiles = vec![GrayImage::new(TILE, TILE); indices.len()];
    for_each_tile(dir, &index, indices, |r, tile| tiles[r] = tile)?;
    Ok(tiles)
}

fn read_index(dir: &Path) -> Result<Index> {
    let json_path = dir.join("test.json");
    let text = std::fs::read_to_string(&json_path).map_err(|e| Error::io(&json_path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Malformed {
        path: json_path,
        reason: format!("not an EMNIST index: {e}"),
    })
}

/// Decodes each sheet once and renders the wanted tiles into their rows.
fn render_sheets(dir: &Path, index: &Index, indices: &[usize]) -> Result<Array2<f32>> {
    let mut images = Array2::<f32>::zeros((indices.len(), IMAGE_SIDE * IMAGE_SIDE));
    for_each_tile(dir, index, indices, |r, tile| {
        images
            .row_mut(r)
            .assign(&ndarray::ArrayView1::from(&render_tile(&tile)))
    })?;
    Ok(images)
}

/// Decodes each sheet once and hands every wanted tile, with its position
/// in `indices`, to `visit`.
fn for_each_tile(
    dir: &Path,
    index: &Index,
    indices: &[usize],
    mut visit: impl FnMut(usize, GrayImage),
) -> Result<()> {
    let json_path = dir.join("test.json");
    let mut done = vec![false; indices.len()];
    for file in &index.files {
        let (first, last) = sheet_range(file).ok_or_else(|| Error::Malformed {
            path: json_path.clone(),
            reason: format!("sheet name '{file}' does not say X_test_FIRST_to_LAST.webp"),
        })?;
        let wanted: Vec<usize> = (0..indices.len())
            .filter(|&r| (first..=last).contains(&indices[r]))
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let path = dir.join(file);
        let sheet = image::open(&path)
            .map_err(|e| Error::Image {
                path: path.clone(),
                reason: e.to_string(),
            })?
            .to_luma8();
        let per_row = sheet.width() / TILE;
        for r in wanted {
            let k = (indices[r] - first) as u32;
            let (tx, ty) = ((k % per_row) * TILE, (k / per_row) * TILE);
            if ty + TILE > sheet.height() {
                return Err(Error::Malformed {
                    path,
                    reason: format!("image {} lies outside the sheet", indices[r]),
                });
            }
            visit(r, imageops::crop_imm(&sheet, tx, ty, TILE, TILE).to_image());
            done[r] = true;
        }
    }
    if let Some(r) = done.iter().position(|&d| !d) {
        return Err(Error::Malformed {
            path: json_path,
            reason: format!("no sheet holds image {}", indices[r]),
        });
    }
    Ok(())
}

/// One 28×28 tile (white ink on black, 0–255) as a stand-in row.
pub fn render_tile(tile: &ImageBuffer<Luma<u8>, Vec<u8>>) -> Vec<f32> {
    let float: ImageBuffer<Luma<f32>, Vec<f32>> =
        ImageBuffer::from_fn(tile.width(), tile.height(), |x, y| {
            Luma([tile.get_pixel(x, y)[0] as f32 / 255.0])
        });
    let side = IMAGE_SIDE as u32;
    let big = imageops::resize(&float, side, side, FilterType::CatmullRom);
    // Column-major: stored index = x·32 + y.
    let mut row = vec![0.0f32; IMAGE_SIDE * IMAGE_SIDE];
    for (x, y, p) in big.enumerate_pixels() {
        row[x as usize * IMAGE_SIDE + y as usize] = 1.0 - p[0].clamp(0.0, 1.0);
    }
    row
}

/// (first, last) from `X_test_FIRST_to_LAST.webp`.
fn sheet_range(file: &str) -> Option<(usize, usize)> {
    let stem = file.strip_suffix(".webp")?;
    let mut parts = stem.rsplit('_');
    let last = parts.next()?.parse().ok()?;
    let _to = parts.next()?;
    let first = parts.next()?.parse().ok()?;
    Some((first, last))
}

impl Split {
    /// This split followed by `other`'s rows (same number of classes).
    pub fn concat(&self, other: &Split) -> Split {
        assert_eq!(
            self.classes, other.classes,
            "concat: splits of {} and {} classes",
            self.classes, other.classes
        );
        let images =
            ndarray::concatenate(ndarray::Axis(0), &[self.images.view(), other.images.view()])
                .expect("both splits hold 1024-pixel rows");
        let mut labels = self.labels.clone();
        labels.extend_from_slice(&other.labels);
        Split {
            images,
            labels,
            classes: self.classes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_give_their_ranges() {
        assert_eq!(
            sheet_range("X_test_16129_to_32257.webp"),
            Some((16129, 32257))
        );
        assert_eq!(sheet_range("notes.txt"), None);
    }

    #[test]
    fn labels_map_to_nist36_order() {
        assert_eq!(nist36_class(0), Some(26));
        assert_eq!(nist36_class(10), Some(0));
        assert_eq!(nist36_class(35), Some(25));
        assert_eq!(nist36_class(36), None);
    }
}
