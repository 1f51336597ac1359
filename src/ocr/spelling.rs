//! How English letters follow one another: a letter trigram model, used to
//! read a word's doubtful letters as the likelier spelling. A faint O with a
//! gap reads C alone; between B and K it is an O. The network still decides
//! wherever it is sure: a word is read as the letters that maximise the
//! network's log-probabilities plus [`SPELLING_WEIGHT`] times the model's,
//! so a letter string no English word holds is still read as written.
//!
//! The model is counted from English prose (the shipped table from this
//! project's own documentation, `english_letters.txt`, rebuilt with
//! `cargo run --example letter_counts -- docs/*.md README.md`), leaving out
//! every word the page generator writes (`synth::SYNTH_WORDS`), so generated pages
//! measure it on words it never saw. It knows letter sequences, not words:
//! no word list is kept, and a word never seen is read as well as a seen one
//! whose letters follow one another as often.
//!
//! Smoothing is interpolated Witten–Bell: each context's counts are trusted
//! in proportion to how often it was seen against how many different letters
//! followed it, the rest of the mass going to the shorter context.

use std::sync::OnceLock;

/// How much the letter model counts against the network, per letter
/// (measured on generated pages, docs/ocr-photos.md: 0.2 helped less, 0.6
/// began overruling the network's sure letters).
pub const SPELLING_WEIGHT: f32 = 0.4;
/// A network probability below this counts as this, so a letter the network
/// rules out costs 9.2 nats: spelling at 0.4 forces it in only where the
/// model finds it some 23 nats likelier than the letter the network reads.
const FLOOR: f32 = 1e-4;
/// Symbols: a word's start `^`, the letters, its end `$`.
const START: usize = 0;
const END: usize = 27;
const SYMBOLS: usize = 28;
const LETTERS: usize = 26;

/// Letter trigram counts of English prose, `^^T 12` per line (`^` before a
/// word, `$` after it).
const ENGLISH: &str = include_str!("english_letters.txt");

/// Log-probabilities of the next symbol after two, `[h1][h2][next]`.
pub struct LetterModel {
    log_p: Vec<f32>,
}

fn symbol(c: char) -> Option<usize> {
    match c {
        '^' => Some(START),
        '$' => Some(END),
        'A'..='Z' => Some(c as usize - 'A' as usize + 1),
        _ => None,
    }
}

/// Where the trigram `h1 h2 next` sits in a `[h1][h2][next]` table.
fn trigram(h1: usize, h2: usize, next: usize) -> usize {
    (h1 * SYMBOLS + h2) * SYMBOLS + next
}

fn name(s: usize) -> char {
    match s {
        START => '^',
        END => '$',
        _ => (b'A' + (s - 1) as u8) as char,
    }
}

impl LetterModel {
    /// The model of the shipped English counts (parsed once).
    pub fn english() -> &'static LetterModel {
        static MODEL: OnceLock<LetterModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            let counts = parse_counts(ENGLISH).expect("the shipped letter counts parse");
            LetterModel::from_counts(&counts)
        })
    }

    /// The model of trigram counts `[h1][h2][next]` (as [`count_words`] gives).
    pub fn from_counts(counts: &[u32]) -> LetterModel {
        // Lower orders are the trigrams summed over their first symbol: every
        // position of a padded word has exactly one trigram.
        let mut bigram = vec![0u32; SYMBOLS * SYMBOLS];
        let mut unigram = vec![0u32; SYMBOLS];
        for h1 in 0..SYMBOLS {
            for h2 in 0..SYMBOLS {
                for c in 0..SYMBOLS {
                    bigram[h2 * SYMBOLS + c] += counts[trigram(h1, h2, c)];
                    unigram[c] += counts[trigram(h1, h2, c)];
                }
            }
        }
        // One context's Witten–Bell step: its own estimate, trusted as seen.
        let step = |row: &[u32], shorter: &[f64]| -> Vec<f64> {
            let total: u32 = row.iter().sum();
            let kinds = row.iter().filter(|&&n| n > 0).count();
            if total == 0 {
                return shorter.to_vec();
            }
            let trust = f64::from(total) / (f64::from(total) + kinds as f64);
            row.iter()
                .zip(shorter)
                .map(|(&n, &p)| trust * f64::from(n) / f64::from(total) + (1.0 - trust) * p)
                .collect()
        };
        // Anything may follow but the start symbol.
        let uniform: Vec<f64> = (0..SYMBOLS)
            .map(|c| if c == START { 0.0 } else { 1.0 / 27.0 })
            .collect();
        let p1 = step(&unigram, &uniform);
        let mut log_p = vec![f32::NEG_INFINITY; SYMBOLS * SYMBOLS * SYMBOLS];
        for h2 in 0..SYMBOLS {
            let p2 = step(&bigram[h2 * SYMBOLS..(h2 + 1) * SYMBOLS], &p1);
            for h1 in 0..SYMBOLS {
                let p3 = step(
                    &counts[trigram(h1, h2, 0)..trigram(h1, h2, 0) + SYMBOLS],
                    &p2,
                );
                for (c, p) in p3.into_iter().enumerate() {
                    log_p[trigram(h1, h2, c)] = p.ln() as f32;
                }
            }
        }
        LetterModel { log_p }
    }

    /// ln P(`next` | `h1`, `h2`), symbols as [`symbol`] numbers them.
    fn log_p(&self, h1: usize, h2: usize, next: usize) -> f32 {
        self.log_p[trigram(h1, h2, next)]
    }

    /// The log-probability of a whole word of capitals (start and end
    /// included); `None` if it holds anything else.
    pub fn word_log_p(&self, word: &str) -> Option<f32> {
        let mut symbols = vec![START, START];
        for c in word.chars() {
            symbols.push(symbol(c).filter(|&s| s != START && s != END)?);
        }
        symbols.push(END);
        Some(
            symbols
                .windows(3)
                .map(|w| self.log_p(w[0], w[1], w[2]))
                .sum(),
        )
    }

    /// The letters (class numbers 0–25) of one word whose rows of `probs`
    /// (the network's, letters first) are given: those maximising the
    /// network's log-probabilities plus `weight` times the model's
    /// (exactly, by dynamic programming over the last two letters).
    pub fn spell(&self, rows: &[ndarray::ArrayView1<f32>], weight: f32) -> Vec<usize> {
        if rows.is_empty() {
            return Vec::new();
        }
        // score[(h1, h2)]: best score of a path ending in h1, h2 (symbols).
        let states = SYMBOLS * SYMBOLS;
        let mut score = vec![f32::NEG_INFINITY; states];
        score[START * SYMBOLS + START] = 0.0;
        let mut back: Vec<Vec<u8>> = Vec::with_capacity(rows.len());
        for row in rows {
            let seen: Vec<f32> = (0..LETTERS).map(|c| row[c].max(FLOOR).ln()).collect();
            let mut next = vec![f32::NEG_INFINITY; states];
            let mut from = vec![0u8; states];
            for h1 in 0..SYMBOLS {
                for h2 in 0..SYMBOLS {
                    let s = score[h1 * SYMBOLS + h2];
                    if s == f32::NEG_INFINITY {
                        continue;
                    }
                    for (c, &seen) in seen.iter().enumerate() {
                        let to = h2 * SYMBOLS + c + 1;
                        let t = s + seen + weight * self.log_p(h1, h2, c + 1);
                        if t > next[to] {
                            next[to] = t;
                            from[to] = h1 as u8;
                        }
                    }
                }
            }
            score = next;
            back.push(from);
        }
        let (mut h1, mut h2) = (0..states)
            .filter(|&s| score[s] > f32::NEG_INFINITY)
            .map(|s| (s / SYMBOLS, s % SYMBOLS))
            .max_by(|a, b| {
                let end = |&(h1, h2): &(usize, usize)| {
                    score[h1 * SYMBOLS + h2] + weight * self.log_p(h1, h2, END)
                };
                end(a).total_cmp(&end(b))
            })
            .expect("a word's last letter has a score");
        let mut letters = vec![0; rows.len()];
        for (i, from) in back.iter().enumerate().rev() {
            letters[i] = h2 - 1;
            let before = from[h1 * SYMBOLS + h2] as usize;
            (h1, h2) = (before, h1);
        }
        letters
    }
}

/// Trigram counts `[h1][h2][next]` of the words of `text`: its runs of
/// lower-case letters standing alone (a run inside a longer token of letters,
/// digits or `_`, such as an identifier, is left out; so is any capitalised
/// or upper-case word, which in this project's prose is mostly a quoted
/// reading or a name), upper-cased, except the words in `leave_out`.
pub fn count_words(text: &str, leave_out: &[&str]) -> Vec<u32> {
    let mut counts = vec![0u32; SYMBOLS * SYMBOLS * SYMBOLS];
    let tokens = text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    for token in tokens.filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_lowercase())) {
        let word = token.to_ascii_uppercase();
        if leave_out.contains(&word.as_str()) {
            continue;
        }
        let mut symbols = vec![START, START];
        symbols.extend(word.chars().filter_map(symbol));
        symbols.push(END);
        for w in symbols.windows(3) {
            counts[trigram(w[0], w[1], w[2])] += 1;
        }
    }
    counts
}

/// The counts as the shipped table writes them: `^^T 12`, one trigram a
/// line, those never seen left out.
pub fn counts_table(counts: &[u32]) -> String {
    let mut table = String::new();
    for (i, &n) in counts.iter().enumerate().filter(|(_, &n)| n > 0) {
        let (h1, h2, c) = (i / (SYMBOLS * SYMBOLS), i / SYMBOLS % SYMBOLS, i % SYMBOLS);
        table.push_str(&format!("{}{}{} {n}\n", name(h1), name(h2), name(c)));
    }
    table
}

/// The counts of a table written by [`counts_table`]; `Err` names the first
/// line that is not a trigram and a count.
pub fn parse_counts(table: &str) -> Result<Vec<u32>, String> {
    let mut counts = vec![0u32; SYMBOLS * SYMBOLS * SYMBOLS];
    for (number, line) in table.lines().enumerate() {
        let bad = || format!("line {}: {line:?} is not a trigram and a count", number + 1);
        let (gram, n) = line.split_once(' ').ok_or_else(bad)?;
        let symbols: Vec<usize> = gram
            .chars()
            .map(symbol)
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        let n: u32 = n.parse().map_err(|_| bad())?;
        if symbols.len() != 3 {
            return Err(bad());
        }
        counts[trigram(symbols[0], symbols[1], symbols[2])] += n;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// Rows of 36 probabilities, each giving its letters the listed mass.
    fn rows(letters: &[&[(char, f32)]]) -> Array2<f32> {
        let mut p = Array2::<f32>::zeros((letters.len(), 36));
        for (r, row) in letters.iter().enumerate() {
            for &(c, mass) in row.iter() {
                p[[r, c as usize - 'A' as usize]] = mass;
            }
        }
        p
    }

    fn spelled(model: &LetterModel, p: &Array2<f32>, weight: f32) -> String {
        let views: Vec<_> = p.rows().into_iter().collect();
        model
            .spell(&views, weight)
            .into_iter()
            .map(|c| (b'A' + c as u8) as char)
            .collect()
    }

    #[test]
    fn english_knows_which_letters_follow_which() {
        let english = LetterModel::english();
        let p = |w: &str| english.word_log_p(w).expect("capitals");
        assert!(p("BOOK") > p("BCOK"));
        assert!(p("QUIZ") > p("QAIZ"));
        assert!(p("THING") > p("TZING"));
        assert!(english.word_log_p("B0OK").is_none());
        // Probabilities of what follows a context sum to one.
        for h in [(START, START), (symbol('T').unwrap(), symbol('H').unwrap())] {
            let total: f32 = (1..SYMBOLS).map(|c| english.log_p(h.0, h.1, c).exp()).sum();
            assert!((total - 1.0).abs() < 1e-4, "{total}");
        }
    }

    /// A doubtful letter is read as the likelier spelling; a sure one is
    /// read as written, however unlikely its spelling.
    #[test]
    fn spelling_decides_only_doubtful_letters() {
        let english = LetterModel::english();
        let doubtful_o = rows(&[
            &[('B', 0.95)],
            &[('C', 0.5), ('O', 0.4)],
            &[('O', 0.9)],
            &[('K', 0.9)],
        ]);
        assert_eq!(spelled(english, &doubtful_o, 0.0), "BCOK");
        assert_eq!(spelled(english, &doubtful_o, SPELLING_WEIGHT), "BOOK");
        let sure = rows(&[&[('X', 0.99)], &[('Q', 0.99)], &[('Z', 0.99)]]);
        assert_eq!(spelled(english, &sure, SPELLING_WEIGHT), "XQZ");
    }

    /// The spelling found by dynamic programming is the best of all spellings.
    #[test]
    fn spelling_is_the_best_of_every_choice() {
        let english = LetterModel::english();
        let p = rows(&[
            &[('T', 0.5), ('I', 0.5)],
            &[('H', 0.4), ('N', 0.6)],
            &[('E', 0.3), ('F', 0.7)],
        ]);
        let score = |w: &str| {
            let seen: f32 = w
                .chars()
                .enumerate()
                .map(|(r, c)| p[[r, c as usize - 'A' as usize]].max(FLOOR).ln())
                .sum();
            seen + 0.7 * english.word_log_p(w).unwrap()
        };
        let best = spelled(english, &p, 0.7);
        for a in ['T', 'I'] {
            for b in ['H', 'N'] {
                for c in ['E', 'F'] {
                    let w: String = [a, b, c].iter().collect();
                    assert!(score(&best) >= score(&w) - 1e-4, "{best} against {w}");
                }
            }
        }
    }

    #[test]
    fn counts_leave_out_identifiers_capitals_and_named_words() {
        let counts = count_words("the cat, The DOG split_touching x2 cat", &["THE"]);
        let table = counts_table(&counts);
        assert_eq!(table, "^^C 2\n^CA 2\nAT$ 2\nCAT 2\n");
        assert_eq!(parse_counts(&table), Ok(counts));
        assert!(parse_counts("^^C two").unwrap_err().starts_with("line 1"));
        assert!(parse_counts("^C 2").is_err());
    }
}
