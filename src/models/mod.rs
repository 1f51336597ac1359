//! Models built from `nn`, written as tensor expressions.

mod autoencoder;
mod autoencoder_init;
mod classifier;
pub mod cnn;
mod pca;

pub use autoencoder::Autoencoder;
pub use autoencoder_init::AeInit;
pub use classifier::Classifier;
pub use cnn::Cnn;
pub use pca::{Pca, PcaError};
