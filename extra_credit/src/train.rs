//! One training loop for every model: seeded shuffling, optional
//! augmentation, a progress bar per epoch, validation after each epoch, the
//! best-validation weights kept and restored for the test, then written
//! atomically as the checkpoint. A non-finite loss stops the run
//! ([`Error::Diverged`]). The model of the same name already in the output
//! folder, if any, is scored on this run's validation split
//! ([`Outcome::previous_valid_acc`]), for the rule that keeps a better model
//! (docs/robustness.md).

use crate::augment::Augment;
use crate::checkpoint::{load_checked, restore, save_var_store, snapshot};
use crate::data::Dataset;
use crate::{Error, Result};
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
    /// Validation accuracy, on this run's validation split, of the model
    /// that the output folder held under the same name before this run
    /// (absent when there was none, or it could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_valid_acc: Option<f64>,
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

/// Where a model is saved and what it is compared with: the run writes
/// `staging/name`, which becomes `out/name` when the run is accepted, and
/// `out/name` from an earlier run, if there, is scored for comparison.
#[derive(Clone, Copy, Debug)]
pub struct Checkpoint<'a> {
    pub staging: &'a Path,
    pub out: &'a Path,
    pub name: &'a str,
}

/// Scores the weights in `path` on `valid` with `model`'s layout, leaving
/// `vs` as it was. `None` (with a note) when the file cannot be used.
fn score_previous(
    model: &impl ModuleT,
    vs: &mut nn::VarStore,
    path: &Path,
    valid: &Dataset,
) -> Option<f64> {
    let ours = snapshot(vs);
    let scored = load_checked(vs, path).map(|()| evaluate(model, valid, 256, vs.device()).1);
    restore(vs, &ours);
    match scored {
        Ok(acc) if acc.is_finite() => Some(acc),
        Ok(_) => None,
        Err(e) => {
            eprintln!("note: the earlier model is not comparable and will be replaced: {e}");
            None
        }
    }
}

/// Trains `model` (whose variables live in `vs`), keeps the weights of the
/// epoch with the best validation accuracy, restores them, writes them to
/// the run's staging folder (see [`Checkpoint`]) and reports the test loss
/// and accuracy.
#[allow(clippy::too_many_arguments)]
pub fn fit(
    model: &impl ModuleT,
    vs: &mut nn::VarStore,
    train: &Dataset,
    valid: &Dataset,
    test: &Dataset,
    cfg: &TrainConfig,
    checkpoint: Checkpoint,
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
    let mut best_weights = None;
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
            if !loss.is_finite() {
                bar.finish_and_clear();
                return Err(Error::Diverged {
                    label: label.to_string(),
                    epoch,
                    loss,
                });
            }
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
            best_weights = Some(snapshot(vs));
        }
        history.push(stats);
    }
    if let Some(best) = &best_weights {
        restore(vs, best);
    }
    save_var_store(vs, &checkpoint.staging.join(checkpoint.name))?;
    let previous = checkpoint.out.join(checkpoint.name);
    let previous_valid_acc = Some(&previous)
        .filter(|p| p.exists())
        .and_then(|p| score_previous(model, vs, p, valid));
    let (test_loss, test_acc) = evaluate(model, test, 256, device);
    eprintln!("{label}: test accuracy {test_acc:.4} (weights of epoch {best_epoch})");
    Ok(Outcome {
        config: cfg.clone(),
        history,
        best_epoch,
        best_valid_acc: best_acc,
        test_loss,
        test_acc,
        checkpoint: previous,
        previous_valid_acc,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Why a finished run is not a usable model, if it blew up: the validation
/// loss of the kept epoch is not finite or above ten times that of guessing
/// uniformly (10·ln C), as the root crate's rule (docs/robustness.md).
pub fn blow_up(outcome: &Outcome, classes: i64) -> Option<String> {
    let kept = outcome.history.get(outcome.best_epoch.checked_sub(1)?)?;
    let guessing = (classes.max(2) as f64).ln();
    let loss = kept.valid_loss;
    if !loss.is_finite() || loss > 10.0 * guessing {
        Some(format!(
            "training blew up: the validation loss of the kept epoch is {loss:.3e}, more than ten times the {guessing:.2} of guessing uniformly; lower the learning rate"
        ))
    } else {
        None
    }
}
