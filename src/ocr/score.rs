//! How well a page was read against its true lines: character accuracy
//! (spaces removed), lines found, lines whose words were split as in the
//! truth, and lines invented (more lines read than written).

use super::metrics::{edit_distance, without_spaces};

/// One page's (or many pages', summed) score.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct PageScore {
    /// True characters (spaces removed).
    pub characters: usize,
    /// Edit distance between the text read and the truth (spaces removed).
    pub errors: usize,
    pub lines_true: usize,
    pub lines_found: usize,
    /// True lines matched by a line read with as many words (the word breaks
    /// right, whatever the characters).
    pub lines_split_right: usize,
    /// Lines read beyond the number written (from a page edge, the desk, noise).
    pub lines_invented: usize,
}

impl PageScore {
    /// Scores the lines `read` against the lines `truth`.
    pub fn of(read: &[String], truth: &[String]) -> PageScore {
        let text: Vec<char> = without_spaces(&read.join("\n"));
        let true_text: Vec<char> = without_spaces(&truth.join("\n"));
        // Each true line is matched with the closest unused line read.
        let mut used = vec![false; read.len()];
        let mut split_right = 0;
        for t in truth {
            let tc = without_spaces(t);
            let best = (0..read.len())
                .filter(|&r| !used[r])
                .min_by_key(|&r| edit_distance(&without_spaces(&read[r]), &tc));
            if let Some(r) = best {
                used[r] = true;
                if read[r].split_whitespace().count() == t.split_whitespace().count() {
                    split_right += 1;
                }
            }
        }
        PageScore {
            characters: true_text.len(),
            errors: edit_distance(&text, &true_text),
            lines_true: truth.len(),
            lines_found: read.len(),
            lines_split_right: split_right,
            lines_invented: read.len().saturating_sub(truth.len()),
        }
    }

    /// 1 − errors / characters.
    pub fn accuracy(&self) -> f64 {
        1.0 - self.errors as f64 / self.characters.max(1) as f64
    }

    /// The fraction of true lines split into words as written.
    pub fn split_rate(&self) -> f64 {
        self.lines_split_right as f64 / self.lines_true.max(1) as f64
    }
}

impl std::ops::AddAssign for PageScore {
    fn add_assign(&mut self, o: PageScore) {
        self.characters += o.characters;
        self.errors += o.errors;
        self.lines_true += o.lines_true;
        self.lines_found += o.lines_found;
        self.lines_split_right += o.lines_split_right;
        self.lines_invented += o.lines_invented;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_merged_word_and_an_extra_line_are_counted() {
        let truth = s(&["AB CD", "EFG"]);
        let read = s(&["ABCD", "EF G", "1"]);
        let score = PageScore::of(&read, &truth);
        assert_eq!(score.characters, 7);
        assert_eq!(score.errors, 1);
        assert_eq!(score.lines_split_right, 0);
        assert_eq!(score.lines_invented, 1);
        assert_eq!(PageScore::of(&truth, &truth).accuracy(), 1.0);
    }
}
