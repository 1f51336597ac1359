//! How well a page was read: Levenshtein edit distance and character
//! accuracy = 1 − distance / true characters, on the text with spaces removed
//! (word breaks are judged separately, if at all); and how far a page bends
//! the letter finder's assumptions.

use super::find_letters::Letters;
use super::read::Reading;
use serde::Serialize;

/// The number of single-character insertions, deletions and substitutions
/// that turn `a` into `b`.
pub fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The characters of `text` without whitespace.
pub fn without_spaces(text: &str) -> Vec<char> {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A text read, compared once with its true text (spaces removed): the edit
/// distance and the character accuracy it gives. The report shows both for
/// every photo, so they come from one comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextScore {
    /// True characters, spaces removed.
    pub true_characters: usize,
    /// Edit distance between the text read and the truth, spaces removed.
    pub edit_distance: usize,
}

impl TextScore {
    pub fn of(recognised: &str, truth: &str) -> TextScore {
        let (r, t) = (without_spaces(recognised), without_spaces(truth));
        TextScore {
            true_characters: t.len(),
            edit_distance: edit_distance(&r, &t),
        }
    }

    /// 1 − edit distance / true characters (may be negative when far more
    /// characters were read than exist). With no true characters the
    /// distance is the number read: 1 if that is none, else 0.
    pub fn character_accuracy(&self) -> f64 {
        match self.true_characters {
            0 => f64::from(u8::from(self.edit_distance == 0)),
            n => 1.0 - self.edit_distance as f64 / n as f64,
        }
    }
}

/// 1 − edit distance / true characters, spaces removed (may be negative when
/// far more characters were read than exist; 1 for two empty texts).
pub fn character_accuracy(recognised: &str, truth: &str) -> f64 {
    TextScore::of(recognised, truth).character_accuracy()
}

/// How far a photo bends the letter finder's two assumptions (docs/math.md,
/// section 9): one connected piece of ink per character, and lines that a
/// horizontal band separates, with characters of similar size.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssumptionChecks {
    /// Connected pieces of ink that ended up in a character box.
    pub ink_pieces: usize,
    /// Characters that were more than one piece (joined by the finder).
    pub characters_in_pieces: usize,
    /// Neighbours in a line whose boxes overlap horizontally (nearly touching).
    pub overlapping_neighbours: usize,
    /// Tallest box height / shortest box height.
    pub height_ratio: f64,
    /// Largest vertical shift between the first and last box centres of a
    /// line, in mean box heights (0 for a level line).
    pub largest_line_rise: f64,
}

impl AssumptionChecks {
    /// The checks for one page: what the finder found and what was read from it.
    pub fn of(letters: &Letters, reading: &Reading) -> AssumptionChecks {
        let boxes = &reading.boxes;
        let heights: Vec<f64> = boxes.iter().map(|b| f64::from(b[2] - b[0])).collect();
        let mean_height = heights.iter().sum::<f64>() / heights.len().max(1) as f64;
        let (lo, hi) = heights
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), &h| {
                (lo.min(h), hi.max(h))
            });
        let centre = |b: &[u32; 4]| 0.5 * f64::from(b[0] + b[2]);
        let lines = reading
            .line_of_box
            .iter()
            .copied()
            .max()
            .map_or(0, |l| l + 1);
        let largest_line_rise = (0..lines)
            .filter_map(|l| {
                let mut in_line = boxes
                    .iter()
                    .zip(&reading.line_of_box)
                    .filter(|&(_, &k)| k == l)
                    .map(|(b, _)| b);
                let first = in_line.next()?;
                let last = in_line.next_back().unwrap_or(first);
                Some((centre(last) - centre(first)).abs() / mean_height.max(1.0))
            })
            .fold(0.0, f64::max);
        AssumptionChecks {
            ink_pieces: letters.glyphs.iter().map(|g| g.parts.len()).sum(),
            characters_in_pieces: letters.glyphs.iter().filter(|g| g.parts.len() > 1).count(),
            overlapping_neighbours: (1..boxes.len())
                .filter(|&k| {
                    reading.line_of_box[k] == reading.line_of_box[k - 1]
                        && boxes[k][1] < boxes[k - 1][3]
                })
                .count(),
            height_ratio: if lo > 0.0 { hi / lo } else { 0.0 },
            largest_line_rise,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_of_known_pairs() {
        let d = |a: &str, b: &str| {
            edit_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("KITTEN", "SITTING"), 3);
        assert_eq!(d("", "ABC"), 3);
        assert_eq!(d("ABC", "ABC"), 0);
        assert_eq!(d("FLAW", "LAWN"), 2);
    }

    #[test]
    fn accuracy_ignores_spaces() {
        assert_eq!(character_accuracy("TO DO", "TODO"), 1.0);
        assert!((character_accuracy("T0 DO", "TO DO") - 0.75).abs() < 1e-12);
        assert_eq!(character_accuracy("", ""), 1.0);
        assert_eq!(character_accuracy("", "AB"), 0.0);
    }

    #[test]
    fn a_text_score_holds_the_distance_behind_its_accuracy() {
        let s = TextScore::of("T0 D", "TO DO");
        assert_eq!((s.true_characters, s.edit_distance), (4, 2));
        assert_eq!(s.character_accuracy(), 0.5);
        // Nothing to read: right only when nothing was read.
        assert_eq!(TextScore::of(" ", "").character_accuracy(), 1.0);
        assert_eq!(TextScore::of("A", " ").character_accuracy(), 0.0);
    }
}
