//! `gradink autoencoder`: the arguments of `gradink::runs::autoencoder`,
//! its progress bars and its one-line result.

use crate::progress;
use anyhow::{bail, Context, Result};
use gradink::ae_recipe::{AeChoices, AeRecipe, Arch};
use gradink::models::AeInit;
use gradink::runs::autoencoder::{self as run, AutoencoderEvalConfig, AutoencoderRunConfig};
use gradink::train::Schedule;
use gradink::train_autoencoder::OptimizerKind;
use std::path::PathBuf;

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
    #[arg(long, value_parser = crate::parse::named::<Arch>(), default_value_t = Arch::Dense)]
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
    /// The recipe and the options that change it.
    pub fn choices(&self) -> AeChoices {
        AeChoices {
            recipe: self.recipe,
            arch: self.arch,
            epochs: self.epochs,
            lr: self.lr,
            batch_size: self.batch_size,
            seed: self.seed,
            optimizer: self.optimizer,
            momentum: self.momentum,
            schedule: self.schedule,
            warmup: self.warmup,
            init: self.init,
            threads: self.threads,
        }
    }
}

pub fn run(args: Args) -> Result<()> {
    let mut on_event = progress::shown();
    if args.eval {
        let model = args.model.context("--eval needs --model FILE")?;
        let cfg = AutoencoderEvalConfig {
            data: args.data,
            model,
        };
        let s = run::evaluate(&cfg, &mut on_event)?;
        println!(
            "valid PSNR {:.2} dB (mean over {} images), squared error {:.2} per image",
            s.psnr, s.images, s.loss
        );
        return Ok(());
    }
    let choices = args.choices();
    let cfg = choices.config();
    if cfg.batch_size == 0 || cfg.epochs == 0 {
        bail!("--batch-size and --epochs must be at least 1");
    }
    if args.arch == Arch::Conv && args.init.is_some() {
        bail!("--init chooses the dense network's start; --arch conv starts He-uniform");
    }
    if args.arch == Arch::Dense && args.dense_model.is_some() {
        bail!("--dense-model is the comparison for --arch conv");
    }
    let cfg = AutoencoderRunConfig {
        data: args.data,
        out: args.out,
        choices,
        dense_model: args.dense_model,
        force: args.force,
    };
    let summary = run::autoencoder(&cfg, &mut on_event)?;
    if let Some(d) = &summary.dense {
        println!(
            "conv: valid PSNR {:.2} dB; dense ({}) {:.2} dB, conv margin {:+.2} dB",
            summary.valid_psnr_mean, d.model, d.valid_psnr_mean, d.conv_margin_db
        );
    }
    println!(
        "valid PSNR {:.2} dB (mean over {} images; PCA with {} components {:.2} dB, margin {:+.2} dB), train loss {:.2} per image ({:.3} s/epoch); wrote {}",
        summary.valid_psnr_mean,
        summary.valid_images,
        run::HIDDEN,
        summary.pca_valid_psnr_mean,
        summary.margin_over_pca_db,
        summary.final_train_loss,
        summary.seconds_per_epoch,
        cfg.out.display()
    );
    Ok(())
}
