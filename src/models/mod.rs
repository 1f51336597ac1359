//! Models built from `nn`, written as tensor expressions.

mod any;
mod autoencoder;
mod autoencoder_init;
mod classifier;
pub mod cnn;
pub mod conv_autoencoder;
pub mod ensemble;
mod pca;
mod shift_average;

pub use any::{characters_only, AnyClassifier, Predict};
pub use autoencoder::{AeModel, Autoencoder};
pub use autoencoder_init::AeInit;
pub use classifier::Classifier;
pub use cnn::Cnn;
pub use conv_autoencoder::ConvAutoencoder;
pub use ensemble::Ensemble;
pub use pca::{Pca, PcaError};
pub use shift_average::{
    sheared, shifted, PageAveraged, ShiftAveraged, PAGE_SHEAR, PAGE_SHIFTS, SHIFTS,
};
