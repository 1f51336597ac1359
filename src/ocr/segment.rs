//! Splitting touching characters by recognition. Letters written close
//! together become one component ("LU", "TI", "WEI" in one box). A box much
//! wider than the page's typical character of its height is a candidate: cuts are proposed
//! at the minima of its (de-slanted) column ink profile, every piece between
//! two cuts is classified, and the segmentation whose pieces the classifier
//! finds most probable (the product of their probabilities, times a prior on
//! how many characters a box of that width holds) wins, against the box read
//! whole. A box the classifier reads confidently whole (a wide
//! M or W) is never cut.
//!
//! A classifier with a "touching" output (`ocr::touching`) is what makes
//! this work: a character's probability is then the chance that the crop is
//! that one character, so a merged "LU" that a plain classifier reads as a
//! confident U scores low whole, and its pieces win.

use super::crop::crop_glyph;
use super::find_letters::{Cut, Glyph};
use crate::data::IMAGE_SIDE;
use crate::models::Predict;
use ndarray::Array2;

/// A box is a candidate when its de-slanted width exceeds this multiple of
/// the typical width of a character of its height on this page.
const WIDE: f32 = 1.1;
/// A box read whole with at least this probability is never cut, unless it
/// is wider than [`WIDEST_LETTER`] typical characters (no M or W is).
const CONFIDENT_WHOLE: f32 = 0.6;
const WIDEST_LETTER: f32 = 2.5;
/// With a "touching" output, a box is cut only when the network reads it
/// whole as several characters with at least this probability (however
/// wide it is): the pieces of a lone R or M (a bar read as I, a bowl as Z)
/// can each read well, so their scores alone over-cut. Measured on
/// generated pages (docs/ocr-photos.md): 0.9 cut fewer real letters than 0.5
/// on mild pages and as many touching pairs on strong ones.
const SEVERAL_WHOLE: f32 = 0.9;
/// How far (in typical widths, one standard deviation) a box of k
/// characters strays from k typical widths: the prior on how many
/// characters a box holds is exp(−(width/typical − k)² / 2σ²).
const WIDTH_SIGMA: f32 = 0.3;
/// Pieces are between these multiples of the typical width (and at least
/// half as tall as the box).
const PIECE_MIN: f32 = 0.25;
const PIECE_MAX: f32 = 1.7;
/// A cut goes only where the ink is thin: at most this many strokes'
/// widths of ink in the column (two letters touch at a point or a stroke;
/// the middle of an M or a W has two strokes over each other).
const NECK: f32 = 3.0;
/// At most this many cuts are proposed per box (the deepest profile minima).
const MAX_CUTS: usize = 7;

/// The ink of a glyph: de-slanted column (`u`) of every pixel, and its rows.
struct Ink {
    pixels: Vec<(usize, usize, f32)>,
    centre_y: f32,
    /// Mean length of the horizontal ink runs: about one stroke's width.
    stroke: f32,
}

impl Ink {
    fn of(labels: &[u32], width: usize, g: &Glyph) -> Ink {
        let centre_y = (g.y1 + g.y2) as f32 / 2.0;
        let mut pixels = Vec::new();
        let mut runs = 0usize;
        for y in g.y1..g.y2 {
            let mut inside = false;
            for x in g.x1..g.x2 {
                let ink = g.inks(labels[y * width + x], x, y);
                if ink {
                    let u = x as f32 + 0.5 - g.slant * (centre_y - y as f32 - 0.5);
                    pixels.push((x, y, u));
                    runs += usize::from(!inside);
                }
                inside = ink;
            }
        }
        let stroke = pixels.len() as f32 / runs.max(1) as f32;
        Ink {
            pixels,
            centre_y,
            stroke,
        }
    }

    fn span(&self) -> (f32, f32) {
        let lo = self.pixels.iter().map(|p| p.2).fold(f32::MAX, f32::min);
        let hi = self.pixels.iter().map(|p| p.2).fold(f32::MIN, f32::max);
        (lo, hi + 1.0)
    }

    /// The part of `g` between de-slanted columns `left..right`, boxed tight.
    fn piece(&self, g: &Glyph, left: f32, right: f32) -> Option<Glyph> {
        let kept = self.pixels.iter().filter(|p| p.2 >= left && p.2 < right);
        let (mut y1, mut x1, mut y2, mut x2, mut area) = (usize::MAX, usize::MAX, 0, 0, 0);
        for &(x, y, _) in kept {
            y1 = y1.min(y);
            x1 = x1.min(x);
            y2 = y2.max(y + 1);
            x2 = x2.max(x + 1);
            area += 1;
        }
        (area > 0).then(|| Glyph {
            y1,
            x1,
            y2,
            x2,
            parts: g.parts.clone(),
            area,
            slant: g.slant,
            cut: Some(Cut {
                left,
                right,
                centre_y: self.centre_y,
            }),
            turn: g.turn,
        })
    }
}

/// The de-slanted width of a glyph's ink.
pub fn upright_width(labels: &[u32], width: usize, g: &Glyph) -> f32 {
    let ink = Ink::of(labels, width, g);
    if ink.pixels.is_empty() {
        return g.width() as f32;
    }
    let (lo, hi) = ink.span();
    hi - lo
}

/// Every glyph's (de-slanted) width, and the page's median ratio of width
/// to height: a character's typical width for its height is that ratio
/// times the height (titles are larger). `None` on a page without
/// characters.
pub(super) fn page_widths(
    labels: &[u32],
    width: usize,
    glyphs: &[Glyph],
) -> Option<(Vec<f32>, f32)> {
    let widths: Vec<f32> = glyphs
        .iter()
        .map(|g| upright_width(labels, width, g))
        .collect();
    let mut aspects: Vec<f32> = glyphs
        .iter()
        .zip(&widths)
        .map(|(g, w)| w / g.height().max(1) as f32)
        .collect();
    aspects.sort_by(f32::total_cmp);
    let aspect = aspects.get(aspects.len() / 2).copied()?;
    Some((widths, aspect))
}

/// Splits the touching characters among `glyphs` (each carrying its line's
/// slant), reading the candidate crops with `model` (all its outputs: a
/// crop's score is its most probable character's probability). Widths
/// and cuts are judged on `labels`, crops drawn from `drawn`
/// ([`super::Letters::drawn`]). Returns the glyphs with every split box
/// replaced by its pieces.
pub fn split_touching<M: Predict + ?Sized>(
    labels: &[u32],
    drawn: &[u32],
    width: usize,
    glyphs: Vec<Glyph>,
    model: &M,
) -> Vec<Glyph> {
    let Some((widths, aspect)) = page_widths(labels, width, &glyphs) else {
        return glyphs;
    };
    let typical_of = |g: &Glyph| aspect * g.height().max(1) as f32;

    // First every candidate is read whole, in one batch: most wide boxes are
    // one wide letter or are read as one, and cropping and reading all their
    // pieces would cost far more than this one look.
    let candidates: Vec<(usize, Vec<f32>)> = glyphs
        .iter()
        .enumerate()
        .filter(|&(i, g)| widths[i] > WIDE * typical_of(g))
        .map(|(i, g)| (i, cut_points(&Ink::of(labels, width, g), typical_of(g))))
        .filter(|(_, points)| points.len() >= 3)
        .collect();
    if candidates.is_empty() {
        return glyphs;
    }
    let wholes: Vec<Vec<f32>> = candidates
        .iter()
        .map(|(i, _)| crop_glyph(drawn, width, &glyphs[*i], true))
        .collect();
    let whole_probs = model.predict_outputs(as_batch(&wholes).view());
    let characters = whole_probs.ncols() - usize::from(model.has_touching());
    let best =
        |p: ndarray::ArrayView1<f32>| p.iter().take(characters).copied().fold(0.0f32, f32::max);

    // Then only the boxes that may be several characters are cut: every piece
    // between two cut points is classified, in a second batch.
    struct Candidate {
        glyph: usize,
        /// The box read whole: its most probable character's probability.
        whole: f32,
        /// Cut positions, first and last being the ink's ends.
        points: Vec<f32>,
        /// (from point, to point, piece, crop row)
        pieces: Vec<(usize, usize, Glyph, usize)>,
    }
    let mut to_cut = Vec::new();
    let mut crops: Vec<Vec<f32>> = Vec::new();
    for (row, (i, points)) in candidates.into_iter().enumerate() {
        let g = &glyphs[i];
        let typical = typical_of(g);
        let whole = best(whole_probs.row(row));
        let wide_letter = widths[i] <= WIDEST_LETTER * typical;
        if wide_letter && whole >= CONFIDENT_WHOLE {
            continue;
        }
        if model.has_touching() && whole_probs[[row, characters]] < SEVERAL_WHOLE {
            continue;
        }
        let ink = Ink::of(labels, width, g);
        let mut pieces = Vec::new();
        for a in 0..points.len() {
            for b in a + 1..points.len() {
                let w = points[b] - points[a];
                let all = a == 0 && b == points.len() - 1;
                if all || w < PIECE_MIN * typical || w > PIECE_MAX * typical {
                    continue;
                }
                let piece = ink.piece(g, points[a], points[b]);
                // A piece is a character, not a joining stroke.
                if let Some(piece) = piece.filter(|p| 2 * p.height() >= g.height()) {
                    crops.push(crop_glyph(drawn, width, &piece, true));
                    pieces.push((a, b, piece, crops.len() - 1));
                }
            }
        }
        to_cut.push(Candidate {
            glyph: i,
            whole,
            points,
            pieces,
        });
    }
    if crops.is_empty() {
        return glyphs;
    }
    let probs = model.predict_outputs(as_batch(&crops).view());

    let mut replaced: Vec<Option<Vec<Glyph>>> = vec![None; glyphs.len()];
    for c in to_cut {
        // Most probable path from the first point to the last through pieces.
        let n = c.points.len();
        let mut score = vec![f32::NEG_INFINITY; n];
        let mut from: Vec<Option<usize>> = vec![None; n];
        score[0] = 0.0;
        for b in 1..n {
            for (k, (a, to, _, row)) in c.pieces.iter().enumerate() {
                if *to == b && score[*a].is_finite() {
                    let s = score[*a] + best(probs.row(*row)).max(1e-6).ln();
                    if s > score[b] {
                        score[b] = s;
                        from[b] = Some(k);
                    }
                }
            }
        }
        let mut pieces = Vec::new();
        let mut at = n - 1;
        while let Some(k) = from[at] {
            pieces.push(c.pieces[k].2.clone());
            at = c.pieces[k].0;
        }
        pieces.reverse();
        let ratio = widths[c.glyph] / typical_of(&glyphs[c.glyph]);
        let prior = |k: usize| -(ratio - k as f32).powi(2) / (2.0 * WIDTH_SIGMA * WIDTH_SIGMA);
        if pieces.len() < 2
            || score[n - 1] + prior(pieces.len()) <= c.whole.max(1e-6).ln() + prior(1)
        {
            continue;
        }
        replaced[c.glyph] = Some(pieces);
    }
    glyphs
        .into_iter()
        .zip(replaced)
        .flat_map(|(g, r)| r.unwrap_or_else(|| vec![g]))
        .collect()
}

/// Crops as the rows of one batch for the classifier.
pub(super) fn as_batch(crops: &[Vec<f32>]) -> Array2<f32> {
    let mut batch = Array2::<f32>::zeros((crops.len(), IMAGE_SIDE * IMAGE_SIDE));
    for (r, crop) in crops.iter().enumerate() {
        batch
            .row_mut(r)
            .assign(&ndarray::ArrayView1::from(crop.as_slice()));
    }
    batch
}

/// The ink's two ends and, between them, up to [`MAX_CUTS`] of the deepest
/// minima of its de-slanted column profile that are thin necks, at least a
/// quarter of a typical character from the ends and from each other. The
/// profile is not smoothed: where two letters touch, the thinnest column is
/// where to cut, and smoothing moved the cut a column into a stroke
/// (docs/ocr-photos.md measures both).
fn cut_points(ink: &Ink, typical: f32) -> Vec<f32> {
    let (lo, hi) = ink.span();
    let n = (hi - lo).ceil() as usize + 1;
    let mut profile = vec![0.0f32; n];
    for p in &ink.pixels {
        profile[(p.2 - lo) as usize] += 1.0;
    }
    let gap = PIECE_MIN * typical;
    let mut minima: Vec<(f32, f32)> = (1..n.saturating_sub(1))
        .filter(|&i| profile[i] <= profile[i - 1] && profile[i] <= profile[i + 1])
        .map(|i| (profile[i], lo + i as f32 + 0.5))
        .filter(|&(v, u)| u - lo >= gap && hi - u >= gap && v <= NECK * ink.stroke)
        .collect();
    minima.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut cuts: Vec<f32> = Vec::new();
    for (_, u) in minima {
        if cuts.len() < MAX_CUTS && cuts.iter().all(|&c| (c - u).abs() >= gap) {
            cuts.push(u);
        }
    }
    cuts.push(lo);
    cuts.push(hi);
    cuts.sort_by(f32::total_cmp);
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(x1: usize, x2: usize, h: usize) -> Glyph {
        Glyph::boxed(1, [0, x1, h, x2], 0)
    }

    /// Two blocks of ink touching at a neck one column wide, beside two
    /// columns of middling ink: a cut goes at the neck itself (a profile smoothed
    /// over three columns had its minimum one column on, in the stroke).
    #[test]
    fn a_cut_goes_at_the_thinnest_column() {
        let (w, h) = (40, 40);
        let ink_height = |x: usize| match x {
            15 => 2,
            16 | 17 => 6,
            _ => h,
        };
        let labels: Vec<u32> = (0..h)
            .flat_map(|y| (0..w).map(move |x| u32::from(y < ink_height(x))))
            .collect();
        let g = glyph(0, w, h);
        let cuts = cut_points(&Ink::of(&labels, w, &g), 20.0);
        // Columns x = 0..40 lie at de-slanted 0.5..40.5; a cut at 16.0
        // leaves the neck (x = 15) on the left, one at 17.0 cuts the stroke.
        assert!(cuts.contains(&16.0) && !cuts.contains(&17.0), "{cuts:?}");
    }

    /// Two bars joined by a thin bridge: cut in two when the classifier likes
    /// the pieces better than the whole, kept whole when it reads it confidently.
    #[test]
    fn a_bridge_is_cut_when_the_pieces_read_better() {
        let (w, h) = (150, 40);
        let mut labels = vec![0u32; w * h];
        for y in 0..h {
            for x in 0..w {
                let bar = (10..40).contains(&x) || (60..90).contains(&x);
                // A separate letter, 40 wide, on the same line.
                if (100..140).contains(&x) && (!(4..36).contains(&y) || x < 104) {
                    labels[y * w + x] = 2;
                }
                let bridge = (40..60).contains(&x) && (18..21).contains(&y);
                if bar || bridge {
                    labels[y * w + x] = 1;
                }
            }
        }
        // Neighbours of typical width 40 so the joined box (80) is a candidate.
        let mut other = glyph(100, 140, h);
        other.parts = vec![2];
        let glyphs = vec![glyph(10, 90, h), other.clone(), other];
        // The whole read unsure, every piece sure.
        let out = split_touching(&labels, &labels, w, glyphs.clone(), &Reads::new(0.3, 36));
        assert_eq!(out.len(), 4, "{out:?}");
        assert!(
            out[..2].iter().all(|p| 2 * p.height() >= h),
            "no bridge-only piece"
        );
        assert_eq!(out[0].x1, 10);
        assert_eq!(out[1].x2, 90);
        // Read confidently whole, it stays whole, and no piece is read.
        let sure_whole = Reads::new(0.95, 36);
        assert_eq!(
            split_touching(&labels, &labels, w, glyphs.clone(), &sure_whole).len(),
            3
        );
        assert_eq!(sure_whole.calls.get(), 1);
        // A model that also says how likely the crop is several characters:
        // a whole read as "touching" surely enough is cut, one read so only
        // more likely than not stays whole (its pieces never read).
        let sure = Reads::new(0.05, 37);
        assert_eq!(
            split_touching(&labels, &labels, w, glyphs.clone(), &sure).len(),
            4
        );
        assert_eq!(sure.calls.get(), 2);
        let unsure = Reads::new(0.3, 37);
        assert_eq!(
            split_touching(&labels, &labels, w, glyphs, &unsure).len(),
            3
        );
        assert_eq!(unsure.calls.get(), 1);
    }

    /// Reads every crop of its first batch (the candidates read whole) as
    /// character 0 with probability `whole`, and as "several characters"
    /// with the rest when it has that output (37 columns); later crops (the
    /// pieces) as character 0 with 0.95. Counts its batches.
    struct Reads {
        whole: f32,
        outputs: usize,
        calls: std::cell::Cell<usize>,
    }

    impl Reads {
        fn new(whole: f32, outputs: usize) -> Self {
            Reads {
                whole,
                outputs,
                calls: std::cell::Cell::new(0),
            }
        }
    }

    impl Predict for Reads {
        fn predict_outputs(&self, x: ndarray::ArrayView2<f32>) -> Array2<f32> {
            let first = self.calls.get() == 0;
            self.calls.set(self.calls.get() + 1);
            let mut p = Array2::<f32>::zeros((x.nrows(), self.outputs));
            let character = if first { self.whole } else { 0.95 };
            p.column_mut(0).fill(character);
            if self.has_touching() {
                p.column_mut(36).fill(1.0 - character);
            }
            p
        }
        fn has_touching(&self) -> bool {
            self.outputs == 37
        }
    }
}
