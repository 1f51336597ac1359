//! `gradink report`: the whole assignment in one run. Runs, in order, the
//! gradient check, classifier training (with its weight and confusion
//! figures), the learning-rate sweep, OCR on the sample photos, OCR on
//! generated photo-like pages of held-out handwriting and the autoencoder,
//! and writes `REPORT.md` (figures embedded, every number
//! measured in this run) and `report.json` (the same numbers) into `out`.
//!
//! Without NIST36 it still runs what needs no training data (the gradient
//! check on the test fixture, OCR with the shipped model, the generated
//! pages) and marks the
//! rest as skipped. What is measured and how the page looks are in
//! `crate::report`; this file is the order of the stages.
//!
//! ```no_run
//! use gradink::report::stages::StageDisplay;
//! use gradink::runs::{event, report::{report, ReportConfig}};
//!
//! /// Each finished stage's line on stderr.
//! struct Lines;
//! impl StageDisplay for Lines {
//!     fn start(&mut self, _name: &str) {}
//!     fn finish_stage(&mut self, line: &str) { eprintln!("{line}") }
//!     fn say(&mut self, line: &str) { eprintln!("{line}") }
//! }
//!
//! let mut cfg = ReportConfig::default();
//! cfg.train.epochs = 2;
//! cfg.ae_epochs = Some(2);
//! let outcome = report(&cfg, &mut Lines, &mut event::ignore)?;
//! println!("{}", outcome.page.display());
//! # Ok::<(), gradink::Error>(())
//! ```

use crate::ae_recipe::{AeChoices, AeRecipe};
use crate::data::choice::{in_repository, nist36_dir};
use crate::data::Nist36;
use crate::error::{Error, Result};
use crate::gradcheck::{InputCheck, Tolerance};
use crate::ocr::{ReadOptions, Strength};
use crate::options::Named;
use crate::report::sections::{
    AutoencoderSection, ClassifierSection, DataSizes, GradcheckSection, Report, Section,
    SweepSection, SynthPagesSection,
};
use crate::report::stages::{StageDisplay, Stages};
use crate::report::{page, photos};
use crate::runs::autoencoder::train_and_report;
use crate::runs::event::Event;
use crate::runs::gradcheck::{gradcheck, GradcheckConfig};
use crate::runs::sweep::sweep_into;
use crate::runs::synth_pages::{synth_pages, Glyphs, ReadPages, SynthPagesConfig};
use crate::runs::train::train_mlp_into;
use crate::train::TrainConfig;
use crate::train_autoencoder::AeConfig;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One `gradink report`; `Default` runs every stage with its command's
/// defaults (`gradink train`, `gradcheck`, `autoencoder`). `seed` replaces
/// the seed of every stage.
#[derive(Clone, Debug)]
pub struct ReportConfig {
    /// The NIST36 folder; `None`: the default of src/data/choice.rs. When it
    /// is missing, the stages that train are skipped.
    pub data: Option<PathBuf>,
    /// Where REPORT.md, report.json and every figure go.
    pub out: PathBuf,
    pub seed: u64,
    /// The classifier's training; the sweep tries its `lr`, 10× and 0.1×.
    pub train: TrainConfig,
    /// Epochs of each sweep run; `None`: `train.epochs`.
    pub sweep_epochs: Option<usize>,
    /// Folder of photos to read; `None`: the repository's images/.
    pub images: Option<PathBuf>,
    /// The classifier the OCR reads with; `None`: the shipped reader.
    pub ocr_model: Option<PathBuf>,
    /// Generated photo-like pages read per strength; 0 skips that section.
    pub synth_pages: usize,
    /// The glyph sheet they are written with; `None`: the shipped held-out glyphs.
    pub synth_glyphs: Option<PathBuf>,
    pub ae_recipe: AeRecipe,
    /// Autoencoder epochs; `None`: the recipe's.
    pub ae_epochs: Option<usize>,
    pub gradcheck: GradcheckConfig,
    /// The command as typed, for report.json (empty when not run from one).
    pub command: String,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            data: None,
            out: PathBuf::from("out/report"),
            seed: 0,
            train: TrainConfig::default(),
            sweep_epochs: None,
            images: None,
            ocr_model: None,
            synth_pages: 3,
            synth_glyphs: None,
            ae_recipe: AeRecipe::Course,
            ae_epochs: None,
            gradcheck: GradcheckConfig::default(),
            command: String::new(),
        }
    }
}

impl ReportConfig {
    /// The classifier's training, with the report's seed.
    pub fn train_config(&self) -> TrainConfig {
        TrainConfig {
            seed: self.seed,
            ..self.train.clone()
        }
    }

    /// Each sweep run's training (at `lr`; the sweep scales it).
    pub fn sweep_config(&self) -> TrainConfig {
        let train = self.train_config();
        TrainConfig {
            epochs: self.sweep_epochs.unwrap_or(train.epochs),
            ..train
        }
    }

    /// The autoencoder's training: `gradink autoencoder`'s with the
    /// report's recipe, epochs and seed.
    pub fn ae_config(&self) -> AeConfig {
        AeChoices {
            recipe: self.ae_recipe,
            epochs: self.ae_epochs,
            seed: self.seed,
            ..AeChoices::default()
        }
        .config()
    }

    /// The gradient check, with the report's seed, its file as found from here.
    pub fn gradcheck_config(&self) -> GradcheckConfig {
        GradcheckConfig {
            data: self.gradcheck.file(),
            seed: self.seed,
            ..self.gradcheck.clone()
        }
    }
}

/// The stages on the overall bar: six that measure, then writing the report.
pub const STAGE_COUNT: usize = 7;

/// What a finished report holds, and where its page is.
pub struct ReportOutcome {
    pub report: Report,
    pub page: PathBuf,
}

impl ReportOutcome {
    /// Why the command should still fail although the report is written:
    /// a failed section, an unreadable photo (as `gradink ocr` fails for
    /// one) or a failed gradient check.
    pub fn problem(&self) -> Option<String> {
        let (report, page) = (&self.report, self.page.display());
        let failed = report.failed_sections();
        if !failed.is_empty() {
            return Some(format!(
                "the report is written, but these sections failed: {} (see {page})",
                failed.join(", ")
            ));
        }
        if let Some(o) = report.ocr.ok().filter(|o| !o.unreadable.is_empty()) {
            let names: Vec<String> = o
                .unreadable
                .iter()
                .map(|f| format!("{} ({})", f.image, f.error))
                .collect();
            return Some(format!(
                "the report is written, but {} photo(s) could not be read: {} (see {page})",
                names.len(),
                names.join("; ")
            ));
        }
        if report.gradcheck.ok().is_some_and(|g| !g.all_passed) {
            return Some(format!(
                "the report is written, but the gradient check failed (see {page})"
            ));
        }
        None
    }
}

/// The whole `gradink report`: every stage, shown through `display`
/// (training progress through `on_event`), then REPORT.md and report.json.
pub fn report(
    cfg: &ReportConfig,
    display: &mut dyn StageDisplay,
    on_event: &mut dyn FnMut(Event),
) -> Result<ReportOutcome> {
    let started = Instant::now();
    let choice = nist36_dir(cfg.data.as_deref())?;
    on_event(Event::Data(&choice));
    let data_dir = choice.dir.clone();
    std::fs::create_dir_all(&cfg.out).map_err(|error| Error::Files {
        what: format!("cannot create the output folder {}", cfg.out.display()),
        error,
    })?;
    crate::keep_better::tidy(&cfg.out);
    let train_cfg = cfg.train_config();
    let sweep_cfg = cfg.sweep_config();
    let ae_cfg = cfg.ae_config();
    let gradcheck_cfg = cfg.gradcheck_config();
    let photos = cfg
        .images
        .clone()
        .unwrap_or_else(|| in_repository("images"));
    let ocr_model = cfg
        .ocr_model
        .clone()
        .unwrap_or_else(crate::repository::default_model);
    let glyphs = cfg
        .synth_glyphs
        .clone()
        .unwrap_or_else(|| in_repository(crate::repository::FIXTURE_GLYPHS));

    let mut stages = Stages::new(display);
    let (data, missing_data) = match Nist36::load(&data_dir) {
        Ok(d) => (Some(d), None),
        Err(Error::NotFound { path, .. }) => {
            let line = missing_data_sentence(&data_dir, &path);
            stages.say(&line);
            (None, Some(line))
        }
        Err(e) => return Err(e.during("cannot load the training data")),
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
                let (model, summary) =
                    train_mlp_into(d, &train_cfg, &cfg.out.join(folder), "classifier", on_event)?;
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
                    runs: sweep_into(d, &sweep_cfg, &cfg.out.join(folder), on_event)?,
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
        || photos::read_all(&photos, &ocr_model, trained.as_ref(), &cfg.out.join("ocr")),
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

    let synth_pages = stages.run(
        "OCR on generated pages",
        || read_generated_pages(cfg, &glyphs, &ocr_model),
        |s| {
            let parts: Vec<String> = s
                .strengths
                .iter()
                .map(|t| format!("{} {:.1}%", t.strength, 100.0 * t.score.accuracy()))
                .collect();
            format!(
                "{} pages per strength: {}",
                s.pages_per_strength,
                parts.join(", ")
            )
        },
    );

    let autoencoder = stages.run(
        "autoencoder",
        || {
            on_data(&data, &data_dir, |d| {
                let folder = "autoencoder";
                let dir = cfg.out.join(folder);
                std::fs::create_dir_all(&dir).map_err(|error| Error::Files {
                    what: format!("cannot create {}", dir.display()),
                    error,
                })?;
                let summary = train_and_report(&d.train, &d.valid, ae_cfg.clone(), &dir, on_event)?;
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
        command: cfg.command.clone(),
        reproduce: reproduce_command(
            cfg,
            &data_dir,
            &train_cfg,
            &sweep_cfg,
            &ae_cfg,
            &gradcheck_cfg,
            (&photos, &ocr_model, &glyphs),
        ),
        seed: cfg.seed,
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
        synth_pages,
        autoencoder,
        timings: stages.timings(),
        total_seconds: started.elapsed().as_secs_f64(),
    };
    let page = cfg.out.join("REPORT.md");
    crate::fsutil::write_atomic(&page, page::page(&report).as_bytes())?;
    crate::fsutil::write_json(&cfg.out.join("report.json"), &report)?;
    stages.finish(&format!(
        "wrote {} and report.json in {:.1} s",
        page.display(),
        report.total_seconds
    ));
    Ok(ReportOutcome { report, page })
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

fn missing_data_sentence(dir: &Path, missing: &Path) -> String {
    format!(
        "NIST36 is not present at {} ({} not found), so the sections that train are skipped; \
         get the course files with `bash data/get-data.sh` (into data/nist36), \
         or leave out --data to use the stand-in shipped in data/nist36_standin.",
        dir.display(),
        missing.display()
    )
}

/// Every option that shapes a number in the report, spelt out.
fn reproduce_command(
    cfg: &ReportConfig,
    data_dir: &Path,
    train: &TrainConfig,
    sweep: &TrainConfig,
    ae: &AeConfig,
    gc: &GradcheckConfig,
    (photos, ocr_model, glyphs): (&Path, &Path, &Path),
) -> String {
    let path = |p: &Path| shell_quote(&p.display().to_string());
    let parts = [
        format!("--data {}", path(data_dir)),
        format!("--out {}", path(&cfg.out)),
        format!("--seed {}", cfg.seed),
        format!("--epochs {}", train.epochs),
        format!("--sweep-epochs {}", sweep.epochs),
        format!("--hidden {}", train.hidden),
        format!("--lr {}", train.lr),
        format!("--batch-size {}", train.batch_size),
        format!("--schedule {}", train.schedule.name()),
        format!("--ae-recipe {}", cfg.ae_recipe.name()),
        format!("--ae-epochs {}", ae.epochs),
        format!("--gradcheck-hidden {}", gc.hidden),
        format!("--gradcheck-data {}", path(&gc.data)),
        format!("--images {}", path(photos)),
        format!("--ocr-model {}", path(ocr_model)),
        format!("--synth-pages {}", cfg.synth_pages),
        format!("--synth-glyphs {}", path(glyphs)),
    ];
    format!("cargo run --release -- report {}", parts.join(" "))
}

/// `s` as one shell word.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `cfg.synth_pages` photo-like pages per strength, written with the glyph
/// sheet `glyphs` and read with `model` into `<out>/synth_pages`: skipped
/// when none are asked for or a file is not there.
fn read_generated_pages(
    cfg: &ReportConfig,
    glyphs: &Path,
    model: &Path,
) -> Section<SynthPagesSection> {
    if cfg.synth_pages == 0 {
        return Section::Skipped {
            reason: "no generated pages asked for (--synth-pages 0).".into(),
        };
    }
    for (file, option) in [(glyphs, "--synth-glyphs"), (model, "--ocr-model")] {
        if !file.is_file() {
            return Section::Skipped {
                reason: format!(
                    "{} not found (run from the repository root, or pass {option} FILE).",
                    file.display()
                ),
            };
        }
    }
    let folder = "synth_pages";
    let run = SynthPagesConfig {
        glyphs: Glyphs::Sheet(glyphs.to_path_buf()),
        strengths: Strength::ALL.to_vec(),
        pages: cfg.synth_pages,
        seed: cfg.seed,
        out: cfg.out.join(folder),
        read: Some(ReadPages {
            model: model.to_path_buf(),
            options: ReadOptions::default(),
        }),
    };
    synth_pages(&run)
        .map(|strengths| SynthPagesSection {
            folder: folder.into(),
            glyphs: glyphs.to_path_buf(),
            model: model.to_path_buf(),
            seed: cfg.seed,
            pages_per_strength: cfg.synth_pages,
            strengths,
        })
        .into()
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
        Err(Error::NotFound { path, .. }) => Section::Skipped {
            reason: format!(
                "{} not found (run from the repository root, or pass --gradcheck-data FILE).",
                path.display()
            ),
        },
        Err(e) => Section::Failed {
            error: format!("{e:#}"),
        },
    }
}
