//! How well a page was read: Levenshtein edit distance and character
//! accuracy = 1 − distance / true characters, on the text with spaces removed
//! (word breaks are judged separately, if at all).

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

/// 1 − edit distance / true characters, spaces removed (may be negative when
/// far more characters were read than exist; 1 for two empty texts).
pub fn character_accuracy(recognised: &str, truth: &str) -> f64 {
    let (r, t) = (without_spaces(recognised), without_spaces(truth));
    if t.is_empty() {
        return if r.is_empty() { 1.0 } else { 0.0 };
    }
    1.0 - edit_distance(&r, &t) as f64 / t.len() as f64
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
}
