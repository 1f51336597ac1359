//! The classifiers' training loop: shuffled mini-batches, one tape per step,
//! and the per-epoch loss and accuracy (`EpochStats`). The MLP and the CNN
//! (`train_cnn.rs`) both run it.
//!
//! Here too is what every training loop shares, the autoencoder's
//! (`train_autoencoder.rs`) included: the learning rate of an epoch
//! ([`Schedule::rate`], warm-up included), the [`Progress`] a loop reports,
//! the divergence check and the chunks of an evaluation pass.

use crate::data::{for_each_batch, one_hot, shuffled_batches, Split};
use crate::error::{Error, Result};
use crate::functional as F;
use crate::models::{Classifier, Predict};
use crate::nn::{accuracy, HasParams, Optimizer, Sgd};
use crate::subnormals::FlushSubnormals;
use crate::{Tape, Var};
use ndarray::s;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::time::Instant;

/// How the learning rate changes over the epochs. Summaries spell it as
/// `--schedule` does (lowercase), like every other value in them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Schedule {
    /// The same rate every epoch (the course's recipe).
    Constant,
    /// Half a cosine from the initial rate down to zero at the last epoch.
    Cosine,
}

crate::named_values!(Schedule { Constant => "constant", Cosine => "cosine" });

impl Schedule {
    /// The rate for epoch `e` (0-based) of `epochs`, after `warmup` epochs
    /// whose rate climbs linearly to `lr` (epoch k of w trains at lr·k/w);
    /// the schedule then runs over the epochs left. Every loop takes its
    /// rate from here (the classifiers with no warm-up).
    pub fn rate(self, lr: f64, warmup: usize, e: usize, epochs: usize) -> f64 {
        if e < warmup {
            return lr * (e + 1) as f64 / warmup as f64;
        }
        let (e, epochs) = (e - warmup, epochs.saturating_sub(warmup));
        match self {
            Schedule::Constant => lr,
            Schedule::Cosine => {
                let t = e as f64 / epochs.max(1) as f64;
                0.5 * lr * (1.0 + (std::f64::consts::PI * t).cos())
            }
        }
    }
}

/// Hyper-parameters of a training run.
#[derive(Clone, Debug, Serialize)]
pub struct TrainConfig {
    pub epochs: usize,
    pub hidden: usize,
    pub lr: f64,
    pub batch_size: usize,
    pub seed: u64,
    pub schedule: Schedule,
}

/// `gradink train`'s defaults: batch 32, rate 0.3 with a cosine schedule,
/// on the mean loss (docs/training.md says why).
impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 30,
            hidden: 64,
            lr: 0.3,
            batch_size: 32,
            seed: 0,
            schedule: Schedule::Cosine,
        }
    }
}

/// Measurements at the end of one epoch of any training loop. `S` is what
/// the model is scored by after it ([`Accuracy`] for the classifiers, the
/// autoencoder's `Reconstruction`), written into the same JSON object.
#[derive(Clone, Debug, Serialize)]
pub struct EpochStats<S = Accuracy> {
    pub epoch: usize,
    pub lr: f64,
    /// Averaged over the epoch's batches as they were trained.
    pub train_loss: f64,
    #[serde(flatten)]
    pub scores: S,
    /// Wall time of the training part of the epoch (not the validation pass).
    pub seconds: f64,
}

/// A classifier's scores after an epoch. Losses are mean cross-entropy per sample.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Accuracy {
    /// Averaged over the epoch's batches as they were trained.
    pub train_acc: f64,
    pub valid_loss: f64,
    pub valid_acc: f64,
}

/// Where a training loop is, for progress bars (every loop reports it).
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub epoch: usize,
    pub batch: usize,
    pub batches: usize,
    /// The mean loss so far this epoch, in the loop's own unit (the
    /// classifiers' cross-entropy per sample, the autoencoder's squared
    /// error per image).
    pub running_loss: f64,
    /// The classifiers' accuracy so far this epoch (`None` for the autoencoder).
    pub running_acc: Option<f64>,
}

/// Rows an evaluation pass (no tape) takes at a time, so that its memory
/// stays bounded whatever the split's size.
const EVAL_CHUNK: usize = 1024;

/// The row ranges of every loop's evaluation pass over `rows` rows.
pub(crate) fn eval_chunks(rows: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..rows)
        .step_by(EVAL_CHUNK)
        .map(move |start| start..(start + EVAL_CHUNK).min(rows))
}

/// Mean cross-entropy and accuracy of `model` on `split`, without a tape.
pub fn evaluate(model: &impl Predict, split: &Split) -> (f64, f64) {
    let (mut loss, mut predicted) = (0.0, Vec::with_capacity(split.len()));
    for rows in eval_chunks(split.len()) {
        let idx: Vec<usize> = rows.clone().collect();
        let x = split.images.slice(s![rows, ..]);
        let y = one_hot::<f32>(&split.labels, &idx, split.classes);
        // Rows known to be single characters are scored on the characters
        // alone; a split with "touching" rows of its own on every output.
        let mut probs = model.predict_outputs(x);
        if model.has_touching() && probs.ncols() != split.classes {
            probs = crate::models::characters_only(probs);
        }
        // −Σ y log p, with p clamped away from 0 (inference softmax is not fused).
        loss -= (&y * &probs.mapv(|p| p.max(1e-30).ln())).sum() as f64;
        predicted.extend(F::argmax_rows(probs.view()));
    }
    (
        loss / split.len().max(1) as f64,
        accuracy(&predicted, &split.labels),
    )
}

/// Trains `model` with mini-batch SGD on mean cross-entropy.
/// Stops with `Error::Diverged` if the loss stops being finite.
pub fn train_classifier(
    model: &mut Classifier<f32>,
    train: &Split,
    valid: &Split,
    cfg: &TrainConfig,
    on_progress: impl FnMut(Progress),
) -> Result<Vec<EpochStats>> {
    classifier_epochs(model, &mut Sgd::new(cfg.lr), train, valid, cfg, on_progress)
}

/// What the classifiers' shared loop ([`classifier_epochs`]) needs of a
/// model beyond its parameters and inference: its training forward pass.
pub(crate) trait TrainForward: Predict + HasParams<f32> {
    /// Whether the forward pass takes a dropout seed per batch. Only then are
    /// seeds drawn from the shuffling stream, so a model without dropout
    /// shuffles exactly as if the seeds did not exist.
    const DROPOUT: bool;
    /// The logits of a training batch; `seed` draws its dropout masks.
    fn train_forward<'t>(&self, x: Var<'t, f32>, seed: u64) -> Var<'t, f32>;
}

impl TrainForward for Classifier<f32> {
    const DROPOUT: bool = false;
    fn train_forward<'t>(&self, x: Var<'t, f32>, _seed: u64) -> Var<'t, f32> {
        self.forward(x)
    }
}

/// The epochs of both classifiers (the MLP here, the CNN in `train_cnn.rs`):
/// shuffled mini-batches, one tape per step, `opt` with the rate of
/// `cfg.schedule`, a divergence check on every batch's loss, and one
/// `EpochStats` an epoch. Stops with `Error::Diverged` if the loss stops
/// being finite.
pub(crate) fn classifier_epochs<M: TrainForward>(
    model: &mut M,
    opt: &mut dyn Optimizer<f32>,
    train: &Split,
    valid: &Split,
    cfg: &TrainConfig,
    mut on_progress: impl FnMut(Progress),
) -> Result<Vec<EpochStats>> {
    let _flush = FlushSubnormals::new();
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    // Shuffling and dropout draw apart from the initialisation stream.
    rng.set_stream(1);
    // Grown as epochs finish: nothing is allocated up front for --epochs.
    let mut history = Vec::new();
    let mut divergence = Divergence::new();
    for epoch in 1..=cfg.epochs {
        opt.set_learning_rate(cfg.schedule.rate(cfg.lr, 0, epoch - 1, cfg.epochs));
        let started = Instant::now();
        let batches = shuffled_batches(train.len(), cfg.batch_size, &mut rng);
        let dropout_seeds: Vec<u64> = if M::DROPOUT {
            batches.iter().map(|_| rng.random()).collect()
        } else {
            vec![0; batches.len()]
        };
        let (mut loss_sum, mut correct, mut seen) = (0.0, 0usize, 0usize);
        for_each_batch(&train.images, &batches, |b, idx, x| {
            let y = one_hot::<f32>(&train.labels, idx, train.classes);
            let (loss, logits, grads) = {
                let tape = Tape::new();
                let logits = model.train_forward(tape.constant(x), dropout_seeds[b]);
                let loss = logits.softmax_cross_entropy(&y);
                (loss.item() as f64, logits.matrix(), loss.backward())
            };
            divergence.check(epoch, loss, loss)?;
            opt.step(model.params_mut(), &grads);

            let predicted = F::argmax_rows(logits.view());
            correct += predicted
                .iter()
                .zip(idx)
                .filter(|(p, &i)| **p == train.labels[i])
                .count();
            loss_sum += loss * idx.len() as f64;
            seen += idx.len();
            on_progress(Progress {
                epoch,
                batch: b + 1,
                batches: batches.len(),
                running_loss: loss_sum / seen as f64,
                running_acc: Some(correct as f64 / seen as f64),
            });
            Ok(())
        })?;
        let seconds = started.elapsed().as_secs_f64();
        let (valid_loss, valid_acc) = evaluate(&*model, valid);
        history.push(EpochStats {
            epoch,
            lr: opt.learning_rate(),
            train_loss: loss_sum / seen.max(1) as f64,
            scores: Accuracy {
                train_acc: correct as f64 / seen.max(1) as f64,
                valid_loss,
                valid_acc,
            },
            seconds,
        });
    }
    Ok(history)
}

/// The divergence check every training loop runs on each batch's loss:
/// remembers the last finite loss so that `Error::Diverged` can name it.
#[derive(Debug)]
pub(crate) struct Divergence {
    last_finite: f64,
}

impl Divergence {
    pub(crate) fn new() -> Self {
        Divergence {
            last_finite: f64::NAN,
        }
    }

    /// `Error::Diverged` if the batch `loss` of `epoch` is not finite;
    /// otherwise remembers `shown`, the loss as the run reports it (the
    /// classifiers' mean per sample, the autoencoder's per image).
    pub(crate) fn check(&mut self, epoch: usize, loss: f64, shown: f64) -> Result<()> {
        if !loss.is_finite() {
            return Err(self.diverged(epoch, loss));
        }
        self.last_finite = shown;
        Ok(())
    }

    /// The error for a run that broke in `epoch` with `loss` (NaN when it
    /// was the weights that broke, not a loss).
    pub(crate) fn diverged(&self, epoch: usize, loss: f64) -> Error {
        Error::Diverged {
            epoch,
            loss,
            last_finite: self.last_finite,
        }
    }
}

/// Why a finished run is not a usable classifier, if it blew up: its last
/// validation loss is not finite or exceeds ten times that of guessing
/// uniformly (10·ln C), or it answers the same class for every validation
/// image (`predicted`: its answers on `valid`). An undertrained run is not
/// a blow-up (docs/robustness.md).
pub fn blow_up(history: &[EpochStats], predicted: &[usize], valid: &Split) -> Option<String> {
    let last = history.last()?;
    let guessing = (valid.classes.max(2) as f64).ln();
    if !last.scores.valid_loss.is_finite() || last.scores.valid_loss > 10.0 * guessing {
        return Some(format!(
            "training blew up: the validation loss ended at {:.3e}, more than ten times the {guessing:.2} of guessing uniformly; lower --lr",
            last.scores.valid_loss
        ));
    }
    if let Some(&first) = predicted.first() {
        if predicted.len() > 1 && predicted.iter().all(|&p| p == first) {
            return Some(format!(
                "training collapsed: the model answers '{}' for every validation image (accuracy {:.1}%); lower --lr, or train longer",
                crate::data::class_name(first),
                100.0 * last.scores.valid_acc
            ));
        }
    }
    None
}

/// About how many bytes training the MLP of `cfg` takes: the weights, their
/// gradients and the optimiser's copy (f32), plus the activations of a
/// batch and of an evaluation chunk (1024 rows).
pub fn memory_estimate(cfg: &TrainConfig, inputs: usize, classes: usize) -> u64 {
    let h = cfg.hidden as u64;
    let params = (inputs as u64 + 1)
        .saturating_mul(h)
        .saturating_add((h + 1).saturating_mul(classes as u64));
    let rows = (cfg.batch_size as u64).max(EVAL_CHUNK as u64);
    params
        .saturating_mul(3)
        .saturating_add(rows.saturating_mul(h).saturating_mul(4))
        .saturating_mul(4)
}
