//! Turning one found character into a classifier input that looks like the
//! training data: a 32×32 image, ink ≈ 0 on white ≈ 1, the character centred
//! with its longer side about 26 px (a 3 px margin), strokes about 3.5 px
//! wide with soft edges, and flattened COLUMN-MAJOR like NIST36 rows
//! (stored index = x·32 + y, the transpose of the upright picture).
//!
//! The character's own pixels (only the components it is made of, not a
//! neighbour's stroke poking into its box) are thinned to centre lines, and
//! those lines are redrawn at the training data's scale and pen width. Pen
//! width in NIST/EMNIST rows: median 3.5 px at 32×32 (measured on the
//! stand-in and the real NIST26 fixture), longer side 25–26 px.

use super::find_letters::Glyph;
use super::thin::thin;
use crate::data::IMAGE_SIDE;

/// Ink is drawn where a pixel centre lies within this distance of a centre
/// line, with a one-pixel soft edge: strokes are 2 × 1.75 = 3.5 px wide.
pub const PEN_RADIUS: f32 = 1.75;
/// The longer side of the drawn ink, in pixels of the 32×32 crop.
pub const INK_EXTENT: f32 = 26.0;

/// The classifier input for `glyph`: 1024 values in stored (column-major)
/// order. `labels` is the working page's component labelling, `width` its width.
///
/// With `upright`, the glyph's slant is undone first (each row moved back by
/// slant × its height above the box's middle), so a slanted letter is read
/// as the upright letter the training data holds. The slant is measured on
/// the photo, so on a turned page it holds the turn too: the part that the
/// crop's turning back undoes is left out here (else upright strokes would
/// lean the other way by the page's tilt).
pub fn crop_glyph(labels: &[u32], width: usize, glyph: &Glyph, upright: bool) -> Vec<f32> {
    let (gw, gh) = (glyph.width(), glyph.height());
    let slant = if upright {
        glyph.slant - glyph.turn.tan()
    } else {
        0.0
    };
    // Rows move by at most |slant| × half the height either way.
    let spread = (slant.abs() * gh as f32 / 2.0).ceil() as usize;
    let (mw, mh) = (gw + 2 + 2 * spread, gh + 2);
    let middle = glyph.y1 as f32 + gh as f32 / 2.0;
    let mut mask = vec![0u8; mw * mh];
    for y in 0..gh {
        let py = glyph.y1 + y;
        let row = &labels[py * width + glyph.x1..py * width + glyph.x2];
        let shift = (slant * (middle - py as f32 - 0.5)).round() as isize;
        for (x, &l) in row.iter().enumerate() {
            if glyph.inks(l, glyph.x1 + x, py) {
                let mx = (x + 1 + spread) as isize - shift;
                mask[(y + 1) * mw + mx as usize] = 1;
            }
        }
    }
    thin(&mut mask, mw, mh);
    draw_centre_lines(&mask, mw, mh, glyph.turn)
}

/// Redraws a one-pixel skeleton (row-major mask) as a 32×32 stored row,
/// turned back by `turn` radians (a page's tilt; 0 for none).
pub fn draw_centre_lines(skeleton: &[u8], width: usize, height: usize, turn: f32) -> Vec<f32> {
    let side = IMAGE_SIDE;
    let points: Vec<(usize, usize)> = (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .filter(|&(x, y)| skeleton[y * width + x] != 0)
        .collect();
    let mut ink = vec![0.0f32; side * side];
    if points.is_empty() {
        return vec![1.0; side * side];
    }
    let (sin, cos) = turn.sin_cos();
    let turned = |x: usize, y: usize| {
        let (x, y) = (x as f32, y as f32);
        (x * cos + y * sin, y * cos - x * sin)
    };
    let (x1, x2) = bounds(points.iter().map(|&(x, y)| turned(x, y).0));
    let (y1, y2) = bounds(points.iter().map(|&(x, y)| turned(x, y).1));
    let extent = (x2 - x1).max(y2 - y1).max(1.0);
    let scale = (INK_EXTENT - 2.0 * PEN_RADIUS) / extent;
    let centre = (side as f32 - 1.0) / 2.0;
    let (cx, cy) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
    let to_crop = |x: usize, y: usize| {
        let (u, v) = turned(x, y);
        (centre + (u - cx) * scale, centre + (v - cy) * scale)
    };
    let on = |x: isize, y: isize| {
        x >= 0
            && y >= 0
            && (x as usize) < width
            && (y as usize) < height
            && skeleton[y as usize * width + x as usize] != 0
    };
    for &(x, y) in &points {
        let a = to_crop(x, y);
        let mut joined = false;
        for (dx, dy) in [(1isize, 0isize), (0, 1), (1, 1), (-1, 1)] {
            let (nx, ny) = (x as isize + dx, y as isize + dy);
            if on(nx, ny) {
                draw_segment(&mut ink, a, to_crop(nx as usize, ny as usize));
                joined = true;
            }
        }
        let isolated = !joined
            && !(-1..=1).any(|dy| {
                (-1..=1).any(|dx| (dx, dy) != (0, 0) && on(x as isize + dx, y as isize + dy))
            });
        if isolated {
            draw_segment(&mut ink, a, a);
        }
    }
    // Upright (row y, column x) → stored column-major.
    let mut stored = vec![1.0f32; side * side];
    for y in 0..side {
        for x in 0..side {
            stored[x * side + y] = 1.0 - ink[y * side + x];
        }
    }
    stored
}

/// Inks every pixel near the segment a–b (coverage falls from 1 to 0 over
/// the pen's outer pixel), keeping the darkest value.
fn draw_segment(ink: &mut [f32], a: (f32, f32), b: (f32, f32)) {
    let side = IMAGE_SIDE as isize;
    let reach = PEN_RADIUS + 1.0;
    let lo_x = (a.0.min(b.0) - reach).floor().max(0.0) as isize;
    let hi_x = ((a.0.max(b.0) + reach).ceil() as isize).min(side - 1);
    let lo_y = (a.1.min(b.1) - reach).floor().max(0.0) as isize;
    let hi_y = ((a.1.max(b.1) + reach).ceil() as isize).min(side - 1);
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    for y in lo_y..=hi_y {
        for x in lo_x..=hi_x {
            let (px, py) = (x as f32 - a.0, y as f32 - a.1);
            let t = if len2 > 0.0 {
                ((px * dx + py * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (ex, ey) = (px - t * dx, py - t * dy);
            let d = (ex * ex + ey * ey).sqrt();
            let cover = (PEN_RADIUS + 0.5 - d).clamp(0.0, 1.0);
            let cell = &mut ink[(y * side + x) as usize];
            *cell = cell.max(cover);
        }
    }
}

fn bounds(values: impl Iterator<Item = f32>) -> (f32, f32) {
    values.fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::upright;
    use ndarray::ArrayView1;

    /// A thick "L" drawn at any scale comes out with the training data's size.
    #[test]
    fn an_l_is_upright_centred_and_26_px_tall() {
        let (w, h) = (60, 100);
        let mut labels = vec![0u32; w * h];
        for y in 0..h {
            for x in 0..w {
                let stem = x < 12;
                let foot = y >= 88;
                if stem || foot {
                    labels[y * w + x] = 7;
                }
            }
        }
        let glyph = Glyph::boxed(7, [0, 0, h, w], 0);
        let row = crop_glyph(&labels, w, &glyph, true);
        assert_eq!(row.len(), 1024);
        let img = upright(ArrayView1::from(&row));
        let inked = |r: usize, c: usize| img[[r, c]] < 0.5;
        let rows: Vec<usize> = (0..32).filter(|&r| (0..32).any(|c| inked(r, c))).collect();
        let cols: Vec<usize> = (0..32).filter(|&c| (0..32).any(|r| inked(r, c))).collect();
        let tall = rows.last().unwrap() - rows[0] + 1;
        assert!((25..=27).contains(&tall), "ink is {tall} px tall");
        assert!(rows[0] >= 2 && *rows.last().unwrap() <= 29, "margin kept");
        // Upright: the stem is on the left and the foot at the bottom.
        let left = cols[0];
        assert!(inked(rows[0], left + 1), "the stem starts at the top left");
        let bottom = *rows.last().unwrap();
        assert!(
            inked(bottom - 1, *cols.last().unwrap() - 1),
            "the foot is at the bottom"
        );
        assert!(
            !inked(rows[0], *cols.last().unwrap()),
            "no ink at the top right"
        );
        // Stroke width ≈ 3.5 px: the stem's ink across one row in the middle.
        let across = (0..32).filter(|&c| inked(16, c)).count();
        assert!((3..=4).contains(&across), "stem is {across} px wide");
    }

    /// On a page photographed turned by 0.2 rad, an upright stroke looks
    /// slanted by the turn; the crop is turned back, so only what is left of
    /// the measured slant is undone and the stroke comes out upright (undoing
    /// the whole slant too would lean it the other way by the turn).
    #[test]
    fn an_upright_stroke_of_a_turned_page_is_drawn_upright() {
        let (w, h, turn) = (60usize, 100usize, 0.2f32);
        let (sin, cos) = turn.sin_cos();
        let mut labels = vec![0u32; w * h];
        for y in 0..h {
            for x in 0..w {
                let (dx, dy) = (x as f32 - 30.0, y as f32 - 50.0);
                if (dx * cos + dy * sin).abs() < 3.0 && (dy * cos - dx * sin).abs() < 40.0 {
                    labels[y * w + x] = 1;
                }
            }
        }
        let mut glyph = Glyph::boxed(1, [0, 0, h, w], 0);
        glyph.slant = crate::ocr::deskew::line_slant(&labels, w, &[&glyph]);
        glyph.turn = turn;
        assert!((glyph.slant - turn.tan()).abs() <= 0.03, "{}", glyph.slant);
        let img = upright(ArrayView1::from(&crop_glyph(&labels, w, &glyph, true)));
        let centre_of_row = |r: usize| {
            let cols: Vec<f32> = (0..32)
                .filter(|&c| img[[r, c]] < 0.5)
                .map(|c| c as f32)
                .collect();
            cols.iter().sum::<f32>() / cols.len().max(1) as f32
        };
        let rows: Vec<usize> = (0..32)
            .filter(|&r| (0..32).any(|c| img[[r, c]] < 0.5))
            .collect();
        let (top, bottom) = (rows[2], rows[rows.len() - 3]);
        let lean = centre_of_row(top) - centre_of_row(bottom);
        assert!(
            lean.abs() <= 1.5,
            "the stroke leans by {lean} px over {} rows",
            bottom - top
        );
    }

    #[test]
    fn an_empty_mask_is_a_white_crop() {
        let row = draw_centre_lines(&[0u8; 9], 3, 3, 0.0);
        assert!(row.iter().all(|&v| v == 1.0));
    }
}
