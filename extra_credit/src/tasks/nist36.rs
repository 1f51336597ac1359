//! `nist36-fc` (the main crate's 1024-64-36 sigmoid net in tch) and
//! `nist36-cnn` (a small CNN on the upright 1×32×32 images), which also trains
//! the fully connected net with the same seed and reports both.

use super::{staged, RunInfo, RunOptions, SUMMARY};
use crate::augment::Augment;
use crate::checkpoint::write_json;
use crate::data::{nist36, Dataset};
use crate::models::{cnn, mlp};
use crate::train::{fit, Checkpoint, Optim, Outcome, TrainConfig};
use crate::{plot, seed_everything, Result};
use std::path::Path;
use tch::nn;

/// The checkpoints' names in `--out`.
pub const FC_MODEL: &str = "nist36_fc.safetensors";
pub const CNN_MODEL: &str = "nist36_cnn.safetensors";

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

use nist36::Nist36 as Splits;

fn load(opts: &RunOptions) -> Result<Splits> {
    nist36::load_all(&opts.data)
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
    cnn_model_for(p, nist36::CLASSES as i64)
}

/// The CNN with `classes` outputs (26 for letters-only files).
pub fn cnn_model_for(p: &nn::Path, classes: i64) -> nn::SequentialT {
    cnn::small_cnn(
        p,
        &cnn::CnnConfig {
            in_channels: 1,
            image_size: 32,
            widths: vec![32, 64],
            hidden: 128,
            classes,
            dropout: 0.25,
        },
    )
}

fn train_fc(opts: &RunOptions, s: &Splits, epochs: usize, staging: &Path) -> Result<Outcome> {
    let mut rng = seed_everything(opts.seed);
    let mut vs = nn::VarStore::new(opts.device);
    let model = mlp::nist_fc(&vs.root(), 1024, 64, s.classes as i64);
    fit(
        &model,
        &mut vs,
        &s.train,
        &s.valid,
        &s.test,
        &fc_config(epochs),
        Checkpoint {
            staging,
            out: &opts.out,
            name: FC_MODEL,
        },
        &mut rng,
        "nist36-fc",
    )
}

pub fn run_fc(opts: &RunOptions) -> Result<FcSummary> {
    let s = load(opts)?;
    staged(opts, |staging| {
        let fc = train_fc(opts, &s, opts.epochs.unwrap_or(FC_EPOCHS), staging)?;
        plot::history(
            staging,
            "",
            "NIST36 fully connected 1024-64-36",
            &fc.history,
        )?;
        let summary = FcSummary {
            run: RunInfo::new("nist36-fc", opts),
            fc_test_acc: fc.test_acc,
            fc: fc.clone(),
        };
        write_json(&staging.join(SUMMARY), &summary)?;
        let classes = s.classes as i64;
        Ok((summary, vec![(FC_MODEL.to_string(), fc, classes)]))
    })
}

/// Trains the CNN for `--epochs` (default 8) and the fully connected net for
/// its own default budget, so the comparison is against a converged baseline.
pub fn run_cnn(opts: &RunOptions) -> Result<CnnSummary> {
    let s = load(opts)?;
    let images = |d: &Dataset| Dataset {
        x: nist36::to_images(&d.x),
        y: d.y.shallow_clone(),
    };
    staged(opts, |staging| {
        let mut rng = seed_everything(opts.seed);
        let mut vs = nn::VarStore::new(opts.device);
        let classes = s.classes as i64;
        let model = cnn_model_for(&vs.root(), classes);
        let cnn = fit(
            &model,
            &mut vs,
            &images(&s.train),
            &images(&s.valid),
            &images(&s.test),
            &cnn_config(opts.epochs.unwrap_or(CNN_EPOCHS)),
            Checkpoint {
                staging,
                out: &opts.out,
                name: CNN_MODEL,
            },
            &mut rng,
            "nist36-cnn",
        )?;
        plot::history(staging, "", "NIST36 CNN", &cnn.history)?;
        let fc = train_fc(opts, &s, FC_EPOCHS, staging)?;
        plot::history(
            staging,
            "fc_",
            "NIST36 fully connected 1024-64-36",
            &fc.history,
        )?;
        let summary = CnnSummary {
            run: RunInfo::new("nist36-cnn", opts),
            cnn_test_acc: cnn.test_acc,
            fc_test_acc: fc.test_acc,
            improvement: cnn.test_acc - fc.test_acc,
            cnn: cnn.clone(),
            fc: fc.clone(),
        };
        write_json(&staging.join(SUMMARY), &summary)?;
        Ok((
            summary,
            vec![
                (CNN_MODEL.to_string(), cnn, classes),
                (FC_MODEL.to_string(), fc, classes),
            ],
        ))
    })
}
