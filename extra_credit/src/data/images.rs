//! Decoding photos by content (never by extension: one SUN `.jpg` is a GIF),
//! square centre crops at the sizes the models need, and conversion to
//! tensors. Photos are read by the root crate (`gradink::ocr::open_image`):
//! regular files only, bounded in size and dimensions, a JPEG that stops
//! before its end marker refused rather than filled with grey, the EXIF
//! orientation applied. A photo that cannot be read ends the run with one
//! sentence naming it ([`Error::BadImage`]), unless the caller asks for
//! such files to be skipped ([`BadImages::Skip`]): then each is skipped
//! with a warning and reported.

use crate::{Error, Result};
use image::{imageops, RgbImage};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use tch::{Kind, Tensor};

/// A file that could not be used, and why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// Decoded samples: `images[k][i]` is sample `i` at `sizes[k]`.
#[derive(Debug)]
pub struct Decoded {
    pub sizes: Vec<u32>,
    pub images: Vec<Vec<RgbImage>>,
    pub labels: Vec<i64>,
    pub skipped: Vec<Skipped>,
}

/// What to do with a photo that cannot be decoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BadImages {
    /// Stop with [`Error::BadImage`] naming the file.
    #[default]
    Refuse,
    /// Skip it with a warning and list it in [`Decoded::skipped`].
    Skip,
}

/// Opens `path`, telling the format from its first bytes (see the module's doc).
pub fn decode(path: &Path) -> Result<RgbImage> {
    gradink::ocr::open_image(path)
        .map(|img| img.to_rgb8())
        .map_err(Error::BadImage)
}

/// Scales the shorter side to `size` and cuts the centre square.
pub fn square(img: &RgbImage, size: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let scale = size as f64 / w.min(h) as f64;
    let (nw, nh) = (
        ((w as f64 * scale).round() as u32).max(size),
        ((h as f64 * scale).round() as u32).max(size),
    );
    let resized = imageops::resize(img, nw, nh, imageops::FilterType::Triangle);
    imageops::crop_imm(&resized, (nw - size) / 2, (nh - size) / 2, size, size).to_image()
}

/// Decodes every `(path, label)`, keeping a centre square at each size.
pub fn decode_all(
    items: &[(PathBuf, i64)],
    sizes: &[u32],
    what: &str,
    bad: BadImages,
) -> Result<Decoded> {
    let bar = ProgressBar::new(items.len() as u64).with_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {elapsed}")
            .expect("valid template"),
    );
    bar.set_prefix(format!("decoding {what}"));
    let mut out = Decoded {
        sizes: sizes.to_vec(),
        images: vec![Vec::new(); sizes.len()],
        labels: Vec::new(),
        skipped: Vec::new(),
    };
    for (path, label) in items {
        match decode(path) {
            Ok(img) => {
                for (k, &s) in sizes.iter().enumerate() {
                    out.images[k].push(square(&img, s));
                }
                out.labels.push(*label);
            }
            Err(e) if bad == BadImages::Skip => {
                bar.suspend(|| eprintln!("warning: skipping {e}"));
                out.skipped.push(Skipped {
                    path: path.clone(),
                    reason: e.to_string(),
                });
            }
            Err(e) => {
                bar.finish_and_clear();
                return Err(e);
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(out)
}

/// Images → (N, 3, S, S) f32 RGB with values 0–255.
pub fn to_rgb_255(images: &[RgbImage]) -> Tensor {
    let size = images.first().map_or(0, |i| i.width() as i64);
    let mut bytes = Vec::with_capacity(images.len() * (3 * size * size) as usize);
    for img in images {
        bytes.extend_from_slice(img.as_raw());
    }
    Tensor::from_slice(&bytes)
        .view([images.len() as i64, size, size, 3])
        .permute([0, 3, 1, 2])
        .to_kind(Kind::Float)
}

/// Images → (N, 3, S, S) f32, RGB scaled to [0, 1] then standardised with the
/// usual ImageNet channel statistics (inputs for the from-scratch CNNs).
pub fn to_tensor(images: &[RgbImage]) -> Tensor {
    let mean = Tensor::from_slice(&[0.485f32, 0.456, 0.406]).view([1, 3, 1, 1]);
    let std = Tensor::from_slice(&[0.229f32, 0.224, 0.225]).view([1, 3, 1, 1]);
    ((to_rgb_255(images) / 255.0 - mean) / std).contiguous()
}
