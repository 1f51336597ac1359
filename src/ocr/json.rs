//! The JSON forms of a reading: what `gradink ocr --json` prints (and
//! `gradink serve` answers to `POST /api/ocr`), and the per-character detail
//! the web page shows on hover.

use super::read::Reading;
use crate::data::class_name;
use serde::Serialize;

#[derive(Serialize)]
struct JsonReading<'a> {
    image: &'a str,
    lines: &'a [String],
    boxes: &'a [[u32; 4]],
}

/// `{"image", "lines": [...], "boxes": [[y1, x1, y2, x2], ...]}` on one
/// line, without a newline: exactly what `gradink ocr --json` prints for the
/// image named `image`.
pub fn reading_json(image: &str, reading: &Reading) -> String {
    let record = JsonReading {
        image,
        lines: &reading.lines,
        boxes: &reading.boxes,
    };
    serde_json::to_string(&record).expect("strings and numbers always serialise")
}

/// One character of a reading, with its probability and the runner-up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CharDetail {
    /// The character read (after the one-kind-per-word rule and spelling).
    pub char: char,
    /// The classifier's probability for it.
    pub p: f32,
    /// The likeliest other class, and its probability.
    pub runner_up: char,
    pub runner_up_p: f32,
    /// The line (0-based) the character is on.
    pub line: usize,
}

/// The detail of every character of `reading`, in reading order, from the
/// probabilities the reader already computed.
pub fn char_details(reading: &Reading) -> Vec<CharDetail> {
    reading
        .chars
        .iter()
        .zip(&reading.confidence)
        .zip(&reading.line_of_box)
        .zip(reading.probabilities.rows())
        .map(|(((&char, &p), &line), row)| {
            let (runner, runner_p) = row
                .iter()
                .enumerate()
                .filter(|&(c, _)| class_name(c) != char)
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(c, &q)| (class_name(c), q))
                .unwrap_or(('?', 0.0));
            CharDetail {
                char,
                p,
                runner_up: runner,
                runner_up_p: runner_p,
                line,
            }
        })
        .collect()
}
