//! Named training recipes for the 1024-32-32-32-1024 autoencoder: the same
//! network (sizes and activations untouched), trained three ways. Measured
//! on the stand-in in `docs/autoencoder.md`; PCA with 32 components is the
//! baseline each is compared with.

use crate::models::AeInit;
use crate::train::Schedule;
use crate::train_autoencoder::{AeConfig, OptimizerKind};
use serde::Serialize;

/// Which recipe `gradink autoencoder --recipe` starts from (each of its
/// values can still be overridden by its own option).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AeRecipe {
    /// The course's: Xavier start, momentum SGD (μ 0.9, rate 3e-5 on the
    /// total squared error), batch 36, cosine schedule, 100 epochs.
    Course,
    /// From scratch, long: Xavier start, Adam 3e-4 with 5 epochs of warm-up
    /// then cosine, batch 36, 500 epochs.
    AdamLong,
    /// Start the network as PCA-32 (see [`AeInit::Pca`]) and fine-tune it
    /// with Adam 3e-4 (2 epochs of warm-up, then cosine), batch 36, 50 epochs.
    BeatPca,
}

crate::named_values!(AeRecipe { Course => "course", AdamLong => "adam-long", BeatPca => "beat-pca" });

impl AeRecipe {
    /// The recipe's configuration, for `seed`, on one thread.
    pub fn config(self, seed: u64) -> AeConfig {
        let course = AeConfig {
            epochs: 100,
            lr: 3e-5,
            batch_size: 36,
            seed,
            optimizer: OptimizerKind::Momentum,
            momentum: 0.9,
            schedule: Schedule::Cosine,
            warmup: 0,
            init: AeInit::Xavier,
            threads: 1,
        };
        match self {
            AeRecipe::Course => course,
            AeRecipe::AdamLong => AeConfig {
                epochs: 500,
                lr: 3e-4,
                optimizer: OptimizerKind::Adam,
                warmup: 5,
                ..course
            },
            AeRecipe::BeatPca => AeConfig {
                epochs: 50,
                lr: 3e-4,
                optimizer: OptimizerKind::Adam,
                warmup: 2,
                init: AeInit::Pca,
                ..course
            },
        }
    }
}

/// The convolutional autoencoder's recipe (`gradink autoencoder --arch
/// conv`): He-uniform start, Adam 1e-3 with 1 epoch of warm-up then cosine,
/// batch 32, 30 epochs. Measured in `docs/autoencoder.md`.
pub fn conv_config(seed: u64) -> AeConfig {
    AeConfig {
        epochs: 30,
        lr: 1e-3,
        batch_size: 32,
        seed,
        optimizer: OptimizerKind::Adam,
        momentum: 0.9,
        schedule: Schedule::Cosine,
        warmup: 1,
        init: AeInit::Xavier,
        threads: 1,
    }
}
