//! What is not writing at the edge of a photo: the desk around the sheet.
//!
//! The desk is recognised on the coarse paper estimate (strokes already
//! closed away): blocks darker than [`DESK_FRACTION`] of the bright sheet
//! that are joined to the photo's border through other such blocks. A shadow
//! on the sheet is lighter than that, and a dark patch inside the sheet does
//! not reach the border. The desk and a margin of [`DESK_MARGIN_BLOCKS`]
//! around it (where the sheet's edge meets it) are never ink, so neither the
//! edge nor a thin strip of desk along the photo's border gets a box.

use super::binarize::Paper;

/// A block is desk when its paper level is below this fraction of the
/// sheet's (the 90th percentile of the blocks).
const DESK_FRACTION: f32 = 0.4;
/// The desk is widened by this many blocks to swallow the sheet's edge.
const DESK_MARGIN_BLOCKS: usize = 2;

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
    let mut mask = vec![false; width * height];
    for y in 0..height {
        let row = (y / paper.block) * cols;
        for x in 0..width {
            mask[y * width + x] = wide[row + x / paper.block];
        }
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
}
