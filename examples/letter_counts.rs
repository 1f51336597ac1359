//! Counts the letter trigrams of English prose for the reader's spelling
//! model (`gradink::ocr::LetterModel`), leaving out every word the page
//! generator writes. The shipped table was counted from this project's
//! documentation:
//!
//!     cargo run --example letter_counts -- docs/*.md README.md > src/ocr/english_letters.txt

use anyhow::Context;
use gradink::ocr::{count_words, counts_table, SYNTH_WORDS};

fn main() -> anyhow::Result<()> {
    let files: Vec<String> = std::env::args().skip(1).collect();
    anyhow::ensure!(
        !files.is_empty(),
        "give the text files to count, e.g. docs/*.md README.md"
    );
    let mut text = String::new();
    for file in &files {
        text += &std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
        text.push('\n');
    }
    print!("{}", counts_table(&count_words(&text, SYNTH_WORDS)));
    Ok(())
}
