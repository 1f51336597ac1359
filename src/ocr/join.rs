//! Joining broken characters by recognition, the converse of `segment.rs`.
//! Faint pencil breaks: a K comes apart into a bar and a chevron, a U into
//! two curves, the tail of a Y stands alone. Pieces that neither lie over
//! each other nor almost touch box to box are not joined by
//! `find_letters::merge_pieces`; here neighbours in a word whose ink comes
//! within a tenth of a character, one of them narrow or short and unsure of
//! itself, are read alone and together, and the grouping whose characters
//! the classifier finds most probable wins. Only pages of faint writing
//! (`Letters::strokes`) are looked at: dark ink does not break so.
//!
//! Like splitting, this leans on a classifier with a "touching" output: two
//! real letters read together score low as one character (their mass goes
//! to "several"), so only pieces that make one character are joined.

use super::crop::crop_glyph;
use super::find_letters::Glyph;
use super::lines::Line;
use super::segment::{as_batch, page_widths, upright_width};
use crate::data::class_name;
use crate::models::Predict;

/// At most this many neighbouring boxes join into one character.
const MOST_PIECES: usize = 3;
/// A joined character is at most this many typical widths wide (de-slanted).
const WIDEST_JOINED: f32 = 1.5;
/// A box may be a piece when it is narrower than this many typical widths
/// for the joined height, or shorter than [`SHORT`] of that height.
const NARROW: f32 = 0.6;
const SHORT: f32 = 0.75;
/// Neighbours are pieces of one character only when their ink comes within
/// this fraction of the joined height: a break in a faint stroke is a few
/// pixels, the gap between two letters mostly more (measured on generated
/// pages, docs/ocr-photos.md).
const NEAR: f32 = 0.1;
/// Only a group with a piece that reads no more surely than this alone is
/// joined (counting a character and its look-alike of the other kind, I/1,
/// O/0, as one): an I read surely beside an N reads as one M or W together
/// as surely, and must stay apart.
const DOUBTFUL: f32 = 0.6;
/// Letters and the digits they are mistaken for (`read::one_kind_per_word`).
const LOOK_ALIKES: [(char, char); 6] = [
    ('O', '0'),
    ('I', '1'),
    ('S', '5'),
    ('Z', '2'),
    ('G', '6'),
    ('B', '8'),
];

/// Joins the broken characters among `glyphs`, grouped into `lines` (indices
/// into `glyphs`, with word breaks), reading crops drawn from `drawn` with
/// `model`; widths are judged on `labels`. Pieces cut by `split_touching`
/// are never joined back. Returns the glyphs with every joined group
/// replaced by one glyph (in no particular order).
pub fn join_broken<M: Predict + ?Sized>(
    labels: &[u32],
    drawn: &[u32],
    width: usize,
    glyphs: Vec<Glyph>,
    lines: &[Line],
    model: &M,
) -> Vec<Glyph> {
    let Some((widths, aspect)) = page_widths(labels, width, &glyphs) else {
        return glyphs;
    };

    // Every group of neighbours in a word that may be one broken character.
    struct Group {
        word: usize,
        start: usize,
        len: usize,
        joined: Glyph,
    }
    let words: Vec<&[usize]> = lines.iter().flat_map(Line::words).collect();
    let mut groups = Vec::new();
    // Neighbours' ink distances, each measured once (a pair is in up to two groups).
    let mut distances = std::collections::HashMap::new();
    for (w, word) in words.iter().enumerate() {
        for start in 0..word.len() {
            let mut joined = glyphs[word[start]].clone();
            for len in 2..=MOST_PIECES.min(word.len() - start) {
                joined.absorb(glyphs[word[start + len - 1]].clone());
                let members = &word[start..start + len];
                if members.iter().any(|&m| glyphs[m].cut.is_some()) {
                    break;
                }
                let typical = aspect * joined.height().max(1) as f32;
                if upright_width(labels, width, &joined) > WIDEST_JOINED * typical {
                    break;
                }
                let (left, right) = (members[len - 2], members[len - 1]);
                let distance = *distances
                    .entry((left, right))
                    .or_insert_with(|| ink_distance(labels, width, &glyphs[left], &glyphs[right]));
                if distance > NEAR * joined.height() as f32 {
                    break;
                }
                let piece = |&m: &usize| {
                    widths[m] < NARROW * typical
                        || (glyphs[m].height() as f32) < SHORT * joined.height() as f32
                };
                if members.iter().any(piece) {
                    groups.push(Group {
                        word: w,
                        start,
                        len,
                        joined: joined.clone(),
                    });
                }
            }
        }
    }
    if groups.is_empty() {
        return glyphs;
    }

    // One batch: every box that is in some group, alone, then every group.
    let mut row_of_single = vec![None; glyphs.len()];
    let mut crops = Vec::new();
    for g in &groups {
        for &m in &words[g.word][g.start..g.start + g.len] {
            if row_of_single[m].is_none() {
                row_of_single[m] = Some(crops.len());
                crops.push(crop_glyph(drawn, width, &glyphs[m], true));
            }
        }
    }
    let first_group_row = crops.len();
    crops.extend(
        groups
            .iter()
            .map(|g| crop_glyph(drawn, width, &g.joined, true)),
    );
    let probs = model.predict_outputs(as_batch(&crops).view());
    let characters = probs.ncols() - usize::from(model.has_touching());
    let log_best = |row: usize| {
        let row = probs.row(row);
        let best = row.iter().take(characters).copied().fold(0.0f32, f32::max);
        best.max(1e-6).ln()
    };

    // How surely a box reads alone, a character and its look-alike as one.
    let alike: Vec<(usize, usize)> = LOOK_ALIKES
        .iter()
        .filter_map(|&(a, b)| Some((class_of(a)?, class_of(b)?)))
        .filter(|&(_, b)| b < characters)
        .collect();
    let sureness = |row: usize| {
        let p = probs.row(row);
        let best = p.iter().take(characters).copied().fold(0.0f32, f32::max);
        alike.iter().map(|&(a, b)| p[a] + p[b]).fold(best, f32::max)
    };
    // Per word, the most probable way through: each box alone or in a group.
    let mut joined_into: Vec<Option<usize>> = vec![None; glyphs.len()];
    for (w, word) in words.iter().enumerate() {
        let n = word.len();
        let mut score = vec![f32::NEG_INFINITY; n + 1];
        let mut from: Vec<Option<usize>> = vec![None; n + 1];
        score[0] = 0.0;
        for end in 1..=n {
            let alone = row_of_single[word[end - 1]].map_or(0.0, log_best);
            score[end] = score[end - 1] + alone;
            for (k, g) in groups.iter().enumerate() {
                if g.word != w || g.start + g.len != end {
                    continue;
                }
                let doubtful = word[g.start..end]
                    .iter()
                    .any(|&m| row_of_single[m].is_some_and(|r| sureness(r) < DOUBTFUL));
                if doubtful {
                    let s = score[g.start] + log_best(first_group_row + k);
                    if s > score[end] {
                        score[end] = s;
                        from[end] = Some(k);
                    }
                }
            }
        }
        let mut at = n;
        while at > 0 {
            match from[at] {
                Some(k) => {
                    for &m in &word[groups[k].start..at] {
                        joined_into[m] = Some(k);
                    }
                    at = groups[k].start;
                }
                None => at -= 1,
            }
        }
    }

    let mut out = Vec::with_capacity(glyphs.len());
    let mut taken = vec![false; groups.len()];
    for (g, into) in glyphs.into_iter().zip(&joined_into) {
        match *into {
            None => out.push(g),
            Some(k) if !taken[k] => {
                taken[k] = true;
                out.push(groups[k].joined.clone());
            }
            Some(_) => {}
        }
    }
    out
}

/// The class index of character `c` (A–Z, then 0–9).
fn class_of(c: char) -> Option<usize> {
    (0..36).find(|&k| class_name(k) == c)
}

/// The shortest distance (in pixels) between the ink of `a` and of `b`
/// (`f32::MAX` when either has none).
fn ink_distance(labels: &[u32], width: usize, a: &Glyph, b: &Glyph) -> f32 {
    let ink = |g: &Glyph| -> Vec<(f32, f32)> {
        (g.y1..g.y2)
            .flat_map(|y| (g.x1..g.x2).map(move |x| (x, y)))
            .filter(|&(x, y)| g.inks(labels[y * width + x], x, y))
            .map(|(x, y)| (x as f32, y as f32))
            .collect()
    };
    let (left, right) = (ink(a), ink(b));
    left.iter()
        .flat_map(|p| right.iter().map(move |q| (p.0 - q.0).hypot(p.1 - q.1)))
        .fold(f32::MAX, f32::min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// One line of two words: two narrow strokes 2 px apart (a broken
    /// letter), a letter 12 px further on, then three more letters; boxes
    /// 40 px tall, letters 30 wide. Labels, glyphs and the line.
    fn broken_word(gap: usize) -> (Vec<u32>, usize, Vec<Glyph>, Line) {
        let (w, h) = (260, 40);
        let spans = [
            (10, 18),
            (18 + gap, 26 + gap),
            (38 + gap, 68 + gap),
            (120, 150),
            (160, 190),
            (200, 230),
        ];
        let mut labels = vec![0u32; w * h];
        let mut glyphs = Vec::new();
        for (k, &(x1, x2)) in spans.iter().enumerate() {
            let label = k as u32 + 1;
            for y in 0..h {
                for x in x1..x2 {
                    labels[y * w + x] = label;
                }
            }
            glyphs.push(Glyph::boxed(label, [0, x1, h, x2], h * (x2 - x1)));
        }
        let line = Line {
            members: (0..6).collect(),
            space_before: vec![false, false, false, true, false, false],
        };
        (labels, w, glyphs, line)
    }

    /// Reads row r of every batch as character 0 with probability
    /// `reads[r]` (the rest "several characters"); counts its rows.
    struct Reads {
        reads: Vec<f32>,
        rows: std::cell::Cell<usize>,
    }

    impl Predict for Reads {
        fn predict_outputs(&self, x: ndarray::ArrayView2<f32>) -> Array2<f32> {
            self.rows.set(self.rows.get() + x.nrows());
            let mut p = Array2::<f32>::zeros((x.nrows(), 37));
            for r in 0..x.nrows() {
                let read = self.reads.get(r).copied().unwrap_or(0.99);
                p[[r, 0]] = read;
                p[[r, 36]] = 1.0 - read;
            }
            p
        }
        fn has_touching(&self) -> bool {
            true
        }
    }

    fn reads(reads: &[f32]) -> Reads {
        Reads {
            reads: reads.to_vec(),
            rows: std::cell::Cell::new(0),
        }
    }

    /// The two strokes are read alone (rows 0, 1), then together (row 2);
    /// the letter beyond the gap is never part of a group.
    #[test]
    fn near_pieces_that_read_better_together_are_joined() {
        let (labels, w, glyphs, line) = broken_word(0);
        let model = reads(&[0.4, 0.5, 0.9]);
        let out = join_broken(&labels, &labels, w, glyphs, &[line], &model);
        assert_eq!(model.rows.get(), 3, "two pieces and their union");
        assert_eq!(out.len(), 5);
        let joined: Vec<&Glyph> = out.iter().filter(|g| g.parts.len() == 2).collect();
        assert_eq!(joined.len(), 1);
        assert_eq!((joined[0].x1, joined[0].x2), (10, 26));
    }

    #[test]
    fn pieces_stay_apart_when_sure_alone_or_unsure_together() {
        // Each reads surely alone (an I beside an N): never joined.
        let (labels, w, glyphs, line) = broken_word(0);
        let lines = [line];
        let sure = reads(&[0.95, 0.9, 0.99]);
        assert_eq!(
            join_broken(&labels, &labels, w, glyphs.clone(), &lines, &sure).len(),
            6
        );
        // Doubtful alone, but together no better (mostly "several").
        let worse = reads(&[0.4, 0.5, 0.15]);
        assert_eq!(
            join_broken(&labels, &labels, w, glyphs, &lines, &worse).len(),
            6
        );
    }

    /// Pieces further apart than a tenth of the height are not candidates:
    /// nothing is read at all.
    #[test]
    fn pieces_apart_are_not_read() {
        let (labels, w, glyphs, line) = broken_word(6);
        let model = reads(&[0.4, 0.5, 0.9]);
        let out = join_broken(&labels, &labels, w, glyphs, &[line], &model);
        assert_eq!(out.len(), 6);
        assert_eq!(model.rows.get(), 0);
    }
}
