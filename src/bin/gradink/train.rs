//! `gradink train`: the classifier, its figures and its summary
//! (`gradink::runs::train`).

use crate::progress;
use anyhow::Result;
use gradink::runs::train::{train, Arch, TrainRunConfig};
use gradink::train::{Schedule, TrainConfig};
use std::path::PathBuf;

/// Defaults: batch 32, rate 0.3 with a cosine schedule, on the mean loss (docs/training.md says why).
#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Folder with nist36_train.mat, nist36_valid.mat, nist36_test.mat
    /// [default: data/nist36 when it is there, else data/nist36_standin].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Folder for figures, summary.json and classifier.safetensors.
    #[arg(long, default_value_os_t = TrainRunConfig::default().out)]
    pub out: PathBuf,
    #[arg(long, default_value_t = TrainConfig::default().epochs, value_parser = crate::parse::epochs)]
    pub epochs: usize,
    /// The network: the course's MLP (one sigmoid hidden layer, SGD) or
    /// the CNN (docs/cnn.md; Adam).
    #[arg(long, value_parser = crate::parse::named::<Arch>(), default_value_t = Arch::Mlp)]
    pub arch: Arch,
    /// Hidden units of the MLP.
    #[arg(long, default_value_t = TrainConfig::default().hidden, value_parser = crate::parse::positive)]
    pub hidden: usize,
    /// Learning rate for the mean cross-entropy over a batch
    /// (default: 0.3 for the MLP's SGD, 0.001 for the CNN's Adam).
    #[arg(long, value_parser = crate::parse::rate)]
    pub lr: Option<f64>,
    #[arg(long, default_value_t = TrainConfig::default().batch_size, value_parser = crate::parse::positive)]
    pub batch_size: usize,
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    pub seed: u64,
    #[arg(long, value_parser = crate::parse::named::<Schedule>(), default_value_t = TrainConfig::default().schedule)]
    pub schedule: Schedule,
    /// Also train on EMNIST capitals and digits from this folder (the packed
    /// emnist_byclass_test sheets), rendered like the stand-in; indices in
    /// `<data>/source_indices.csv` are skipped so valid and test stay unseen.
    #[arg(long)]
    pub emnist: Option<PathBuf>,
    /// At most this many EMNIST samples per class (with --emnist).
    #[arg(long, default_value_t = TrainRunConfig::default().emnist_per_class, value_parser = crate::parse::positive)]
    pub emnist_per_class: usize,
    /// Add this many randomly warped copies (rotation, shear, scale, shift)
    /// of every training row, drawn from --seed.
    #[arg(long, default_value_t = 0, value_parser = crate::parse::count)]
    pub augment: usize,
    /// With --arch cnn: add this many rows of two or three touching
    /// characters (made from the training rows, drawn from --seed) as one
    /// more output, "touching", so the reader can tell a box that holds
    /// several characters from one wide letter, and four redrawn single
    /// characters for each (docs/cnn.md).
    #[arg(long, default_value_t = 0, value_parser = crate::parse::count)]
    pub touching: usize,
    /// With --arch cnn: add the characters found on this many generated
    /// photo-like pages (mild, medium, strong in turn) written with the
    /// training rows' own glyphs, each crop labelled by what was written
    /// there; boxes that are not one character go to "touching" when
    /// --touching is given (docs/ocr-photos.md).
    #[arg(long, default_value_t = 0, value_parser = crate::parse::count)]
    pub page_crops: usize,
    /// Accept this run into --out even if it blew up or the model already
    /// there scores better on the validation split (docs/robustness.md).
    #[arg(long)]
    pub force: bool,
}

impl Args {
    pub fn config(&self) -> TrainRunConfig {
        TrainRunConfig {
            data: self.data.clone(),
            out: self.out.clone(),
            arch: self.arch,
            train: TrainConfig {
                epochs: self.epochs,
                hidden: self.hidden,
                lr: self.lr.unwrap_or(self.arch.default_lr()),
                batch_size: self.batch_size,
                seed: self.seed,
                schedule: self.schedule,
            },
            emnist: self.emnist.clone(),
            emnist_per_class: self.emnist_per_class,
            augment: self.augment,
            touching: self.touching,
            page_crops: self.page_crops,
            force: self.force,
        }
    }
}

pub fn run(args: Args) -> Result<()> {
    let cfg = args.config();
    let summary = train(&cfg, &mut progress::shown())?;
    println!(
        "train {:.1}%  valid {:.1}%  test {:.1}%  ({:.3} s/epoch); wrote {}",
        100.0 * summary.train_acc,
        100.0 * summary.valid_acc,
        100.0 * summary.test_acc,
        summary.seconds_per_epoch,
        cfg.out.display()
    );
    Ok(())
}
