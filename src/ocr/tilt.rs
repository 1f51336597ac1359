//! The page's tilt: a photo taken with the phone turned a little has every
//! line of text running at the same angle. Lines of characters stack their
//! boxes' centres into a few sharp rows when seen along the right angle, so
//! a first guess is the angle whose projection of the centres is most
//! peaked (the sum of squared counts of a histogram across the lines; the
//! same idea as `deskew.rs` for a line's slant, on boxes instead of ink),
//! and the lines grouped at that angle say by their own slopes what it
//! missed. `read.rs` then groups lines, and crops characters, turned back.

use super::find_letters::Glyph;
use super::lines::{group_lines, Span};

/// Angles tried, radians: a photo turned by up to about 15°.
const MAX_TILT: f64 = 0.26;
const TILT_STEP: f64 = 0.005;
/// The histogram's bins are this fraction of the median box height.
const BIN_OF_HEIGHT: f64 = 0.25;
/// Tilts smaller than this (about 1°) are left to the lines' own trends (`lines.rs`).
pub const NEGLIGIBLE_TILT: f64 = 0.02;
/// Crops are turned back only beyond this tilt (4°): the classifier was
/// trained on letters turned by up to ±10° (`data::augment`), and on the
/// generated pages (tilted by at most 3.5°) turning their crops back
/// changed the reading by −0.7 to +0.3 points, while letters of photos
/// turned by 8° and 12° were misread unturned (docs/ocr-photos.md).
pub const TURN_CROPS: f64 = 0.07;

/// The page's tilt in radians (positive: lines fall to the right, in image
/// coordinates with y down), or 0 with fewer than three boxes. A coarse
/// angle from the projection is refined by the lines themselves: grouped
/// with the page turned back by it, the median least-squares slope of their
/// boxes' centres is what it missed (the projection's best angles form a
/// plateau as wide as a bin over a line's length).
pub fn page_tilt(boxes: &[Span]) -> f64 {
    if boxes.len() < 3 {
        return 0.0;
    }
    let coarse = projection_tilt(boxes);
    let turned = turned_centres(boxes, coarse);
    let mut slopes: Vec<f64> = group_lines(&turned)
        .iter()
        .filter_map(|line| line_slope(&turned, &line.members))
        .collect();
    if slopes.is_empty() {
        return coarse;
    }
    slopes.sort_by(f64::total_cmp);
    coarse + slopes[slopes.len() / 2].atan()
}

/// The angle whose projection of the boxes' centres across the lines is
/// most peaked.
fn projection_tilt(boxes: &[Span]) -> f64 {
    let mut heights: Vec<f64> = boxes.iter().map(Span::height).collect();
    heights.sort_by(f64::total_cmp);
    let bin = (BIN_OF_HEIGHT * heights[heights.len() / 2]).max(1.0);
    let centres: Vec<(f64, f64)> = boxes.iter().map(centre).collect();
    let steps = (MAX_TILT / TILT_STEP).round() as i32;
    let mut counts: std::collections::HashMap<i64, f64> = std::collections::HashMap::new();
    let scores: Vec<(f64, f64)> = (-steps..=steps)
        .map(|k| {
            let angle = k as f64 * TILT_STEP;
            let (sin, cos) = angle.sin_cos();
            counts.clear();
            for &(x, y) in &centres {
                // The centre's distance across the lines, seen along `angle`.
                let (_, across) = turned_back(x, y, sin, cos);
                *counts.entry((across / bin).floor() as i64).or_default() += 1.0;
            }
            (angle, counts.values().map(|c| c * c).sum())
        })
        .collect();
    // Near the tilt, every angle puts each line in one bin: of those best
    // angles the one nearest level (the refinement finds the rest).
    let most = scores.iter().map(|s| s.1).fold(f64::MIN, f64::max);
    scores
        .iter()
        .filter(|s| s.1 >= most - 1e-9)
        .map(|s| s.0)
        .min_by(|a, b| a.abs().total_cmp(&b.abs()))
        .unwrap_or(0.0)
}

/// The boxes' centres turned back by `turn` about the origin, sizes kept.
fn turned_centres(boxes: &[Span], turn: f64) -> Vec<Span> {
    let (sin, cos) = turn.sin_cos();
    boxes
        .iter()
        .map(|b| {
            let (x, y) = centre(b);
            let (u, v) = turned_back(x, y, sin, cos);
            let (hw, hh) = (0.5 * (b.x2 - b.x1), 0.5 * (b.y2 - b.y1));
            Span {
                y1: v - hh,
                x1: u - hw,
                y2: v + hh,
                x2: u + hw,
            }
        })
        .collect()
}

/// The least-squares slope of a line's box centres, when it has three boxes
/// spread over at least four character heights.
fn line_slope(boxes: &[Span], members: &[usize]) -> Option<f64> {
    let points: Vec<(f64, f64)> = members.iter().map(|&i| centre(&boxes[i])).collect();
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let height = members.iter().map(|&i| boxes[i].height()).sum::<f64>() / n;
    let spread = points.iter().map(|p| p.0).fold(f64::MIN, f64::max)
        - points.iter().map(|p| p.0).fold(f64::MAX, f64::min);
    (points.len() >= 3 && spread >= 4.0 * height).then(|| sxy / sxx)
}

fn centre(b: &Span) -> (f64, f64) {
    (0.5 * (b.x1 + b.x2), 0.5 * (b.y1 + b.y2))
}

/// Point (x, y) of the photo seen with the page turned back by the angle
/// whose sine and cosine are given (about the origin).
fn turned_back(x: f64, y: f64, sin: f64, cos: f64) -> (f64, f64) {
    (x * cos + y * sin, y * cos - x * sin)
}

/// The boxes of `glyphs` seen with the page turned back by `turn` radians:
/// each the extent of the character's own ink in the turned-back frame
/// (the box of a turned letter is wider and taller than the letter, which
/// would narrow the gaps between words). `labels` and `width` as in
/// [`super::Letters`].
pub fn turned_spans(labels: &[u32], width: usize, glyphs: &[Glyph], turn: f64) -> Vec<Span> {
    let (sin, cos) = turn.sin_cos();
    glyphs
        .iter()
        .map(|g| {
            let mut span = Span {
                y1: f64::MAX,
                x1: f64::MAX,
                y2: f64::MIN,
                x2: f64::MIN,
            };
            for y in g.y1..g.y2 {
                for x in g.x1..g.x2 {
                    if g.inks(labels[y * width + x], x, y) {
                        let (u, v) = turned_back(x as f64 + 0.5, y as f64 + 0.5, sin, cos);
                        span.x1 = span.x1.min(u - 0.5);
                        span.x2 = span.x2.max(u + 0.5);
                        span.y1 = span.y1.min(v - 0.5);
                        span.y2 = span.y2.max(v + 0.5);
                    }
                }
            }
            if span.x1 > span.x2 {
                // No ink of its own (never from `find_letters`): its box's centre.
                let (x, y) = (0.5 * (g.x1 + g.x2) as f64, 0.5 * (g.y1 + g.y2) as f64);
                let (u, v) = turned_back(x, y, sin, cos);
                span = Span {
                    y1: v,
                    x1: u,
                    y2: v,
                    x2: u,
                };
            }
            span
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three lines of ten boxes, the page turned by `degrees`.
    fn page(degrees: f64) -> Vec<Span> {
        let (sin, cos) = degrees.to_radians().sin_cos();
        let mut boxes = Vec::new();
        for line in 0..3 {
            for k in 0..10 {
                let (u, v) = (60.0 * k as f64, 120.0 * line as f64);
                let (x, y) = (u * cos - v * sin, u * sin + v * cos);
                boxes.push(Span {
                    y1: y - 20.0,
                    x1: x - 15.0,
                    y2: y + 20.0,
                    x2: x + 15.0,
                });
            }
        }
        boxes
    }

    #[test]
    fn the_tilt_of_a_turned_page_is_found() {
        for degrees in [-12.0f64, -5.0, 0.0, 8.0] {
            let boxes = page(degrees);
            let tilt = page_tilt(&boxes);
            assert!(
                (tilt - degrees.to_radians()).abs() <= 0.002,
                "{degrees}°: found {}°",
                tilt.to_degrees()
            );
        }
        assert_eq!(page_tilt(&[]), 0.0);
    }

    /// A bar 40 long and 4 thick, turned by 10°: its box is about 11 tall,
    /// its ink seen turned back is 4 tall and 40 long again.
    #[test]
    fn a_turned_bar_is_seen_level() {
        let (w, h) = (60, 30);
        let turn = 10f64.to_radians();
        let (sin, cos) = turn.sin_cos();
        let mut labels = vec![0u32; w * h];
        let (mut x1, mut y1, mut x2, mut y2) = (w, h, 0, 0);
        for (y, row) in labels.chunks_mut(w).enumerate() {
            for (x, l) in row.iter_mut().enumerate() {
                // Turned back, the pixel's centre lies on the level bar.
                let (px, py) = (x as f64 + 0.5 - 30.0, y as f64 + 0.5 - 15.0);
                let (u, v) = (px * cos + py * sin, py * cos - px * sin);
                if u.abs() < 20.0 && v.abs() < 2.0 {
                    *l = 1;
                    (x1, y1, x2, y2) = (x1.min(x), y1.min(y), x2.max(x + 1), y2.max(y + 1));
                }
            }
        }
        let glyph = Glyph::boxed(1, [y1, x1, y2, x2], 0);
        assert!(glyph.height() >= 10, "{glyph:?}");
        let span = turned_spans(&labels, w, &[glyph], turn)[0];
        assert!((span.y2 - span.y1 - 4.0).abs() <= 1.5, "{span:?}");
        assert!((span.x2 - span.x1 - 40.0).abs() <= 1.5, "{span:?}");
    }
}
