//! Opening a photo and bringing it to the working resolution: one grey plane
//! in [0, 1], block-averaged down so that segmentation costs the same on a
//! 12 MP phone photo as on a scan, and a 50 MP photo never needs more than its
//! decoded pixels plus a few megabytes.

use crate::error::{Error, Result};
use image::DynamicImage;
use std::path::Path;

/// Photos are block-averaged until they have about this many pixels
/// (the factor is rounded, so a working page holds at most 2.25× this).
pub const WORKING_PIXELS: f64 = 3.0e6;

/// A grey image, row-major, 0 = black, 1 = white.
#[derive(Clone, Debug, PartialEq)]
pub struct Grey {
    pub width: usize,
    pub height: usize,
    pub data: Vec<f32>,
}

impl Grey {
    /// A page of one value.
    pub fn filled(width: usize, height: usize, value: f32) -> Self {
        Grey {
            width,
            height,
            data: vec![value; width * height],
        }
    }

    #[inline]
    pub fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.width + x]
    }
}

/// The largest image file read: 512 MiB (a 100 MP JPEG is a few tens of MB).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Decodes the image file at `path`, detecting the format from its content
/// (not its extension), through [`super::decode_image`]: only a regular file
/// is read (a folder, `/dev/zero` or a FIFO is refused at once), dimensions
/// and allocations are bounded, a truncated or corrupt file is an error
/// naming the path, and the EXIF orientation tag is applied.
pub fn open_image(path: impl AsRef<Path>) -> Result<DynamicImage> {
    let path = path.as_ref();
    if path.is_dir() {
        return Err(Error::Image {
            path: path.to_path_buf(),
            reason: "it is a folder, not an image file".into(),
        });
    }
    let bytes = crate::fsutil::read_regular_file(path, MAX_FILE_BYTES)?;
    if bytes.is_empty() {
        return Err(Error::Image {
            path: path.to_path_buf(),
            reason: "the file is empty".into(),
        });
    }
    super::decode_image(&bytes, &path.display().to_string())
}

/// The block size that brings `width × height` to about [`WORKING_PIXELS`].
pub fn working_factor(width: usize, height: usize) -> usize {
    let ratio = (width as f64 * height as f64 / WORKING_PIXELS).sqrt();
    (ratio.round() as usize).max(1)
}

/// The photo as grey at the working resolution: each output pixel is the mean
/// luminance (ITU-R 709 weights, as scikit-image's `rgb2gray`) of a
/// `factor × factor` block; partial blocks at the right and bottom edges are
/// dropped. Transparent pixels count as white paper.
pub fn working_grey(image: &DynamicImage, factor: usize) -> Grey {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let k = factor.max(1);
    let (ow, oh) = (w / k, h / k);
    if ow == 0 || oh == 0 {
        return Grey::filled(ow, oh, 1.0);
    }
    let mut sums = vec![0.0f32; ow * oh];
    match image {
        DynamicImage::ImageLuma8(buf) => {
            accumulate::<1>(&mut sums, buf.as_raw(), w, ow, oh, k, |p| p[0] as f32)
        }
        DynamicImage::ImageRgb8(buf) => {
            accumulate::<3>(&mut sums, buf.as_raw(), w, ow, oh, k, |p| luma8(p))
        }
        DynamicImage::ImageRgba8(buf) => {
            accumulate::<4>(&mut sums, buf.as_raw(), w, ow, oh, k, |p| {
                let a = p[3] as f32 / 255.0;
                a * luma8(p) + (1.0 - a) * 255.0
            })
        }
        DynamicImage::ImageLumaA8(buf) => {
            accumulate::<2>(&mut sums, buf.as_raw(), w, ow, oh, k, |p| {
                let a = p[1] as f32 / 255.0;
                a * p[0] as f32 + (1.0 - a) * 255.0
            })
        }
        other => {
            // Rare formats (16-bit, float): convert once, then the fast path.
            let rgba = other.to_rgba8();
            accumulate::<4>(&mut sums, rgba.as_raw(), w, ow, oh, k, |p| {
                let a = p[3] as f32 / 255.0;
                a * luma8(p) + (1.0 - a) * 255.0
            })
        }
    }
    let norm = 1.0 / (255.0 * (k * k) as f32);
    sums.iter_mut().for_each(|s| *s *= norm);
    Grey {
        width: ow,
        height: oh,
        data: sums,
    }
}

#[inline]
fn luma8(p: &[u8]) -> f32 {
    0.2125 * p[0] as f32 + 0.7154 * p[1] as f32 + 0.0721 * p[2] as f32
}

/// Adds every source pixel's grey value into its block's sum, row by row,
/// the blocks' rows shared among the machine's cores (each sum is added in
/// the same order whatever the share, so the result is the same).
/// `CHANNELS` is a constant so that the per-pixel loop knows a pixel's size.
fn accumulate<const CHANNELS: usize>(
    sums: &mut [f32],
    raw: &[u8],
    width: usize,
    ow: usize,
    oh: usize,
    k: usize,
    grey: impl Fn(&[u8; CHANNELS]) -> f32 + Sync,
) {
    let stride = width * CHANNELS;
    let add_rows = |sums: &mut [f32], first_row: usize| {
        // A source row's grey values, worked out in one pass (a loop the
        // compiler keeps tight), then summed block by block.
        let mut line = vec![0.0f32; ow * k];
        for (r, out) in sums.chunks_exact_mut(ow).enumerate() {
            let top = (first_row + r) * k;
            for y in top..top + k {
                let row = &raw[y * stride..y * stride + ow * k * CHANNELS];
                let (pixels, _) = row.as_chunks::<CHANNELS>();
                for (g, pixel) in line.iter_mut().zip(pixels) {
                    *g = grey(pixel);
                }
                for (o, block) in out.iter_mut().zip(line.chunks_exact(k)) {
                    let sum = block[1..].iter().fold(block[0], |s, &g| s + g);
                    // The block's first row is written, not added to the
                    // fresh zero: each page of `sums` is faulted in once.
                    if y == top {
                        *o = sum;
                    } else {
                        *o += sum;
                    }
                }
            }
        }
    };
    // A photo of fewer pixels than this is not worth a thread.
    const PER_THREAD: usize = 1 << 20;
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let threads = cores.min(raw.len() / CHANNELS / PER_THREAD).max(1);
    if threads == 1 {
        return add_rows(sums, 0);
    }
    let share = oh.div_ceil(threads);
    std::thread::scope(|scope| {
        for (part, sums) in sums.chunks_mut(share * ow).enumerate() {
            let add_rows = &add_rows;
            scope.spawn(move || add_rows(sums, part * share));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, Luma, Rgb, RgbImage};

    #[test]
    fn factor_keeps_small_pages_and_shrinks_big_ones() {
        assert_eq!(working_factor(2270, 1631), 1);
        assert_eq!(working_factor(4032, 3024), 2);
        assert_eq!(working_factor(8000, 6000), 4);
    }

    #[test]
    fn blocks_average_and_colours_become_grey() {
        let img = GrayImage::from_fn(4, 2, |x, _| Luma([if x < 2 { 0 } else { 255 }]));
        let g = working_grey(&DynamicImage::ImageLuma8(img), 2);
        assert_eq!((g.width, g.height), (2, 1));
        assert!(g.data[0].abs() < 1e-6 && (g.data[1] - 1.0).abs() < 1e-6);

        let white = RgbImage::from_pixel(3, 3, Rgb([255, 255, 255]));
        let g = working_grey(&DynamicImage::ImageRgb8(white), 1);
        assert!(g.data.iter().all(|&v| (v - 1.0).abs() < 1e-4));
    }

    #[test]
    fn transparent_pixels_are_paper() {
        let img = image::RgbaImage::from_pixel(2, 2, image::Rgba([0, 0, 0, 0]));
        let g = working_grey(&DynamicImage::ImageRgba8(img), 1);
        assert!(g.data.iter().all(|&v| (v - 1.0).abs() < 1e-6));
    }
}
