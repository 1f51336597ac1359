//! `gradink synth-pages`: write photo-like pages of held-out handwriting
//! (see `gradink::ocr::synth`) with their true text, and with `--read`
//! read them and score the reader per strength.

use crate::ocr::default_model;
use anyhow::{bail, Context, Result};
use gradink::ocr::{
    draw_boxes, find_letters, load_classifier, read_letters_with, synth_page, GlyphBank, PageScore,
    ReadOptions, Strength,
};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::path::{Path, PathBuf};

/// The held-out glyphs shipped with the repository.
pub const FIXTURE_GLYPHS: &str = "tests/fixtures/heldout_glyphs.png";

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// A glyph sheet (36 rows of 28×28 tiles, white on black); default: the
    /// shipped tests/fixtures/heldout_glyphs.png.
    #[arg(long, conflicts_with = "emnist")]
    pub glyphs: Option<PathBuf>,
    /// Write with every held-out capital and digit of this EMNIST folder
    /// instead (rows neither in the stand-in's training split nor added by
    /// `train --emnist`, for the shipped model's --seed 0 and 1500 per class).
    #[arg(long)]
    pub emnist: Option<PathBuf>,
    /// The stand-in whose source_indices.csv says which EMNIST rows were trained on.
    #[arg(long, default_value = "../shared/data/nist36_standin")]
    pub standin: PathBuf,
    /// mild, medium, strong or all.
    #[arg(long, default_value = "all")]
    pub strength: String,
    /// Pages per strength.
    #[arg(long, default_value_t = 20, value_parser = crate::parse::positive)]
    pub pages: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Folder for <strength>/page_NNN.jpg and page_NNN.txt (the truth).
    #[arg(long, default_value = "out/synth_pages")]
    pub out: PathBuf,
    /// Also read every page, write page_NNN_read.txt and page_NNN_boxes.png and print the scores.
    #[arg(long)]
    pub read: bool,
    /// Classifier for --read (default: the shipped one).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// With --read: split touching characters by recognition (off by default, see docs/ocr-photos.md).
    #[arg(long)]
    pub split: bool,
    /// With --read: undo the lines' slant in the crops (off by default: the
    /// classifier's shear augmentation already covers slanted letters).
    #[arg(long)]
    pub deslant: bool,
    /// With --emnist: write this many held-out glyphs per class (seeded) as a
    /// glyph sheet to this file, e.g. to renew the test fixture.
    #[arg(long, requires = "emnist", value_names = ["FILE", "PER_CLASS"], num_args = 2)]
    pub save_glyphs: Option<Vec<String>>,
}

pub fn run(args: Args) -> Result<()> {
    let strengths: Vec<Strength> = if args.strength == "all" {
        Strength::ALL.to_vec()
    } else {
        match Strength::named(&args.strength) {
            Some(s) => vec![s],
            None => bail!(
                "--strength {}: expected mild, medium, strong or all",
                args.strength
            ),
        }
    };
    let bank = match &args.emnist {
        Some(dir) => held_out_bank(dir, &args.standin)?,
        None => {
            let sheet = args.glyphs.clone().unwrap_or_else(fixture_glyphs);
            GlyphBank::from_sheet(&sheet).context("cannot read the glyph sheet")?
        }
    };
    if let Some(save) = &args.save_glyphs {
        let per_class: usize = save[1]
            .parse()
            .with_context(|| format!("--save-glyphs: '{}' is not a count", save[1]))?;
        let sheet = sample(&bank, per_class, args.seed).to_sheet();
        sheet
            .save(&save[0])
            .with_context(|| format!("cannot write {}", save[0]))?;
        println!("wrote {per_class} glyphs per class to {}", save[0]);
        return Ok(());
    }
    let model = match args.read {
        true => {
            let path = args.model.clone().unwrap_or_else(default_model);
            Some(load_classifier(&path).context("cannot load the classifier")?)
        }
        false => None,
    };
    let mut rows = Vec::new();
    for strength in &strengths {
        // The strength's place in ALL, not in this run's list, so a page is
        // the same whether one strength or all of them are asked for.
        let k = Strength::ALL
            .iter()
            .position(|s| s.name == strength.name)
            .unwrap_or(0);
        let dir = args.out.join(strength.name);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create the output folder {}", dir.display()))?;
        let mut total = PageScore::default();
        for page in 0..args.pages {
            let seed = page_seed(args.seed, k, page);
            let synth = synth_page(&bank, strength, seed);
            let name = format!("page_{page:03}");
            write(&dir.join(format!("{name}.jpg")), &synth.jpeg)?;
            write(
                &dir.join(format!("{name}.txt")),
                (synth.lines.join("\n") + "\n").as_bytes(),
            )?;
            if let Some(model) = &model {
                let options = ReadOptions {
                    undo_slant: args.deslant,
                    split_touching: args.split,
                };
                let reading = read_letters_with(&find_letters(&synth.photo), model, &options);
                total += PageScore::of(&reading.lines, &synth.lines);
                write(
                    &dir.join(format!("{name}_read.txt")),
                    (reading.lines.join("\n") + "\n").as_bytes(),
                )?;
                let boxes = dir.join(format!("{name}_boxes.png"));
                draw_boxes(&synth.photo, &reading)
                    .save(&boxes)
                    .with_context(|| format!("cannot write {}", boxes.display()))?;
            }
        }
        rows.push((strength.name, total));
    }
    if model.is_some() {
        println!("| strength | pages | characters | character accuracy | lines split right | lines found / true | invented lines |");
        println!("| --- | --- | --- | --- | --- | --- | --- |");
        for (name, s) in &rows {
            println!(
                "| {name} | {} | {} | {:.1} % | {} / {} ({:.1} %) | {} / {} | {} |",
                args.pages,
                s.characters,
                100.0 * s.accuracy(),
                s.lines_split_right,
                s.lines_true,
                100.0 * s.split_rate(),
                s.lines_found,
                s.lines_true,
                s.lines_invented
            );
        }
        let json = args.out.join("scores.json");
        let record: Vec<_> = rows
            .iter()
            .map(|(name, s)| serde_json::json!({"strength": name, "pages": args.pages, "score": s, "accuracy": s.accuracy()}))
            .collect();
        write(&json, serde_json::to_string_pretty(&record)?.as_bytes())?;
    } else {
        println!(
            "wrote {} pages per strength to {}",
            args.pages,
            args.out.display()
        );
    }
    Ok(())
}

/// One seed per (run seed, strength, page), so pages do not depend on how many are made.
pub fn page_seed(seed: u64, strength: usize, page: usize) -> u64 {
    seed.wrapping_mul(1_000_003)
        .wrapping_add(strength as u64 * 100_000 + page as u64)
}

/// The shipped glyph sheet: in the working folder, else beside the manifest.
pub fn fixture_glyphs() -> PathBuf {
    let here = PathBuf::from(FIXTURE_GLYPHS);
    if here.exists() {
        here
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE_GLYPHS)
    }
}

/// Every held-out EMNIST capital and digit (see `--emnist`).
fn held_out_bank(dir: &Path, standin: &Path) -> Result<GlyphBank> {
    use gradink::data::emnist;
    let held = emnist::held_out36(dir, standin.join("source_indices.csv"), 1500, 0)
        .context("cannot choose the held-out EMNIST rows")?;
    let indices: Vec<usize> = held.iter().map(|&(i, _)| i).collect();
    let tiles = emnist::load_emnist_tiles(dir, &indices).context("cannot load EMNIST tiles")?;
    Ok(GlyphBank::new(
        tiles.into_iter().zip(held.iter().map(|&(_, c)| c)),
    ))
}

/// A seeded choice of up to `per_class` glyphs of every class.
fn sample(bank: &GlyphBank, per_class: usize, seed: u64) -> GlyphBank {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut by_class = bank.by_class.clone();
    for tiles in &mut by_class {
        tiles.shuffle(&mut rng);
        tiles.truncate(per_class);
    }
    GlyphBank { by_class }
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
