//! Finding the characters on a page: ink mask → connected components →
//! pieces of one character joined → specks, page edges and blobs dropped.
//!
//! Sizes are judged against the page's own typical character size (the
//! median size of its larger components), so the same rules work for a
//! 60-pixel pencil letter and a 300-pixel marker letter.

use super::binarize::find_ink;
use super::border::{is_sheet_edge, lies_on_desk};
use super::components::{label_components, Component};
use super::page::{working_factor, working_grey, Grey};
use super::rules::erase_rules_and_margins;
use super::stroke_core::{reach, stroke_cores, thick_components};
use image::DynamicImage;
use ndarray::Array2;

/// Components smaller than this fraction of the page's longer side are noise.
const NOISE_FRACTION: f64 = 0.004;
/// Pieces at least this fraction of the character size may join a character.
const PIECE_FRACTION: f64 = 0.15;
/// Ink at least this fraction of the character size may be thick for its
/// size (smaller: full stops, specks, solid whatever the pen).
const THICK_FROM: f64 = 0.5;
/// A finished character is at least this fraction of the character size
/// (full stops and specks are smaller).
const MIN_CHAR_FRACTION: f64 = 0.3;
/// ... and at most this many times it.
const MAX_CHAR_MULTIPLE: f64 = 4.0;
/// A finished box less tall than this fraction of the character size, and at
/// least [`STRIP_ASPECT`] times as wide as tall, is a flat stroke with
/// nothing over or under it: a piece of a ruled line or an underline (no
/// character of A–Z, 0–9 is that flat), not a character.
const STRIP_HEIGHT: f64 = 0.2;
const STRIP_ASPECT: usize = 2;

/// One character on the working page: a half-open box and the components it is made of.
#[derive(Clone, Debug, PartialEq)]
pub struct Glyph {
    pub y1: usize,
    pub x1: usize,
    pub y2: usize,
    pub x2: usize,
    /// Component labels (as in [`Letters::labels`]) that make up the character.
    pub parts: Vec<u32>,
    pub area: usize,
    /// The slant of the character's line (x moves by `slant` × height above
    /// `cut`'s or the box's middle); crops undo it. 0 until estimated.
    pub slant: f32,
    /// When touching characters were split: the part of `parts` this one keeps.
    pub cut: Option<Cut>,
    /// The page's tilt (radians, `tilt.rs`) that its crop turns back: a
    /// photo taken with the phone turned. 0 on a level page.
    pub turn: f32,
}

/// A slanted strip of a component: the pixels whose de-slanted column
/// `x + 0.5 − slant × (centre_y − y − 0.5)` lies in `left..right`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cut {
    pub left: f32,
    pub right: f32,
    pub centre_y: f32,
}

impl Cut {
    /// Whether pixel (x, y) lies in the strip for a line of slant `slant`.
    pub fn keeps(&self, x: usize, y: usize, slant: f32) -> bool {
        let u = x as f32 + 0.5 - slant * (self.centre_y - y as f32 - 0.5);
        u >= self.left && u < self.right
    }
}

impl Glyph {
    /// A character of the one component `label` in the box `[y1, x1, y2,
    /// x2]` with `area` ink pixels, as first found: unslanted, uncut, level.
    pub fn boxed(label: u32, [y1, x1, y2, x2]: [usize; 4], area: usize) -> Self {
        Glyph {
            y1,
            x1,
            y2,
            x2,
            parts: vec![label],
            area,
            slant: 0.0,
            cut: None,
            turn: 0.0,
        }
    }
    fn of(label: u32, c: &Component) -> Self {
        Self::boxed(label, [c.y1, c.x1, c.y2, c.x2], c.area)
    }
    pub fn height(&self) -> usize {
        self.y2 - self.y1
    }
    pub fn width(&self) -> usize {
        self.x2 - self.x1
    }
    /// Whether pixel (x, y), of component `label` (0 = paper), is this
    /// character's ink: one of its parts, and inside its cut if it has one.
    pub fn inks(&self, label: u32, x: usize, y: usize) -> bool {
        label != 0
            && self.parts.contains(&label)
            && self.cut.is_none_or(|c| c.keeps(x, y, self.slant))
    }
    /// The longer side of the box.
    pub fn size(&self) -> usize {
        self.height().max(self.width())
    }
    /// Takes `other`'s components into this character and its box.
    pub fn absorb(&mut self, other: Glyph) {
        self.y1 = self.y1.min(other.y1);
        self.x1 = self.x1.min(other.x1);
        self.y2 = self.y2.max(other.y2);
        self.x2 = self.x2.max(other.x2);
        self.parts.extend(other.parts);
        self.area += other.area;
    }
}

/// What [`find_letters`] found.
#[derive(Clone, Debug)]
pub struct Letters {
    /// One `[y1, x1, y2, x2]` box per character in the photo's own pixel
    /// coordinates (y2 and x2 exclusive, like scikit-image's `regionprops`),
    /// in the order of `glyphs`.
    pub boxes: Vec<[u32; 4]>,
    /// The page binarised at the working resolution: ink 0, paper 1.
    pub bw: Array2<f32>,
    /// One working pixel is a `factor × factor` block of the photo.
    pub factor: usize,
    /// The characters at the working resolution.
    pub glyphs: Vec<Glyph>,
    /// Component label of every working pixel (0 = paper), row-major.
    pub labels: Vec<u32>,
    /// On a page of faint writing: `labels` kept only on the strokes' cores
    /// (`stroke_core.rs`), what crops are drawn from; on a page of dark ink,
    /// only the components thick for their size are kept to their cores.
    /// `None` on a page of thin dark ink, whose crops are drawn from all of it.
    pub strokes: Option<Vec<u32>>,
    /// Whether the writing is faint (pencil): the ink threshold was raised.
    pub faint: bool,
    /// Typical character size (longer side) in working pixels; 0 on a blank page.
    pub char_size: f64,
}

impl Letters {
    /// The labels a crop is drawn from: the strokes' cores on a page of
    /// faint writing, all the ink otherwise.
    pub fn drawn(&self) -> &[u32] {
        self.strokes.as_deref().unwrap_or(&self.labels)
    }
}

/// Finds every handwritten character of a photo (RGB, grey or RGBA).
pub fn find_letters(image: &DynamicImage) -> Letters {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let factor = working_factor(w, h);
    let grey = working_grey(image, factor);
    let mut letters = find_letters_in(&grey, factor);
    let (w, h) = (w as u32, h as u32);
    for b in &mut letters.boxes {
        b[2] = b[2].min(h);
        b[3] = b[3].min(w);
    }
    letters
}

/// [`find_letters`] on a grey page that is already at the working resolution;
/// boxes are scaled by `factor` back to photo coordinates.
pub fn find_letters_in(grey: &Grey, factor: usize) -> Letters {
    let (w, h) = (grey.width, grey.height);
    let ink = find_ink(grey);
    let mut mask = ink.mask;
    let faint = ink.faint;
    erase_rules_and_margins(&mut mask, &grey.data, w, h);
    let (labels, comps) = label_components(&mask, w, h);
    let bw = Array2::from_shape_fn((h, w), |(y, x)| 1.0 - mask[y * w + x] as f32);

    let long = w.max(h) as f64;
    let plausible: Vec<(u32, &Component)> = comps
        .iter()
        .enumerate()
        .map(|(i, c)| (i as u32 + 1, c))
        .filter(|(_, c)| {
            let size = c.height().max(c.width()) as f64;
            // Ink touching the photo's border is the edge of something cut
            // off by the frame (a strip of desk, the sheet's edge), not writing.
            let on_border = c.x1 == 0 || c.y1 == 0 || c.x2 == w || c.y2 == h;
            size >= NOISE_FRACTION * long && 2 * c.height() <= h && 2 * c.width() <= w && !on_border
        })
        .collect();
    let char_size = typical_size(plausible.iter().map(|(_, c)| c.height().max(c.width())));

    let mut glyphs: Vec<Glyph> = plausible
        .iter()
        .filter(|(_, c)| c.height().max(c.width()) as f64 >= PIECE_FRACTION * char_size)
        .map(|&(label, c)| Glyph::of(label, c))
        .collect();
    merge_pieces(&mut glyphs, char_size);
    // The sheet's edge is judged on the grey beside a box, a tenth of a character wide.
    let edge_reach = ((0.1 * char_size).ceil() as usize).max(2);
    glyphs.retain(|g| {
        let size = g.size() as f64;
        let fill = g.area as f64 / (g.width() * g.height()) as f64;
        let solid_blob = fill > 0.8 && g.height().min(g.width()) as f64 > 0.4 * char_size;
        let strip = (g.height() as f64) < STRIP_HEIGHT * char_size
            && g.width() >= STRIP_ASPECT * g.height();
        size >= MIN_CHAR_FRACTION * char_size
            && size <= MAX_CHAR_MULTIPLE * char_size
            && !solid_blob
            && !strip
            && !is_sheet_edge(grey, [g.y1, g.x1, g.y2, g.x2], edge_reach)
            && !lies_on_desk(&ink.shade, w, h, [g.y1, g.x1, g.y2, g.x2], edge_reach)
    });

    // Faint writing, and ink thick for its size, are drawn from their
    // strokes' cores (stroke_core.rs); thin dark ink from all of it.
    let thick = if faint {
        Vec::new()
    } else {
        thick_components(&labels, &comps, w, h, THICK_FROM * char_size)
    };
    let cored = |l: u32| faint || thick[l as usize];
    let any_cored = faint || glyphs.iter().any(|g| g.parts.iter().copied().any(cored));
    let strokes = any_cored.then(|| {
        let cores = stroke_cores(&mask, &ink.shade, w, h, reach(char_size));
        labels
            .iter()
            .zip(cores)
            .map(|(&l, core)| if core != 0 || !cored(l) { l } else { 0 })
            .collect()
    });

    let k = factor as u32;
    let boxes = glyphs
        .iter()
        .map(|g| {
            [
                g.y1 as u32 * k,
                g.x1 as u32 * k,
                g.y2 as u32 * k,
                g.x2 as u32 * k,
            ]
        })
        .collect();
    Letters {
        boxes,
        bw,
        strokes,
        faint,
        factor,
        glyphs,
        labels,
        char_size,
    }
}

/// The median size among the larger components (those at least 0.4 × the
/// 90th percentile), so specks and broken bits do not drag it down.
fn typical_size(sizes: impl Iterator<Item = usize>) -> f64 {
    let mut sizes: Vec<usize> = sizes.collect();
    if sizes.is_empty() {
        return 0.0;
    }
    sizes.sort_unstable();
    let p90 = sizes[(sizes.len() - 1) * 9 / 10] as f64;
    let large: Vec<usize> = sizes
        .into_iter()
        .filter(|&s| s as f64 >= 0.4 * p90)
        .collect();
    large[large.len() / 2] as f64
}

/// Joins the pieces of broken characters: pieces stacked in one column (the
/// bars of an E drawn apart) and pieces side by side that almost touch (the
/// stem and bowl of an R), as long as the result is still character-sized.
fn merge_pieces(glyphs: &mut Vec<Glyph>, char_size: f64) {
    let s = char_size;
    let reach = (0.05 * s).ceil() as usize;
    loop {
        glyphs.sort_by_key(|g| (g.x1, g.y1));
        let mut merged = false;
        let mut i = 0;
        while i < glyphs.len() {
            let mut j = i + 1;
            while j < glyphs.len() && glyphs[j].x1 <= glyphs[i].x2 + reach {
                if belong_together(&glyphs[i], &glyphs[j], s) {
                    let other = glyphs.remove(j);
                    glyphs[i].absorb(other);
                    merged = true;
                } else {
                    j += 1;
                }
            }
            i += 1;
        }
        if !merged {
            break;
        }
    }
}

fn belong_together(a: &Glyph, b: &Glyph, s: f64) -> bool {
    let overlap_x = a.x2.min(b.x2) as f64 - a.x1.max(b.x1) as f64;
    let overlap_y = a.y2.min(b.y2) as f64 - a.y1.max(b.y1) as f64;
    let width = (a.x2.max(b.x2) - a.x1.min(b.x1)) as f64;
    let height = (a.y2.max(b.y2) - a.y1.min(b.y1)) as f64;
    let narrower = a.width().min(b.width()) as f64;
    let shorter = a.height().min(b.height()) as f64;
    let stacked = overlap_x >= 0.5 * narrower
        && overlap_y >= -0.25 * s
        && height <= 1.5 * s
        && width <= 1.2 * s;
    let side_by_side = overlap_x >= -0.05 * s
        && overlap_y >= 0.5 * shorter
        && width <= 0.9 * s
        && height <= 1.5 * s;
    // A small piece (a bar of a faint E drawn apart) lying over or under one
    // wider box joins it even when that box is two touching letters, which
    // is wider than `stacked` allows: left alone it would start a line of its own.
    let (small, big) = if a.size() <= b.size() { (a, b) } else { (b, a) };
    let small_piece = (small.size() as f64) < 0.5 * s
        && overlap_x >= 0.8 * small.width() as f64
        && overlap_y >= -0.25 * s
        && height <= 1.5 * s
        && big.height() as f64 >= 0.5 * s;
    stacked || side_by_side || small_piece
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(y1: usize, x1: usize, y2: usize, x2: usize) -> Glyph {
        Glyph::boxed(1, [y1, x1, y2, x2], (y2 - y1) * (x2 - x1) / 4)
    }

    #[test]
    fn typical_size_ignores_specks() {
        let sizes = [3, 4, 5, 60, 62, 64, 66, 70, 5, 4];
        assert_eq!(typical_size(sizes.into_iter()), 64.0);
        assert_eq!(typical_size(std::iter::empty()), 0.0);
    }

    #[test]
    fn broken_pieces_join_but_neighbours_do_not() {
        // An E's spine and its arms drawn apart, and an R's stem beside its bowl.
        let mut g = vec![
            glyph(0, 0, 60, 10),
            glyph(0, 12, 8, 40),
            glyph(26, 12, 34, 36),
            glyph(100, 0, 160, 9),
            glyph(98, 10, 150, 38),
            // Two letters of one word, a normal gap apart.
            glyph(200, 0, 260, 40),
            glyph(200, 52, 260, 92),
        ];
        merge_pieces(&mut g, 64.0);
        assert_eq!(g.len(), 4, "{g:?}");
        assert!(g.iter().any(|x| x.parts.len() == 3 && x.x2 == 40));
    }

    /// The top bar of a faint E, drawn apart, over two touching letters (a
    /// box wider than one character) joins them instead of standing alone,
    /// where it would start a line of its own.
    #[test]
    fn a_small_bar_over_touching_letters_joins_them() {
        let mut g = vec![
            glyph(20, 0, 80, 100),
            glyph(8, 30, 16, 50),
            // A letter-sized neighbour over the next line stays apart.
            glyph(120, 0, 180, 40),
        ];
        merge_pieces(&mut g, 64.0);
        assert_eq!(g.len(), 2, "{g:?}");
        assert!(g.iter().any(|x| x.parts.len() == 2 && x.y1 == 8));
    }

    /// A page of 9s (a loop 6 px across inside, its stroke 5 px wide, a stem
    /// down its right side) drawn at `contrast` and blurred (σ = `blur` px):
    /// the grey of the page and the centre of its first loop.
    fn page_of_blurred_nines(contrast: f32, blur: f32) -> (Grey, (usize, usize)) {
        let (w, h) = (400, 300);
        let mut darkness = vec![0.0f32; w * h];
        let centres: Vec<(usize, usize)> = (0..4)
            .flat_map(|r| (0..7).map(move |c| (40 + 50 * c, 40 + 60 * r)))
            .collect();
        for &(cx, cy) in &centres {
            for y in cy - 14..cy + 30 {
                for x in cx - 14..cx + 14 {
                    let d =
                        ((x as f32 - cx as f32).powi(2) + (y as f32 - cy as f32).powi(2)).sqrt();
                    let stem = (cx + 4..cx + 9).contains(&x) && y >= cy;
                    if (3.0..8.0).contains(&d) || (stem && y < cy + 26) {
                        darkness[y * w + x] = contrast;
                    }
                }
            }
        }
        let blurred = super::super::filters::gaussian_blur(&darkness, w, h, blur);
        let data = blurred.iter().map(|d| 0.9 - d).collect();
        (
            Grey {
                width: w,
                height: h,
                data,
            },
            centres[0],
        )
    }

    /// Faint blurred writing: the raised threshold takes in the halo and
    /// fills the loop; crops are drawn from the strokes' cores, where it is
    /// open again. Dark writing blurred as much fills it too, and its
    /// strokes are then thick for their size: drawn from the cores as well
    /// (`stroke_core::thick_components`; thin dark ink is drawn whole, as
    /// the sample photos in tests/ocr_photos.rs are).
    #[test]
    fn faint_blurred_loops_are_drawn_open() {
        let (grey, (cx, cy)) = page_of_blurred_nines(0.3, 2.0);
        let letters = find_letters_in(&grey, 1);
        assert_eq!(letters.glyphs.len(), 28);
        let w = grey.width;
        let centre = cy * w + cx;
        assert_ne!(letters.labels[centre], 0, "the halo fills the loop");
        assert!(letters.strokes.is_some(), "faint writing");
        assert_eq!(letters.drawn()[centre], 0, "the core leaves it open");
        let ring = (cy - 5) * w + cx;
        assert_ne!(letters.drawn()[ring], 0, "the stroke stays");

        let (grey, _) = page_of_blurred_nines(0.8, 2.0);
        let letters = find_letters_in(&grey, 1);
        assert!(!letters.faint, "dark writing");
        assert_ne!(letters.labels[centre], 0, "the blur fills the loop");
        assert_eq!(letters.drawn()[centre], 0, "thick: the core leaves it open");
        assert_ne!(letters.drawn()[ring], 0, "the stroke stays");
    }
}
