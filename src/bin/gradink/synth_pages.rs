//! `gradink synth-pages`: write photo-like pages of held-out handwriting
//! with their true text, and with `--read` read them and print the reader's
//! score per strength (`gradink::runs::synth_pages`).

use anyhow::{bail, Context, Result};
use gradink::ocr::{ReadOptions, Strength};
use gradink::runs::synth_pages::{
    save_glyph_sheet, scores_table, synth_pages, Glyphs, ReadPages, SynthPagesConfig,
};
use std::path::PathBuf;

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
    /// With --read: split touching characters by recognition (default: when the classifier has a "touching" output, as the shipped one; see docs/ocr-photos.md).
    #[arg(long, conflicts_with = "no_split")]
    pub split: bool,
    /// With --read: never split touching characters.
    #[arg(long)]
    pub no_split: bool,
    /// With --read: read every letter alone, without the English letter model.
    #[arg(long)]
    pub no_spelling: bool,
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
    let defaults = SynthPagesConfig::default();
    let glyphs = match (&args.emnist, args.glyphs) {
        (Some(emnist), _) => Glyphs::HeldOutEmnist {
            emnist: emnist.clone(),
            standin: args.standin,
        },
        (None, Some(sheet)) => Glyphs::Sheet(sheet),
        (None, None) => defaults.glyphs,
    };
    let strengths = match args.strength.as_str() {
        "all" => Strength::ALL.to_vec(),
        name => match Strength::named(name) {
            Some(s) => vec![s],
            None => bail!("--strength {name}: expected mild, medium, strong or all"),
        },
    };
    if let Some(save) = &args.save_glyphs {
        let per_class: usize = save[1]
            .parse()
            .with_context(|| format!("--save-glyphs: '{}' is not a count", save[1]))?;
        save_glyph_sheet(&glyphs, per_class, args.seed, save[0].as_ref())?;
        println!("wrote {per_class} glyphs per class to {}", save[0]);
        return Ok(());
    }
    let read = args.read.then(|| ReadPages {
        model: args
            .model
            .unwrap_or_else(gradink::repository::default_model),
        options: ReadOptions {
            undo_slant: args.deslant,
            split_touching: ReadOptions::split_from_flags(args.split, args.no_split),
            no_spelling: args.no_spelling,
        },
    });
    let cfg = SynthPagesConfig {
        glyphs,
        strengths,
        pages: args.pages,
        seed: args.seed,
        out: args.out,
        read,
    };
    let scores = synth_pages(&cfg)?;
    if cfg.read.is_none() {
        println!(
            "wrote {} pages per strength to {}",
            cfg.pages,
            cfg.out.display()
        );
        return Ok(());
    }
    print!("{}", scores_table(&scores));
    Ok(())
}
