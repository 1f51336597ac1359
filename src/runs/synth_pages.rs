//! `gradink synth-pages`: write photo-like pages of held-out handwriting
//! (`crate::ocr::synth`) with their true text, and optionally read them
//! and score the reader per strength.

use crate::data::emnist;
use crate::error::{Error, Result};
use crate::ocr::{
    find_letters, load_classifier, read_letters_with, synth_page, write_boxes, GlyphBank,
    PageScore, ReadOptions, Strength,
};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::path::{Path, PathBuf};

/// Where the pages' handwriting comes from.
#[derive(Clone, Debug)]
pub enum Glyphs {
    /// A glyph sheet: 36 rows of 28×28 tiles, white on black.
    Sheet(PathBuf),
    /// Every capital and digit of an EMNIST folder that the stand-in (its
    /// `source_indices.csv`) did not train on, for the shipped model's
    /// seed 0 and 1500 per class.
    HeldOutEmnist { emnist: PathBuf, standin: PathBuf },
}

/// Reading the pages back: with which classifier and how.
#[derive(Clone, Debug)]
pub struct ReadPages {
    pub model: PathBuf,
    pub options: ReadOptions,
}

/// What to write and whether to read it.
#[derive(Clone, Debug)]
pub struct SynthPagesConfig {
    pub glyphs: Glyphs,
    pub strengths: Vec<Strength>,
    /// Pages per strength.
    pub pages: usize,
    pub seed: u64,
    /// Folder for `<strength>/page_NNN.jpg` and `page_NNN.txt` (the truth).
    pub out: PathBuf,
    /// Also read every page, writing `page_NNN_read.txt`, `page_NNN_boxes.png`
    /// and `scores.json`.
    pub read: Option<ReadPages>,
}

impl Default for SynthPagesConfig {
    fn default() -> Self {
        SynthPagesConfig {
            glyphs: Glyphs::Sheet(crate::data::choice::in_repository(
                crate::repository::FIXTURE_GLYPHS,
            )),
            strengths: Strength::ALL.to_vec(),
            pages: 20,
            seed: 0,
            out: PathBuf::from("out/synth_pages"),
            read: None,
        }
    }
}

/// The reader's score over the pages of one strength, and each page read.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StrengthScore {
    pub strength: &'static str,
    pub pages: usize,
    pub score: PageScore,
    pub readings: Vec<PageReading>,
}

/// One page read back; its files are named relative to the run's `out`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PageReading {
    /// `<strength>/page_NNN.jpg`.
    pub photo: String,
    /// `<strength>/page_NNN_boxes.png`: the boxes read, coloured by line.
    pub boxes_figure: String,
    pub truth: Vec<String>,
    pub read: Vec<String>,
    pub score: PageScore,
}

/// Writes the pages; with `cfg.read`, reads them and returns one score per
/// strength (else none).
pub fn synth_pages(cfg: &SynthPagesConfig) -> Result<Vec<StrengthScore>> {
    let bank = glyph_bank(&cfg.glyphs)?;
    let reader = match &cfg.read {
        Some(read) => Some((
            load_classifier(&read.model).map_err(|e| e.during("cannot load the classifier"))?,
            &read.options,
        )),
        None => None,
    };
    let mut scores = Vec::new();
    for strength in &cfg.strengths {
        // The strength's place in ALL, not in this run's list, so a page is
        // the same whether one strength or all of them are asked for.
        let k = Strength::ALL
            .iter()
            .position(|s| s.name == strength.name)
            .unwrap_or(0);
        let dir = cfg.out.join(strength.name);
        std::fs::create_dir_all(&dir).map_err(|error| Error::Files {
            what: format!("cannot create the output folder {}", dir.display()),
            error,
        })?;
        let mut total = PageScore::default();
        let mut readings = Vec::new();
        for page in 0..cfg.pages {
            let synth = synth_page(&bank, strength, page_seed(cfg.seed, k, page));
            let name = format!("page_{page:03}");
            write(&dir.join(format!("{name}.jpg")), &synth.jpeg)?;
            write(&dir.join(format!("{name}.txt")), &lines(&synth.lines))?;
            if let Some((model, options)) = &reader {
                let reading = read_letters_with(&find_letters(&synth.photo), model, options);
                let score = PageScore::of(&reading.lines, &synth.lines);
                total += score;
                write(
                    &dir.join(format!("{name}_read.txt")),
                    &lines(&reading.lines),
                )?;
                let boxes_figure = format!("{name}_boxes.png");
                write_boxes(&synth.photo, &reading, &dir.join(&boxes_figure))?;
                readings.push(PageReading {
                    photo: format!("{}/{name}.jpg", strength.name),
                    boxes_figure: format!("{}/{boxes_figure}", strength.name),
                    truth: synth.lines,
                    read: reading.lines,
                    score,
                });
            }
        }
        scores.push(StrengthScore {
            strength: strength.name,
            pages: cfg.pages,
            score: total,
            readings,
        });
    }
    if reader.is_none() {
        return Ok(Vec::new());
    }
    let record: Vec<_> = scores
        .iter()
        .map(|s| serde_json::json!({"strength": s.strength, "pages": s.pages, "score": s.score, "accuracy": s.score.accuracy()}))
        .collect();
    let json = serde_json::to_string_pretty(&record).expect("scores are plain numbers");
    write(&cfg.out.join("scores.json"), json.as_bytes())?;
    Ok(scores)
}

/// The scores as the Markdown table `gradink synth-pages --read` prints.
pub fn scores_table(scores: &[StrengthScore]) -> String {
    let mut table = String::from(
        "| strength | pages | characters | character accuracy | lines split right | lines found / true | invented lines |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for s in scores {
        let p = &s.score;
        table += &format!(
            "| {} | {} | {} | {:.1} % | {} / {} ({:.1} %) | {} / {} | {} |\n",
            s.strength,
            s.pages,
            p.characters,
            100.0 * p.accuracy(),
            p.lines_split_right,
            p.lines_true,
            100.0 * p.split_rate(),
            p.lines_found,
            p.lines_true,
            p.lines_invented
        );
    }
    table
}

/// Writes a seeded choice of up to `per_class` glyphs of every class of
/// `glyphs` as a glyph sheet to `file` (e.g. to renew the test fixture).
pub fn save_glyph_sheet(glyphs: &Glyphs, per_class: usize, seed: u64, file: &Path) -> Result<()> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut by_class = glyph_bank(glyphs)?.by_class;
    for tiles in &mut by_class {
        tiles.shuffle(&mut rng);
        tiles.truncate(per_class);
    }
    GlyphBank { by_class }
        .to_sheet()
        .save(file)
        .map_err(|e| Error::Write {
            path: file.to_path_buf(),
            reason: e.to_string(),
        })
}

/// One seed per (run seed, strength, page), so pages do not depend on how many are made.
pub fn page_seed(seed: u64, strength: usize, page: usize) -> u64 {
    seed.wrapping_mul(1_000_003)
        .wrapping_add(strength as u64 * 100_000 + page as u64)
}

fn glyph_bank(glyphs: &Glyphs) -> Result<GlyphBank> {
    match glyphs {
        Glyphs::Sheet(sheet) => {
            GlyphBank::from_sheet(sheet).map_err(|e| e.during("cannot read the glyph sheet"))
        }
        Glyphs::HeldOutEmnist { emnist, standin } => held_out_bank(emnist, standin),
    }
}

fn held_out_bank(dir: &Path, standin: &Path) -> Result<GlyphBank> {
    let held = emnist::held_out36(dir, standin.join("source_indices.csv"), 1500, 0)
        .map_err(|e| e.during("cannot choose the held-out EMNIST rows"))?;
    let indices: Vec<usize> = held.iter().map(|&(i, _)| i).collect();
    let tiles = emnist::load_emnist_tiles(dir, &indices)
        .map_err(|e| e.during("cannot load EMNIST tiles"))?;
    Ok(GlyphBank::new(
        tiles.into_iter().zip(held.iter().map(|&(_, c)| c)),
    ))
}

/// Text lines as a file: one per line, ending with a line break.
fn lines(lines: &[String]) -> Vec<u8> {
    (lines.join("\n") + "\n").into_bytes()
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}
