//! Ruled lines: the printed lines of notebook paper (and the sheet's own
//! straight edges) are ink to the binariser when they are dark enough, and
//! they join every letter that sits on them into one page-wide component,
//! so a whole line of writing is lost or read as a row of T's. They are
//! found as what handwriting never is, a thin straight band whose ink runs
//! across most of the page, and erased from the ink mask before components
//! are labelled, except where a pen stroke crosses them.
//!
//! Finding them: every ink pixel votes, for each slope in ±[`MAX_SLOPE`]
//! (a tilted sheet), for the band `y − slope·x` it lies in; a band with ink
//! in at least [`RULE_COVERAGE`] of the page's columns is a rule. A line of
//! text crosses a band with its strokes only here and there (about a
//! third of the columns at most), so it never counts as one.
//!
//! Erasing them: in each column the ink of the band goes, unless it runs
//! on above or below the band (a stroke crossing the rule) or is clearly
//! darker than the rule itself (a pen stroke lying along it, the bar of a
//! T written on the line).

/// Slopes tried: a sheet tilted by up to about 4°.
const MAX_SLOPE: f32 = 0.07;
const SLOPE_STEP: f32 = 0.0025;
/// Bands are this many pixels tall.
const BAND: usize = 2;
/// A band with ink in at least this fraction of the columns is a rule.
const RULE_COVERAGE: f32 = 0.5;
/// Where the ink at a column runs vertically further than the band (and
/// this many pixels) above or below it, a stroke crosses the rule there and
/// its pixels stay.
const CROSSING: usize = 2;
/// Ink darker than this fraction of the rule's typical grey is pen, not rule.
const PEN_DARKER: f32 = 0.75;

/// Erases the ruled lines of an ink mask (1 = ink, row-major) of the page
/// `grey` (the same size) in place; returns how many rules were found.
pub fn erase_rules(mask: &mut [u8], grey: &[f32], width: usize, height: usize) -> usize {
    if width < 8 || height < 8 {
        return 0;
    }
    let steps = (MAX_SLOPE / SLOPE_STEP).round() as i32;
    let slopes: Vec<f32> = (-steps..=steps).map(|k| k as f32 * SLOPE_STEP).collect();
    // Band index of (x, y) for a slope: (y − slope·x) / BAND, shifted to ≥ 0.
    let offset = (MAX_SLOPE * width as f32).ceil() as i64 + 1;
    let bands = ((height as i64 + 2 * offset) as usize).div_ceil(BAND) + 1;
    let band_of = |slope: f32, x: usize, y: usize| -> usize {
        let v = y as f32 - slope * x as f32 + offset as f32;
        (v.max(0.0) as usize) / BAND
    };
    // Columns with ink in each (slope, band): counted once per column.
    let mut covered = vec![0u32; slopes.len() * bands];
    let mut last_x = vec![usize::MAX; slopes.len() * bands];
    // The ink pixels column by column (the mask is row-major; reading it
    // down its columns would miss the cache at every pixel).
    let mut per_column = vec![0usize; width + 1];
    for row in mask.chunks_exact(width) {
        for (x, &m) in row.iter().enumerate() {
            per_column[x + 1] += usize::from(m != 0);
        }
    }
    for x in 0..width {
        per_column[x + 1] += per_column[x];
    }
    let mut ink = vec![(0usize, 0usize); per_column[width]];
    let mut next = per_column.clone();
    for (y, row) in mask.chunks_exact(width).enumerate() {
        for (x, &m) in row.iter().enumerate() {
            if m != 0 {
                ink[next[x]] = (x, y);
                next[x] += 1;
            }
        }
    }
    for &(x, y) in &ink {
        for (s, &slope) in slopes.iter().enumerate() {
            let k = s * bands + band_of(slope, x, y);
            if last_x[k] != x {
                last_x[k] = x;
                covered[k] += 1;
            }
        }
    }
    // A rule is seen in neighbouring slopes and bands too: the best-covered
    // band is taken, and any other whose middle is within two bands of a
    // taken one's (at the page's centre column) is the same rule.
    let needed = (RULE_COVERAGE * width as f32) as u32;
    let mut candidates: Vec<(u32, usize, usize)> = covered
        .iter()
        .enumerate()
        .filter(|&(_, &c)| c >= needed)
        .map(|(k, &c)| (c, k / bands, k % bands))
        .collect();
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let middle =
        |slope: f32, band: usize| (band * BAND) as f32 + slope * (width / 2) as f32 - offset as f32;
    let mut rules: Vec<(f32, usize)> = Vec::new();
    for (_, s, b) in candidates {
        let y = middle(slopes[s], b);
        if rules
            .iter()
            .all(|&(slope, band)| (middle(slope, band) - y).abs() > (2 * BAND) as f32)
        {
            rules.push((slopes[s], b));
        }
    }
    for &(slope, band) in &rules {
        erase_band(mask, grey, width, height, slope, band, offset);
    }
    rules.len()
}

/// Erases the ink within one band (and one band above and below, for the
/// rule's thickness and the slope's coarseness), column by column, unless
/// the column's ink runs on beyond it (a stroke crossing the rule) or is
/// darker than the rule's typical grey by [`PEN_DARKER`].
fn erase_band(
    mask: &mut [u8],
    grey: &[f32],
    width: usize,
    height: usize,
    slope: f32,
    band: usize,
    offset: i64,
) {
    let reach = BAND as f32 * 1.5;
    // The run of ink through the band in each column, when nothing crosses.
    let runs: Vec<(usize, usize, usize)> = (0..width)
        .filter_map(|x| {
            let centre =
                (band * BAND) as f32 + BAND as f32 / 2.0 + slope * x as f32 - offset as f32;
            let top = (centre - reach).floor().max(0.0) as usize;
            let bottom = ((centre + reach).ceil().max(0.0) as usize).min(height);
            let ink = |y: usize| mask[y * width + x] != 0;
            let first = (top..bottom).find(|&y| ink(y))?;
            let last = (top..bottom).rev().find(|&y| ink(y)).unwrap_or(first);
            let mut up = first;
            while up > 0 && ink(up - 1) {
                up -= 1;
            }
            let mut down = last;
            while down + 1 < height && ink(down + 1) {
                down += 1;
            }
            let crossing = first - up > CROSSING || down - last > CROSSING;
            (!crossing).then_some((x, up, down))
        })
        .collect();
    let mut greys: Vec<f32> = runs
        .iter()
        .flat_map(|&(x, up, down)| (up..=down).map(move |y| grey[y * width + x]))
        .collect();
    if greys.is_empty() {
        return;
    }
    let middle = greys.len() / 2;
    let (_, &mut rule_grey, _) = greys.select_nth_unstable_by(middle, f32::total_cmp);
    for (x, up, down) in runs {
        for y in up..=down {
            if grey[y * width + x] >= PEN_DARKER * rule_grey {
                mask[y * width + x] = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page with two tilted rules and two "letters" (vertical bars and a
    /// box) sitting on and crossing them.
    fn page(width: usize, height: usize) -> Vec<u8> {
        let mut mask = vec![0u8; width * height];
        for x in 0..width {
            for rule in [40.0f32, 100.0] {
                let y = (rule + 0.03 * x as f32) as usize;
                for dy in 0..2 {
                    mask[(y + dy) * width + x] = 1;
                }
            }
        }
        // A bar crossing the first rule, a box standing on the second.
        for y in 20..60 {
            for x in 50..53 {
                mask[y * width + x] = 1;
            }
        }
        for y in 80..104 {
            for x in [120, 121, 140, 141] {
                mask[y * width + x] = 1;
            }
        }
        mask
    }

    #[test]
    fn rules_are_erased_and_crossing_strokes_kept() {
        let (w, h) = (200, 140);
        let mut mask = page(w, h);
        let grey: Vec<f32> = mask
            .iter()
            .map(|&m| if m == 1 { 0.4 } else { 0.9 })
            .collect();
        assert_eq!(erase_rules(&mut mask, &grey, w, h), 2);
        // No ink left far from the letters.
        for x in (0..40).chain(175..200) {
            assert!(
                (0..h).all(|y| mask[y * w + x] == 0),
                "column {x} still inked"
            );
        }
        // The crossing bar is whole.
        assert!((20..60).all(|y| mask[y * w + 51] == 1));
        // The box's sides are kept.
        assert!((80..100).all(|y| mask[y * w + 120] == 1 && mask[y * w + 140] == 1));
    }

    #[test]
    fn a_line_of_letters_is_not_a_rule() {
        // Letters (two stems, a top bar on every third, as T, E or F would
        // have among others) along one line.
        let (w, h) = (200, 60);
        let mut mask = vec![0u8; w * h];
        for letter in 0..10 {
            let x0 = 5 + letter * 19;
            for y in 10..40 {
                for x in [x0, x0 + 1, x0 + 2, x0 + 10, x0 + 11] {
                    mask[y * w + x] = 1;
                }
            }
            if letter % 3 == 0 {
                for x in x0..x0 + 12 {
                    mask[10 * w + x] = 1;
                }
            }
        }
        let before = mask.clone();
        let grey = vec![0.5; w * h];
        assert_eq!(erase_rules(&mut mask, &grey, w, h), 0);
        assert_eq!(mask, before);
    }
}
