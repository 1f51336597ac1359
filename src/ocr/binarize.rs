//! Ink versus paper under uneven light. The paper's brightness is estimated
//! at a coarse scale (block means, then a grey closing, i.e. a maximum filter
//! wider than any pen stroke followed by a minimum filter of the same size,
//! which removes strokes but keeps the edge of a page or a shadow where it
//! is, then a light blur) and divided out, so a shadow or a vignette leaves the
//! paper at ≈ 1 and only strokes darker than [`INK_THRESHOLD`] × the local
//! paper count as ink. Faint show-through from the back of the sheet stays
//! above the threshold. On faint writing the threshold rises, and the
//! lighter stretches of a stroke that continue its ink are kept
//! ([`keep_light_strokes`]).

use super::border::desk_mask;
use super::filters::{gaussian_blur, max_filter, min_filter};
use super::page::Grey;
use super::rules::erase_rules_and_margins;
use super::stroke_core::stroke_cores;

/// A pixel is ink when it is darker than this fraction of the local paper.
pub const INK_THRESHOLD: f32 = 0.75;
/// Pixels darker than this fraction of the paper may be ink, faint or not.
const FAINT_INK: f32 = 0.9;
/// With fewer such pixels the page is blank and the threshold stays put.
const MIN_INK_PIXELS: usize = 500;
/// The page is smoothed with this σ (working pixels) before thresholding.
const DENOISE_SIGMA: f32 = 1.0;
/// Paper is estimated on blocks of about (longer side / this) pixels.
const BLOCKS_PER_SIDE: usize = 256;
/// The maximum filter spans this many blocks either side.
const PAPER_RADIUS_BLOCKS: usize = 3;

/// The paper's brightness on a coarse grid of `block × block` cells: the
/// block means closed (maximum then minimum filter) so strokes vanish but
/// page edges and shadows stay where they are.
#[derive(Clone, Debug)]
pub struct Paper {
    pub block: usize,
    pub cols: usize,
    pub rows: usize,
    /// Row-major, `cols × rows`.
    pub level: Vec<f32>,
}

/// Estimates the paper's brightness of a page (see [`Paper`]).
pub fn estimate_paper(grey: &Grey) -> Paper {
    let (w, h) = (grey.width, grey.height);
    let block = (w.max(h) / BLOCKS_PER_SIDE).max(4);
    let (bw, bh) = (w.div_ceil(block), h.div_ceil(block));
    let mut means = vec![0.0f32; bw * bh];
    let mut counts = vec![0u32; bw * bh];
    for y in 0..h {
        let row = &grey.data[y * w..(y + 1) * w];
        let base = (y / block) * bw;
        for (x, &v) in row.iter().enumerate() {
            means[base + x / block] += v;
            counts[base + x / block] += 1;
        }
    }
    means
        .iter_mut()
        .zip(&counts)
        .for_each(|(m, &c)| *m /= c.max(1) as f32);
    let paper = max_filter(&means, bw, bh, PAPER_RADIUS_BLOCKS);
    let level = min_filter(&paper, bw, bh, PAPER_RADIUS_BLOCKS);
    Paper {
        block,
        cols: bw,
        rows: bh,
        level,
    }
}

/// The page divided by its paper brightness (paper ≈ 1, ink well below).
pub fn normalise_paper(grey: &Grey) -> Vec<f32> {
    if grey.width == 0 || grey.height == 0 {
        return Vec::new();
    }
    normalise_with(grey, &estimate_paper(grey))
}

fn normalise_with(grey: &Grey, paper: &Paper) -> Vec<f32> {
    let (w, h) = (grey.width, grey.height);
    let (block, bw, bh) = (paper.block, paper.cols, paper.rows);
    let paper = gaussian_blur(&paper.level, bw, bh, 1.0);
    let smooth = gaussian_blur(&grey.data, w, h, DENOISE_SIGMA);
    // Bilinear interpolation of the coarse paper estimate at each pixel centre.
    let axis = |n: usize, cells: usize| -> Vec<(usize, usize, f32)> {
        (0..n)
            .map(|i| {
                let t = ((i as f32 + 0.5) / block as f32 - 0.5).clamp(0.0, (cells - 1) as f32);
                let i0 = t.floor() as usize;
                (i0, (i0 + 1).min(cells - 1), t - i0 as f32)
            })
            .collect()
    };
    let (xs, ys) = (axis(w, bw), axis(h, bh));
    let mut out = vec![0.0f32; w * h];
    let mut paper_row = vec![0.0f32; bw];
    for (y, &(y0, y1, fy)) in ys.iter().enumerate() {
        for (bx, p) in paper_row.iter_mut().enumerate() {
            *p = paper[y0 * bw + bx] * (1.0 - fy) + paper[y1 * bw + bx] * fy;
        }
        let src = &smooth[y * w..(y + 1) * w];
        let dst = &mut out[y * w..(y + 1) * w];
        for (x, &(x0, x1, fx)) in xs.iter().enumerate() {
            let p = paper_row[x0] * (1.0 - fx) + paper_row[x1] * fx;
            dst[x] = src[x] / p.max(1e-3);
        }
    }
    out
}

/// The ink mask of a page: 1 where there is ink, 0 on paper. The desk
/// around the sheet (see [`super::border`]) is never ink, and the threshold
/// follows the ink: for faint writing (pencil) it rises to half-way between
/// the paper and the typical stroke, never below [`INK_THRESHOLD`].
pub fn ink_mask(grey: &Grey) -> Vec<u8> {
    find_ink(grey).mask
}

/// What [`find_ink`] sees on a page.
#[derive(Clone, Debug, Default)]
pub struct Ink {
    /// 1 where there is ink, 0 on paper (row-major), as [`ink_mask`].
    pub mask: Vec<u8>,
    /// The page divided by its paper, smoothed: paper ≈ 1, ink darker.
    pub shade: Vec<f32>,
    /// Whether the writing is faint, so the threshold rose above
    /// [`INK_THRESHOLD`] and the mask holds the strokes' grey halo too.
    pub faint: bool,
}

/// The ink mask of a page (see [`ink_mask`]) with the shade it was cut from.
pub fn find_ink(grey: &Grey) -> Ink {
    if grey.width == 0 || grey.height == 0 {
        return Ink::default();
    }
    let paper = estimate_paper(grey);
    let desk = desk_mask(&paper, grey.width, grey.height);
    let normalised = normalise_with(grey, &paper);
    // Thin desk strips along the photo's border are no guide to the ink.
    let (w, h, band) = (grey.width, grey.height, 2 * paper.block);
    let judged: Vec<bool> = desk
        .chunks_exact(w)
        .enumerate()
        .flat_map(|(y, row)| {
            let inner_row = y >= band && y + band < h;
            row.iter()
                .enumerate()
                .map(move |(x, &d)| !d && inner_row && x >= band && x + band < w)
        })
        .collect();
    let threshold = ink_threshold(&normalised, &judged);
    let mut mask: Vec<u8> = normalised
        .iter()
        .zip(&desk)
        .map(|(&v, &d)| u8::from(v < threshold && !d))
        .collect();
    let faint = threshold > INK_THRESHOLD;
    if faint {
        let mut light: Vec<u8> = normalised
            .iter()
            .zip(&desk)
            .zip(&mask)
            .map(|((&v, &d), &m)| u8::from(v < FAINT_INK && !d && m == 0))
            .collect();
        // Printed rules are as pale as pencil; erased first, they are not
        // followed from every letter they cross.
        erase_rules_and_margins(&mut light, &grey.data, w, h);
        light.iter_mut().zip(&mask).for_each(|(l, &m)| *l |= m);
        // Reach: the paper's block, a 256th of the longer side, about a stroke.
        keep_light_strokes(&mut mask, &normalised, &light, w, h, paper.block.max(2));
    }
    Ink {
        mask,
        shade: normalised,
        faint,
    }
}

/// On faint writing the raised threshold cuts a stroke where the pencil
/// pressed lighter (the left side of an O, the bar of a T), and the letter
/// loses it. Lighter ink (in `light`, which holds the ink and what else is
/// darker than [`FAINT_INK`] off the desk, printed rules erased) is kept
/// where it continues the ink, 8-connected to it as in hysteresis
/// thresholding, and is a stroke's own core ([`stroke_cores`]: at least
/// [`super::stroke_core::CORE`] × as dark as the darkest ink within
/// `reach` pixels): the grey halo beside a dark stroke stays paper.
fn keep_light_strokes(
    mask: &mut [u8],
    normalised: &[f32],
    light: &[u8],
    width: usize,
    height: usize,
    reach: usize,
) {
    let cores = stroke_cores(light, normalised, width, height, reach);
    let mut frontier: Vec<usize> = (0..mask.len()).filter(|&i| mask[i] != 0).collect();
    while let Some(i) = frontier.pop() {
        let (x, y) = (i % width, i / width);
        for ny in y.saturating_sub(1)..(y + 2).min(height) {
            for nx in x.saturating_sub(1)..(x + 2).min(width) {
                let j = ny * width + nx;
                if mask[j] == 0 && cores[j] != 0 {
                    mask[j] = 1;
                    frontier.push(j);
                }
            }
        }
    }
}

/// Half-way between paper (1) and the typical stroke core (the 20th
/// percentile of the `judged` pixels darker than [`FAINT_INK`]), but at
/// least [`INK_THRESHOLD`].
fn ink_threshold(normalised: &[f32], judged: &[bool]) -> f32 {
    let mut dark: Vec<f32> = normalised
        .iter()
        .zip(judged)
        .filter(|(&v, &j)| v < FAINT_INK && j)
        .map(|(&v, _)| v)
        .collect();
    if dark.len() < MIN_INK_PIXELS {
        return INK_THRESHOLD;
    }
    let k = dark.len() / 5;
    let (_, &mut core, _) = dark.select_nth_unstable_by(k, f32::total_cmp);
    (0.5 * (1.0 + core)).max(INK_THRESHOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page that darkens from left to right, with one dark stroke.
    fn shaded_page_with_stroke() -> Grey {
        let (w, h) = (400, 300);
        let mut g = Grey::filled(w, h, 0.0);
        for y in 0..h {
            for x in 0..w {
                let paper = 0.9 - 0.5 * x as f32 / w as f32;
                let stroke = (200..206).contains(&x) && (100..200).contains(&y);
                g.data[y * w + x] = if stroke { paper * 0.3 } else { paper };
            }
        }
        g
    }

    #[test]
    fn a_shadow_is_paper_and_a_stroke_is_ink() {
        let g = shaded_page_with_stroke();
        let mask = ink_mask(&g);
        let ink: usize = mask.iter().map(|&m| m as usize).sum();
        assert!(mask[150 * 400 + 202] == 1, "the stroke is ink");
        assert!(
            mask[150 * 400 + 390] == 0,
            "the dark side of the page is paper"
        );
        assert!((400..=1000).contains(&ink), "only the stroke is ink: {ink}");
    }

    /// A pencil stroke that lightens down its length (darkness 0.4 at the
    /// top, 0.12 from row 28) beside a dark stroke with a pale halo (0.12)
    /// and a pale smudge of its own. A threshold at 0.15 cuts the pencil
    /// stroke at row 25; its lighter end continues it and is kept, the
    /// halo and the smudge stay paper.
    #[test]
    fn a_stroke_pressed_lighter_is_kept_whole_but_not_a_halo() {
        let (w, h) = (40, 40);
        let darkness = |x: usize, y: usize| -> f32 {
            match x {
                9..=11 => (0.4 - 0.01 * y as f32).max(0.12),
                29..=31 => 0.5,
                28 | 32 => 0.12,
                20 if (5..10).contains(&y) => 0.12,
                _ => 0.0,
            }
        };
        let normalised: Vec<f32> = (0..w * h).map(|i| 1.0 - darkness(i % w, i / w)).collect();
        let mut mask: Vec<u8> = normalised.iter().map(|&v| u8::from(v < 0.85)).collect();
        let ink = |mask: &[u8], x: usize, y: usize| mask[y * w + x] != 0;
        assert!(
            ink(&mask, 10, 20) && !ink(&mask, 10, 35),
            "the threshold cuts the stroke"
        );
        let light: Vec<u8> = normalised
            .iter()
            .map(|&v| u8::from(v < FAINT_INK))
            .collect();
        keep_light_strokes(&mut mask, &normalised, &light, w, h, 3);
        assert!(
            (25..40).all(|y| ink(&mask, 10, y)),
            "the lighter end is kept"
        );
        assert!(
            (0..40).all(|y| !ink(&mask, 32, y) && !ink(&mask, 28, y)),
            "the halo is paper"
        );
        assert!(!ink(&mask, 20, 7), "the smudge touches no ink");
    }

    #[test]
    fn a_blank_page_has_no_ink() {
        let g = Grey::filled(300, 200, 0.8);
        assert!(ink_mask(&g).iter().all(|&m| m == 0));
        assert!(ink_mask(&Grey::filled(0, 0, 1.0)).is_empty());
    }
}
