//! Decoding an image held in memory (a file's bytes or an upload) under
//! limits, so that a small file claiming huge dimensions (a decompression
//! bomb) is an error before any pixel buffer is allocated; a truncated or
//! corrupt file is an error rather than a page of grey; and a photo stored
//! rotated with an EXIF orientation tag (as phones write them) is turned
//! upright.

use crate::error::{Error, Result};
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use std::path::PathBuf;

/// The most pixels an image in memory may have: 100 MP (a 12 MP phone photo
/// is 12 MP; pages are read at about 3 MP whatever their size).
pub const MAX_PIXELS: u64 = 100_000_000;
/// The most one decoder allocation may take (the image crate's own default
/// is 512 MiB; 100 MP of RGB is 300 MB).
pub const MAX_ALLOC: u64 = 320 * 1024 * 1024;

/// Decodes `bytes` (JPEG, PNG, GIF, WebP, BMP or TIFF, told from the content)
/// with the dimensions and allocations bounded, and applies the EXIF
/// orientation tag if there is one; `name` is what errors call it.
///
/// A JPEG must be complete: the image crate's JPEG decoder fills missing
/// data with grey without a word, so its segments are walked first and a
/// file that ends before its end-of-image marker is refused
/// ([`Error::CorruptImage`]), as is any file its decoder cannot read.
pub fn decode_image(bytes: &[u8], name: &str) -> Result<DynamicImage> {
    let bad = |reason: String| Error::Image {
        path: PathBuf::from(name),
        reason,
    };
    let corrupt = |reason: String| Error::CorruptImage {
        path: PathBuf::from(name),
        reason,
    };
    if bytes.is_empty() {
        return Err(bad("it is empty".into()));
    }
    let format = image::guess_format(bytes)
        .map_err(|_| bad("not an image (no JPEG, PNG, GIF, WebP, BMP or TIFF signature)".into()))?;
    if format == ImageFormat::Jpeg {
        jpeg_complete(bytes).map_err(corrupt)?;
    }
    // Limits are errors about size; anything else the decoder says is
    // about the file's contents.
    let decoding = |e: ImageError| match e {
        ImageError::Limits(_) | ImageError::Unsupported(_) => bad(e.to_string()),
        other => corrupt(other.to_string()),
    };
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(decoding)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width == 0 || height == 0 {
        return Err(bad(format!(
            "{width}×{height} pixels is outside 1 to {} MP",
            MAX_PIXELS / 1_000_000
        )));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(decoding)?;
    // An unreadable EXIF block is no reason to refuse the pixels.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(decoding)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Walks a JPEG's segments from its start-of-image marker to its
/// end-of-image marker (skipping each segment by its length, so an EXIF
/// thumbnail's own markers are not mistaken for the image's, and scanning
/// each scan's entropy-coded data for the next marker). `Err` says where the
/// file stops making sense. Bytes after the end-of-image marker (some
/// cameras append data) are allowed.
pub fn jpeg_complete(b: &[u8]) -> std::result::Result<(), String> {
    let len = b.len();
    let truncated = || format!("it ends at byte {len} before the JPEG's end-of-image marker");
    if !b.starts_with(&[0xFF, 0xD8]) {
        return Err("no JPEG start-of-image marker".into());
    }
    let mut i = 2;
    loop {
        // The next marker: 0xFF, any fill bytes 0xFF, then its code. Bytes
        // that are not a marker where one should be are skipped, as libjpeg
        // does ("extraneous bytes before marker"), and decoders accept.
        while i < len && b[i] != 0xFF {
            i += 1;
        }
        while i < len && b[i] == 0xFF {
            i += 1;
        }
        if i >= len {
            return Err(truncated());
        }
        let marker = b[i];
        i += 1;
        match marker {
            0xD9 => return Ok(()),
            // Markers without a length, and a stray stuffed 0xFF 0x00.
            0x00 | 0x01 | 0xD0..=0xD8 => continue,
            _ => {}
        }
        if i + 2 > len {
            return Err(truncated());
        }
        let seg = usize::from(u16::from_be_bytes([b[i], b[i + 1]]));
        if seg < 2 {
            return Err(format!("a segment length of {seg} at byte {i}"));
        }
        i += seg;
        if i > len {
            return Err(truncated());
        }
        if marker == 0xDA {
            // A scan: entropy-coded data up to the next marker that is not
            // a stuffed 0xFF 0x00 or a restart marker.
            loop {
                if i + 1 >= len {
                    return Err(truncated());
                }
                if b[i] == 0xFF {
                    let next = b[i + 1];
                    if next == 0x00 || (0xD0..=0xD7).contains(&next) {
                        i += 2;
                        continue;
                    }
                    if next == 0xFF {
                        i += 1; // a fill byte
                        continue;
                    }
                    break; // a marker: the loop above reads it
                }
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, Luma};

    fn small_jpeg() -> Vec<u8> {
        let img = GrayImage::from_fn(64, 48, |x, y| Luma([((x * 3 + y * 5) % 256) as u8]));
        let mut bytes = Vec::new();
        DynamicImage::ImageLuma8(img)
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Jpeg)
            .unwrap();
        bytes
    }

    #[test]
    fn a_whole_jpeg_is_complete_and_every_cut_of_it_is_refused() {
        let bytes = small_jpeg();
        assert_eq!(jpeg_complete(&bytes), Ok(()));
        assert!(decode_image(&bytes, "whole.jpg").is_ok());
        // Trailing bytes after the end-of-image marker are allowed.
        let mut padded = bytes.clone();
        padded.extend_from_slice(b"camera maker's trailer");
        assert!(decode_image(&padded, "padded.jpg").is_ok());
        for cut in [3, bytes.len() / 10, bytes.len() / 2, bytes.len() - 1] {
            let err = decode_image(&bytes[..cut], "cut.jpg").unwrap_err();
            assert!(matches!(err, Error::CorruptImage { .. }), "{err}");
            let msg = err.to_string();
            assert!(
                msg.starts_with("truncated or corrupt image cut.jpg"),
                "{msg}"
            );
        }
    }

    #[test]
    fn a_truncated_png_is_refused_as_corrupt() {
        let img = GrayImage::from_fn(64, 48, |x, y| Luma([((x * 7 + y * 13) % 256) as u8]));
        let mut bytes = Vec::new();
        DynamicImage::ImageLuma8(img)
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        let err = decode_image(&bytes[..bytes.len() / 2], "cut.png").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("truncated or corrupt image cut.png"),
            "{err}"
        );
    }
}
