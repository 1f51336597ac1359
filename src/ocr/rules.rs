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
//! in at least [`RULE_COVERAGE`] of the page's columns is a rule. On a photo
//! taken askew (up to [`MAX_TURN`]) the slopes tried are centred on the
//! page's dominant slope, found first by a coarse vote of a quarter of the
//! ink ([`dominant_slope`]): rules, ink in every column, dominate it. A line of
//! text crosses a band with its strokes only here and there (about a
//! third of the columns at most), so it never counts as one.
//!
//! A notebook's margin line is the same thing standing up: it is found and
//! erased on the transposed page ([`erase_rules_and_margins`]), where its
//! band has ink in half the page's rows and a letter written against it
//! crosses it with a stroke.
//!
//! Erasing them: in each column the ink of the band goes, unless it runs
//! on above or below it further than the rule is thick (a stroke crossing
//! the rule) or is clearly darker than the rule itself (a pen stroke lying
//! along it, the bar of a T written on the line). A printed rule is 0.2–0.5
//! mm wide, 4–9 pixels of a phone photo read at full resolution: its
//! thickness is measured, not assumed.

/// Slopes tried: a sheet tilted by up to about 4° (either side of the
/// dominant slope).
const MAX_SLOPE: f32 = 0.07;
const SLOPE_STEP: f32 = 0.0025;
/// The coarse search for the dominant slope: a photo turned by up to about 12°.
const MAX_TURN: f32 = 0.21;
const TURN_STEP: f32 = 0.01;
/// ... on bands this many pixels tall, with every this-many-th ink pixel.
const TURN_BAND: f32 = 4.0;
const TURN_SAMPLE: usize = 4;
/// Bands are this many pixels tall.
const BAND: usize = 2;
/// A band with ink in at least this fraction of the columns is a rule.
const RULE_COVERAGE: f32 = 0.5;
/// Where the ink at a column runs vertically further than the rule's
/// typical thickness and this many pixels above and below it, a stroke
/// crosses the rule there and its pixels stay.
const CROSSING: usize = 2;
/// A margin line runs unbroken for at least this many times its thickness.
const LONG_AND_THIN: f32 = 30.0;
/// Ink darker than this fraction of the rule's typical grey is pen, not rule.
const PEN_DARKER: f32 = 0.75;

/// Erases the ruled lines and then the vertical ones
/// (a margin line, found the same way on the transposed page) of an ink
/// mask of the page `grey`; returns how many lines were found.
pub fn erase_rules_and_margins(
    mask: &mut [u8],
    grey: &[f32],
    width: usize,
    height: usize,
) -> usize {
    let centre = centre_slope(mask, width, height);
    let rules = erase_lines(mask, grey, width, height, false, centre);
    // A margin line has ink in every row it runs through: without half the
    // rows inked in one unbroken run (lines of writing with blank rows
    // between them), there is none to look for.
    let mut run = 0usize;
    let mut longest = 0usize;
    for row in mask.chunks_exact(width) {
        run = if row.contains(&1) { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if (longest as f32) < RULE_COVERAGE * height as f32 {
        return rules;
    }
    let mut standing = transposed(mask, width, height);
    // A turned page's vertical lines, transposed, slope the other way.
    let margins = erase_lines(
        &mut standing,
        &transposed(grey, width, height),
        height,
        width,
        true,
        -centre,
    );
    if margins > 0 {
        mask.copy_from_slice(&transposed(&standing, height, width));
    }
    rules + margins
}

/// The row-major `width × height` image `values` as a `height × width` one.
fn transposed<T: Copy + Default>(values: &[T], width: usize, height: usize) -> Vec<T> {
    let mut out = vec![T::default(); values.len()];
    for (y, row) in values.chunks_exact(width).enumerate() {
        for (x, &v) in row.iter().enumerate() {
            out[x * height + y] = v;
        }
    }
    out
}

/// Erases the ruled lines of an ink mask (1 = ink, row-major) of the page
/// `grey` (the same size) in place, not the margin lines; returns how many
/// rules were found.
#[cfg(test)]
fn erase_rules(mask: &mut [u8], grey: &[f32], width: usize, height: usize) -> usize {
    let centre = centre_slope(mask, width, height);
    erase_lines(mask, grey, width, height, false, centre)
}

/// The slope the fine search is centred on: the page's dominant slope when
/// it lies beyond half the fine search's reach (a photo taken askew), else
/// level, so that a page photographed straight is searched as it always was.
fn centre_slope(mask: &[u8], width: usize, height: usize) -> f32 {
    let dominant = dominant_slope(mask, width, height);
    if dominant.abs() > MAX_SLOPE / 2.0 {
        dominant
    } else {
        0.0
    }
}

/// The slope within ±[`MAX_TURN`] along which a quarter of the ink piles up
/// most (the sum of squared counts of [`TURN_BAND`]-pixel bands): the rules'
/// slope on ruled paper, the lines of writing's otherwise.
fn dominant_slope(mask: &[u8], width: usize, height: usize) -> f32 {
    if width == 0 || height == 0 {
        return 0.0;
    }
    let ink: Vec<(f32, f32)> = mask
        .iter()
        .enumerate()
        .filter(|&(_, &m)| m != 0)
        .step_by(TURN_SAMPLE)
        .map(|(i, _)| ((i % width) as f32, (i / width) as f32))
        .collect();
    let reach = (MAX_TURN * width as f32).ceil() + 1.0;
    let bands = ((height as f32 + 2.0 * reach) / TURN_BAND) as usize + 1;
    let mut counts = vec![0u32; bands];
    let steps = (MAX_TURN / TURN_STEP).round() as i32;
    let mut best = (0u64, 0.0f32);
    for k in -steps..=steps {
        let slope = k as f32 * TURN_STEP;
        counts.fill(0);
        for &(x, y) in &ink {
            let band = ((y - slope * x + reach).max(0.0) / TURN_BAND) as usize;
            counts[band.min(bands - 1)] += 1;
        }
        let peaked: u64 = counts.iter().map(|&c| u64::from(c) * u64::from(c)).sum();
        // Ties go to the slope nearest level.
        if peaked > best.0 || (peaked == best.0 && slope.abs() < best.1.abs()) {
            best = (peaked, slope);
        }
    }
    best.1
}

/// Erases the lines lying along slopes centred on `centre`; with `unbroken`, a
/// line must run unbroken across
/// [`RULE_COVERAGE`] of the columns and [`LONG_AND_THIN`] times its own
/// thickness (a margin line does; on a page of a single line of writing,
/// a letter's stem can cover half the height, in one short thick run).
fn erase_lines(
    mask: &mut [u8],
    grey: &[f32],
    width: usize,
    height: usize,
    unbroken: bool,
    centre: f32,
) -> usize {
    if width < 8 || height < 8 {
        return 0;
    }
    let steps = (MAX_SLOPE / SLOPE_STEP).round() as i32;
    let slopes: Vec<f32> = (-steps..=steps)
        .map(|k| centre + k as f32 * SLOPE_STEP)
        .collect();
    // Band index of (x, y) for a slope: (y − slope·x) / BAND, shifted to ≥ 0.
    let offset = ((centre.abs() + MAX_SLOPE) * width as f32).ceil() as i64 + 1;
    let bands = ((height as i64 + 2 * offset) as usize).div_ceil(BAND) + 1;
    let band_of = |slope: f32, x: usize, y: usize| -> usize {
        let v = y as f32 - slope * x as f32 + offset as f32;
        (v.max(0.0) as usize) / BAND
    };
    let mut tallies = vec![Tally::default(); slopes.len() * bands];
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
            tallies[s * bands + band_of(slope, x, y)].count(x as u32);
        }
    }
    // A rule is seen in neighbouring slopes and bands too: the best-covered
    // band is taken, and any other whose middle is within two bands of a
    // taken one's (at the page's centre column) is the same rule.
    let needed = (RULE_COVERAGE * width as f32) as u32;
    let mut candidates: Vec<(u32, usize, usize)> = tallies
        .iter()
        .map(|t| if unbroken { t.longest } else { t.covered })
        .enumerate()
        .filter(|&(_, c)| c >= needed)
        .map(|(k, c)| (c, k / bands, k % bands))
        .collect();
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let middle =
        |slope: f32, band: usize| (band * BAND) as f32 + slope * (width / 2) as f32 - offset as f32;
    let mut rules: Vec<Rule> = Vec::new();
    for (length, s, band) in candidates {
        let y = middle(slopes[s], band);
        if rules
            .iter()
            .all(|r| (middle(r.slope, r.band) - y).abs() > (2 * BAND) as f32)
        {
            rules.push(Rule {
                slope: slopes[s],
                band,
                length,
            });
        }
    }
    let search = Search { offset, unbroken };
    rules
        .into_iter()
        .filter(|&rule| erase_band(mask, grey, width, height, rule, search))
        .count()
}

/// The columns with ink in one (slope, band), counted once per column as
/// the ink is visited column by column, and their longest unbroken run.
#[derive(Clone, Copy)]
struct Tally {
    covered: u32,
    longest: u32,
    run: u32,
    last_x: u32,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            covered: 0,
            longest: 0,
            run: 0,
            last_x: u32::MAX,
        }
    }
}

impl Tally {
    fn count(&mut self, x: u32) {
        if self.last_x != x {
            self.run = if self.last_x.wrapping_add(1) == x {
                self.run + 1
            } else {
                1
            };
            self.longest = self.longest.max(self.run);
            self.last_x = x;
            self.covered += 1;
        }
    }
}

/// What [`erase_band`] needs to know of the search: the band numbering's
/// offset, and whether lines must be long and thin ([`erase_lines`]).
#[derive(Clone, Copy)]
struct Search {
    offset: i64,
    unbroken: bool,
}

/// A line the search found: its slope, its band, and how many columns it
/// covers (its longest unbroken run, for an unbroken search).
#[derive(Clone, Copy)]
struct Rule {
    slope: f32,
    band: usize,
    length: u32,
}

/// Erases the vertical run of ink through one band (found within one band
/// above and below, for the slope's coarseness), column by column, unless
/// the run is longer than the rule is thick (a stroke crossing the rule)
/// or darker than the rule's typical grey by [`PEN_DARKER`].
/// With `search.unbroken`, a rule whose unbroken `length` is under
/// [`LONG_AND_THIN`] times its thickness is left alone. Returns whether the
/// band was erased.
fn erase_band(
    mask: &mut [u8],
    grey: &[f32],
    width: usize,
    height: usize,
    rule: Rule,
    search: Search,
) -> bool {
    let Rule {
        slope,
        band,
        length,
    } = rule;
    let offset = search.offset;
    let reach = BAND as f32 * 1.5;
    // Each column's run of ink through the band: (x, top, bottom) and how
    // far it reaches above and below the band's centre.
    let runs: Vec<(usize, usize, usize, f32, f32)> = (0..width)
        .filter_map(|x| {
            let centre =
                (band * BAND) as f32 + BAND as f32 / 2.0 + slope * x as f32 - offset as f32;
            let top = (centre - reach).floor().max(0.0) as usize;
            let bottom = ((centre + reach).ceil().max(0.0) as usize).min(height);
            let ink = |y: usize| mask[y * width + x] != 0;
            let first = (top..bottom).find(|&y| ink(y))?;
            let mut up = first;
            while up > 0 && ink(up - 1) {
                up -= 1;
            }
            let mut down = first;
            while down + 1 < height && ink(down + 1) {
                down += 1;
            }
            Some((x, up, down, centre - up as f32, down as f32 + 1.0 - centre))
        })
        .collect();
    // The rule's own edges are where its runs typically end (a printed
    // line can be thicker than the band at a photo's full resolution); a
    // run reaching further is a stroke crossing it or standing on it.
    let (Some(above), Some(below)) = (
        median(runs.iter().map(|r| r.3).collect()),
        median(runs.iter().map(|r| r.4).collect()),
    ) else {
        return false;
    };
    if search.unbroken && (length as f32) < LONG_AND_THIN * (above + below) {
        return false;
    }
    let slack = CROSSING as f32;
    let runs: Vec<(usize, usize, usize)> = runs
        .into_iter()
        .filter(|r| r.3 <= above + slack && r.4 <= below + slack)
        .map(|(x, up, down, _, _)| (x, up, down))
        .collect();
    let greys: Vec<f32> = runs
        .iter()
        .flat_map(|&(x, up, down)| (up..=down).map(move |y| grey[y * width + x]))
        .collect();
    let Some(rule_grey) = median(greys) else {
        return false;
    };
    for (x, up, down) in runs {
        for y in up..=down {
            if grey[y * width + x] >= PEN_DARKER * rule_grey {
                mask[y * width + x] = 0;
            }
        }
    }
    true
}

/// The middle value (`None` for no values).
pub(super) fn median(mut values: Vec<f32>) -> Option<f32> {
    if values.is_empty() {
        return None;
    }
    let middle = values.len() / 2;
    let (_, &mut m, _) = values.select_nth_unstable_by(middle, f32::total_cmp);
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page with two tilted rules and two "letters" (vertical bars and a
    /// box) sitting on and crossing them.
    fn page(width: usize, height: usize) -> Vec<u8> {
        page_sloped(width, height, 0.03)
    }

    /// [`page`] with rules of slope `slope`.
    fn page_sloped(width: usize, height: usize, slope: f32) -> Vec<u8> {
        let mut mask = vec![0u8; width * height];
        for x in 0..width {
            for rule in [40.0f32, 100.0] {
                let y = (rule + slope * x as f32) as usize;
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
        let mask = erased_page(w, h, 0.03);
        // The box's sides are kept.
        assert!((80..100).all(|y| mask[y * w + 120] == 1 && mask[y * w + 140] == 1));
    }

    /// Rules photographed with the page turned by 8° (slope 0.14, twice
    /// the fine search's reach) are found around the page's dominant slope.
    #[test]
    fn rules_of_a_page_turned_by_8_degrees_are_erased() {
        let (w, h) = (200, 140);
        let mask = page_sloped(w, h, 0.14);
        assert!((dominant_slope(&mask, w, h) - 0.14).abs() < 0.006);
        erased_page(w, h, 0.14);
    }

    /// The page of rules of slope `slope` with its rules erased: both found,
    /// no ink left far from the letters, the crossing bar whole.
    fn erased_page(w: usize, h: usize, slope: f32) -> Vec<u8> {
        let mut mask = page_sloped(w, h, slope);
        let grey: Vec<f32> = mask
            .iter()
            .map(|&m| if m == 1 { 0.4 } else { 0.9 })
            .collect();
        assert_eq!(erase_rules(&mut mask, &grey, w, h), 2);
        for x in (0..40).chain(175..200) {
            assert!(
                (0..h).all(|y| mask[y * w + x] == 0),
                "column {x} still inked"
            );
        }
        assert!((20..60).all(|y| mask[y * w + 51] == 1));
        mask
    }

    #[test]
    fn a_margin_line_is_erased_as_a_rule_standing_up() {
        // The tilted-rules page turned on its side: the rules stand up.
        let (w, h) = (200, 140);
        let lying = page(w, h);
        let mut mask = transposed(&lying, w, h);
        let grey: Vec<f32> = mask
            .iter()
            .map(|&m| if m == 1 { 0.4 } else { 0.9 })
            .collect();
        assert_eq!(erase_rules_and_margins(&mut mask, &grey, h, w), 2);
        let mut expected = lying;
        erase_rules(&mut expected, &transposed(&grey, h, w), w, h);
        assert_eq!(mask, transposed(&expected, w, h));
        assert!(mask.contains(&1), "the crossing bar and the box stay");
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
        assert_eq!(erase_rules_and_margins(&mut mask, &grey, w, h), 0);
        assert_eq!(mask, before);
    }
}
