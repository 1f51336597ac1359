//! Reading order: characters grouped into lines, each line left to right,
//! with a space wherever the gap says a word ends.
//!
//! Lines are followed from left to right, so a slanted or wavy line is still
//! one line: a box joins the line whose last letter (or whose typical band)
//! it overlaps most vertically, specks aside ([`anchors`]).

/// A box for ordering: half-open rows `y1..y2` and columns `x1..x2`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    pub y1: f64,
    pub x1: f64,
    pub y2: f64,
    pub x2: f64,
}

impl Span {
    pub fn height(&self) -> f64 {
        self.y2 - self.y1
    }
    fn centre_y(&self) -> f64 {
        0.5 * (self.y1 + self.y2)
    }
}

/// One line of text: indices into the boxes, left to right, and whether a
/// space comes before each of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub members: Vec<usize>,
    pub space_before: Vec<bool>,
}

impl Line {
    /// The members of each word, left to right.
    pub fn words(&self) -> Vec<&[usize]> {
        let mut words = Vec::new();
        let mut start = 0;
        for (k, &space) in self.space_before.iter().enumerate() {
            if space && k > start {
                words.push(&self.members[start..k]);
                start = k;
            }
        }
        if self.members.len() > start {
            words.push(&self.members[start..]);
        }
        words
    }
}

/// A box joins a line when it overlaps it vertically by at least this
/// fraction of the shorter of the two heights (but never of less than half
/// the box's own height, so that a speck cannot pull a letter into its line).
const MIN_LINE_OVERLAP: f64 = 0.4;
/// The steepest trend a line is followed along: a sheet tilted by about 6°.
const MAX_TREND: f64 = 0.1;
/// A line whose every box is less tall than this fraction of the page's
/// median box is specks (a broken-off bar, a dot), not a line of its own.
const SPECK_HEIGHT: f64 = 0.5;

/// A box less tall than this fraction of its line's median box is a piece
/// of a broken letter (a stroke of faint pencil, the bar of an E), not a
/// character: capitals and digits are written about one height. Measured
/// on generated pages (docs/ocr-photos.md): such pieces are 0.1–0.6 of
/// their line's height, the shortest character read right 0.6–0.7.
const PIECE_HEIGHT: f64 = 0.5;

/// Drops from `lines` (grouped from `boxes`) every box less tall than
/// [`PIECE_HEIGHT`] of its line's median box; a word break before a
/// dropped box moves to the box after it, and a line left empty goes.
pub fn drop_pieces(lines: &mut Vec<Line>, boxes: &[Span]) {
    for line in lines.iter_mut() {
        let Some(median) = median_height(boxes, &line.members) else {
            continue;
        };
        let mut kept = Line {
            members: Vec::new(),
            space_before: Vec::new(),
        };
        let mut space = false;
        for (&m, &before) in line.members.iter().zip(&line.space_before) {
            space |= before;
            if boxes[m].height() >= PIECE_HEIGHT * median {
                kept.members.push(m);
                kept.space_before.push(space);
                space = false;
            }
        }
        *line = kept;
    }
    lines.retain(|line| !line.members.is_empty());
}

/// Groups `boxes` into lines (top to bottom), orders each line left to right
/// and marks the word breaks. The lines should run roughly level: a page
/// photographed turned is seen turned back first (`tilt.rs`).
pub fn group_lines(boxes: &[Span]) -> Vec<Line> {
    let all: Vec<usize> = (0..boxes.len()).collect();
    let Some(typical) = median_height(boxes, &all) else {
        return Vec::new();
    };
    let mut order = all;
    order.sort_by(|&a, &b| boxes[a].x1.total_cmp(&boxes[b].x1));
    let mut lines: Vec<Vec<usize>> = Vec::new();
    for &i in &order {
        let b = boxes[i];
        let mut best: Option<(usize, f64)> = None;
        for (l, line) in lines.iter().enumerate() {
            let anchors = anchors(boxes, line, typical);
            let last = boxes[*anchors.last().expect("lines are never empty")];
            let band = band_at(boxes, &anchors, centre_x(&b));
            let score = join_fraction(&b, &last).max(join_fraction(&b, &band));
            if score >= MIN_LINE_OVERLAP && best.is_none_or(|(_, s)| score > s) {
                best = Some((l, score));
            }
        }
        match best {
            Some((l, _)) => lines[l].push(i),
            None => lines.push(vec![i]),
        }
    }
    let mut lines = with_specks_joined(boxes, lines, typical);
    lines.sort_by(|a, b| {
        typical_band(boxes, a)
            .centre_y()
            .total_cmp(&typical_band(boxes, b).centre_y())
    });
    lines
        .into_iter()
        .map(|members| {
            let space_before = word_breaks(boxes, &members);
            Line {
                members,
                space_before,
            }
        })
        .collect()
}

/// The boxes of `line` that say where it runs: all but its specks (boxes
/// less tall than [`SPECK_HEIGHT`] of the page's `typical` box), or all of
/// them when it has nothing else. The pieces of a broken bar over a letter
/// would otherwise hold the line at their height and turn the next letter
/// away into a line of its own.
fn anchors(boxes: &[Span], line: &[usize], typical: f64) -> Vec<usize> {
    let letters: Vec<usize> = line
        .iter()
        .copied()
        .filter(|&i| !is_speck(&boxes[i], typical))
        .collect();
    if letters.is_empty() {
        line.to_vec()
    } else {
        letters
    }
}

fn is_speck(b: &Span, typical: f64) -> bool {
    b.height() < SPECK_HEIGHT * typical
}

/// Lines made only of specks (the bar of a faint E broken off above it)
/// joined to the line whose band, followed to them, is nearest: no
/// invented line of one speck over a real one.
fn with_specks_joined(boxes: &[Span], lines: Vec<Vec<usize>>, typical: f64) -> Vec<Vec<usize>> {
    let is_specks = |line: &[usize]| line.iter().all(|&i| is_speck(&boxes[i], typical));
    let (specks, mut real): (Vec<_>, Vec<_>) = lines.into_iter().partition(|l| is_specks(l));
    for speck_line in specks {
        let b = typical_band(boxes, &speck_line);
        let nearest = real
            .iter()
            .enumerate()
            .map(|(l, line)| {
                let band = band_at(boxes, &anchors(boxes, line, typical), centre_x(&b));
                (l, (band.centre_y() - b.centre_y()).abs(), band.height())
            })
            .min_by(|a, c| a.1.total_cmp(&c.1));
        match nearest {
            Some((l, distance, height)) if distance <= height => {
                real[l].extend(speck_line);
                real[l].sort_by(|&a, &c| boxes[a].x1.total_cmp(&boxes[c].x1));
            }
            _ => real.push(speck_line),
        }
    }
    real
}

/// Vertical overlap of box `b` with a line's reference `r`, over the shorter
/// height (a small letter fully inside a line's band is on it) but over at
/// least half `b`'s height (a speck's band is no line for a whole letter).
fn join_fraction(b: &Span, r: &Span) -> f64 {
    let overlap = b.y2.min(r.y2) - b.y1.max(r.y1);
    let over = b.height().min(r.height()).max(0.5 * b.height());
    overlap / over.max(1.0)
}

fn centre_x(s: &Span) -> f64 {
    0.5 * (s.x1 + s.x2)
}

/// The line's band where it reaches column `x`: its typical band moved along
/// the line's trend (the least-squares slope of its boxes' centres, so a
/// line on a tilted sheet is followed across the page).
fn band_at(boxes: &[Span], line: &[usize], x: f64) -> Span {
    let band = typical_band(boxes, line);
    let n = line.len() as f64;
    let mean_x = line.iter().map(|&i| centre_x(&boxes[i])).sum::<f64>() / n;
    let mean_y = line.iter().map(|&i| boxes[i].centre_y()).sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for &i in line {
        let dx = centre_x(&boxes[i]) - mean_x;
        sxy += dx * (boxes[i].centre_y() - mean_y);
        sxx += dx * dx;
    }
    // A trend needs boxes spread over at least two character heights.
    let spread = 2.0 * band.height();
    let trend = if line.len() >= 3 && sxx >= spread * spread {
        (sxy / sxx).clamp(-MAX_TREND, MAX_TREND)
    } else {
        0.0
    };
    let shift = trend * (x - mean_x);
    Span {
        y1: band.y1 + shift,
        x1: band.x1,
        y2: band.y2 + shift,
        x2: band.x2,
    }
}

/// The median top and median bottom of a line's boxes.
fn typical_band(boxes: &[Span], line: &[usize]) -> Span {
    let median = |f: fn(&Span) -> f64| {
        let mut v: Vec<f64> = line.iter().map(|&i| f(&boxes[i])).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Span {
        y1: median(|s| s.y1),
        x1: median(|s| s.x1),
        y2: median(|s| s.y2),
        x2: median(|s| s.x2),
    }
}

/// The median height of the boxes `members`; `None` for no boxes.
fn median_height(boxes: &[Span], members: &[usize]) -> Option<f64> {
    let mut heights: Vec<f64> = members.iter().map(|&i| boxes[i].height()).collect();
    heights.sort_by(f64::total_cmp);
    heights.get(heights.len() / 2).copied()
}

/// A gap is a word break when it is wider than both 1.5 × the line's median
/// gap and the line's median character height. The first keeps evenly but
/// widely spaced capitals together; the second was measured on the sample
/// photos: gaps inside a word are at most 0.91 character heights there, gaps
/// between words at least 1.07 (0.4 used to split "REALIZE" after its I).
fn word_breaks(boxes: &[Span], members: &[usize]) -> Vec<bool> {
    let mut breaks = vec![false; members.len()];
    if members.len() < 2 {
        return breaks;
    }
    let gaps: Vec<f64> = members
        .windows(2)
        .map(|p| boxes[p[1]].x1 - boxes[p[0]].x2)
        .collect();
    let mut sorted = gaps.clone();
    sorted.sort_by(f64::total_cmp);
    let height = median_height(boxes, members).expect("two boxes or more");
    // With one or two gaps the median gap may itself be a word break.
    let median_gap = if gaps.len() >= 3 {
        sorted[sorted.len() / 2].max(0.0)
    } else {
        0.0
    };
    let threshold = (1.5 * median_gap).max(height);
    for (k, &g) in gaps.iter().enumerate() {
        breaks[k + 1] = g > threshold;
    }
    breaks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_splits_into_its_words_at_the_spaces() {
        let line = Line {
            members: vec![4, 2, 7, 1, 9],
            space_before: vec![true, false, true, false, false],
        };
        assert_eq!(line.words(), vec![&[4, 2][..], &[7, 1, 9][..]]);
        let empty = Line {
            members: vec![],
            space_before: vec![],
        };
        assert!(empty.words().is_empty());
    }

    /// A short piece inside a word goes and the word stays one; a short
    /// piece starting a word hands its word break to the next box; a line
    /// of short boxes alone is judged by its own height and stays.
    #[test]
    fn pieces_much_shorter_than_their_line_are_dropped() {
        let boxes = vec![
            span(0.0, 0.0, 40.0, 20.0),
            span(10.0, 25.0, 12.0, 6.0), // a piece inside the first word
            span(0.0, 35.0, 40.0, 20.0),
            span(20.0, 80.0, 15.0, 8.0), // a piece starting the second word
            span(0.0, 95.0, 38.0, 20.0),
            span(100.0, 0.0, 12.0, 20.0), // a line of dashes
            span(100.0, 30.0, 12.0, 20.0),
        ];
        let mut lines = vec![
            Line {
                members: vec![0, 1, 2, 3, 4],
                space_before: vec![false, false, false, true, false],
            },
            Line {
                members: vec![5, 6],
                space_before: vec![false, true],
            },
        ];
        drop_pieces(&mut lines, &boxes);
        assert_eq!(lines[0].members, [0, 2, 4]);
        assert_eq!(lines[0].space_before, [false, false, true]);
        assert_eq!(lines[1].members, [5, 6]);
    }

    fn span(y1: f64, x1: f64, h: f64, w: f64) -> Span {
        Span {
            y1,
            x1,
            y2: y1 + h,
            x2: x1 + w,
        }
    }

    #[test]
    fn two_slanted_lines_and_their_words() {
        // Line 1 rises 5 px a letter; a word break after the third letter.
        let mut boxes = vec![];
        for (k, x) in [0.0, 50.0, 100.0, 200.0, 250.0].iter().enumerate() {
            boxes.push(span(100.0 - 5.0 * k as f64, *x, 40.0, 40.0));
        }
        // Line 2, given first-to-last in a shuffled order.
        boxes.push(span(220.0, 60.0, 40.0, 40.0));
        boxes.push(span(222.0, 10.0, 40.0, 40.0));
        let lines = group_lines(&boxes);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].members, vec![0, 1, 2, 3, 4]);
        assert_eq!(
            lines[0].space_before,
            vec![false, false, false, true, false]
        );
        assert_eq!(lines[1].members, vec![6, 5]);
        assert!(group_lines(&[]).is_empty());
    }

    /// A 5 whose top bar broke into four specks, then the rest of its line
    /// written a little lower (as on a generated page): the specks do not
    /// hold the line at their height, so the 6 after them stays on it
    /// instead of starting a line of its own ("5" / "6 KNIGHT").
    #[test]
    fn specks_after_a_letter_do_not_turn_its_line_away() {
        let mut boxes = vec![
            span(221.0, 218.0, 78.0, 53.0),
            span(221.0, 245.0, 18.0, 21.0),
            span(222.0, 265.0, 16.0, 11.0),
            span(222.0, 275.0, 16.0, 11.0),
            span(222.0, 285.0, 16.0, 14.0),
        ];
        for (k, x) in [331.0, 510.0, 580.0, 692.0].into_iter().enumerate() {
            boxes.push(span(227.0 + 4.0 * k as f64, x, 78.0, 60.0));
        }
        boxes.push(span(409.0, 288.0, 73.0, 70.0));
        boxes.push(span(415.0, 370.0, 73.0, 66.0));
        let lines = group_lines(&boxes);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0].members, (0..9).collect::<Vec<_>>());
        assert_eq!(lines[1].members, [9, 10]);
    }

    /// A line on a sheet tilted by 3.5° (falling 2 heights across the page),
    /// with a speck just above its tenth letter (a bar broken off an E), and a
    /// second line under it: two lines, the speck read with the first.
    #[test]
    fn a_tilted_line_keeps_its_speck() {
        let drop = 3.5f64.to_radians().tan();
        let mut boxes: Vec<Span> = (0..28)
            .map(|k| {
                let x = 50.0 * k as f64;
                span(100.0 + drop * x, x, 40.0, 40.0)
            })
            .collect();
        let x = 50.0 * 9.0 + 10.0;
        boxes.push(span(100.0 + drop * x - 20.0, x, 8.0, 12.0));
        boxes.push(span(260.0, 5.0, 40.0, 40.0));
        boxes.push(span(262.0, 55.0, 40.0, 40.0));
        let lines = group_lines(&boxes);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0].members.len(), 29);
        assert!(lines[0].members.contains(&28));
        assert_eq!(lines[1].members, vec![29, 30]);
    }
}
