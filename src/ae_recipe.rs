//! Named training recipes for the 1024-32-32-32-1024 autoencoder: the same
//! network (sizes and activations untouched), trained three ways. Measured
//! on the stand-in in `docs/autoencoder.md`; PCA with 32 components is the
//! baseline each is compared with.

use crate::models::AeInit;
use crate::train::Schedule;
use crate::train_autoencoder::{AeConfig, OptimizerKind};
use serde::Serialize;

/// Which network an autoencoder run trains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Arch {
    /// The assignment's 1024-32-32-32-1024 network (ReLU, ReLU, ReLU, sigmoid).
    #[default]
    Dense,
    /// Convolutions, pooling and upsampling around the same 32-number code
    /// (`models::ConvAutoencoder`, docs/autoencoder.md).
    Conv,
}

crate::named_values!(Arch { Dense => "dense", Conv => "conv" });

/// Which recipe `gradink autoencoder --recipe` starts from (each of its
/// values can still be overridden by its own option).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AeRecipe {
    /// The course's: Xavier start, momentum SGD (μ 0.9, rate 3e-5 on the
    /// total squared error), batch 36, cosine schedule, 100 epochs.
    #[default]
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

/// A recipe with some of its values chosen otherwise (what `gradink
/// autoencoder`'s options give): each `None` takes the recipe's value.
#[derive(Clone, Debug)]
pub struct AeChoices {
    /// The dense network's recipe (`--arch conv` has its own, [`conv_config`]).
    pub recipe: AeRecipe,
    pub arch: Arch,
    pub epochs: Option<usize>,
    /// Without it: the recipe's rate, or with another optimizer than the
    /// recipe's, 3e-5 for momentum and 1e-3 for Adam.
    pub lr: Option<f64>,
    pub batch_size: Option<usize>,
    pub seed: u64,
    pub optimizer: Option<OptimizerKind>,
    /// μ, the velocity kept from step to step (momentum SGD only).
    pub momentum: f64,
    pub schedule: Option<Schedule>,
    pub warmup: Option<usize>,
    pub init: Option<AeInit>,
    /// Threads per batch (at least one).
    pub threads: usize,
}

impl Default for AeChoices {
    fn default() -> Self {
        AeChoices {
            recipe: AeRecipe::Course,
            arch: Arch::Dense,
            epochs: None,
            lr: None,
            batch_size: None,
            seed: 0,
            optimizer: None,
            momentum: 0.9,
            schedule: None,
            warmup: None,
            init: None,
            threads: 1,
        }
    }
}

impl AeChoices {
    /// The configuration these choices make.
    pub fn config(&self) -> AeConfig {
        let recipe = match self.arch {
            Arch::Dense => self.recipe.config(self.seed),
            Arch::Conv => conv_config(self.seed),
        };
        let optimizer = self.optimizer.unwrap_or(recipe.optimizer);
        let default_lr = match optimizer {
            _ if optimizer == recipe.optimizer => recipe.lr,
            OptimizerKind::Momentum => 3e-5,
            OptimizerKind::Adam => 1e-3,
        };
        AeConfig {
            epochs: self.epochs.unwrap_or(recipe.epochs),
            lr: self.lr.unwrap_or(default_lr),
            batch_size: self.batch_size.unwrap_or(recipe.batch_size),
            seed: self.seed,
            optimizer,
            momentum: self.momentum,
            schedule: self.schedule.unwrap_or(recipe.schedule),
            warmup: self.warmup.unwrap_or(recipe.warmup),
            init: self.init.unwrap_or(recipe.init),
            threads: self.threads.max(1),
        }
    }
}
