//! Training rows cut from generated photo-like pages, the way the reader
//! cuts them: pages written with the training split's own glyphs
//! ([`synth_page`]), their characters found by [`find_letters`] and cropped
//! by [`crop_glyph`], each crop labelled by the character written there.
//!
//! Why: a crop of a faint, blurred, slanted pencil letter found on a photo
//! looks unlike a clean NIST row (broken strokes, blobs where the JPEG and
//! the binariser met, a neighbour's tip in the corner), and the network
//! misread such crops one for one on the strongest generated pages. A box
//! that holds two or more written characters (a merge the finder made) or
//! only a piece of one is "not one character": the touching class, when
//! the model has one, else left out.
//!
//! The glyphs are training rows only, so the held-out EMNIST rows that
//! `gradink synth-pages --emnist` writes with stay unseen.

use super::crop::crop_glyph;
use super::find_letters::find_letters;
use super::synth::{class_of, synth_page, GlyphBank, Strength, WrittenChar};
use crate::data::{Split, IMAGE_SIDE};
use image::{GrayImage, Luma};
use ndarray::Array2;

/// A found box that holds this much of another written character's box
/// (besides the one whose centre it holds) has swallowed part of it.
const SWALLOWED: f32 = 0.4;
/// A found box covering less than this much of its character's box is a
/// piece of it.
const PIECE: f32 = 0.55;
/// A box with no character's centre in it is a piece of one when at least
/// this much of it lies in some character's box (else it is a speck of
/// noise or the desk, and left out).
const ON_A_CHARACTER: f32 = 0.5;

/// The classes a page is written in: A–Z, 0–9.
const NIST36_CLASSES: usize = 36;

/// At most this many crops come from one page (five lines of at most about
/// 30 characters, with pieces): for estimating the memory they need.
pub const MOST_CROPS_PER_PAGE: usize = 200;

/// What one found box holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoxTruth {
    /// Exactly one written character (its class).
    One(usize),
    /// Several characters, or a piece of one.
    NotOne,
    /// Nothing written: noise, the desk.
    Nothing,
}

/// The glyph bank of a training split: each row (stand-in format,
/// column-major, ink dark) of a NIST36 class as an upright tile, white ink
/// on black.
pub fn bank_of(split: &Split) -> GlyphBank {
    let side = IMAGE_SIDE as u32;
    GlyphBank::new(
        split
            .images
            .rows()
            .into_iter()
            .zip(&split.labels)
            .filter(|(_, &class)| class < NIST36_CLASSES)
            .map(|(row, &class)| {
                let tile = GrayImage::from_fn(side, side, |x, y| {
                    let v = row[(x * side + y) as usize];
                    Luma([((1.0 - v).clamp(0.0, 1.0) * 255.0).round() as u8])
                });
                (tile, class)
            }),
    )
}

/// Rows cut from `pages` generated pages (strengths in turn mild, medium,
/// strong; page `k` seeded by `seed` and `k`), written with the glyphs of
/// `train` (NIST36 classes; a split of the 26 letters writes words of
/// letters only). Boxes holding one character get its class; boxes that
/// are not one character get `not_one` when it is `Some` and are left out
/// otherwise.
pub fn page_crops(
    train: &Split,
    pages: usize,
    seed: u64,
    not_one: Option<usize>,
    mut on_page: impl FnMut(usize),
) -> Split {
    let bank = bank_of(train);
    let pixels = IMAGE_SIDE * IMAGE_SIDE;
    let mut rows: Vec<f32> = Vec::new();
    let mut labels = Vec::new();
    for k in 0..pages {
        let strength = Strength::ALL[k % Strength::ALL.len()];
        let page = synth_page(&bank, &strength, page_seed(seed, k));
        let letters = find_letters(&page.photo);
        let width = letters.bw.ncols();
        for (glyph, found) in letters.glyphs.iter().zip(&letters.boxes) {
            let label = match truth_of(found, &page.chars) {
                BoxTruth::One(class) => class,
                BoxTruth::NotOne => match not_one {
                    Some(class) => class,
                    None => continue,
                },
                BoxTruth::Nothing => continue,
            };
            rows.extend(crop_glyph(letters.drawn(), width, glyph, false));
            labels.push(label);
        }
        on_page(k + 1);
    }
    let images = Array2::from_shape_vec((labels.len(), pixels), rows)
        .expect("every crop is one row of IMAGE_SIDE² pixels");
    Split {
        images,
        labels,
        classes: train.classes + usize::from(not_one.is_some()),
    }
}

/// Page `k`'s seed.
fn page_seed(seed: u64, k: usize) -> u64 {
    seed.wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(k as u64)
}

/// What the found box `[y1, x1, y2, x2]` (photo pixels, ends exclusive)
/// holds, judged by the written characters' boxes.
pub fn truth_of(found: &[u32; 4], written: &[WrittenChar]) -> BoxTruth {
    let [y1, x1, y2, x2] = found.map(|v| v as f32);
    let found = [x1, y1, x2, y2];
    let inside: Vec<&WrittenChar> = written
        .iter()
        .filter(|c| {
            let (cx, cy) = c.centre();
            cx >= x1 && cx < x2 && cy >= y1 && cy < y2
        })
        .collect();
    match inside.as_slice() {
        [] => {
            let most = written
                .iter()
                .map(|c| overlap(&found, &c.photo_box) / area(&found).max(1.0))
                .fold(0.0, f32::max);
            if most >= ON_A_CHARACTER {
                BoxTruth::NotOne
            } else {
                BoxTruth::Nothing
            }
        }
        [one] => {
            let own = overlap(&found, &one.photo_box) / area(&one.photo_box).max(1.0);
            let swallows = written.iter().any(|c| {
                !std::ptr::eq(c, *one)
                    && overlap(&found, &c.photo_box) / area(&c.photo_box).max(1.0) >= SWALLOWED
            });
            if own < PIECE || swallows {
                BoxTruth::NotOne
            } else {
                BoxTruth::One(class_of(one.ch))
            }
        }
        _ => BoxTruth::NotOne,
    }
}

fn area(b: &[f32; 4]) -> f32 {
    (b[2] - b[0]).max(0.0) * (b[3] - b[1]).max(0.0)
}

/// The area where two `[x1, y1, x2, y2]` boxes overlap.
fn overlap(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    area(&[
        a[0].max(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].min(b[3]),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(ch: char, x1: f32, x2: f32) -> WrittenChar {
        WrittenChar {
            ch,
            photo_box: [x1, 10.0, x2, 50.0],
        }
    }

    #[test]
    fn a_box_is_judged_by_the_characters_written_there() {
        let page = [written('A', 0.0, 30.0), written('7', 35.0, 60.0)];
        // [y1, x1, y2, x2]
        assert_eq!(truth_of(&[8, 0, 52, 31], &page), BoxTruth::One(0));
        assert_eq!(truth_of(&[8, 34, 52, 61], &page), BoxTruth::One(33));
        assert_eq!(
            truth_of(&[8, 0, 52, 61], &page),
            BoxTruth::NotOne,
            "a merge"
        );
        assert_eq!(
            truth_of(&[8, 0, 52, 12], &page),
            BoxTruth::NotOne,
            "the left part of the A"
        );
        assert_eq!(
            truth_of(&[8, 0, 52, 55], &page),
            BoxTruth::NotOne,
            "the A and most of the 7"
        );
        assert_eq!(truth_of(&[200, 0, 220, 30], &page), BoxTruth::Nothing);
    }

    /// A split of 36 rows, class c a bar c/3 + 2 pixels thick.
    fn bars() -> Split {
        let side = IMAGE_SIDE;
        let mut images = Array2::<f32>::ones((36, side * side));
        for c in 0..36 {
            for x in 14..16 + c / 3 {
                for y in 3..29 {
                    images[[c, x * side + y]] = 0.0;
                }
            }
        }
        Split {
            images,
            labels: (0..36).collect(),
            classes: 36,
        }
    }

    /// On a mild page (no touching letters), the bars found are labelled
    /// with what was written there (a bar's class is its thickness, so a
    /// label from the wrong bar would not match); the same seed gives the
    /// same rows.
    #[test]
    fn crops_of_a_page_carry_the_written_classes() {
        let split = bars();
        let mut done = Vec::new();
        let crops = page_crops(&split, 1, 4, Some(36), |k| done.push(k));
        assert_eq!(done, [1]);
        assert_eq!(crops.classes, 37);
        let page = synth_page(&bank_of(&split), &Strength::MILD, page_seed(4, 0));
        let mut unclaimed: Vec<usize> = page.chars.iter().map(|c| class_of(c.ch)).collect();
        let mut ones = 0;
        for &label in crops.labels.iter().filter(|&&l| l < 36) {
            let at = unclaimed.iter().position(|&c| c == label);
            assert!(
                at.is_some(),
                "a crop labelled {label} more often than written"
            );
            unclaimed.swap_remove(at.unwrap_or(0));
            ones += 1;
        }
        assert!(
            ones * 10 >= page.chars.len() * 8,
            "{ones} of {} written bars found alone",
            page.chars.len()
        );
        assert_eq!(
            page_crops(&split, 1, 4, Some(36), |_| ()).images,
            crops.images
        );
    }

    #[test]
    fn a_training_row_becomes_an_upright_tile() {
        let side = IMAGE_SIDE;
        let mut images = Array2::<f32>::ones((1, side * side));
        // Column 5 inked from row 2 to row 20 (stored column-major).
        for y in 2..=20 {
            images[[0, 5 * side + y]] = 0.0;
        }
        let bank = bank_of(&Split {
            images,
            labels: vec![3],
            classes: 36,
        });
        let tile = &bank.by_class[3][0];
        assert_eq!(tile.get_pixel(5, 10)[0], 255);
        assert_eq!(tile.get_pixel(10, 5)[0], 0);
        assert!(bank.by_class[0].is_empty());
    }
}
