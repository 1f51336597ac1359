//! The autoencoder's training loop and its quality measure (PSNR).
//!
//! Each step minimises the total squared error of one shuffled mini-batch
//! with momentum SGD (or Adam). After every epoch whose parameters are all
//! finite, the model is saved atomically, so when a run diverges the file on
//! disk is the last good model, never a half-written or NaN one.
//!
//! The loop speaks `train`'s vocabulary (its `Schedule` and rate, `Progress`,
//! divergence check and evaluation chunks); what is its own is the config
//! (optimizer, warm-up, threads) and PSNR, reported in place of accuracy.

use crate::data::{for_each_batch, shuffled_batches};
use crate::error::Result;
use crate::models::{AeInit, AeModel};
use crate::nn::{Adam, Momentum, Optimizer};
use crate::subnormals::FlushSubnormals;
use crate::train::{eval_chunks, Divergence, EpochStats, Progress, Schedule};
use crate::{Gradients, Tape};
use ndarray::{s, Array2, ArrayView1, Axis, Zip};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// Which update rule trains the weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// SGD with momentum: M ← μ·M − α·∂J/∂W, W ← W + M.
    Momentum,
    /// Adam with β₁ = 0.9, β₂ = 0.999.
    Adam,
}

crate::named_values!(OptimizerKind { Momentum => "momentum", Adam => "adam" });

/// Hyper-parameters of an autoencoder run.
#[derive(Clone, Debug, Serialize)]
pub struct AeConfig {
    pub epochs: usize,
    /// Step size for the *total* squared error of a batch (so it scales with the batch size).
    pub lr: f64,
    pub batch_size: usize,
    pub seed: u64,
    pub optimizer: OptimizerKind,
    /// μ for momentum SGD (ignored by Adam).
    pub momentum: f64,
    pub schedule: Schedule,
    /// Epochs at the start whose rate climbs linearly to `lr` (epoch k of w
    /// trains at lr·k/w); the schedule then runs over the epochs left.
    pub warmup: usize,
    /// How the model was started (recorded here; applied by [`AeInit::model`]).
    pub init: AeInit,
    /// Each batch's rows are split over this many threads, one tape each, and
    /// their gradients added: the same step as one tape, on more cores.
    pub threads: usize,
}

impl AeConfig {
    /// The learning rate of epoch `e` (0-based): warm-up, then the schedule.
    pub fn rate(&self, e: usize) -> f64 {
        self.schedule.rate(self.lr, self.warmup, e, self.epochs)
    }
}

/// An autoencoder's scores after an epoch (its [`EpochStats`]). Losses are
/// squared error per image (the sum over its 1024 pixels), averaged over images.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Reconstruction {
    pub valid_loss: f64,
    /// Mean PSNR of the validation images, in dB.
    pub valid_psnr: f64,
}

/// A perfect reconstruction would have infinite PSNR; its MSE is floored here
/// (giving 100 dB) so that averages stay finite.
const MSE_FLOOR: f64 = 1e-10;

/// Peak signal-to-noise ratio of one image, in dB, for pixels in 0…1:
/// 20·log10(MAX) − 10·log10(MSE) with MAX = 1.
pub fn psnr(original: ArrayView1<f32>, reconstruction: ArrayView1<f32>) -> f64 {
    assert_eq!(
        original.len(),
        reconstruction.len(),
        "psnr: images of {} and {} pixels",
        original.len(),
        reconstruction.len()
    );
    let sse = Zip::from(&original)
        .and(&reconstruction)
        .fold(0.0f64, |s, &a, &b| s + ((a - b) as f64).powi(2));
    let mse = sse / original.len().max(1) as f64;
    20.0 * 1.0f64.log10() - 10.0 * mse.max(MSE_FLOOR).log10()
}

/// Mean squared error per image (summed over pixels) and mean PSNR over
/// every row of `images`, without a tape.
pub fn evaluate<M: AeModel>(model: &M, images: &Array2<f32>) -> (f64, f64) {
    let n = images.nrows();
    let (mut sse, mut psnr_sum) = (0.0, 0.0);
    for rows in eval_chunks(n) {
        let x = images.slice(s![rows, ..]);
        let y = model.reconstruct(x);
        for (a, b) in x.rows().into_iter().zip(y.rows()) {
            sse += Zip::from(a)
                .and(b)
                .fold(0.0f64, |s, &a, &b| s + ((a - b) as f64).powi(2));
            psnr_sum += psnr(a, b);
        }
    }
    let images = n.max(1) as f64;
    (sse / images, psnr_sum / images)
}

/// Mean PSNR over the rows of `valid` of drawing the mean row of `train`
/// for each: the floor a trained autoencoder must beat.
pub fn mean_image_psnr(train: &Array2<f32>, valid: &Array2<f32>) -> f64 {
    let Some(mean) = train.mean_axis(Axis(0)) else {
        return f64::NAN;
    };
    let total: f64 = valid.rows().into_iter().map(|r| psnr(r, mean.view())).sum();
    total / valid.nrows().max(1) as f64
}

/// Whether `model` draws the same image whatever its input (every pixel of
/// every reconstruction of up to 256 rows of `images` within 1e-5 of the
/// first's): the dead-ReLU collapse a far too high rate leaves.
pub fn draws_one_image<M: AeModel>(model: &M, images: &Array2<f32>) -> bool {
    let n = images.nrows().min(256);
    if n < 2 {
        return false;
    }
    let y = model.reconstruct(images.slice(s![..n, ..]));
    let first = y.row(0);
    y.rows()
        .into_iter()
        .all(|r| r.iter().zip(first).all(|(a, b)| (a - b).abs() <= 1e-5))
}

/// Mean PSNR of `model` over every row of `images`.
pub fn mean_psnr<M: AeModel>(model: &M, images: &Array2<f32>) -> f64 {
    evaluate(model, images).1
}

/// Trains `model` on the rows of `train` (and reports on `valid` each epoch).
///
/// With `checkpoint`, the model is written there atomically after every
/// epoch that ends with finite parameters. A non-finite loss stops training
/// with `Error::Diverged`, naming the epoch and the last finite loss (per
/// image); the checkpoint then still holds the last good epoch.
pub fn train_autoencoder<M: AeModel>(
    model: &mut M,
    train: &Array2<f32>,
    valid: &Array2<f32>,
    cfg: &AeConfig,
    checkpoint: Option<&Path>,
    mut on_progress: impl FnMut(Progress),
) -> Result<Vec<EpochStats<Reconstruction>>> {
    let _flush = FlushSubnormals::new();
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    rng.set_stream(1); // shuffling draws apart from the initialisation stream
    let mut opt: Box<dyn Optimizer<f32>> = match cfg.optimizer {
        OptimizerKind::Momentum => Box::new(Momentum::new(cfg.lr, cfg.momentum)),
        OptimizerKind::Adam => Box::new(Adam::new(cfg.lr)),
    };
    let mut history = Vec::new();
    let mut divergence = Divergence::new();
    for epoch in 1..=cfg.epochs {
        opt.set_learning_rate(cfg.rate(epoch - 1));
        let started = Instant::now();
        let batches = shuffled_batches(train.nrows(), cfg.batch_size, &mut rng);
        let (mut loss_sum, mut seen) = (0.0, 0usize);
        for_each_batch(train, &batches, |b, idx, x: Array2<f32>| {
            let (loss, grads) = batch_gradients(model, x, cfg.threads);
            divergence.check(epoch, loss, loss / idx.len() as f64)?;
            opt.step_all(model.params_mut(), &grads);
            loss_sum += loss;
            seen += idx.len();
            on_progress(Progress {
                epoch,
                batch: b + 1,
                batches: batches.len(),
                running_loss: loss_sum / seen as f64,
                running_acc: None,
            });
            Ok(())
        })?;
        let seconds = started.elapsed().as_secs_f64();
        let (valid_loss, valid_psnr) = evaluate(model, valid);
        // The last step may have broken the weights without any loss showing it yet.
        if !model
            .params()
            .iter()
            .all(|(_, p)| p.iter().all(|v| v.is_finite()))
        {
            return Err(divergence.diverged(epoch, f64::NAN));
        }
        if let Some(path) = checkpoint {
            model.save(path)?;
        }
        history.push(EpochStats {
            epoch,
            lr: opt.learning_rate(),
            train_loss: loss_sum / seen.max(1) as f64,
            scores: Reconstruction {
                valid_loss,
                valid_psnr,
            },
            seconds,
        });
    }
    Ok(history)
}

/// The total loss of a batch and its gradients, as one part per thread: the
/// rows are split into `threads` slices, each run on its own tape. The loss
/// is a sum over rows, so the parts' losses and gradients add up to the
/// whole batch's.
fn batch_gradients<M: AeModel>(
    model: &M,
    x: Array2<f32>,
    threads: usize,
) -> (f64, Vec<Gradients<f32>>) {
    let part = |rows: Array2<f32>| {
        let _flush = FlushSubnormals::new(); // each thread has its own flags
        let tape = Tape::new();
        let loss = model.loss(tape.constant(rows));
        (loss.item() as f64, loss.backward())
    };
    if threads <= 1 {
        let (loss, grads) = part(x);
        return (loss, vec![grads]);
    }
    let chunk = x.nrows().div_ceil(threads).max(1);
    let mut slices = x.axis_chunks_iter(Axis(0), chunk);
    let first = slices.next().expect("a batch has at least one row");
    let parts: Vec<(f64, Gradients<f32>)> = std::thread::scope(|scope| {
        let others: Vec<_> = slices
            .map(|rows| scope.spawn(move || part(rows.to_owned())))
            .collect();
        let mut parts = vec![part(first.to_owned())];
        parts.extend(
            others
                .into_iter()
                .map(|h| h.join().expect("a gradient thread panicked")),
        );
        parts
    });
    let loss = parts.iter().map(|(l, _)| l).sum();
    (loss, parts.into_iter().map(|(_, g)| g).collect())
}
