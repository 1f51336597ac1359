//! Models built from `nn`, written as tensor expressions.

mod autoencoder;
mod autoencoder_init;
mod classifier;
mod pca;

pub use autoencoder::Autoencoder;
pub use autoencoder_init::AeInit;
pub use classifier::Classifier;
pub use pca::{Pca, PcaError};
