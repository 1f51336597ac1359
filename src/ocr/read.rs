//! Reading a page: find the characters, put them in reading order, crop each
//! one like the training data, classify them all in one batch, and join the
//! results into lines of text.

use super::crop::crop_glyph;
use super::deskew::line_slant;
use super::find_letters::{find_letters, Glyph, Letters};
use super::join::join_broken;
use super::lines::{drop_pieces, group_lines, Span};
use super::page::open_image;
use super::segment::split_touching;
use super::spelling::{LetterModel, SPELLING_WEIGHT};
use super::tilt::{page_tilt, turned_spans, NEGLIGIBLE_TILT, TURN_CROPS};
use crate::data::{class_name, IMAGE_SIDE};
use crate::error::{Error, Result};
use crate::functional as F;
use crate::models::{AnyClassifier, PageAveraged, Predict};
use image::DynamicImage;
use ndarray::Array2;
use std::path::Path;

/// Everything a reading produced, in reading order.
#[derive(Clone, Debug)]
pub struct Reading {
    /// The text, one string per line, words separated by single spaces.
    pub lines: Vec<String>,
    /// `[y1, x1, y2, x2]` per character in the photo's pixels (y2, x2 exclusive).
    pub boxes: Vec<[u32; 4]>,
    /// The line (0-based) of each box.
    pub line_of_box: Vec<usize>,
    /// The character read from each box (after the one-kind-per-word rule
    /// and spelling).
    pub chars: Vec<char>,
    /// The classifier's own best guess for each box, before both.
    pub classifier_chars: Vec<char>,
    /// The classifier's probability for each character read.
    pub confidence: Vec<f32>,
    /// Every class's probability, one row per box (averaged over shifts).
    pub probabilities: Array2<f32>,
    /// The classifier inputs, one stored (column-major) 32×32 row per box.
    pub crops: Array2<f32>,
    /// One working pixel is a `factor × factor` block of the photo.
    pub factor: usize,
}

/// Loads a classifier of any architecture (the MLP, the CNN or an ensemble
/// of CNNs, as the file's `architecture` metadata says; a file without it
/// is the course's MLP) and checks that it takes 32×32 inputs and tells at
/// most 36 classes apart. A file of an unknown architecture is a
/// `ModelFile` error.
pub fn load_classifier(path: impl AsRef<Path>) -> Result<AnyClassifier> {
    let path = path.as_ref();
    let model = AnyClassifier::load(path)?;
    let (inputs, classes) = (model.inputs(), model.classes());
    if inputs != IMAGE_SIDE * IMAGE_SIDE || classes == 0 || classes > 36 {
        return Err(Error::ModelFile {
            path: path.to_path_buf(),
            reason: format!(
                "a {} network with {inputs} inputs and {classes} classes; reading needs 1024 inputs and at most 36 classes",
                model.architecture()
            ),
        });
    }
    Ok(model)
}

/// Reads the image file at `path` (see [`read_page`]).
pub fn read_file<M: Predict + ?Sized>(path: impl AsRef<Path>, model: &M) -> Result<Reading> {
    let image = open_image(path)?;
    Ok(read_page(&image, model))
}

/// Reads the handwritten text of a photo with `model`.
pub fn read_page<M: Predict + ?Sized>(image: &DynamicImage, model: &M) -> Reading {
    let letters = find_letters(image);
    read_letters(&letters, model)
}

/// Optional steps of the reader for photos as people take them (as
/// measured in docs/ocr-photos.md); turning one on or off measures what it
/// brings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Estimate each line's slant and undo it in the crops (off by default:
    /// measured on generated pages, the classifier's shear augmentation does
    /// better than straightening).
    pub undo_slant: bool,
    /// Split touching characters by recognition: `None` (the default) when
    /// the classifier has a "touching" output (`ocr::touching`), as the
    /// shipped one does. A classifier without one reads a merged pair as a
    /// confident wide letter, and splitting with it cut real wide letters
    /// about as often as it mended pairs (measured: no gain).
    pub split_touching: Option<bool>,
    /// Read every letter as the network reads it alone, without the letter
    /// model's say on a word's doubtful letters (`ocr::spelling`).
    pub no_spelling: bool,
}

impl ReadOptions {
    /// The `split_touching` that the command-line flags `--split` and
    /// `--no-split` ask for (neither: the default, `None`).
    pub fn split_from_flags(split: bool, no_split: bool) -> Option<bool> {
        match (split, no_split) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }

    /// Whether touching characters are split when reading with `model`.
    pub fn splits_with<M: Predict + ?Sized>(&self, model: &M) -> bool {
        self.split_touching.unwrap_or_else(|| model.has_touching())
    }
}

/// Orders, crops and classifies characters that were already found.
pub fn read_letters<M: Predict + ?Sized>(letters: &Letters, model: &M) -> Reading {
    read_letters_with(letters, model, &ReadOptions::default())
}

/// [`read_letters`] with some steps turned off.
pub fn read_letters_with<M: Predict + ?Sized>(
    letters: &Letters,
    model: &M,
    options: &ReadOptions,
) -> Reading {
    let width = letters.bw.ncols();
    // Every crop is read averaged over one-pixel shifts up and down and two
    // leans (models::PageAveraged).
    let reader = PageAveraged(model);
    let split = options.splits_with(model);
    // A page photographed turned is read turned back: its lines are
    // grouped in the turned-back frame, and beyond TURN_CROPS its crops drawn so.
    let tilt = page_tilt(&spans_of(&letters.glyphs));
    let tilt = if tilt.abs() >= NEGLIGIBLE_TILT {
        tilt
    } else {
        0.0
    };
    let mut glyphs = letters.glyphs.clone();
    if tilt.abs() >= TURN_CROPS {
        for g in &mut glyphs {
            g.turn = tilt as f32;
        }
    }
    if options.undo_slant || split {
        with_line_slants(letters, &mut glyphs, tilt);
    }
    if split {
        glyphs = split_touching(&letters.labels, letters.drawn(), width, glyphs, &reader);
    }
    let mut spans = spans_seen(letters, &glyphs, tilt);
    let mut lines = group_lines(&spans);
    // Faint writing breaks; its pieces are joined by recognition (join.rs).
    if split && letters.faint {
        glyphs = join_broken(
            &letters.labels,
            letters.drawn(),
            width,
            glyphs,
            &lines,
            &reader,
        );
        spans = spans_seen(letters, &glyphs, tilt);
        lines = group_lines(&spans);
    }
    // Pieces of broken letters that joining left alone are read as no character.
    drop_pieces(&mut lines, &spans);
    let order: Vec<usize> = lines
        .iter()
        .flat_map(|l| l.members.iter().copied())
        .collect();
    let pixels = IMAGE_SIDE * IMAGE_SIDE;
    let mut crops = Array2::<f32>::zeros((order.len(), pixels));
    for (row, &g) in order.iter().enumerate() {
        let crop = crop_glyph(letters.drawn(), width, &glyphs[g], options.undo_slant);
        crops.row_mut(row).assign(&ndarray::ArrayView1::from(&crop));
    }
    let probs = if order.is_empty() {
        Array2::zeros((0, 36))
    } else {
        reader.predict_proba(crops.view())
    };
    let classifier_chars: Vec<char> = F::argmax_rows(probs.view())
        .into_iter()
        .map(class_name)
        .collect();
    let words = words_of(&lines);
    let spelling = (!options.no_spelling).then(LetterModel::english);
    let classes = one_kind_per_word(&probs, &words, spelling);
    let chars: Vec<char> = classes.iter().map(|&c| class_name(c)).collect();
    let confidence: Vec<f32> = classes
        .iter()
        .enumerate()
        .map(|(r, &c)| probs[[r, c]])
        .collect();

    let mut text = Vec::with_capacity(lines.len());
    let mut line_of_box = Vec::with_capacity(order.len());
    let mut k = 0;
    for (l, line) in lines.iter().enumerate() {
        let mut s = String::new();
        for &space in &line.space_before {
            if space {
                s.push(' ');
            }
            s.push(chars[k]);
            line_of_box.push(l);
            k += 1;
        }
        text.push(s);
    }
    Reading {
        lines: text,
        boxes: order
            .iter()
            .map(|&g| {
                let (b, k) = (&glyphs[g], letters.factor as u32);
                [b.y1, b.x1, b.y2, b.x2].map(|v| v as u32 * k)
            })
            .collect(),
        line_of_box,
        chars,
        classifier_chars,
        confidence,
        probabilities: probs,
        crops,
        factor: letters.factor,
    }
}

/// Gives each of `glyphs` (those of `letters`) the slant of its line, the
/// lines found with the page turned back by `tilt`.
fn with_line_slants(letters: &Letters, glyphs: &mut [Glyph], tilt: f64) {
    let width = letters.bw.ncols();
    for line in group_lines(&spans_seen(letters, glyphs, tilt)) {
        let members: Vec<&Glyph> = line.members.iter().map(|&i| &glyphs[i]).collect();
        let slant = line_slant(&letters.labels, width, &members);
        for &i in &line.members {
            glyphs[i].slant = slant;
        }
    }
}

/// The boxes of `glyphs` for ordering, seen with the page turned back by
/// `tilt` (their boxes as they are when it is 0).
fn spans_seen(letters: &Letters, glyphs: &[Glyph], tilt: f64) -> Vec<Span> {
    if tilt == 0.0 {
        return spans_of(glyphs);
    }
    turned_spans(&letters.labels, letters.bw.ncols(), glyphs, tilt)
}

/// The boxes of `glyphs` for ordering.
fn spans_of(glyphs: &[Glyph]) -> Vec<Span> {
    glyphs
        .iter()
        .map(|g| Span {
            y1: g.y1 as f64,
            x1: g.x1 as f64,
            y2: g.y2 as f64,
            x2: g.x2 as f64,
        })
        .collect()
}

/// The rows (in reading order) of each word.
fn words_of(lines: &[super::lines::Line]) -> Vec<std::ops::Range<usize>> {
    let mut words = Vec::new();
    let mut k = 0;
    for word in lines.iter().flat_map(|line| line.words()) {
        words.push(k..k + word.len());
        k += word.len();
    }
    words
}

/// The class of each row, reading a word of two or more characters as all
/// letters or all digits, whichever the classifier's probabilities favour
/// summed over the word: O/0, I/1, S/5, Z/2, G/6 and B/8 are the network's
/// commonest confusions, and a word rarely mixes the two kinds. A word of
/// letters is spelled with `spelling` where given ([`LetterModel::spell`]);
/// a lone character keeps the classifier's best guess.
pub fn one_kind_per_word(
    probs: &Array2<f32>,
    words: &[std::ops::Range<usize>],
    spelling: Option<&LetterModel>,
) -> Vec<usize> {
    const LETTERS: usize = 26;
    let mut classes = F::argmax_rows(probs.view());
    if probs.ncols() <= LETTERS {
        return classes;
    }
    for word in words.iter().filter(|w| w.len() >= 2) {
        let letter_mass: f32 = word
            .clone()
            .map(|r| probs.row(r).iter().take(LETTERS).sum::<f32>())
            .sum();
        let digit_mass = word.len() as f32 - letter_mass;
        if let Some(model) = spelling.filter(|_| letter_mass >= digit_mass) {
            let rows: Vec<_> = word.clone().map(|r| probs.row(r)).collect();
            for (r, letter) in word.clone().zip(model.spell(&rows, SPELLING_WEIGHT)) {
                classes[r] = letter;
            }
            continue;
        }
        let allowed = if letter_mass >= digit_mass {
            0..LETTERS
        } else {
            LETTERS..probs.ncols()
        };
        for r in word.clone() {
            let row = probs.row(r);
            classes[r] = allowed
                .clone()
                .max_by(|&a, &b| row[a].total_cmp(&row[b]))
                .expect("a kind has classes");
        }
    }
    classes
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn a_word_of_letters_reads_its_zero_as_o() {
        // Two rows: 'T' (class 19) sure, then '0' (26) narrowly over 'O' (14).
        let mut p = Array2::<f32>::zeros((3, 36));
        p[[0, 19]] = 0.9;
        p[[0, 30]] = 0.1;
        p[[1, 26]] = 0.55;
        p[[1, 14]] = 0.45;
        // A lone third row: '2' stays a digit.
        p[[2, 28]] = 0.6;
        p[[2, 25]] = 0.4;
        let classes = one_kind_per_word(&p, &[0..2, 2..3], None);
        assert_eq!(classes, vec![19, 14, 28]);
    }
}
