//! `cifar10`: a small CNN on the binary CIFAR-10 files; 10% of the training
//! images (stratified, seeded) are held out for validation, `test_batch.bin`
//! gives the test accuracy.

use super::{staged, RunInfo, RunOptions, SUMMARY};
use crate::augment::Augment;
use crate::checkpoint::write_json;
use crate::data::{cifar, split};
use crate::models::cnn;
use crate::train::{fit, Checkpoint, Optim, Outcome, TrainConfig};
use crate::{plot, seed_everything, Result};
use tch::nn;

pub const EPOCHS: usize = 10;
/// The checkpoint's name in `--out`.
pub const MODEL: &str = "cifar10_cnn.safetensors";

#[derive(Debug, serde::Serialize)]
pub struct Summary {
    pub run: RunInfo,
    pub train_images: usize,
    pub valid_images: usize,
    pub test_images: usize,
    pub test_acc: f64,
    pub cnn: Outcome,
}

pub fn model(p: &nn::Path) -> nn::SequentialT {
    cnn::small_cnn(
        p,
        &cnn::CnnConfig {
            in_channels: 3,
            image_size: 32,
            widths: vec![32, 64, 128],
            hidden: 256,
            classes: 10,
            dropout: 0.3,
        },
    )
}

/// Adam; random flips and shifts of up to 4 px (they help on CIFAR-10).
pub fn config(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size: 128,
        lr: 1e-3,
        optim: Optim::Adam,
        weight_decay: 5e-4,
        augment: Augment {
            flip: true,
            shift: 4,
        },
    }
}

pub fn run(opts: &RunOptions) -> Result<Summary> {
    let (all_train, test) = cifar::load(&opts.data)?;
    let mut rng = seed_everything(opts.seed);
    let (tr, va, _) = split::stratified(&all_train.labels(), 0.1, 0.0, &mut rng);
    let (train, valid) = (all_train.select(&tr), all_train.select(&va));
    if valid.is_empty() {
        return Err(crate::Error::bad(
            &opts.data,
            format!(
                "only {} training images: too few to hold out a validation split (10% of each class)",
                all_train.len()
            ),
        ));
    }
    staged(opts, |staging| {
        let mut vs = nn::VarStore::new(opts.device);
        let net = model(&vs.root());
        let cnn = fit(
            &net,
            &mut vs,
            &train,
            &valid,
            &test,
            &config(opts.epochs.unwrap_or(EPOCHS)),
            Checkpoint {
                staging,
                out: &opts.out,
                name: MODEL,
            },
            &mut rng,
            "cifar10",
        )?;
        plot::history(staging, "", "CIFAR-10 CNN", &cnn.history)?;
        let summary = Summary {
            run: RunInfo::new("cifar10", opts),
            train_images: train.len(),
            valid_images: valid.len(),
            test_images: test.len(),
            test_acc: cnn.test_acc,
            cnn: cnn.clone(),
        };
        write_json(&staging.join(SUMMARY), &summary)?;
        Ok((summary, vec![(MODEL.to_string(), cnn, 10)]))
    })
}
