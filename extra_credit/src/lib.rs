//! Convolutional networks on libtorch (through `tch`) for gradink's extra
//! credit: NIST36 (fully connected vs CNN), CIFAR-10, SUN scenes and flowers17,
//! the last two both from scratch and on pretrained SqueezeNet 1.1 features.
//!
//! The binary (`src/main.rs`) is a thin clap front end over [`tasks`].

pub mod augment;
pub mod checkpoint;
pub mod data;
pub mod device;
pub mod error;
pub mod models;
pub mod plot;
pub mod tasks;
pub mod train;

pub use error::{Error, Result};

/// Seeds libtorch (weights, dropout) and returns the seeded generator used for
/// splits, shuffles and augmentation, so a run is repeatable from `--seed`.
pub fn seed_everything(seed: u64) -> rand_chacha::ChaCha8Rng {
    use rand::SeedableRng;
    tch::manual_seed(seed as i64);
    rand_chacha::ChaCha8Rng::seed_from_u64(seed)
}
