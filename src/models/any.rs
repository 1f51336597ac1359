//! A character classifier of either architecture, chosen by the model
//! file's metadata: what `gradink ocr` and `gradink evaluate` read with.

use crate::error::{Error, Result};
use crate::models::{cnn, Classifier, Cnn};
use crate::nn::ParamStore;
use ndarray::{Array2, ArrayView2};
use std::path::Path;

/// Class probabilities for rows of 1024 pixels, without a tape.
pub trait Predict {
    fn predict_proba(&self, x: ArrayView2<f32>) -> Array2<f32>;
}

impl Predict for Classifier<f32> {
    fn predict_proba(&self, x: ArrayView2<f32>) -> Array2<f32> {
        Classifier::predict_proba(self, x)
    }
}

impl Predict for Cnn<f32> {
    fn predict_proba(&self, x: ArrayView2<f32>) -> Array2<f32> {
        Cnn::predict_proba(self, x)
    }
}

/// The course's MLP (files without an architecture in their metadata, or
/// `mlp`) or the CNN (`cnn`).
#[derive(Clone, Debug)]
pub enum AnyClassifier {
    Mlp(Classifier<f32>),
    Cnn(Cnn<f32>),
}

impl AnyClassifier {
    /// Loads a model file of either architecture; an unknown architecture
    /// or tensors that do not fit it are a `ModelFile` error naming the file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        match ParamStore::<f32>::architecture(path)?.as_deref() {
            None | Some("mlp") => Ok(AnyClassifier::Mlp(Classifier::load(path)?)),
            Some(cnn::ARCHITECTURE) => Ok(AnyClassifier::Cnn(Cnn::load(path)?)),
            Some(other) => Err(Error::ModelFile {
                path: path.to_path_buf(),
                reason: format!("unknown architecture '{other}' (gradink reads 'mlp' and 'cnn')"),
            }),
        }
    }

    /// The number of classes the model tells apart.
    pub fn classes(&self) -> usize {
        match self {
            AnyClassifier::Mlp(m) => m.dims().2,
            AnyClassifier::Cnn(m) => m.classes(),
        }
    }

    /// The number of pixels a row must have.
    pub fn inputs(&self) -> usize {
        match self {
            AnyClassifier::Mlp(m) => m.dims().0,
            AnyClassifier::Cnn(_) => cnn::SIDE * cnn::SIDE,
        }
    }

    /// "mlp" or "cnn".
    pub fn architecture(&self) -> &'static str {
        match self {
            AnyClassifier::Mlp(_) => "mlp",
            AnyClassifier::Cnn(_) => cnn::ARCHITECTURE,
        }
    }

    /// Class probabilities for rows of 1024 pixels, without a tape.
    pub fn predict_proba(&self, x: ArrayView2<f32>) -> Array2<f32> {
        match self {
            AnyClassifier::Mlp(m) => m.predict_proba(x),
            AnyClassifier::Cnn(m) => m.predict_proba(x),
        }
    }

    /// The most likely class of each row.
    pub fn predict(&self, x: ArrayView2<f32>) -> Vec<usize> {
        crate::functional::argmax_rows(self.predict_proba(x).view())
    }
}

impl Predict for AnyClassifier {
    fn predict_proba(&self, x: ArrayView2<f32>) -> Array2<f32> {
        AnyClassifier::predict_proba(self, x)
    }
}
