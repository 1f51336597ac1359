//! Decoding an image held in memory (an upload) under limits, so that a
//! small file claiming huge dimensions (a decompression bomb) is an error
//! before any pixel buffer is allocated.

use crate::error::{Error, Result};
use image::{DynamicImage, ImageReader, Limits};
use std::io::Cursor;
use std::path::PathBuf;

/// The most pixels an image in memory may have: 100 MP (a 12 MP phone photo
/// is 12 MP; pages are read at about 3 MP whatever their size).
pub const MAX_PIXELS: u64 = 100_000_000;
/// The most one decoder allocation may take (the image crate's own default
/// is 512 MiB; 100 MP of RGB is 300 MB).
pub const MAX_ALLOC: u64 = 320 * 1024 * 1024;

/// Decodes `bytes` (JPEG, PNG, GIF, WebP, BMP or TIFF, told from the content)
/// with the dimensions and allocations bounded; `name` is what errors call it.
pub fn decode_image(bytes: &[u8], name: &str) -> Result<DynamicImage> {
    let bad = |reason: String| Error::Image {
        path: PathBuf::from(name),
        reason,
    };
    if bytes.is_empty() {
        return Err(bad("it is empty".into()));
    }
    let format = image::guess_format(bytes)
        .map_err(|_| bad("not an image (no JPEG, PNG, GIF, WebP, BMP or TIFF signature)".into()))?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| bad(format!("cannot read its header ({e})")))?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width == 0 || height == 0 {
        return Err(bad(format!(
            "{width}×{height} pixels is outside 1 to {} MP",
            MAX_PIXELS / 1_000_000
        )));
    }
    reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    reader.decode().map_err(|e| bad(e.to_string()))
}
