//! The CNN's training: Adam, dropout drawn from the seed, and otherwise the
//! MLP's loop (`train::classifier_epochs`) with the same per-epoch
//! `EpochStats`.

use crate::data::Split;
use crate::error::Result;
use crate::models::Cnn;
use crate::nn::Adam;
use crate::train::{classifier_epochs, EpochStats, Progress, TrainConfig, TrainForward};
use crate::Var;

impl TrainForward for Cnn<f32> {
    const DROPOUT: bool = true;
    fn train_forward<'t>(&self, x: Var<'t, f32>, seed: u64) -> Var<'t, f32> {
        self.forward(x, true, seed)
    }
}

/// Trains `model` with Adam (rate `cfg.lr`, changed per epoch by
/// `cfg.schedule`) on mean cross-entropy. Stops with `Error::Diverged` if
/// the loss stops being finite.
pub fn train_cnn(
    model: &mut Cnn<f32>,
    train: &Split,
    valid: &Split,
    cfg: &TrainConfig,
    on_progress: impl FnMut(Progress),
) -> Result<Vec<EpochStats>> {
    classifier_epochs(
        model,
        &mut Adam::new(cfg.lr),
        train,
        valid,
        cfg,
        on_progress,
    )
}
