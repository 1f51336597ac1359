//! `gradink autoencoder` as a library call: train the image-compressing
//! autoencoder (the dense 1024-32-32-32-1024 network, or the convolutional
//! one), score it against PCA, and write its loss curve, reconstructions,
//! model and `ae_summary.json` into `--out` under the rule that a re-run
//! never silently replaces a better model (keep_better.rs); or measure the
//! PSNR of a saved model ([`evaluate`]).
//!
//! ```no_run
//! use gradink::runs::autoencoder::{autoencoder, AutoencoderRunConfig};
//! use gradink::runs::event;
//!
//! let cfg = AutoencoderRunConfig {
//!     out: "out/ae".into(),
//!     ..Default::default()
//! };
//! let summary = autoencoder(&cfg, &mut event::ignore)?;
//! println!("{:.2} dB", summary.valid_psnr_mean);
//! # Ok::<(), gradink::Error>(())
//! ```

use super::event::Event;
use crate::ae_recipe::{AeChoices, AeRecipe, Arch};
use crate::autoencoder_figures::{loss_curves, reconstructions};
use crate::data::choice::nist36_dir;
use crate::data::{load_split, same_classes, Split, IMAGE_SIDE};
use crate::error::{Error, Result};
use crate::keep_better::{settle, Judgement, Staging};
use crate::models::{conv_autoencoder, AeModel, Autoencoder, ConvAutoencoder, Pca};
use crate::nn::ParamStore;
use crate::train::EpochStats;
use crate::train_autoencoder::{
    draws_one_image, evaluate as score, mean_image_psnr, train_autoencoder, AeConfig,
    Reconstruction,
};
use ndarray::Array2;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Width of the three hidden layers (the code is 32 numbers per 1024-pixel image).
pub const HIDDEN: usize = 32;
/// The model file a run writes into its output folder.
pub const MODEL_FILE: &str = "autoencoder.safetensors";
/// The summary a run writes beside it.
pub const SUMMARY_FILE: &str = "ae_summary.json";

/// One training run of `gradink autoencoder`.
#[derive(Clone, Debug)]
pub struct AutoencoderRunConfig {
    /// Folder with nist36_train.mat and nist36_valid.mat (`None`: the
    /// course's files when they are there, else the stand-in).
    pub data: Option<PathBuf>,
    /// Folder for ae_loss.png, reconstructions.png, the model and the summary.
    pub out: PathBuf,
    /// The network, the recipe and the options changed from it.
    pub choices: AeChoices,
    /// With `Arch::Conv`: a saved dense model to compare against instead of
    /// training one with the `beat-pca` recipe.
    pub dense_model: Option<PathBuf>,
    /// Accept the run into `out` even if it collapsed or the model already
    /// there scores better.
    pub force: bool,
}

impl Default for AutoencoderRunConfig {
    fn default() -> Self {
        AutoencoderRunConfig {
            data: None,
            out: PathBuf::from("out/autoencoder"),
            choices: AeChoices::default(),
            dense_model: None,
            force: false,
        }
    }
}

/// What `ae_summary.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub epochs: usize,
    /// Squared error per training image (sum over pixels), last epoch.
    pub final_train_loss: f64,
    pub valid_loss: f64,
    /// Mean over every validation image of 20·log10(1) − 10·log10(MSE).
    pub valid_psnr_mean: f64,
    /// The same measure for PCA with as many components as the code has
    /// numbers, fitted on the training split: the linear baseline.
    pub pca_valid_psnr_mean: f64,
    /// `valid_psnr_mean − pca_valid_psnr_mean` (positive: the network wins).
    pub margin_over_pca_db: f64,
    /// Wall time of the PCA fit (covariance and eigendecomposition).
    pub pca_seconds: f64,
    /// The same measure for drawing the training split's mean image for
    /// every input (for comparison: a collapsed network is no better).
    pub mean_image_valid_psnr: f64,
    pub valid_images: usize,
    pub seconds_per_epoch: f64,
    pub config: AeConfig,
    pub history: Vec<EpochStats<Reconstruction>>,
    /// `Arch::Conv` only: its layers (`conv_autoencoder::DESCRIPTION`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// `Arch::Conv` only: the dense network it is compared with, scored the same way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dense: Option<DenseComparison>,
}

/// The dense network a convolutional run is compared with.
#[derive(Clone, Debug, Serialize)]
pub struct DenseComparison {
    /// Where it came from: `--dense-model FILE`, or trained here with a recipe.
    pub model: String,
    pub valid_psnr_mean: f64,
    /// `valid_psnr_mean` of the conv network minus this one's.
    pub conv_margin_db: f64,
    /// Training time of the dense model in this run (0 when loaded).
    pub seconds: f64,
}

/// Trains as `cfg` says and writes the run into `cfg.out` (through a
/// staging folder: a failed or refused run leaves `cfg.out` as it was).
pub fn autoencoder(cfg: &AutoencoderRunConfig, on_event: &mut dyn FnMut(Event)) -> Result<Summary> {
    let train_cfg = cfg.choices.config();
    let arch = cfg.choices.arch;
    let (train, valid) = load_train_valid(cfg.data.as_deref(), on_event)?;
    let staging = Staging::new(&cfg.out)?;
    let trained = match arch {
        Arch::Dense => train_and_report(&train, &valid, train_cfg, &staging.dir, on_event),
        Arch::Conv => train_conv_and_report(
            &train,
            &valid,
            train_cfg,
            &staging.dir,
            cfg.dense_model.as_deref(),
            on_event,
        ),
    };
    let summary = match trained {
        Ok(s) => s,
        Err(e) => return Err(failed(&staging, &e)?),
    };
    let blew_up = match arch {
        Arch::Dense => Autoencoder::<f32>::load(staging.dir.join(MODEL_FILE))
            .ok()
            .and_then(|m| collapsed(&m, &summary, &valid)),
        Arch::Conv => (!summary.valid_psnr_mean.is_finite()).then(|| {
            format!(
                "training blew up: the validation PSNR is {}; lower --lr",
                summary.valid_psnr_mean
            )
        }),
    };
    let judgement = Judgement {
        blew_up,
        previous: match arch {
            Arch::Dense => previous_psnr(&cfg.out.join(MODEL_FILE), &valid),
            Arch::Conv => None,
        },
        new: summary.valid_psnr_mean,
    };
    settle(
        &staging,
        judgement,
        cfg.force,
        MODEL_FILE,
        SUMMARY_FILE,
        |p| format!("{p:.2} dB"),
    )?;
    Ok(summary)
}

/// The error of a run that failed part-way, saying what `--out` holds: the
/// last good epoch's model, if one was written, is kept in `rejected/`.
fn failed(staging: &Staging, e: &Error) -> Result<Error> {
    let message = e.to_string();
    if staging.dir.join(MODEL_FILE).exists() {
        let rejected = staging.reject()?;
        let message = message.replace(
            &staging.dir.display().to_string(),
            &rejected.display().to_string(),
        );
        return Ok(Error::Stopped(format!(
            "{message}; {} was left as it was",
            staging.out.display()
        )));
    }
    staging.abandon();
    Ok(Error::Stopped(format!("{message}; {}", staging.left())))
}

/// The training and validation splits of the NIST36 folder `data` (or the
/// default one), checked to have the same classes.
fn load_train_valid(
    data: Option<&Path>,
    on_event: &mut dyn FnMut(Event),
) -> Result<(Split, Split)> {
    let choice = nist36_dir(data)?;
    on_event(Event::Data(&choice));
    let data_dir = choice.dir;
    let load = |split: &str| load_split(data_dir.join(format!("nist36_{split}.mat")), split);
    let (train, valid) = (load("train"), load("valid"));
    let train = train.map_err(|e| e.during("cannot load the training data"))?;
    let valid = valid.map_err(|e| e.during("cannot load the validation data"))?;
    same_classes(
        &data_dir.join("nist36_train.mat"),
        &train,
        &data_dir.join("nist36_valid.mat"),
        &valid,
    )?;
    Ok((train, valid))
}

/// Why a finished run is not a usable autoencoder, if it collapsed: its
/// validation PSNR is not finite, or it draws the same image for every
/// input (an undertrained run is not a collapse).
fn collapsed(model: &Autoencoder<f32>, summary: &Summary, valid: &Split) -> Option<String> {
    let psnr = summary.valid_psnr_mean;
    if !psnr.is_finite() {
        return Some(format!(
            "training blew up: the validation PSNR is {psnr}; lower --lr"
        ));
    }
    draws_one_image(model, &valid.images).then(|| {
        format!(
            "training collapsed: the network draws the same image for every input (validation PSNR {psnr:.2} dB; the mean training image gives {:.2} dB); lower --lr",
            summary.mean_image_valid_psnr
        )
    })
}

/// The validation PSNR of the autoencoder already at `path`, if one loads
/// and takes these images (else `None`: nothing to protect).
fn previous_psnr(path: &Path, valid: &Split) -> Option<f64> {
    if !path.exists() {
        return None;
    }
    match Autoencoder::<f32>::load(path) {
        Ok(model) if model.dims().0 == valid.images.ncols() => Some(score(&model, &valid.images).1),
        Ok(_) => None,
        Err(e) => {
            eprintln!(
                "note: replacing {}, which cannot be read ({e})",
                path.display()
            );
            None
        }
    }
}

/// Trains one dense model and writes `ae_loss.png`, `reconstructions.png`,
/// the model and `ae_summary.json` into `out` (which must exist).
pub fn train_and_report(
    train: &Split,
    valid: &Split,
    cfg: AeConfig,
    out: &Path,
    on_event: &mut dyn FnMut(Event),
) -> Result<Summary> {
    let mut model = dense_model(train, &cfg)?;
    let history = train_model(&mut model, train, valid, &cfg, out, "autoencoder", on_event)?;
    report(&model, train, valid, cfg, history, None, out)
}

/// The dense network started as `cfg.init` says.
fn dense_model(train: &Split, cfg: &AeConfig) -> Result<Autoencoder<f32>> {
    cfg.init
        .model::<f32>(
            IMAGE_SIDE * IMAGE_SIDE,
            HIDDEN,
            cfg.seed,
            train.images.view(),
        )
        .map_err(|e| Error::step("cannot start the model from the training images", e))
}

/// `Arch::Conv`: trains the convolutional autoencoder, then scores the dense
/// network beside it (loaded from `dense_model_file`, or trained here with
/// the `beat-pca` recipe and the same seed, not saved), and writes the same
/// files as [`train_and_report`], with the dense network in the summary and
/// as a column of `reconstructions.png`.
pub fn train_conv_and_report(
    train: &Split,
    valid: &Split,
    cfg: AeConfig,
    out: &Path,
    dense_model_file: Option<&Path>,
    on_event: &mut dyn FnMut(Event),
) -> Result<Summary> {
    // A given dense model is read (and checked) before the long training.
    let loaded = dense_model_file.map(load_dense).transpose()?;
    let mut model = ConvAutoencoder::<f32>::new(HIDDEN, cfg.seed);
    let history = train_model(
        &mut model,
        train,
        valid,
        &cfg,
        out,
        "conv autoencoder",
        on_event,
    )?;
    let started = Instant::now();
    let (dense, name) = match loaded {
        Some(loaded) => loaded,
        None => {
            let dense_cfg = AeRecipe::BeatPca.config(cfg.seed);
            let mut dense = dense_model(train, &dense_cfg)?;
            train_with_events(
                &mut dense,
                train,
                valid,
                &dense_cfg,
                None,
                "dense (beat-pca)",
                on_event,
            )
            .map_err(|e| e.during("the dense network (--recipe beat-pca) did not train"))?;
            (
                dense,
                format!(
                    "trained here: --recipe beat-pca, {} epochs, seed {}",
                    dense_cfg.epochs, cfg.seed
                ),
            )
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let mut summary = report(&model, train, valid, cfg, history, Some(&dense), out)?;
    let dense_psnr = score(&dense, &valid.images).1;
    summary.architecture = Some(conv_autoencoder::DESCRIPTION.to_string());
    summary.dense = Some(DenseComparison {
        model: name,
        valid_psnr_mean: dense_psnr,
        conv_margin_db: summary.valid_psnr_mean - dense_psnr,
        seconds: if dense_model_file.is_some() {
            0.0
        } else {
            seconds
        },
    });
    write_summary(&summary, out)?;
    Ok(summary)
}

/// The dense model at `path`, if it is the 1024-32 network a conv run is
/// compared with, and how the summary names it.
fn load_dense(path: &Path) -> Result<(Autoencoder<f32>, String)> {
    let dense = Autoencoder::<f32>::load(path)?;
    let (pixels, hidden) = dense.dims();
    if (pixels, hidden) != (IMAGE_SIDE * IMAGE_SIDE, HIDDEN) {
        return Err(Error::ModelMismatch {
            path: path.to_path_buf(),
            reason: format!(
                "a {pixels}-{hidden} network, not the 1024-{HIDDEN} one to compare with"
            ),
        });
    }
    Ok((dense, path.display().to_string()))
}

/// Trains `model`, checkpointing into `out`; a divergence is one sentence
/// saying which model file is left.
fn train_model<M: AeModel>(
    model: &mut M,
    train: &Split,
    valid: &Split,
    cfg: &AeConfig,
    out: &Path,
    label: &str,
    on_event: &mut dyn FnMut(Event),
) -> Result<Vec<EpochStats<Reconstruction>>> {
    let model_path = out.join(MODEL_FILE);
    match train_with_events(model, train, valid, cfg, Some(&model_path), label, on_event) {
        Err(e @ Error::Diverged { epoch, .. }) => {
            let kept = if epoch > 1 {
                format!(
                    "{} holds the model of epoch {}",
                    model_path.display(),
                    epoch - 1
                )
            } else if model_path.exists() {
                format!("{} was left as it was", model_path.display())
            } else {
                "no model was written".to_string()
            };
            Err(Error::Stopped(format!("{e}; {kept}")))
        }
        trained => trained,
    }
}

/// [`train_autoencoder`] between a `Training` and a `Trained` event.
fn train_with_events<M: AeModel>(
    model: &mut M,
    train: &Split,
    valid: &Split,
    cfg: &AeConfig,
    checkpoint: Option<&Path>,
    label: &str,
    on_event: &mut dyn FnMut(Event),
) -> Result<Vec<EpochStats<Reconstruction>>> {
    on_event(Event::Training {
        label,
        epochs: cfg.epochs,
        batches: train.len().div_ceil(cfg.batch_size),
    });
    let history = train_autoencoder(model, &train.images, &valid.images, cfg, checkpoint, |p| {
        on_event(Event::Batch(p))
    });
    on_event(Event::TrainingDone);
    history
}

/// Scores the trained model and PCA, draws the figures and writes the summary.
fn report<M: AeModel>(
    model: &M,
    train: &Split,
    valid: &Split,
    cfg: AeConfig,
    history: Vec<EpochStats<Reconstruction>>,
    dense: Option<&Autoencoder<f32>>,
    out: &Path,
) -> Result<Summary> {
    let (valid_loss, valid_psnr) = score(model, &valid.images);
    let started = Instant::now();
    let pca = Pca::fit(train.images.view(), HIDDEN)
        .map_err(|e| Error::step("cannot fit the PCA baseline", e))?;
    let pca_seconds = started.elapsed().as_secs_f64();
    let pca_psnr = pca.mean_psnr(valid.images.view());
    loss_curves(&history, pca_psnr, HIDDEN, &out.join("ae_loss.png"))?;
    reconstructions(model, dense, &pca, valid, &out.join("reconstructions.png"))?;
    let summary = Summary {
        epochs: cfg.epochs,
        final_train_loss: history.last().map_or(f64::NAN, |h| h.train_loss),
        valid_loss,
        valid_psnr_mean: valid_psnr,
        pca_valid_psnr_mean: pca_psnr,
        margin_over_pca_db: valid_psnr - pca_psnr,
        pca_seconds,
        mean_image_valid_psnr: mean_image_psnr(&train.images, &valid.images),
        valid_images: valid.len(),
        seconds_per_epoch: history.iter().map(|h| h.seconds).sum::<f64>()
            / history.len().max(1) as f64,
        config: cfg,
        history,
        architecture: None,
        dense: None,
    };
    write_summary(&summary, out)?;
    Ok(summary)
}

fn write_summary(summary: &Summary, out: &Path) -> Result<()> {
    let json = serde_json::to_string_pretty(summary).expect("a summary is plain numbers and text");
    crate::fsutil::write_atomic(&out.join(SUMMARY_FILE), json.as_bytes())
}

/// `gradink autoencoder --eval`: which saved model to measure, on which data.
#[derive(Clone, Debug, Default)]
pub struct AutoencoderEvalConfig {
    /// The NIST36 folder whose validation split is measured (`None`: as
    /// [`AutoencoderRunConfig::data`]).
    pub data: Option<PathBuf>,
    /// The saved model, dense or convolutional (its metadata says which).
    pub model: PathBuf,
}

/// A saved model's score on the validation split.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct AutoencoderScore {
    /// Squared error per image (sum over pixels), averaged over images.
    pub loss: f64,
    /// Mean PSNR over the images, in dB.
    pub psnr: f64,
    pub images: usize,
}

/// The mean validation PSNR of a saved model, without training.
pub fn evaluate(
    cfg: &AutoencoderEvalConfig,
    on_event: &mut dyn FnMut(Event),
) -> Result<AutoencoderScore> {
    let path = &cfg.model;
    let conv =
        ParamStore::<f32>::architecture(path)?.as_deref() == Some(conv_autoencoder::ARCHITECTURE);
    type Score = Box<dyn Fn(&Array2<f32>) -> (f64, f64)>;
    let (pixels, model): (usize, Score) = if conv {
        let model = ConvAutoencoder::<f32>::load(path)?;
        (
            conv_autoencoder::SIDE * conv_autoencoder::SIDE,
            Box::new(move |images| score(&model, images)),
        )
    } else {
        let model = Autoencoder::<f32>::load(path)?;
        (
            model.dims().0,
            Box::new(move |images| score(&model, images)),
        )
    };
    let choice = nist36_dir(cfg.data.as_deref())?;
    on_event(Event::Data(&choice));
    let data_dir = choice.dir;
    let valid = load_split(data_dir.join("nist36_valid.mat"), "valid")
        .map_err(|e| e.during("cannot load the validation data"))?;
    if pixels != valid.images.ncols() {
        return Err(Error::ModelMismatch {
            path: path.clone(),
            reason: format!(
                "the model takes {pixels} pixels but the images have {}",
                valid.images.ncols()
            ),
        });
    }
    let (loss, psnr) = model(&valid.images);
    Ok(AutoencoderScore {
        loss,
        psnr,
        images: valid.len(),
    })
}
