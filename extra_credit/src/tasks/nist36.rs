//! `nist36-fc` (the main crate's 1024-64-36 sigmoid net in tch) and
//! `nist36-cnn` (a small CNN on the upright 1×32×32 images), which also trains
//! the fully connected net with the same seed and reports both.

use super::{RunInfo, RunOptions};
use crate::augment::Augment;
use crate::checkpoint::{create_out_dir, write_json};
use crate::data::{nist36, Dataset};
use crate::models::{cnn, mlp};
use crate::train::{fit, Optim, Outcome, TrainConfig};
use crate::{plot, seed_everything, Result};
use tch::nn;

pub const FC_EPOCHS: usize = 30;
pub const CNN_EPOCHS: usize = 8;

#[derive(Debug, serde::Serialize)]
pub struct FcSummary {
    pub run: RunInfo,
    pub fc_test_acc: f64,
    pub fc: Outcome,
}

#[derive(Debug, serde::Serialize)]
pub struct CnnSummary {
    pub run: RunInfo,
    pub cnn_test_acc: f64,
    pub fc_test_acc: f64,
    /// cnn_test_acc − fc_test_acc.
    pub improvement: f64,
    pub cnn: Outcome,
    pub fc: Outcome,
}

struct Splits {
    train: Dataset,
    valid: Dataset,
    test: Dataset,
}

fn load(opts: &RunOptions) -> Result<Splits> {
    Ok(Splits {
        train: nist36::load(&opts.data, "train")?,
        valid: nist36::load(&opts.data, "valid")?,
        test: nist36::load(&opts.data, "test")?,
    })
}

/// SGD with momentum on the flat 1024-vectors, as in the main crate.
pub fn fc_config(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size: 32,
        lr: 0.05,
        optim: Optim::Sgd { momentum: 0.9 },
        weight_decay: 0.0,
        augment: Augment::default(),
    }
}

/// Adam; shifts of up to 2 px (no flips: letters are not mirror-symmetric).
pub fn cnn_config(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size: 64,
        lr: 1e-3,
        optim: Optim::Adam,
        weight_decay: 0.0,
        augment: Augment {
            flip: false,
            shift: 2,
        },
    }
}

pub fn cnn_model(p: &nn::Path) -> nn::SequentialT {
    cnn::small_cnn(
        p,
        &cnn::CnnConfig {
            in_channels: 1,
            image_size: 32,
            widths: vec![32, 64],
            hidden: 128,
            classes: nist36::CLASSES as i64,
            dropout: 0.25,
        },
    )
}

fn train_fc(opts: &RunOptions, s: &Splits, epochs: usize) -> Result<Outcome> {
    let mut rng = seed_everything(opts.seed);
    let mut vs = nn::VarStore::new(opts.device);
    let model = mlp::nist_fc(&vs.root(), 1024, 64, nist36::CLASSES as i64);
    let out = fit(
        &model,
        &mut vs,
        &s.train,
        &s.valid,
        &s.test,
        &fc_config(epochs),
        &opts.out.join("nist36_fc.safetensors"),
        &mut rng,
        "nist36-fc",
    )?;
    Ok(out)
}

pub fn run_fc(opts: &RunOptions) -> Result<FcSummary> {
    let s = load(opts)?;
    create_out_dir(&opts.out)?;
    let fc = train_fc(opts, &s, opts.epochs.unwrap_or(FC_EPOCHS))?;
    plot::history(
        &opts.out,
        "",
        "NIST36 fully connected 1024-64-36",
        &fc.history,
    )?;
    let summary = FcSummary {
        run: RunInfo::new("nist36-fc", opts),
        fc_test_acc: fc.test_acc,
        fc,
    };
    write_json(&opts.out.join("summary.json"), &summary)?;
    Ok(summary)
}

/// Trains the CNN for `--epochs` (default 8) and the fully connected net for
/// its own default budget, so the comparison is against a converged baseline.
pub fn run_cnn(opts: &RunOptions) -> Result<CnnSummary> {
    let s = load(opts)?;
    create_out_dir(&opts.out)?;
    let images = |d: &Dataset| Dataset {
        x: nist36::to_images(&d.x),
        y: d.y.shallow_clone(),
    };
    let mut rng = seed_everything(opts.seed);
    let mut vs = nn::VarStore::new(opts.device);
    let model = cnn_model(&vs.root());
    let cnn = fit(
        &model,
        &mut vs,
        &images(&s.train),
        &images(&s.valid),
        &images(&s.test),
        &cnn_config(opts.epochs.unwrap_or(CNN_EPOCHS)),
        &opts.out.join("nist36_cnn.safetensors"),
        &mut rng,
        "nist36-cnn",
    )?;
    plot::history(&opts.out, "", "NIST36 CNN", &cnn.history)?;
    let fc = train_fc(opts, &s, FC_EPOCHS)?;
    plot::history(
        &opts.out,
        "fc_",
        "NIST36 fully connected 1024-64-36",
        &fc.history,
    )?;
    let summary = CnnSummary {
        run: RunInfo::new("nist36-cnn", opts),
        cnn_test_acc: cnn.test_acc,
        fc_test_acc: fc.test_acc,
        improvement: cnn.test_acc - fc.test_acc,
        cnn,
        fc,
    };
    write_json(&opts.out.join("summary.json"), &summary)?;
    Ok(summary)
}
