//! The reader's figures: the photo with its boxes coloured by line, and the
//! crops as the classifier saw them. Library functions, so a program that
//! reads a page can draw what it read without the `gradink` binary.

use super::read::Reading;
use crate::data::upright;
use crate::error::{Error, Result};
use crate::plot::{image_grid, palette};
use image::{DynamicImage, Rgb, RgbImage};
use imageproc::drawing::draw_hollow_rect_mut;
use imageproc::rect::Rect;
use ndarray::Array2;
use std::path::{Path, PathBuf};

/// The photo (at most about 2000 px on its longer side) with every box drawn
/// in its line's colour.
pub fn draw_boxes(image: &DynamicImage, reading: &Reading) -> RgbImage {
    let long = image.width().max(image.height()).max(1);
    let shrink = long.div_ceil(2000).max(1);
    let mut canvas = if shrink > 1 {
        image
            .resize(
                image.width() / shrink,
                image.height() / shrink,
                image::imageops::FilterType::Triangle,
            )
            .to_rgb8()
    } else {
        image.to_rgb8()
    };
    let thickness = (canvas.width().max(canvas.height()) / 600).max(2);
    for (b, &line) in reading.boxes.iter().zip(&reading.line_of_box) {
        let colour = palette(line);
        let [y1, x1, y2, x2] = b.map(|v| v / shrink);
        // `thickness` nested one-pixel outlines, inside the half-open box.
        for k in 0..thickness {
            let (w, h) = (x2.saturating_sub(x1 + 2 * k), y2.saturating_sub(y1 + 2 * k));
            if w == 0 || h == 0 {
                break;
            }
            let rect = Rect::at((x1 + k) as i32, (y1 + k) as i32).of_size(w, h);
            draw_hollow_rect_mut(&mut canvas, rect, Rgb([colour.0, colour.1, colour.2]));
        }
    }
    canvas
}

/// The crops as the classifier saw them (upright), in reading order, each
/// captioned with the character read and its probability, written to `path`.
pub fn draw_crops(reading: &Reading, path: &Path) -> Result<()> {
    let images: Vec<Array2<f32>> = reading.crops.rows().into_iter().map(upright).collect();
    let captions: Vec<String> = reading
        .chars
        .iter()
        .zip(&reading.confidence)
        .map(|(c, p)| format!("{c} {:.0}%", 100.0 * p))
        .collect();
    if images.is_empty() {
        let blank = vec![Array2::from_elem((32, 32), 1.0f32)];
        image_grid(path, &blank, 1, 2, Some(&["(none)".to_string()]))
    } else {
        image_grid(path, &images, 16, 2, Some(&captions))
    }
}

/// Writes `{name}_boxes.png` ([`draw_boxes`]) and `{name}_crops.png`
/// ([`draw_crops`]) into `out`, as `gradink ocr --out` and the report do;
/// returns their paths.
pub fn write_figures(
    image: &DynamicImage,
    reading: &Reading,
    out: &Path,
    name: &str,
) -> Result<(PathBuf, PathBuf)> {
    let boxes = out.join(format!("{name}_boxes.png"));
    write_boxes(image, reading, &boxes)?;
    let crops = out.join(format!("{name}_crops.png"));
    draw_crops(reading, &crops).map_err(|e| Error::Write {
        path: crops.clone(),
        reason: e.to_string(),
    })?;
    Ok((boxes, crops))
}

/// Writes [`draw_boxes`] to `path` (PNG or JPEG by its extension).
pub fn write_boxes(image: &DynamicImage, reading: &Reading, path: &Path) -> Result<()> {
    draw_boxes(image, reading)
        .save(path)
        .map_err(|e| Error::Write {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each box is outlined in its line's colour, inside the box, and the
    /// inside of the box is left as the photo was.
    #[test]
    fn boxes_are_outlined_in_their_lines_colour() {
        let image = DynamicImage::ImageRgb8(RgbImage::from_pixel(100, 80, Rgb([255, 255, 255])));
        let reading = Reading {
            lines: vec!["A".into(), "B".into()],
            boxes: vec![[10, 10, 40, 50], [50, 20, 70, 30]],
            line_of_box: vec![0, 1],
            chars: vec!['A', 'B'],
            classifier_chars: vec!['A', 'B'],
            confidence: vec![0.9, 0.8],
            probabilities: Array2::zeros((2, 36)),
            crops: Array2::ones((2, 1024)),
            factor: 1,
        };
        let canvas = draw_boxes(&image, &reading);
        let c0 = palette(0);
        let c1 = palette(1);
        assert_eq!(canvas.get_pixel(10, 10), &Rgb([c0.0, c0.1, c0.2]));
        assert_eq!(canvas.get_pixel(49, 39), &Rgb([c0.0, c0.1, c0.2]));
        assert_eq!(
            canvas.get_pixel(11, 11),
            &Rgb([c0.0, c0.1, c0.2]),
            "2 px thick"
        );
        assert_eq!(
            canvas.get_pixel(30, 25),
            &Rgb([255, 255, 255]),
            "inside untouched"
        );
        assert_eq!(
            canvas.get_pixel(50, 40),
            &Rgb([255, 255, 255]),
            "outside untouched"
        );
        assert_eq!(canvas.get_pixel(20, 50), &Rgb([c1.0, c1.1, c1.2]));
    }
}
