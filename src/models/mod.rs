//! Models built from `nn`, written as tensor expressions.

mod autoencoder;
mod classifier;

pub use autoencoder::Autoencoder;
pub use classifier::Classifier;
