//! Training rows for the reader's "touching" class: two or three characters
//! whose strokes meet, cropped the way the reader crops a box (the union of
//! their ink thinned to centre lines and redrawn at the training pen width).
//!
//! Letters written close together become one component, and a classifier
//! that only knows single characters reads "LU" as a confident U or "WEI" as
//! a W: no splitting by recognition can undo a confident merge. A model that
//! has also seen such boxes, as their own class, can say "more than one
//! character", and `segment::split_touching` then prefers the pieces.
//!
//! Redrawn crops have a look of their own (even pen, smooth edges) that the
//! NIST rows lack; a model that saw only touching rows redrawn learns "a
//! redrawn crop is touching" and reads every crop of a page worse (measured:
//! generated mild pages 93.5 → 76.5 %). So single characters, redrawn the
//! same way, come with them: [`SINGLES_PER_TOUCHING`] for each touching row.
//!
//! What a wrong cut makes is "not one character" too: a piece of a letter
//! (the left half of an M reads as a confident N or I) or a letter and a
//! half. Splitting by recognition compares the pieces' probabilities, so a
//! model that calls half-letters characters cuts real letters in two
//! (measured: "LAMP" read "LAMMP", "FIVE" "FIITTVE"). So [`FRAGMENTS_PER_TOUCHING`]
//! such pieces, cut from one or two characters placed as above, join the
//! touching class.

use super::crop::draw_centre_lines;
use super::thin::thin;
use crate::data::{Split, IMAGE_SIDE};
use ndarray::{Array2, ArrayView1};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The chance that a touching row holds three characters rather than two.
const TRIPLE: f64 = 0.25;
/// The characters overlap by 0 to this many pixels where they meet (0: the
/// strokes just touch, side by side).
const MAX_OVERLAP: i32 = 2;
/// Each character's baseline moves up or down by up to this many pixels.
const MAX_DROP: i32 = 2;
/// Redrawn single characters added for each touching row.
pub const SINGLES_PER_TOUCHING: usize = 4;
/// Pieces of wrongly cut characters added (as "touching") for each touching row.
pub const FRAGMENTS_PER_TOUCHING: usize = 1;
/// A wrong cut falls between these fractions of a character's width.
const CUT_FROM: f32 = 0.3;
const CUT_TO: f32 = 0.7;

/// `split` followed by `count` touching rows drawn from its own rows (seeded),
/// labelled `split.classes` (the result has one class more), then
/// [`SINGLES_PER_TOUCHING`] × `count` of its rows redrawn as the reader
/// redraws a crop, with their own labels, then [`FRAGMENTS_PER_TOUCHING`] ×
/// `count` pieces of wrongly cut characters, labelled as the touching rows.
pub fn with_touching(split: &Split, count: usize, seed: u64) -> Split {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let glyphs: Vec<Ink> = split.images.rows().into_iter().map(Ink::of).collect();
    let usable: Vec<usize> = (0..glyphs.len())
        .filter(|&i| !glyphs[i].points.is_empty())
        .collect();
    let pixels = IMAGE_SIDE * IMAGE_SIDE;
    let n = split.len();
    let made = if usable.is_empty() { 0 } else { count };
    let singles = made * SINGLES_PER_TOUCHING;
    let fragments = made * FRAGMENTS_PER_TOUCHING;
    let mut images = Array2::<f32>::ones((n + made + singles + fragments, pixels));
    images.slice_mut(ndarray::s![..n, ..]).assign(&split.images);
    let mut labels = split.labels.clone();
    for r in 0..made {
        let parts = if rng.random_bool(TRIPLE) { 3 } else { 2 };
        let chosen: Vec<&Ink> = (0..parts)
            .map(|_| &glyphs[pick(&usable, &mut rng)])
            .collect();
        let row = redraw(&place(&chosen, &mut rng).points);
        images.row_mut(n + r).assign(&ArrayView1::from(&row));
        labels.push(split.classes);
    }
    for r in 0..singles {
        let single = pick(&usable, &mut rng);
        let row = redraw(&place(&[&glyphs[single]], &mut rng).points);
        images.row_mut(n + made + r).assign(&ArrayView1::from(&row));
        labels.push(split.labels[single]);
    }
    for r in 0..fragments {
        let parts = if rng.random_bool(0.5) { 2 } else { 1 };
        let chosen: Vec<&Ink> = (0..parts)
            .map(|_| &glyphs[pick(&usable, &mut rng)])
            .collect();
        let row = redraw(&wrongly_cut(&chosen, &mut rng));
        images
            .row_mut(n + made + singles + r)
            .assign(&ArrayView1::from(&row));
        labels.push(split.classes);
    }
    Split {
        images,
        labels,
        classes: split.classes + 1,
    }
}

/// One of the `usable` rows, drawn uniformly.
fn pick(usable: &[usize], rng: &mut ChaCha8Rng) -> usize {
    usable[rng.random_range(0..usable.len())]
}

/// A character's ink pixels (x, y), upright, moved so its box starts at 0.
struct Ink {
    points: Vec<(i32, i32)>,
    height: i32,
}

impl Ink {
    /// The dark pixels (below mid-grey) of one stored (column-major) row.
    fn of(row: ArrayView1<f32>) -> Ink {
        let side = IMAGE_SIDE as i32;
        let mut points: Vec<(i32, i32)> = (0..side)
            .flat_map(|x| (0..side).map(move |y| (x, y)))
            .filter(|&(x, y)| row[(x * side + y) as usize] < 0.5)
            .collect();
        let x0 = points.iter().map(|p| p.0).min().unwrap_or(0);
        let y0 = points.iter().map(|p| p.1).min().unwrap_or(0);
        for p in &mut points {
            *p = (p.0 - x0, p.1 - y0);
        }
        Ink {
            height: points.iter().map(|p| p.1 + 1).max().unwrap_or(0),
            points,
        }
    }
}

/// The characters side by side on one baseline (each moved up or down a
/// little), every one pushed left until its strokes meet the ink before it;
/// with each character's column span, left to right.
fn place(chars: &[&Ink], rng: &mut impl Rng) -> Placed {
    let tallest = chars.iter().map(|c| c.height).max().unwrap_or(0);
    let mut placed: Vec<(i32, i32)> = Vec::new();
    let mut spans = Vec::new();
    for c in chars {
        let drop = rng.random_range(-MAX_DROP..=MAX_DROP);
        let dy = tallest - c.height + drop;
        let overlap = rng.random_range(0..=MAX_OVERLAP);
        let dx = meeting_offset(&placed, c, dy) - overlap;
        let width = c.points.iter().map(|p| p.0 + 1).max().unwrap_or(0);
        spans.push((dx, dx + width));
        placed.extend(c.points.iter().map(|&(x, y)| (x + dx, y + dy)));
    }
    Placed {
        points: placed,
        spans,
    }
}

/// Characters placed side by side: their ink, and each one's columns.
struct Placed {
    points: Vec<(i32, i32)>,
    spans: Vec<(i32, i32)>,
}

/// One or more characters placed as in [`place`], cut inside one of them
/// (between [`CUT_FROM`] and [`CUT_TO`] of its width) as a wrong cut of the
/// reader would, keeping the ink on one side: half a letter, or a letter and
/// a half.
fn wrongly_cut(chars: &[&Ink], rng: &mut impl Rng) -> Vec<(i32, i32)> {
    let Placed {
        points: placed,
        spans,
    } = place(chars, rng);
    let (from, to) = spans[rng.random_range(0..spans.len())];
    let cut = from as f32 + (to - from) as f32 * rng.random_range(CUT_FROM..CUT_TO);
    let keep_left = rng.random_bool(0.5);
    let kept: Vec<(i32, i32)> = placed
        .iter()
        .copied()
        .filter(|&(x, _)| (x as f32 + 0.5 < cut) == keep_left)
        .collect();
    if kept.is_empty() {
        placed
    } else {
        kept
    }
}

/// Ink points thinned and redrawn as the reader redraws a box.
fn redraw(placed: &[(i32, i32)]) -> Vec<f32> {
    let x0 = placed.iter().map(|p| p.0).min().unwrap_or(0) - 1;
    let y0 = placed.iter().map(|p| p.1).min().unwrap_or(0) - 1;
    let width = (placed.iter().map(|p| p.0).max().unwrap_or(0) - x0 + 2) as usize;
    let height = (placed.iter().map(|p| p.1).max().unwrap_or(0) - y0 + 2) as usize;
    let mut mask = vec![0u8; width * height];
    for &(x, y) in placed {
        mask[(y - y0) as usize * width + (x - x0) as usize] = 1;
    }
    thin(&mut mask, width, height);
    draw_centre_lines(&mask, width, height, 0.0)
}

/// The x offset at which `c` (moved down by `dy`) just touches the ink
/// already placed: its leftmost pixel in some row lands next to the
/// rightmost placed pixel of that row. With no row in common, it starts
/// one pixel right of the placed ink's box.
fn meeting_offset(placed: &[(i32, i32)], c: &Ink, dy: i32) -> i32 {
    if placed.is_empty() {
        return 0;
    }
    let right_edge = placed.iter().map(|p| p.0).max().unwrap_or(0);
    let mut offset: Option<i32> = None;
    for y in 0..c.height {
        let left = c.points.iter().filter(|p| p.1 == y).map(|p| p.0).min();
        let right = placed.iter().filter(|p| p.1 == y + dy).map(|p| p.0).max();
        if let (Some(left), Some(right)) = (left, right) {
            // Touching: the new pixel is right beside the old one.
            let o = right + 1 - left;
            offset = Some(offset.map_or(o, |best: i32| best.max(o)));
        }
    }
    offset.unwrap_or(right_edge + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A split of two rows: box outlines 20 and 14 pixels wide, 24 tall.
    fn boxes() -> Split {
        let side = IMAGE_SIDE;
        let mut images = Array2::<f32>::ones((2, side * side));
        for (r, (left, right)) in [(6, 26), (9, 23)].into_iter().enumerate() {
            for y in 4..28 {
                for x in [left, left + 1, right - 2, right - 1] {
                    images[[r, x * side + y]] = 0.0; // stored column-major
                }
            }
            for x in left..right {
                for y in [4, 5, 26, 27] {
                    images[[r, x * side + y]] = 0.0;
                }
            }
        }
        Split {
            images,
            labels: vec![0, 1],
            classes: 2,
        }
    }

    #[test]
    fn touching_rows_are_a_new_class_and_the_same_for_the_same_seed() {
        let split = boxes();
        let a = with_touching(&split, 5, 7);
        assert_eq!(a.classes, 3);
        let singles = 5 * SINGLES_PER_TOUCHING;
        assert_eq!(a.len(), 2 + 5 + singles + 5 * FRAGMENTS_PER_TOUCHING);
        assert_eq!(&a.labels[2..7], &[2; 5]);
        assert!(
            a.labels[7..7 + singles].iter().all(|&l| l < 2),
            "redrawn singles keep their labels"
        );
        assert!(
            a.labels[7 + singles..].iter().all(|&l| l == 2),
            "pieces of wrongly cut characters are not one character"
        );
        assert_eq!(a.images.row(0), split.images.row(0), "the rows stay first");
        let b = with_touching(&split, 5, 7);
        assert_eq!(a.images, b.images);
        assert_ne!(with_touching(&split, 5, 8).images, a.images);
    }

    /// Two characters side by side are wider than tall once redrawn (but
    /// for a few whose touching walls drew over each other), and in one piece.
    #[test]
    fn a_touching_row_is_drawn_wide_and_in_one_piece() {
        let split = boxes();
        let out = with_touching(&split, 20, 1);
        let side = IMAGE_SIDE;
        let mut wide = 0;
        for r in 2..22 {
            let row = out.images.row(r);
            let inked = |x: usize, y: usize| row[x * side + y] < 0.5;
            let xs: Vec<usize> = (0..side)
                .filter(|&x| (0..side).any(|y| inked(x, y)))
                .collect();
            let ys: Vec<usize> = (0..side)
                .filter(|&y| (0..side).any(|x| inked(x, y)))
                .collect();
            let (w, h) = (xs.len(), ys.len());
            wide += usize::from(w > h);
            // No empty column between the first and the last inked one.
            assert_eq!(xs.last().unwrap() - xs[0] + 1, w, "row {r} is one piece");
        }
        assert!(wide >= 16, "{wide} of 20 rows wider than tall");
    }

    /// A wrong cut keeps one side of a character: narrower than it, never empty.
    #[test]
    fn a_wrong_cut_keeps_part_of_a_character() {
        let split = boxes();
        let ink = Ink::of(split.images.row(0));
        let width = |points: &[(i32, i32)]| {
            let xs = points.iter().map(|p| p.0);
            xs.clone().max().unwrap() - xs.min().unwrap() + 1
        };
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..20 {
            let piece = wrongly_cut(&[&ink], &mut rng);
            let w = width(&piece);
            assert!((4..=16).contains(&w), "a piece {w} wide of a 20-wide box");
        }
    }

    #[test]
    fn the_next_character_starts_where_the_ink_ends() {
        let bar = Ink {
            points: (0..10).flat_map(|y| [(0, y), (1, y)]).collect(),
            height: 10,
        };
        let placed: Vec<(i32, i32)> = bar.points.clone();
        assert_eq!(meeting_offset(&placed, &bar, 0), 2);
        assert_eq!(meeting_offset(&[], &bar, 0), 0);
        // No row in common: one pixel right of the placed box.
        assert_eq!(meeting_offset(&placed, &bar, 20), 2);
    }
}
