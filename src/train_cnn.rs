//! The CNN's training loop: shuffled mini-batches, one tape per step, Adam,
//! dropout drawn from the seed, and the same per-epoch `EpochStats` as the
//! MLP's loop.

use crate::data::{for_each_batch, one_hot, shuffled_batches, Split};
use crate::error::{Error, Result};
use crate::functional as F;
use crate::models::Cnn;
use crate::nn::{Adam, Optimizer};
use crate::subnormals::FlushSubnormals;
use crate::train::{evaluate, EpochStats, Progress, TrainConfig};
use crate::Tape;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

/// Trains `model` with Adam (rate `cfg.lr`, changed per epoch by
/// `cfg.schedule`) on mean cross-entropy. Stops with `Error::Diverged` if
/// the loss stops being finite.
pub fn train_cnn(
    model: &mut Cnn<f32>,
    train: &Split,
    valid: &Split,
    cfg: &TrainConfig,
    mut on_progress: impl FnMut(Progress),
) -> Result<Vec<EpochStats>> {
    let _flush = FlushSubnormals::new();
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    rng.set_stream(1); // shuffling and dropout draws apart from the initialisation
    let mut opt = Adam::new(cfg.lr);
    let mut history = Vec::new();
    let mut last_finite = f64::NAN;
    for epoch in 1..=cfg.epochs {
        opt.set_learning_rate(cfg.schedule.rate(cfg.lr, epoch - 1, cfg.epochs));
        let started = Instant::now();
        let batches = shuffled_batches(train.len(), cfg.batch_size, &mut rng);
        let dropout_seeds: Vec<u64> = batches.iter().map(|_| rng.random()).collect();
        let (mut loss_sum, mut correct, mut seen) = (0.0, 0usize, 0usize);
        for_each_batch(&train.images, &batches, |b, idx, x| {
            let y = one_hot::<f32>(&train.labels, idx, train.classes);
            let (loss, logits, grads) = {
                let tape = Tape::new();
                let logits = model.forward(tape.constant(x), true, dropout_seeds[b]);
                let loss = logits.softmax_cross_entropy(&y);
                (loss.item() as f64, logits.matrix(), loss.backward())
            };
            if !loss.is_finite() {
                return Err(Error::Diverged {
                    epoch,
                    loss,
                    last_finite,
                });
            }
            last_finite = loss;
            opt.step(&mut model.params, &grads);

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
                running_acc: correct as f64 / seen as f64,
            });
            Ok(())
        })?;
        let seconds = started.elapsed().as_secs_f64();
        let (valid_loss, valid_acc) = evaluate(&*model, valid);
        history.push(EpochStats {
            epoch,
            lr: opt.learning_rate(),
            train_loss: loss_sum / seen.max(1) as f64,
            train_acc: correct as f64 / seen.max(1) as f64,
            valid_loss,
            valid_acc,
            seconds,
        });
    }
    Ok(history)
}
