//! One training loop for every model: seeded shuffling, optional
//! augmentation, a progress bar per epoch, validation after each epoch, the
//! best-validation weights checkpointed atomically and restored for the test.

use crate::augment::Augment;
use crate::checkpoint::save_var_store;
use crate::data::Dataset;
use crate::Result;
use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::SliceRandom;
use rand::Rng;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::nn::{self, ModuleT, OptimizerConfig};
use tch::{Device, Kind, Tensor};

#[derive(Clone, Copy, Debug, serde::Serialize)]
pub enum Optim {
    /// SGD with momentum (the main crate's optimiser).
    Sgd {
        momentum: f64,
    },
    Adam,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub optim: Optim,
    pub weight_decay: f64,
    #[serde(skip)]
    pub augment: Augment,
}

impl TrainConfig {
    pub fn optimizer(&self, vs: &nn::VarStore) -> Result<nn::Optimizer> {
        Ok(match self.optim {
            Optim::Sgd { momentum } => nn::Sgd {
                momentum,
                wd: self.weight_decay,
                ..Default::default()
            }
            .build(vs, self.lr)?,
            Optim::Adam => nn::Adam {
                wd: self.weight_decay,
                ..Default::default()
            }
            .build(vs, self.lr)?,
        })
    }
}

/// Loss and accuracy of one epoch.
#[derive(Clone, Debug, serde::Serialize)]
pub struct EpochStats {
    pub epoch: usize,
    pub train_loss: f64,
    pub train_acc: f64,
    pub valid_loss: f64,
    pub valid_acc: f64,
    pub seconds: f64,
}

/// What a training run produced.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Outcome {
    pub config: TrainConfig,
    pub history: Vec<EpochStats>,
    pub best_epoch: usize,
    pub best_valid_acc: f64,
    pub test_loss: f64,
    pub test_acc: f64,
    pub checkpoint: PathBuf,
    pub seconds: f64,
}

/// One optimiser step on one batch; returns the mean cross-entropy.
pub fn train_step(
    model: &impl ModuleT,
    opt: &mut nn::Optimizer,
    xs: &Tensor,
    ys: &Tensor,
) -> (f64, Tensor) {
    let logits = model.forward_t(xs, true);
    let loss = logits.cross_entropy_for_logits(ys);
    opt.backward_step(&loss);
    (loss.double_value(&[]), logits)
}

/// Mean loss and accuracy over `data`, in batches, without gradients.
pub fn evaluate(model: &impl ModuleT, data: &Dataset, batch: usize, device: Device) -> (f64, f64) {
    let n = data.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let (mut loss, mut correct) = (0.0, 0.0);
    tch::no_grad(|| {
        for start in (0..n).step_by(batch) {
            let len = batch.min(n - start) as i64;
            let xs = data.x.narrow(0, start as i64, len).to_device(device);
            let ys = data.y.narrow(0, start as i64, len).to_device(device);
            let logits = model.forward_t(&xs, false);
            loss += logits.cross_entropy_for_logits(&ys).double_value(&[]) * len as f64;
            correct += count_correct(&logits, &ys);
        }
    });
    (loss / n as f64, correct / n as f64)
}

fn count_correct(logits: &Tensor, ys: &Tensor) -> f64 {
    logits
        .argmax(-1, false)
        .eq_tensor(ys)
        .to_kind(Kind::Float)
        .sum(Kind::Float)
        .double_value(&[])
}

/// Trains `model` (whose variables live in `vs`), keeps the weights of the
/// epoch with the best validation accuracy in `checkpoint`, restores them and
/// reports the test loss and accuracy.
#[allow(clippy::too_many_arguments)]
pub fn fit(
    model: &impl ModuleT,
    vs: &mut nn::VarStore,
    train: &Dataset,
    valid: &Dataset,
    test: &Dataset,
    cfg: &TrainConfig,
    checkpoint: &Path,
    rng: &mut impl Rng,
    label: &str,
) -> Result<Outcome> {
    let started = Instant::now();
    let device = vs.device();
    let mut opt = cfg.optimizer(vs)?;
    let n = train.len();
    let batches = n.div_ceil(cfg.batch_size);
    let mut history = Vec::new();
    let (mut best_epoch, mut best_acc) = (0, f64::NEG_INFINITY);
    for epoch in 1..=cfg.epochs {
        let epoch_start = Instant::now();
        let bar = ProgressBar::new(batches as u64).with_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
                .expect("valid template"),
        );
        bar.set_prefix(format!("{label} epoch {epoch}/{}", cfg.epochs));
        let mut order: Vec<i64> = (0..n as i64).collect();
        order.shuffle(rng);
        let (mut loss_sum, mut correct) = (0.0, 0.0);
        for chunk in order.chunks(cfg.batch_size) {
            let idx = Tensor::from_slice(chunk);
            let xs = cfg
                .augment
                .apply(&train.x.index_select(0, &idx), rng)
                .to_device(device);
            let ys = train.y.index_select(0, &idx).to_device(device);
            let (loss, logits) = train_step(model, &mut opt, &xs, &ys);
            loss_sum += loss * chunk.len() as f64;
            correct += count_correct(&logits.detach(), &ys);
            bar.inc(1);
            bar.set_message(format!("loss {loss:.3}"));
        }
        let (valid_loss, valid_acc) = evaluate(model, valid, 256, device);
        let stats = EpochStats {
            epoch,
            train_loss: loss_sum / n as f64,
            train_acc: correct / n as f64,
            valid_loss,
            valid_acc,
            seconds: epoch_start.elapsed().as_secs_f64(),
        };
        bar.finish_and_clear();
        eprintln!(
            "{label} epoch {epoch}/{}: train loss {:.4} acc {:.4}, valid loss {:.4} acc {:.4} ({:.1}s)",
            cfg.epochs, stats.train_loss, stats.train_acc, valid_loss, valid_acc, stats.seconds
        );
        if valid_acc > best_acc {
            (best_epoch, best_acc) = (epoch, valid_acc);
            save_var_store(vs, checkpoint)?;
        }
        history.push(stats);
    }
    if best_epoch > 0 {
        vs.load(checkpoint)?;
    }
    let (test_loss, test_acc) = evaluate(model, test, 256, device);
    eprintln!("{label}: test accuracy {test_acc:.4} (weights of epoch {best_epoch})");
    Ok(Outcome {
        config: cfg.clone(),
        history,
        best_epoch,
        best_valid_acc: best_acc,
        test_loss,
        test_acc,
        checkpoint: checkpoint.to_path_buf(),
        seconds: started.elapsed().as_secs_f64(),
    })
}
