//! `gradink report`: the whole assignment in one command. Runs, in order, the
//! gradient check, classifier training (with its weight and confusion
//! figures), the learning-rate sweep, OCR on the sample photos and the
//! autoencoder, and writes `REPORT.md` (figures embedded, every number
//! measured in this run) and `report.json` (the same numbers) into `--out`.
//!
//! Without NIST36 at `--data` it still runs what needs no training data (the
//! gradient check on the test fixture, OCR with the shipped model), marks the
//! rest as skipped, and exits 0.
//!
//! `gradink::report` holds what is measured (`sections`), the OCR stage
//! (`photos`), the page (`page`) and the stages' timing (`stages`).

use crate::progress::{self, StageBars};
use anyhow::{Context, Result};
use gradink::ae_recipe::{AeChoices, AeRecipe};
use gradink::data::choice::in_repository;
use gradink::data::Nist36;
use gradink::gradcheck::{InputCheck, Tolerance};
use gradink::options::Named;
use gradink::report::sections::{
    AutoencoderSection, ClassifierSection, DataSizes, GradcheckSection, Report, Section,
    SweepSection,
};
use gradink::report::stages::Stages;
use gradink::report::{page, photos};
use gradink::runs::gradcheck::{gradcheck, GradcheckConfig};
use gradink::runs::sweep::sweep_into;
use gradink::runs::train::train_mlp_into;
use gradink::train::{Schedule, TrainConfig};
use gradink::train_autoencoder::AeConfig;
use gradink::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

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
    #[arg(long, default_value = "out/report")]
    pub out: PathBuf,
    /// Seeds every random choice: initialisation and batch order of every model.
    #[arg(long, default_value_t = 0)]
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
    /// Classifier the OCR reads with (default: the shipped CNN, models/classifier_cnn.safetensors).
    #[arg(long)]
    pub ocr_model: Option<PathBuf>,
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

/// The stages on the overall bar: five that measure, then writing the report.
const STAGE_COUNT: usize = 6;

pub fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let data_dir = crate::chosen_data(args.data.as_deref())?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create the output folder {}", args.out.display()))?;
    gradink::keep_better::tidy(&args.out);
    let train_cfg = train_config(&args);
    let sweep_cfg = TrainConfig {
        epochs: args.sweep_epochs.unwrap_or(train_cfg.epochs),
        ..train_cfg.clone()
    };
    let ae_cfg = ae_config(&args);
    let gradcheck_cfg = gradcheck_config(&args);
    let photos = args
        .images
        .clone()
        .unwrap_or_else(|| in_repository("images"));
    let ocr_model = args
        .ocr_model
        .clone()
        .unwrap_or_else(gradink::repository::default_model);

    let mut bars = StageBars::new(STAGE_COUNT);
    let mut stages = Stages::new(&mut bars);
    let (data, missing_data) = match Nist36::load(&data_dir) {
        Ok(d) => (Some(d), None),
        Err(Error::NotFound { path, .. }) => {
            let line = missing_data_sentence(&data_dir, &path);
            stages.say(&line);
            (None, Some(line))
        }
        Err(e) => return Err(e).context("cannot load the training data"),
    };

    let gradcheck = stages.run(
        "gradient check",
        || run_gradcheck(&gradcheck_cfg),
        |g| {
            format!(
                "{} scalars, max abs error {:.1e}, {}",
                g.scalars,
                g.max_abs_err(),
                if g.all_passed { "all pass" } else { "FAILED" }
            )
        },
    );

    let mut trained = None;
    let classifier = stages.run(
        "classifier training",
        || {
            on_data(&data, &data_dir, |d| {
                let folder = "classifier";
                let (model, summary) = train_mlp_into(
                    d,
                    &train_cfg,
                    &args.out.join(folder),
                    "classifier",
                    &mut progress::shown(),
                )?;
                trained = Some(model);
                Ok(ClassifierSection {
                    folder: folder.into(),
                    classes: d.train.classes,
                    train_samples: d.train.len(),
                    summary,
                })
            })
        },
        |c| {
            format!(
                "valid {:.1}%, test {:.1}%",
                100.0 * c.summary.valid_acc,
                100.0 * c.summary.test_acc
            )
        },
    );

    let sweep = stages.run(
        "learning-rate sweep",
        || {
            on_data(&data, &data_dir, |d| {
                let folder = "sweep";
                Ok(SweepSection {
                    folder: folder.into(),
                    epochs: sweep_cfg.epochs,
                    runs: sweep_into(
                        d,
                        &sweep_cfg,
                        &args.out.join(folder),
                        &mut progress::shown(),
                    )?,
                })
            })
        },
        |s| {
            let parts: Vec<String> = s
                .runs
                .iter()
                .map(|r| format!("lr {} valid {:.1}%", r.lr, 100.0 * r.valid_acc))
                .collect();
            parts.join(", ")
        },
    );

    let ocr = stages.run(
        "OCR on the photos",
        || photos::read_all(&photos, &ocr_model, trained.as_ref(), &args.out.join("ocr")),
        |o| {
            let accuracy = o
                .character_accuracy
                .map_or("(no true text)".into(), |a| format!("{:.2}%", 100.0 * a));
            let unreadable = match o.unreadable.len() {
                0 => String::new(),
                n => format!(", {n} UNREADABLE"),
            };
            format!(
                "{} photos, character accuracy {accuracy}{unreadable}",
                o.images.len()
            )
        },
    );

    let autoencoder = stages.run(
        "autoencoder",
        || {
            on_data(&data, &data_dir, |d| {
                let folder = "autoencoder";
                let dir = args.out.join(folder);
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                let summary = gradink::runs::autoencoder::train_and_report(
                    &d.train,
                    &d.valid,
                    ae_cfg.clone(),
                    &dir,
                    &mut progress::shown(),
                )?;
                Ok(AutoencoderSection {
                    folder: folder.into(),
                    summary,
                })
            })
        },
        |a| format!("valid PSNR {:.2} dB", a.summary.valid_psnr_mean),
    );

    stages.start("writing the report");
    let report = Report {
        command: typed_command(),
        reproduce: reproduce_command(
            &args,
            &data_dir,
            &train_cfg,
            &sweep_cfg,
            &ae_cfg,
            &gradcheck_cfg,
            (&photos, &ocr_model),
        ),
        seed: args.seed,
        gradink_version: env!("CARGO_PKG_VERSION").to_string(),
        data: data_dir.clone(),
        data_samples: data.as_ref().map(|d| DataSizes {
            train: d.train.len(),
            valid: d.valid.len(),
            test: d.test.len(),
        }),
        missing_data,
        gradcheck,
        classifier,
        sweep,
        ocr,
        autoencoder,
        timings: stages.timings(),
        total_seconds: started.elapsed().as_secs_f64(),
    };
    let page = args.out.join("REPORT.md");
    gradink::fsutil::write_atomic(&page, page::page(&report).as_bytes())?;
    gradink::fsutil::write_atomic(
        &args.out.join("report.json"),
        serde_json::to_string_pretty(&report)?.as_bytes(),
    )?;
    stages.finish(&format!(
        "wrote {} and report.json in {:.1} s",
        page.display(),
        report.total_seconds
    ));

    let failed = report.failed_sections();
    if !failed.is_empty() {
        anyhow::bail!(
            "the report is written, but these sections failed: {} (see {})",
            failed.join(", "),
            page.display()
        );
    }
    // As `gradink ocr` exits 1 for a photo it cannot read, so does the report.
    if let Some(o) = report.ocr.ok().filter(|o| !o.unreadable.is_empty()) {
        let names: Vec<String> = o
            .unreadable
            .iter()
            .map(|f| format!("{} ({})", f.image, f.error))
            .collect();
        anyhow::bail!(
            "the report is written, but {} photo(s) could not be read: {} (see {})",
            names.len(),
            names.join("; "),
            page.display()
        );
    }
    if report.gradcheck.ok().is_some_and(|g| !g.all_passed) {
        anyhow::bail!(
            "the report is written, but the gradient check failed (see {})",
            page.display()
        );
    }
    Ok(())
}

/// `f` on the training data as a section: skipped when there is no data
/// (the report has already said why), failed when `f` fails.
fn on_data<T>(
    data: &Option<Nist36>,
    dir: &Path,
    f: impl FnOnce(&Nist36) -> Result<T>,
) -> Section<T> {
    match data {
        Some(d) => f(d).into(),
        None => Section::Skipped {
            reason: format!("no NIST36 data at {} (see above).", dir.display()),
        },
    }
}

fn train_config(args: &Args) -> TrainConfig {
    let d = TrainConfig::default();
    TrainConfig {
        epochs: args.epochs.unwrap_or(d.epochs),
        hidden: args.hidden.unwrap_or(d.hidden),
        lr: args.lr.unwrap_or(d.lr),
        batch_size: args.batch_size.unwrap_or(d.batch_size),
        seed: args.seed,
        schedule: args.schedule.unwrap_or(d.schedule),
    }
}

fn ae_config(args: &Args) -> AeConfig {
    AeChoices {
        recipe: args.ae_recipe.unwrap_or_default(),
        epochs: args.ae_epochs,
        seed: args.seed,
        ..AeChoices::default()
    }
    .config()
}

fn gradcheck_config(args: &Args) -> GradcheckConfig {
    let d = GradcheckConfig::default();
    GradcheckConfig {
        data: args.gradcheck_data.clone().unwrap_or_else(|| d.file()),
        hidden: args.gradcheck_hidden.unwrap_or(d.hidden),
        seed: args.seed,
        ..d
    }
}

fn missing_data_sentence(dir: &Path, missing: &Path) -> String {
    format!(
        "NIST36 is not present at {} ({} not found), so the sections that train are skipped; \
         get the course files with `bash data/get-data.sh` (into data/nist36), \
         or leave out --data to use the stand-in shipped in data/nist36_standin.",
        dir.display(),
        missing.display()
    )
}

/// The arguments as typed, shell-quoted, after `gradink`.
fn typed_command() -> String {
    let args: Vec<String> = std::env::args().skip(1).map(|a| shell_quote(&a)).collect();
    format!("gradink {}", args.join(" "))
}

/// Every option that shapes a number in the report, spelt out.
fn reproduce_command(
    args: &Args,
    data_dir: &Path,
    cfg: &TrainConfig,
    sweep: &TrainConfig,
    ae: &AeConfig,
    gc: &GradcheckConfig,
    (photos, ocr_model): (&Path, &Path),
) -> String {
    let path = |p: &Path| shell_quote(&p.display().to_string());
    let schedule = cfg.schedule.name();
    let recipe = args.ae_recipe.unwrap_or(AeRecipe::Course);
    let parts = [
        format!("--data {}", path(data_dir)),
        format!("--out {}", path(&args.out)),
        format!("--seed {}", args.seed),
        format!("--epochs {}", cfg.epochs),
        format!("--sweep-epochs {}", sweep.epochs),
        format!("--hidden {}", cfg.hidden),
        format!("--lr {}", cfg.lr),
        format!("--batch-size {}", cfg.batch_size),
        format!("--schedule {schedule}"),
        format!("--ae-recipe {}", recipe.name()),
        format!("--ae-epochs {}", ae.epochs),
        format!("--gradcheck-hidden {}", gc.hidden),
        format!("--gradcheck-data {}", path(&gc.data)),
        format!("--images {}", path(photos)),
        format!("--ocr-model {}", path(ocr_model)),
    ];
    format!("cargo run --release -- report {}", parts.join(" "))
}

fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The gradient check as a section: skipped when its file is not there.
fn run_gradcheck(cfg: &GradcheckConfig) -> Section<GradcheckSection> {
    match gradcheck(cfg) {
        Ok(parameters) => {
            let tol = Tolerance::default();
            Section::Ok(GradcheckSection {
                data: cfg.data.clone(),
                samples: cfg.batch,
                hidden: cfg.hidden,
                // One output bias per class.
                classes: parameters
                    .iter()
                    .find(|c| c.name == "output.bias")
                    .map_or(0, |c| c.checked),
                eps: tol.eps,
                atol: tol.atol,
                rtol: tol.rtol,
                scalars: parameters.iter().map(|c| c.checked).sum(),
                all_passed: parameters.iter().all(InputCheck::passed),
                parameters,
            })
        }
        Err(e) => match e {
            Error::NotFound { path, .. } => Section::Skipped {
                reason: format!(
                    "{} not found (run from the repository root, or pass --gradcheck-data FILE).",
                    path.display()
                ),
            },
            _ => Section::Failed {
                error: format!("{e:#}"),
            },
        },
    }
}
