//! Reading order: characters grouped into lines, each line left to right,
//! with a space wherever the gap says a word ends.
//!
//! Lines are followed from left to right, so a slanted or wavy line is still
//! one line: a box joins the line whose last box (or whose typical band)
//! it overlaps most vertically.

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

/// A box joins a line when it overlaps it vertically by at least this
/// fraction of the shorter of the two heights.
const MIN_LINE_OVERLAP: f64 = 0.4;

/// Groups `boxes` into lines (top to bottom), orders each line left to right
/// and marks the word breaks.
pub fn group_lines(boxes: &[Span]) -> Vec<Line> {
    let mut order: Vec<usize> = (0..boxes.len()).collect();
    order.sort_by(|&a, &b| boxes[a].x1.total_cmp(&boxes[b].x1));
    let mut lines: Vec<Vec<usize>> = Vec::new();
    for &i in &order {
        let b = boxes[i];
        let mut best: Option<(usize, f64)> = None;
        for (l, line) in lines.iter().enumerate() {
            let last = boxes[*line.last().expect("lines are never empty")];
            let band = typical_band(boxes, line);
            let score = overlap_fraction(&b, &last).max(overlap_fraction(&b, &band));
            if score >= MIN_LINE_OVERLAP && best.is_none_or(|(_, s)| score > s) {
                best = Some((l, score));
            }
        }
        match best {
            Some((l, _)) => lines[l].push(i),
            None => lines.push(vec![i]),
        }
    }
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

/// Vertical overlap of two spans over the shorter height.
fn overlap_fraction(a: &Span, b: &Span) -> f64 {
    let overlap = a.y2.min(b.y2) - a.y1.max(b.y1);
    overlap / a.height().min(b.height()).max(1.0)
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
    let mut heights: Vec<f64> = members.iter().map(|&i| boxes[i].height()).collect();
    heights.sort_by(f64::total_cmp);
    let height = heights[heights.len() / 2];
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
}
