//! The two ways `sun` and `flowers17` classify photos, compared on the same
//! split: (1) a single linear layer on frozen, pretrained SqueezeNet 1.1
//! features, computed once (training images also mirrored: flip augmentation
//! at no extra training cost); (2) a small CNN trained from scratch on 64×64
//! centre crops with random flips and shifts.

use super::{staged, RunOptions, SUMMARY};
use crate::augment::Augment;
use crate::data::images::{self, Decoded};
use crate::data::Dataset;
use crate::models::{cnn, squeezenet};
use crate::train::{fit, Checkpoint, Optim, Outcome, TrainConfig};
use crate::{plot, seed_everything, Error, Result};
use image::RgbImage;
use std::path::Path;
use tch::{nn, Tensor};

/// Side of the from-scratch CNN's input.
pub const SCRATCH_SIZE: u32 = 64;
/// Sizes every photo is decoded at: the scratch CNN's and SqueezeNet's.
pub const SIZES: [u32; 2] = [SCRATCH_SIZE, squeezenet::INPUT_SIZE];

/// One split's photos at both sizes.
pub struct Photos {
    pub small: Vec<RgbImage>,
    pub large: Vec<RgbImage>,
    pub labels: Vec<i64>,
}

impl Photos {
    /// Samples `idx` of photos decoded at [`SIZES`].
    pub fn select(d: &Decoded, idx: &[usize]) -> Photos {
        Photos {
            small: idx.iter().map(|&i| d.images[0][i].clone()).collect(),
            large: idx.iter().map(|&i| d.images[1][i].clone()).collect(),
            labels: idx.iter().map(|&i| d.labels[i]).collect(),
        }
    }

    pub fn all(d: &Decoded) -> Photos {
        Photos::select(d, &(0..d.labels.len()).collect::<Vec<_>>())
    }
}

/// What `sun` and `flowers17` write to `summary.json`.
#[derive(Debug, serde::Serialize)]
pub struct Summary {
    pub run: super::RunInfo,
    pub weights: std::path::PathBuf,
    pub input_norm: squeezenet::InputNorm,
    pub classes: Vec<String>,
    pub train_images: usize,
    pub valid_images: usize,
    pub test_images: usize,
    /// Files that could not be decoded (skipped with a warning).
    pub skipped_images: usize,
    pub skipped: Vec<images::Skipped>,
    pub finetune_test_acc: f64,
    pub scratch_test_acc: f64,
    /// The bag-of-visual-words accuracy to compare with (`--bow-acc`; SUN only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bow_baseline_acc: Option<f64>,
    pub finetune: Outcome,
    pub scratch: Outcome,
}

/// Trains both models on the given split and writes figures and summary,
/// under the rule for `--out` ([`super::staged`]). Every split must hold
/// at least one photo.
#[allow(clippy::too_many_arguments)]
pub fn run_both(
    opts: &RunOptions,
    name: &str,
    weights: &Path,
    cfg: &PairConfig,
    classes: Vec<String>,
    splits: [&Photos; 3],
    skipped: Vec<images::Skipped>,
    bow_baseline_acc: Option<f64>,
) -> Result<Summary> {
    let [train, valid, test] = splits;
    for (split, photos) in [("training", train), ("validation", valid), ("test", test)] {
        if photos.labels.is_empty() {
            return Err(Error::bad(
                &opts.data,
                format!(
                    "the {split} split is empty: too few usable photos ({} training, {} validation, {} test)",
                    train.labels.len(),
                    valid.labels.len(),
                    test.labels.len()
                ),
            ));
        }
    }
    let n = classes.len() as i64;
    let finetune_model = format!("{name}_finetune_head.safetensors");
    let scratch_model = format!("{name}_scratch_cnn.safetensors");
    staged(opts, |staging| {
        let finetune = finetune(opts, staging, name, weights, cfg, n, train, valid, test)?;
        let scratch = scratch(opts, staging, name, cfg, n, train, valid, test)?;
        let summary = Summary {
            run: super::RunInfo::new(name, opts),
            weights: weights.to_path_buf(),
            input_norm: cfg.input_norm,
            classes,
            train_images: train.labels.len(),
            valid_images: valid.labels.len(),
            test_images: test.labels.len(),
            skipped_images: skipped.len(),
            skipped,
            finetune_test_acc: finetune.test_acc,
            scratch_test_acc: scratch.test_acc,
            bow_baseline_acc,
            finetune: finetune.clone(),
            scratch: scratch.clone(),
        };
        crate::checkpoint::write_json(&staging.join(SUMMARY), &summary)?;
        eprintln!(
            "{name}: test accuracy {:.4} fine-tuned SqueezeNet, {:.4} CNN from scratch",
            summary.finetune_test_acc, summary.scratch_test_acc
        );
        Ok((
            summary,
            vec![(finetune_model, finetune, n), (scratch_model, scratch, n)],
        ))
    })
}

/// Fails early (before decoding photos) when the weights file is absent or
/// unusable: read and checked against the model, tensor by tensor.
pub fn require_weights(weights: &Path) -> Result<()> {
    let mut vs = nn::VarStore::new(tch::Device::Cpu);
    let _net = squeezenet::features(&vs.root());
    squeezenet::load_checked(&mut vs, weights)
}

/// Training settings of the two models.
#[derive(Clone, Debug)]
pub struct PairConfig {
    pub scratch_epochs: usize,
    pub head_epochs: usize,
    pub input_norm: squeezenet::InputNorm,
}

pub const SCRATCH_EPOCHS: usize = 30;
pub const HEAD_EPOCHS: usize = 60;

pub fn scratch_model(p: &nn::Path, classes: i64) -> nn::SequentialT {
    cnn::small_cnn(
        p,
        &cnn::CnnConfig {
            in_channels: 3,
            image_size: SCRATCH_SIZE as i64,
            widths: vec![32, 64, 128],
            hidden: 256,
            classes,
            dropout: 0.5,
        },
    )
}

pub fn scratch_config(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size: 32,
        lr: 1e-3,
        optim: Optim::Adam,
        weight_decay: 1e-4,
        augment: Augment {
            flip: true,
            shift: 6,
        },
    }
}

pub fn head_config(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size: 64,
        lr: 1e-3,
        optim: Optim::Adam,
        weight_decay: 1e-4,
        augment: Augment::default(),
    }
}

/// The linear classifier on the 512 pooled features.
pub fn head_model(p: &nn::Path, classes: i64) -> nn::Linear {
    nn::linear(
        p / "classifier",
        squeezenet::FEATURES,
        classes,
        Default::default(),
    )
}

/// Fine-tunes the linear head on frozen SqueezeNet features; writes
/// `finetune_{loss,accuracy}.png` and `{name}_finetune_head.safetensors`.
#[allow(clippy::too_many_arguments)]
pub fn finetune(
    opts: &RunOptions,
    staging: &Path,
    name: &str,
    weights: &Path,
    cfg: &PairConfig,
    classes: i64,
    train: &Photos,
    valid: &Photos,
    test: &Photos,
) -> Result<Outcome> {
    let mut rng = seed_everything(opts.seed);
    let mut features_vs = nn::VarStore::new(opts.device);
    let net = squeezenet::features(&features_vs.root());
    squeezenet::load_checked(&mut features_vs, weights)?;
    features_vs.freeze();
    let feats = |p: &Photos, flipped: bool, label: &str| {
        squeezenet::extract(&net, &p.large, cfg.input_norm, flipped, opts.device, label)
    };
    let train_x = Tensor::cat(
        &[
            feats(train, false, "train"),
            feats(train, true, "train, mirrored"),
        ],
        0,
    );
    let train_y: Vec<i64> = train.labels.iter().chain(&train.labels).copied().collect();
    let train_set = Dataset::new(train_x, &train_y);
    let valid_set = Dataset::new(feats(valid, false, "validation"), &valid.labels);
    let test_set = Dataset::new(feats(test, false, "test"), &test.labels);

    let mut vs = nn::VarStore::new(opts.device);
    let head = head_model(&vs.root(), classes);
    let outcome = fit(
        &head,
        &mut vs,
        &train_set,
        &valid_set,
        &test_set,
        &head_config(cfg.head_epochs),
        Checkpoint {
            staging,
            out: &opts.out,
            name: &format!("{name}_finetune_head.safetensors"),
        },
        &mut rng,
        &format!("{name} SqueezeNet head"),
    )?;
    plot::history(
        staging,
        "finetune_",
        &format!("{name}: linear head on SqueezeNet 1.1"),
        &outcome.history,
    )?;
    Ok(outcome)
}

/// Trains the small CNN from scratch; writes `scratch_{loss,accuracy}.png`
/// and `{name}_scratch_cnn.safetensors`.
#[allow(clippy::too_many_arguments)]
pub fn scratch(
    opts: &RunOptions,
    staging: &Path,
    name: &str,
    cfg: &PairConfig,
    classes: i64,
    train: &Photos,
    valid: &Photos,
    test: &Photos,
) -> Result<Outcome> {
    let mut rng = seed_everything(opts.seed);
    let set = |p: &Photos| Dataset::new(images::to_tensor(&p.small), &p.labels);
    let mut vs = nn::VarStore::new(opts.device);
    let model = scratch_model(&vs.root(), classes);
    let outcome = fit(
        &model,
        &mut vs,
        &set(train),
        &set(valid),
        &set(test),
        &scratch_config(cfg.scratch_epochs),
        Checkpoint {
            staging,
            out: &opts.out,
            name: &format!("{name}_scratch_cnn.safetensors"),
        },
        &mut rng,
        &format!("{name} scratch CNN"),
    )?;
    plot::history(
        staging,
        "scratch_",
        &format!("{name}: CNN from scratch"),
        &outcome.history,
    )?;
    Ok(outcome)
}
