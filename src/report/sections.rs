//! What the report measures: one serialisable section per stage, each ok,
//! skipped (with why) or failed (with the error). `report.json` is `Report`
//! as JSON; `REPORT.md` is written from it.

use crate::gradcheck::InputCheck;
use crate::runs::autoencoder::Summary as AeSummary;
use crate::runs::sweep::SweepRun;
use crate::runs::train::TrainSummary;
use serde::Serialize;
use std::path::PathBuf;

/// How a section ended.
#[derive(Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Section<T> {
    Ok(T),
    Skipped { reason: String },
    Failed { error: String },
}

impl<T> Section<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            Section::Ok(t) => Some(t),
            _ => None,
        }
    }
    pub fn failed(&self) -> bool {
        matches!(self, Section::Failed { .. })
    }
    /// The line a skipped or failed section shows instead of its content.
    pub fn note(&self) -> Option<String> {
        match self {
            Section::Ok(_) => None,
            Section::Skipped { reason } => Some(format!("**Skipped:** {reason}")),
            Section::Failed { error } => Some(format!("**Failed:** {error}")),
        }
    }
    /// One line for the progress display: `done(t)` when ok.
    pub fn outcome(&self, done: impl FnOnce(&T) -> String) -> String {
        match self {
            Section::Ok(t) => done(t),
            Section::Skipped { .. } => "skipped".into(),
            Section::Failed { error } => format!("FAILED: {error}"),
        }
    }
}

/// A result as a section: failed with the whole error chain (`{:#}`).
impl<T, E: std::fmt::Display> From<Result<T, E>> for Section<T> {
    fn from(result: Result<T, E>) -> Self {
        match result {
            Ok(t) => Section::Ok(t),
            Err(e) => Section::Failed {
                error: format!("{e:#}"),
            },
        }
    }
}

/// The gradient check's batch, model and per-parameter outcome.
#[derive(Serialize)]
pub struct GradcheckSection {
    pub data: PathBuf,
    pub samples: usize,
    pub hidden: usize,
    pub classes: usize,
    pub eps: f64,
    pub atol: f64,
    pub rtol: f64,
    pub scalars: usize,
    pub all_passed: bool,
    pub parameters: Vec<InputCheck>,
}

impl GradcheckSection {
    /// The largest |analytic − numeric| over every parameter.
    pub fn max_abs_err(&self) -> f64 {
        self.parameters
            .iter()
            .map(|c| c.max_abs_err)
            .fold(0.0, f64::max)
    }
}

/// The classifier run (its `summary.json`) and where its figures are.
#[derive(Serialize)]
pub struct ClassifierSection {
    pub folder: String,
    pub classes: usize,
    pub train_samples: usize,
    pub summary: TrainSummary,
}

/// The three learning rates' runs and where their figures are.
#[derive(Serialize)]
pub struct SweepSection {
    pub folder: String,
    pub epochs: usize,
    pub runs: Vec<SweepRun>,
}

/// One photo read by the OCR, beside its true text where there is one.
#[derive(Serialize)]
pub struct OcrImage {
    pub image: String,
    pub lines: Vec<String>,
    pub truth: Option<Vec<String>>,
    pub boxes: usize,
    /// Characters in the truth, spaces not counted.
    pub true_characters: Option<usize>,
    /// Edit distance between recognised and true text, spaces removed.
    pub edit_distance: Option<usize>,
    /// 1 − edit distance / true characters.
    pub character_accuracy: Option<f64>,
    /// The same boxes read by the classifier trained in this run.
    pub edit_distance_trained: Option<usize>,
    pub character_accuracy_trained: Option<f64>,
    /// The same boxes read by the course's MLP (`models/classifier.safetensors`),
    /// when the reader is another network.
    pub edit_distance_course: Option<usize>,
    pub character_accuracy_course: Option<f64>,
    pub mean_confidence: f64,
    pub assumptions: crate::ocr::AssumptionChecks,
    pub boxes_figure: String,
    pub crops_figure: String,
    /// Decoding, finding the letters and classifying them.
    pub seconds: f64,
}

/// A photo that could not be read.
#[derive(Serialize)]
pub struct OcrFailure {
    pub image: String,
    pub error: String,
}

/// Every photo read, and the overall character accuracy.
#[derive(Serialize)]
pub struct OcrSection {
    pub model: PathBuf,
    pub images_folder: PathBuf,
    pub images: Vec<OcrImage>,
    pub unreadable: Vec<OcrFailure>,
    /// Over every image with a truth: 1 − Σ edit distances / Σ true characters.
    pub character_accuracy: Option<f64>,
    /// The same with the classifier trained in this run (when it was).
    pub character_accuracy_trained: Option<f64>,
    /// The course's MLP alone, when the reader is another network.
    pub course_model: Option<PathBuf>,
    pub character_accuracy_course: Option<f64>,
}

/// Photo-like pages written with held-out handwriting and read back
/// (`gradink synth-pages --read`), per strength, with each page's figure.
#[derive(Serialize)]
pub struct SynthPagesSection {
    /// Where the pages, their truths and their boxes figures are, under the report.
    pub folder: String,
    /// The glyph sheet the pages are written with.
    pub glyphs: PathBuf,
    pub model: PathBuf,
    pub seed: u64,
    pub pages_per_strength: usize,
    pub strengths: Vec<crate::runs::synth_pages::StrengthScore>,
}

/// The autoencoder run (its `ae_summary.json`) and where its figures are.
#[derive(Serialize)]
pub struct AutoencoderSection {
    pub folder: String,
    pub summary: AeSummary,
}

/// Wall time of one stage.
#[derive(Serialize)]
pub struct StageTime {
    pub stage: String,
    pub seconds: f64,
}

/// Samples in each split of the training data.
#[derive(Serialize)]
pub struct DataSizes {
    pub train: usize,
    pub valid: usize,
    pub test: usize,
}

/// Everything `report.json` holds; `REPORT.md` is written from it.
#[derive(Serialize)]
pub struct Report {
    /// The command as typed (program name shortened to `gradink`).
    pub command: String,
    /// The same run with every option spelt out.
    pub reproduce: String,
    pub seed: u64,
    pub gradink_version: String,
    pub data: PathBuf,
    /// Samples per split, when NIST36 was found.
    pub data_samples: Option<DataSizes>,
    /// Why the sections that train are skipped, when NIST36 is absent.
    pub missing_data: Option<String>,
    pub gradcheck: Section<GradcheckSection>,
    pub classifier: Section<ClassifierSection>,
    pub sweep: Section<SweepSection>,
    pub ocr: Section<OcrSection>,
    pub synth_pages: Section<SynthPagesSection>,
    pub autoencoder: Section<AutoencoderSection>,
    pub timings: Vec<StageTime>,
    pub total_seconds: f64,
}

impl Report {
    /// The names of the sections that failed.
    pub fn failed_sections(&self) -> Vec<&'static str> {
        [
            ("gradient check", self.gradcheck.failed()),
            ("classifier", self.classifier.failed()),
            ("sweep", self.sweep.failed()),
            ("OCR", self.ocr.failed()),
            ("generated pages", self.synth_pages.failed()),
            ("autoencoder", self.autoencoder.failed()),
        ]
        .into_iter()
        .filter(|&(_, failed)| failed)
        .map(|(name, _)| name)
        .collect()
    }
}
