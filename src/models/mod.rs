//! Models built from `nn`, written as tensor expressions.

mod classifier;

pub use classifier::Classifier;
