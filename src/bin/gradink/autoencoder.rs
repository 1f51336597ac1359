//! `gradink autoencoder`: train the image-compressing autoencoder (the dense
//! 1024-32-32-32-1024 network, or with `--arch conv` the convolutional one)
//! and write its loss curve, reconstructions, model and summary; or, with
//! `--eval`, measure the PSNR of a saved model (of either architecture).

use crate::progress;
use anyhow::{bail, Context, Result};
use gradink::ae_recipe::{self, AeRecipe};
use gradink::autoencoder_figures::{loss_curves, reconstructions};
use gradink::data::{load_split, same_classes, Split, IMAGE_SIDE};
use gradink::keep_better::{settle, Judgement, Staging};
use gradink::models::{conv_autoencoder, AeInit, AeModel, Autoencoder, ConvAutoencoder, Pca};
use gradink::nn::ParamStore;
use gradink::train::Schedule;
use gradink::train_autoencoder::{
    evaluate, train_autoencoder, AeConfig, AeEpochStats, AeProgress, OptimizerKind,
};
use gradink::Error;
use ndarray::Array2;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Width of the three hidden layers (the code is 32 numbers per 1024-pixel image).
const HIDDEN: usize = 32;
const MODEL_FILE: &str = "autoencoder.safetensors";

/// Which network `gradink autoencoder` trains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Arch {
    /// The assignment's 1024-32-32-32-1024 network (ReLU, ReLU, ReLU, sigmoid).
    #[default]
    Dense,
    /// Convolutions, pooling and upsampling around the same 32-number code
    /// (`gradink::models::ConvAutoencoder`, docs/autoencoder.md).
    Conv,
}

/// Every training option defaults to the value of `--recipe` (the course's
/// unless chosen; with `--arch conv`, the convolutional recipe); an option
/// given explicitly overrides it. See docs/autoencoder-training.md and
/// docs/autoencoder.md for what each recipe costs and reaches.
#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Folder with nist36_train.mat and nist36_valid.mat
    /// [default: data/nist36 when it is there, else data/nist36_standin].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Folder for ae_loss.png, reconstructions.png, autoencoder.safetensors, ae_summary.json.
    #[arg(long, default_value = "out/autoencoder")]
    pub out: PathBuf,
    /// The named recipe the options below start from: `course` (momentum
    /// SGD, 100 epochs), `adam-long` (Adam from scratch, 500 epochs) or
    /// `beat-pca` (start as PCA-32, fine-tune with Adam, 50 epochs).
    #[arg(long, value_parser = crate::parse::named::<AeRecipe>(), default_value_t = AeRecipe::Course)]
    pub recipe: AeRecipe,
    /// `dense` (the assignment's network) or `conv` (convolutional, same
    /// 32-number code, its own recipe: Adam, batch 32, see docs/autoencoder.md;
    /// --recipe and --init apply to `dense` only). A `conv` run also scores
    /// the dense network (--dense-model, or one trained with --recipe beat-pca).
    #[arg(long, value_enum, default_value_t = Arch::Dense)]
    pub arch: Arch,
    /// With --arch conv: a saved dense model to compare against instead of
    /// training one with --recipe beat-pca.
    #[arg(long)]
    pub dense_model: Option<PathBuf>,
    /// (recipe's: 100 / 500 / 50)
    #[arg(long, value_parser = crate::parse::epochs)]
    pub epochs: Option<usize>,
    /// Step size for the total squared error of a batch (the recipe's; with
    /// another --optimizer than the recipe's: 3e-5 for momentum, 1e-3 for Adam).
    #[arg(long, value_parser = crate::parse::rate)]
    pub lr: Option<f64>,
    /// (recipe's: 36)
    #[arg(long, value_parser = crate::parse::positive)]
    pub batch_size: Option<usize>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// (recipe's: momentum / adam / adam)
    #[arg(long, value_parser = crate::parse::named::<OptimizerKind>())]
    pub optimizer: Option<OptimizerKind>,
    /// μ, the velocity kept from step to step (momentum SGD only).
    #[arg(long, default_value_t = 0.9, value_parser = crate::parse::momentum)]
    pub momentum: f64,
    /// (recipe's: cosine)
    #[arg(long, value_parser = crate::parse::named::<Schedule>())]
    pub schedule: Option<Schedule>,
    /// Epochs of linear warm-up to --lr before the schedule starts (recipe's: 0 / 5 / 2).
    #[arg(long, value_parser = crate::parse::count)]
    pub warmup: Option<usize>,
    /// How the weights start (recipe's: xavier / xavier / pca).
    #[arg(long, value_parser = crate::parse::named::<AeInit>())]
    pub init: Option<AeInit>,
    /// Threads per batch (its rows are split, one tape each; the step is the
    /// same). Pays off only for large batches (256: 1.6× faster on 2 cores).
    #[arg(long, default_value_t = 1, value_parser = crate::parse::positive)]
    pub threads: usize,
    /// With --eval: the saved model to measure.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Measure the validation PSNR of --model instead of training.
    #[arg(long, requires = "model")]
    pub eval: bool,
    /// Accept this run into --out even if it collapsed or the model already
    /// there scores better on the validation split (docs/robustness.md).
    #[arg(long)]
    pub force: bool,
}

impl Args {
    pub fn config(&self) -> AeConfig {
        let recipe = match self.arch {
            Arch::Dense => self.recipe.config(self.seed),
            Arch::Conv => ae_recipe::conv_config(self.seed),
        };
        let optimizer = self.optimizer.unwrap_or(recipe.optimizer);
        let default_lr = match optimizer {
            _ if optimizer == recipe.optimizer => recipe.lr,
            OptimizerKind::Momentum => 3e-5,
            OptimizerKind::Adam => 1e-3,
        };
        AeConfig {
            epochs: self.epochs.unwrap_or(recipe.epochs),
            lr: self.lr.unwrap_or(default_lr),
            batch_size: self.batch_size.unwrap_or(recipe.batch_size),
            seed: self.seed,
            optimizer,
            momentum: self.momentum,
            schedule: self.schedule.unwrap_or(recipe.schedule),
            warmup: self.warmup.unwrap_or(recipe.warmup),
            init: self.init.unwrap_or(recipe.init),
            threads: self.threads.max(1),
        }
    }
}

pub use gradink::train_autoencoder::{DenseComparison, Summary};

pub fn run(args: Args) -> Result<()> {
    if args.eval {
        return eval(&args);
    }
    let cfg = args.config();
    if cfg.batch_size == 0 || cfg.epochs == 0 {
        bail!("--batch-size and --epochs must be at least 1");
    }
    if args.arch == Arch::Conv && args.init.is_some() {
        bail!("--init chooses the dense network's start; --arch conv starts He-uniform");
    }
    if args.arch == Arch::Dense && args.dense_model.is_some() {
        bail!("--dense-model is the comparison for --arch conv");
    }
    let data_dir = crate::chosen_data(args.data.as_deref())?;
    let load = |split: &str| load_split(data_dir.join(format!("nist36_{split}.mat")), split);
    let (train, valid) = (load("train"), load("valid"));
    let (train, valid) = (
        train.context("cannot load the training data")?,
        valid.context("cannot load the validation data")?,
    );
    same_classes(
        &data_dir.join("nist36_train.mat"),
        &train,
        &data_dir.join("nist36_valid.mat"),
        &valid,
    )?;
    // The run goes into a staging folder and replaces --out's model only
    // when it is not worse (keep_better.rs, docs/robustness.md).
    let staging = Staging::new(&args.out)?;
    let trained = match args.arch {
        Arch::Dense => train_and_report(&train, &valid, cfg, &staging.dir),
        Arch::Conv => train_conv_and_report(
            &train,
            &valid,
            cfg,
            &staging.dir,
            args.dense_model.as_deref(),
        ),
    };
    let summary = match trained {
        Ok(s) => s,
        Err(e) => {
            let message = format!("{e:#}");
            if staging.dir.join(MODEL_FILE).exists() {
                // The last good epoch's model, kept where the message says.
                let rejected = staging.reject()?;
                let message = message.replace(
                    &staging.dir.display().to_string(),
                    &rejected.display().to_string(),
                );
                bail!("{message}; {} was left as it was", args.out.display());
            }
            staging.abandon();
            bail!("{message}; {}", staging.left());
        }
    };
    let staged_model = staging.dir.join(MODEL_FILE);
    let blew_up = match args.arch {
        Arch::Dense => Autoencoder::<f32>::load(&staged_model)
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
        previous: match args.arch {
            Arch::Dense => previous_psnr(&args.out.join(MODEL_FILE), &valid),
            Arch::Conv => None,
        },
        new: summary.valid_psnr_mean,
    };
    settle(
        &staging,
        judgement,
        args.force,
        MODEL_FILE,
        "ae_summary.json",
        |p| format!("{p:.2} dB"),
    )?;
    if let Some(d) = &summary.dense {
        println!(
            "conv: valid PSNR {:.2} dB; dense ({}) {:.2} dB, conv margin {:+.2} dB",
            summary.valid_psnr_mean, d.model, d.valid_psnr_mean, d.conv_margin_db
        );
    }
    println!(
        "valid PSNR {:.2} dB (mean over {} images; PCA with {HIDDEN} components {:.2} dB, margin {:+.2} dB), train loss {:.2} per image ({:.3} s/epoch); wrote {}",
        summary.valid_psnr_mean,
        summary.valid_images,
        summary.pca_valid_psnr_mean,
        summary.margin_over_pca_db,
        summary.final_train_loss,
        summary.seconds_per_epoch,
        args.out.display()
    );
    Ok(())
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
    gradink::train_autoencoder::draws_one_image(model, &valid.images).then(|| {
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
        Ok(model) if model.dims().0 == valid.images.ncols() => {
            Some(evaluate(&model, &valid.images).1)
        }
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
) -> Result<Summary> {
    let mut model = dense_model(train, &cfg)?;
    let history = train_model(&mut model, train, valid, &cfg, out, "autoencoder")?;
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
        .context("cannot start the model from the training images")
}

/// `--arch conv`: trains the convolutional autoencoder, then scores the dense
/// network beside it (loaded from `dense_model`, or trained here with the
/// `beat-pca` recipe and the same seed, not saved), and writes the same files
/// as `train_and_report`, with the dense network in the summary and as a
/// column of `reconstructions.png`.
pub fn train_conv_and_report(
    train: &Split,
    valid: &Split,
    cfg: AeConfig,
    out: &Path,
    dense_model_file: Option<&Path>,
) -> Result<Summary> {
    // A given dense model is read (and checked) before the long training.
    let loaded = dense_model_file
        .map(|path| -> Result<(Autoencoder<f32>, String)> {
            let dense = Autoencoder::<f32>::load(path)?;
            let (pixels, hidden) = dense.dims();
            if (pixels, hidden) != (IMAGE_SIDE * IMAGE_SIDE, HIDDEN) {
                bail!(
                    "{}: a {pixels}-{hidden} network, not the 1024-{HIDDEN} one to compare with",
                    path.display()
                );
            }
            Ok((dense, path.display().to_string()))
        })
        .transpose()?;
    let mut model = ConvAutoencoder::<f32>::new(HIDDEN, cfg.seed);
    let history = train_model(&mut model, train, valid, &cfg, out, "conv autoencoder")?;
    let started = Instant::now();
    let (dense, name) = match loaded {
        Some(loaded) => loaded,
        None => {
            let dense_cfg = AeRecipe::BeatPca.config(cfg.seed);
            let mut dense = dense_model(train, &dense_cfg)?;
            let bar = progress::training_bar(
                dense_cfg.epochs,
                train.len().div_ceil(dense_cfg.batch_size),
                "dense (beat-pca)",
            );
            let trained = train_autoencoder(
                &mut dense,
                &train.images,
                &valid.images,
                &dense_cfg,
                None,
                |p| show(&bar, p),
            );
            bar.finish_and_clear();
            trained.context("the dense network (--recipe beat-pca) did not train")?;
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
    let dense_psnr = evaluate(&dense, &valid.images).1;
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

/// Trains `model` with a progress bar, checkpointing into `out`; a
/// divergence is one sentence saying which model file is left.
fn train_model<M: AeModel>(
    model: &mut M,
    train: &Split,
    valid: &Split,
    cfg: &AeConfig,
    out: &Path,
    label: &str,
) -> Result<Vec<AeEpochStats>> {
    let model_path = out.join(MODEL_FILE);
    let batches = train.len().div_ceil(cfg.batch_size);
    let bar = progress::training_bar(cfg.epochs, batches, label);
    let history = train_autoencoder(
        model,
        &train.images,
        &valid.images,
        cfg,
        Some(&model_path),
        |p| show(&bar, p),
    );
    bar.finish_and_clear();
    match history {
        Ok(h) => Ok(h),
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
            bail!("{e}; {kept}");
        }
        Err(e) => Err(e.into()),
    }
}

/// Scores the trained model and PCA, draws the figures and writes the summary.
fn report<M: AeModel>(
    model: &M,
    train: &Split,
    valid: &Split,
    cfg: AeConfig,
    history: Vec<AeEpochStats>,
    dense: Option<&Autoencoder<f32>>,
    out: &Path,
) -> Result<Summary> {
    let (valid_loss, valid_psnr) = evaluate(model, &valid.images);
    let started = Instant::now();
    let pca = Pca::fit(train.images.view(), HIDDEN).context("cannot fit the PCA baseline")?;
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
        mean_image_valid_psnr: gradink::train_autoencoder::mean_image_psnr(
            &train.images,
            &valid.images,
        ),
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
    gradink::fsutil::write_atomic(
        &out.join("ae_summary.json"),
        serde_json::to_string_pretty(summary)?.as_bytes(),
    )?;
    Ok(())
}

/// `--eval`: the mean validation PSNR of a saved model, without training.
fn eval(args: &Args) -> Result<()> {
    let path = args.model.as_ref().context("--eval needs --model FILE")?;
    let conv =
        ParamStore::<f32>::architecture(path)?.as_deref() == Some(conv_autoencoder::ARCHITECTURE);
    type Score = Box<dyn Fn(&Array2<f32>) -> (f64, f64)>;
    let (pixels, model): (usize, Score) = if conv {
        let model = ConvAutoencoder::<f32>::load(path)?;
        (
            conv_autoencoder::SIDE * conv_autoencoder::SIDE,
            Box::new(move |images| evaluate(&model, images)),
        )
    } else {
        let model = Autoencoder::<f32>::load(path)?;
        (
            model.dims().0,
            Box::new(move |images| evaluate(&model, images)),
        )
    };
    let data_dir = crate::chosen_data(args.data.as_deref())?;
    let valid = load_split(data_dir.join("nist36_valid.mat"), "valid")
        .context("cannot load the validation data")?;
    if pixels != valid.images.ncols() {
        bail!(
            "{}: the model takes {pixels} pixels but the images have {}",
            path.display(),
            valid.images.ncols()
        );
    }
    let (loss, psnr) = model(&valid.images);
    println!(
        "valid PSNR {psnr:.2} dB (mean over {} images), squared error {loss:.2} per image",
        valid.len()
    );
    Ok(())
}

fn show(bar: &indicatif::ProgressBar, p: AeProgress) {
    bar.set_position(((p.epoch - 1) * p.batches + p.batch) as u64);
    if p.batch == p.batches || p.batch.is_multiple_of(20) {
        bar.set_message(format!(
            "epoch {} loss {:.2}/image",
            p.epoch, p.running_loss
        ));
    }
}
