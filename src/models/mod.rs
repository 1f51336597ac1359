//! Models built from `nn`, written as tensor expressions.

mod autoencoder;
mod classifier;
pub mod cnn;

pub use autoencoder::Autoencoder;
pub use classifier::Classifier;
pub use cnn::Cnn;
