//! What is not writing at the edge of a photo: the desk around the sheet.
//!
//! The desk is recognised on the coarse paper estimate (strokes already
//! closed away): blocks darker than [`DESK_FRACTION`] of the bright sheet
//! that are joined to the photo's border through other such blocks. A shadow
//! on the sheet is lighter than that, and a dark patch inside the sheet does
//! not reach the border. The desk and a margin of [`DESK_MARGIN_BLOCKS`]
//! around it (where the sheet's edge meets it) are never ink, so neither the
//! edge nor a thin strip of desk along the photo's border gets a box.
//!
//! A desk lighter than that (light wood, a grey table) is left as paper, and
//! the sheet's edge on it comes out of the binariser as thin strips. Those
//! are told from strokes by their sides ([`is_sheet_edge`]): a pen stroke
//! has paper on both sides, the sheet's edge has the desk on one.

use super::binarize::Paper;
use super::page::Grey;
use super::rules::median;

/// A block is desk when its paper level is below this fraction of the
/// sheet's (the 90th percentile of the blocks).
const DESK_FRACTION: f32 = 0.4;
/// The desk is widened by this many blocks to swallow the sheet's edge.
const DESK_MARGIN_BLOCKS: usize = 2;

/// A box is a candidate edge when it is at least this many times as long as
/// it is wide (no character's box is that thin except an I or a 1, which
/// have paper on both sides).
const EDGE_ASPECT: usize = 3;
/// ... and one side is darker than this fraction of the other.
const EDGE_CONTRAST: f32 = 0.7;

/// Whether the half-open box `y1..y2 × x1..x2` of the working page `grey` is
/// a piece of the sheet's edge: long and thin, and the median grey beside its
/// long sides, `reach` pixels wide, is much darker on one side than on the
/// other (the desk against the paper). Strokes have paper on both sides,
/// even in a shadow's soft edge.
pub fn is_sheet_edge(grey: &Grey, [y1, x1, y2, x2]: [usize; 4], reach: usize) -> bool {
    let (w, h) = (grey.width, grey.height);
    let (bw, bh) = (x2 - x1, y2 - y1);
    let median_of = |ys: std::ops::Range<usize>, xs: std::ops::Range<usize>| {
        median(
            ys.flat_map(|y| xs.clone().map(move |x| (y, x)))
                .map(|(y, x)| grey.data[y * w + x])
                .collect(),
        )
    };
    let sides = if bh >= EDGE_ASPECT * bw {
        (
            median_of(y1..y2, x1.saturating_sub(reach)..x1),
            median_of(y1..y2, x2..(x2 + reach).min(w)),
        )
    } else if bw >= EDGE_ASPECT * bh {
        (
            median_of(y1.saturating_sub(reach)..y1, x1..x2),
            median_of(y2..(y2 + reach).min(h), x1..x2),
        )
    } else {
        return false;
    };
    match sides {
        (Some(a), Some(b)) => a.min(b) < EDGE_CONTRAST * a.max(b),
        _ => false,
    }
}

/// Whether the half-open box `y1..y2 × x1..x2` lies on the desk rather than
/// the sheet: the median `shade` (the page over its paper, paper ≈ 1) in a
/// frame `reach` pixels wide around it is below [`DESK_FRACTION`]. A stroke
/// has paper round it, even in a shadow; a fleck of a dark desk that the
/// desk mask's coarse blocks left over (JPEG's ringing in a strip of desk
/// thinner than a block) has desk. The frame is sampled every quarter of
/// `reach` across and along, plenty for a median.
pub fn lies_on_desk(
    shade: &[f32],
    width: usize,
    height: usize,
    [y1, x1, y2, x2]: [usize; 4],
    reach: usize,
) -> bool {
    let (top, bottom) = (y1.saturating_sub(reach), (y2 + reach).min(height));
    let (left, right) = (x1.saturating_sub(reach), (x2 + reach).min(width));
    let step = (reach / 4).max(1);
    let frame: Vec<f32> = (top..bottom)
        .step_by(step)
        .flat_map(|y| {
            let row = &shade[y * width..(y + 1) * width];
            let inside = (y1..y2).contains(&y);
            (left..right)
                .step_by(step)
                .filter(move |x| !inside || !(x1..x2).contains(x))
                .map(move |x| row[x])
        })
        .collect();
    median(frame).is_some_and(|m| m < DESK_FRACTION)
}

/// Per pixel of a `width × height` page: whether it is desk or sheet edge.
pub fn desk_mask(paper: &Paper, width: usize, height: usize) -> Vec<bool> {
    let (cols, rows) = (paper.cols, paper.rows);
    let desk_blocks = desk_blocks(paper);
    if !desk_blocks.iter().any(|&d| d) {
        return vec![false; width * height];
    }
    // Widen by the margin (a square neighbourhood of blocks).
    let m = DESK_MARGIN_BLOCKS;
    let mut wide = vec![false; cols * rows];
    for r in 0..rows {
        for c in 0..cols {
            if desk_blocks[r * cols + c] {
                for rr in r.saturating_sub(m)..(r + m + 1).min(rows) {
                    for cc in c.saturating_sub(m)..(c + m + 1).min(cols) {
                        wide[rr * cols + cc] = true;
                    }
                }
            }
        }
    }
    // Every pixel row of a block row is the same: built once, then copied.
    let mut mask = Vec::with_capacity(width * height);
    let mut pixel_row = vec![false; width];
    for y in 0..height {
        if y % paper.block == 0 {
            let blocks = &wide[(y / paper.block) * cols..];
            for (x, p) in pixel_row.iter_mut().enumerate() {
                *p = blocks[x / paper.block];
            }
        }
        mask.extend_from_slice(&pixel_row);
    }
    mask
}

/// Dark blocks joined to the border (flood fill from the border blocks).
fn desk_blocks(paper: &Paper) -> Vec<bool> {
    let (cols, rows) = (paper.cols, paper.rows);
    let mut levels = paper.level.clone();
    if levels.is_empty() {
        return Vec::new();
    }
    let k = (levels.len() - 1) * 9 / 10;
    let (_, &mut sheet, _) = levels.select_nth_unstable_by(k, f32::total_cmp);
    let dark: Vec<bool> = paper
        .level
        .iter()
        .map(|&v| v < DESK_FRACTION * sheet)
        .collect();
    let mut desk = vec![false; cols * rows];
    let mut stack: Vec<usize> = (0..cols * rows)
        .filter(|&i| {
            let (r, c) = (i / cols, i % cols);
            (r == 0 || c == 0 || r == rows - 1 || c == cols - 1) && dark[i]
        })
        .collect();
    while let Some(i) = stack.pop() {
        if desk[i] {
            continue;
        }
        desk[i] = true;
        let (r, c) = (i / cols, i % cols);
        let mut visit = |rr: usize, cc: usize| {
            let j = rr * cols + cc;
            if dark[j] && !desk[j] {
                stack.push(j);
            }
        };
        if r > 0 {
            visit(r - 1, c);
        }
        if r + 1 < rows {
            visit(r + 1, c);
        }
        if c > 0 {
            visit(r, c - 1);
        }
        if c + 1 < cols {
            visit(r, c + 1);
        }
    }
    desk
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paper(level: Vec<f32>, cols: usize) -> Paper {
        Paper {
            block: 2,
            cols,
            rows: level.len() / cols,
            level,
        }
    }

    #[test]
    fn the_dark_rim_is_desk_and_a_dark_patch_inside_is_not() {
        // 10×10 blocks: a dark rim one block wide, one dark block in the middle.
        let mut level = vec![0.9f32; 100];
        for (i, v) in level.iter_mut().enumerate() {
            let (r, c) = (i / 10, i % 10);
            if r == 0 || c == 0 || r == 9 || c == 9 || (r, c) == (5, 5) {
                *v = 0.2;
            }
        }
        let desk = desk_blocks(&paper(level.clone(), 10));
        assert!(desk[0] && desk[9] && desk[99]);
        assert!(!desk[55] && !desk[44]);
        let mask = desk_mask(&paper(level, 10), 20, 20);
        // The margin reaches two blocks in from the rim, not the middle.
        assert!(mask[5 * 20 + 5] && !mask[10 * 20 + 10]);
        // A bright page has no desk.
        assert!(!desk_mask(&paper(vec![0.9; 100], 10), 20, 20)
            .iter()
            .any(|&d| d));
    }

    /// A light desk (0.45) left of column 20, paper (0.9) right of it: a
    /// thin dark strip on the boundary is the sheet's edge; the same strip
    /// on the paper (an I), a strip in a soft shadow's gradient and a
    /// letter-shaped box are not.
    #[test]
    fn the_sheets_edge_has_the_desk_on_one_side() {
        let (w, h) = (80, 70);
        let mut grey = Grey::filled(w, h, 0.9);
        for y in 0..h {
            for x in 0..w {
                let v = if x < 20 {
                    0.45
                } else if x >= 60 {
                    // A soft shadow's edge: the paper darkens by a third over 20 columns.
                    0.9 - 0.3 * ((x - 60) as f32 / 20.0)
                } else {
                    0.9
                };
                grey.data[y * w + x] = v;
            }
        }
        assert!(is_sheet_edge(&grey, [10, 20, 60, 23], 4));
        assert!(!is_sheet_edge(&grey, [10, 40, 60, 43], 4));
        assert!(!is_sheet_edge(&grey, [10, 68, 60, 71], 4));
        assert!(!is_sheet_edge(&grey, [10, 20, 60, 50], 4));
    }

    /// A strip of dark desk (shade 0.12) down the left of the page, paper
    /// right of it and a shadow (0.6) at the bottom: a fleck in the strip
    /// lies on the desk; a letter on the paper, one in the shadow and one
    /// written against the desk's edge do not.
    #[test]
    fn a_fleck_in_the_desk_lies_on_it_and_letters_do_not() {
        let (w, h) = (100, 100);
        let shade: Vec<f32> = (0..w * h)
            .map(|i| match (i / w, i % w) {
                (_, x) if x < 15 => 0.12,
                (y, _) if y >= 70 => 0.6,
                _ => 1.0,
            })
            .collect();
        assert!(lies_on_desk(&shade, w, h, [30, 4, 50, 10], 4));
        assert!(!lies_on_desk(&shade, w, h, [30, 40, 50, 55], 4));
        assert!(!lies_on_desk(&shade, w, h, [75, 40, 95, 55], 4));
        assert!(!lies_on_desk(&shade, w, h, [30, 16, 50, 30], 4));
        assert!(!lies_on_desk(&shade, w, h, [0, 0, 0, 0], 0));
    }
}
