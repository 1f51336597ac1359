//! `gradink report`: the whole assignment in one command
//! (`gradink::runs::report`): gradient check, classifier, sweep, OCR on the
//! photos and on generated pages, and autoencoder, written up as REPORT.md and report.json.

use crate::progress::{self, StageBars};
use anyhow::Result;
use gradink::ae_recipe::AeRecipe;
use gradink::runs::gradcheck::GradcheckConfig;
use gradink::runs::report::{report, shell_quote, ReportConfig, STAGE_COUNT};
use gradink::train::{Schedule, TrainConfig};
use std::path::PathBuf;

/// Every budget option defaults to the value of the subcommand it runs
/// (`gradink train`, `gradink autoencoder`), so the report shows what those
/// commands give; shrink them (e.g. `--epochs 2 --ae-epochs 2`) for a quick look.
#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Folder with nist36_train.mat, nist36_valid.mat, nist36_test.mat
    /// [default: data/nist36 when it is there, else data/nist36_standin]
    /// (when missing, the sections that need it are skipped).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Folder for REPORT.md, report.json and every figure.
    #[arg(long, default_value_os_t = ReportConfig::default().out)]
    pub out: PathBuf,
    /// Seeds every random choice: initialisation and batch order of every model.
    #[arg(long, default_value_t = ReportConfig::default().seed)]
    pub seed: u64,
    /// Classifier epochs (default: `gradink train`'s).
    #[arg(long, value_parser = crate::parse::epochs)]
    pub epochs: Option<usize>,
    /// Epochs of each of the three learning-rate sweep runs (default: --epochs).
    #[arg(long, value_parser = crate::parse::epochs)]
    pub sweep_epochs: Option<usize>,
    /// Classifier hidden units (default: `gradink train`'s).
    #[arg(long, value_parser = crate::parse::positive)]
    pub hidden: Option<usize>,
    /// Classifier learning rate; the sweep also tries 10× and 0.1× (default: `gradink train`'s).
    #[arg(long, value_parser = crate::parse::rate)]
    pub lr: Option<f64>,
    /// Classifier batch size (default: `gradink train`'s).
    #[arg(long, value_parser = crate::parse::positive)]
    pub batch_size: Option<usize>,
    /// Classifier learning-rate schedule (default: `gradink train`'s).
    #[arg(long, value_parser = crate::parse::named::<Schedule>())]
    pub schedule: Option<Schedule>,
    /// Folder of photos to read: every JPEG, PNG, GIF, WebP, BMP or TIFF in it;
    /// `NAME.txt` beside `NAME.jpg` holds its true text, one line per line
    /// (default: the repository's images/).
    #[arg(long)]
    pub images: Option<PathBuf>,
    /// Classifier the OCR reads with (default: the shipped reader, models/classifier_cnn.safetensors, two CNNs).
    #[arg(long)]
    pub ocr_model: Option<PathBuf>,
    /// Photo-like pages written with held-out handwriting and read back, per
    /// strength (mild, medium, strong); 0 skips that section.
    #[arg(long, default_value_t = ReportConfig::default().synth_pages)]
    pub synth_pages: usize,
    /// The glyph sheet those pages are written with (36 rows of 28×28 tiles,
    /// white on black; default: the shipped tests/fixtures/heldout_glyphs.png).
    #[arg(long)]
    pub synth_glyphs: Option<PathBuf>,
    /// Autoencoder epochs (default: `gradink autoencoder`'s).
    #[arg(long, value_parser = crate::parse::epochs)]
    pub ae_epochs: Option<usize>,
    /// Autoencoder recipe (default: `gradink autoencoder`'s, the course's).
    #[arg(long, value_parser = crate::parse::named::<AeRecipe>())]
    pub ae_recipe: Option<AeRecipe>,
    /// Parameters in the gradient check's classifier (default: `gradink gradcheck`'s).
    #[arg(long, value_parser = crate::parse::positive)]
    pub gradcheck_hidden: Option<usize>,
    /// A NIST36-format .mat file with valid_data/valid_labels for the
    /// gradient check (default: `gradink gradcheck`'s, the repository's real-NIST fixture).
    #[arg(long)]
    pub gradcheck_data: Option<PathBuf>,
}

impl Args {
    fn config(self) -> ReportConfig {
        let d = ReportConfig::default();
        ReportConfig {
            data: self.data,
            out: self.out,
            seed: self.seed,
            train: TrainConfig {
                epochs: self.epochs.unwrap_or(d.train.epochs),
                hidden: self.hidden.unwrap_or(d.train.hidden),
                lr: self.lr.unwrap_or(d.train.lr),
                batch_size: self.batch_size.unwrap_or(d.train.batch_size),
                schedule: self.schedule.unwrap_or(d.train.schedule),
                ..d.train
            },
            sweep_epochs: self.sweep_epochs,
            images: self.images,
            ocr_model: self.ocr_model,
            synth_pages: self.synth_pages,
            synth_glyphs: self.synth_glyphs,
            ae_recipe: self.ae_recipe.unwrap_or(d.ae_recipe),
            ae_epochs: self.ae_epochs,
            gradcheck: GradcheckConfig {
                data: self.gradcheck_data.unwrap_or(d.gradcheck.data.clone()),
                hidden: self.gradcheck_hidden.unwrap_or(d.gradcheck.hidden),
                ..d.gradcheck
            },
            command: typed_command(),
        }
    }
}

pub fn run(args: Args) -> Result<()> {
    let mut bars = StageBars::new(STAGE_COUNT);
    let outcome = report(&args.config(), &mut bars, &mut progress::shown())?;
    drop(bars);
    match outcome.problem() {
        Some(problem) => anyhow::bail!("{problem}"),
        None => Ok(()),
    }
}

/// The arguments as typed, shell-quoted, after `gradink`.
fn typed_command() -> String {
    let args: Vec<String> = std::env::args().skip(1).map(|a| shell_quote(&a)).collect();
    format!("gradink {}", args.join(" "))
}
