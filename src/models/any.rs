//! A character classifier of any architecture, chosen by the model
//! file's metadata: what `gradink ocr` and `gradink evaluate` read with.

use crate::error::{Error, Result};
use crate::models::{cnn, ensemble, Classifier, Cnn, Ensemble};
use crate::nn::ParamStore;
use ndarray::{Array2, ArrayView2};
use std::path::Path;

/// Class probabilities for rows of 1024 pixels, without a tape.
///
/// A model may have one output beyond the characters, "touching": the row
/// holds two or three characters whose strokes meet (trained on
/// `ocr::touching` rows). The reader's splitting of wide boxes reads all
/// outputs; everything that knows the row is one character reads
/// [`predict_proba`](Predict::predict_proba), the characters alone.
pub trait Predict {
    /// Every output's probability, "touching" last when the model has it.
    fn predict_outputs(&self, x: ArrayView2<f32>) -> Array2<f32>;

    /// Whether the last output is "touching" rather than a character.
    fn has_touching(&self) -> bool {
        false
    }

    /// The characters' probabilities, given that the row is one character
    /// (the outputs without "touching", scaled to sum to 1).
    fn predict_proba(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let outputs = self.predict_outputs(x);
        if !self.has_touching() {
            return outputs;
        }
        characters_only(outputs)
    }
}

/// `outputs` without their last column, each row scaled to sum to 1.
pub fn characters_only(outputs: Array2<f32>) -> Array2<f32> {
    let characters = outputs.ncols().saturating_sub(1);
    let mut probs = outputs.slice(ndarray::s![.., ..characters]).to_owned();
    for mut row in probs.rows_mut() {
        let sum = row.sum().max(f32::MIN_POSITIVE);
        row /= sum;
    }
    probs
}

impl Predict for Classifier<f32> {
    fn predict_outputs(&self, x: ArrayView2<f32>) -> Array2<f32> {
        Classifier::predict_proba(self, x)
    }
}

impl Predict for Cnn<f32> {
    fn predict_outputs(&self, x: ArrayView2<f32>) -> Array2<f32> {
        Cnn::predict_proba(self, x)
    }
    fn has_touching(&self) -> bool {
        self.touching
    }
}

/// The course's MLP (files without an architecture in their metadata, or
/// `mlp`), the CNN (`cnn`) or several CNNs read as one (`cnn-ensemble`).
#[derive(Clone, Debug)]
pub enum AnyClassifier {
    Mlp(Classifier<f32>),
    Cnn(Cnn<f32>),
    Ensemble(Ensemble),
}

impl AnyClassifier {
    /// Loads a model file of any of the three; an unknown architecture
    /// or tensors that do not fit it are a `ModelFile` error naming the file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        match ParamStore::<f32>::architecture(path)?.as_deref() {
            None | Some("mlp") => Ok(AnyClassifier::Mlp(Classifier::load(path)?)),
            Some(cnn::ARCHITECTURE) => Ok(AnyClassifier::Cnn(Cnn::load(path)?)),
            Some(ensemble::ARCHITECTURE) => Ok(AnyClassifier::Ensemble(Ensemble::load(path)?)),
            Some(other) => Err(Error::ModelFile {
                path: path.to_path_buf(),
                reason: format!(
                    "unknown architecture '{other}' (gradink reads 'mlp', 'cnn' and 'cnn-ensemble')"
                ),
            }),
        }
    }

    /// The number of characters the model tells apart ("touching" is not one).
    pub fn classes(&self) -> usize {
        match self {
            AnyClassifier::Mlp(m) => m.dims().2,
            AnyClassifier::Cnn(m) => m.characters(),
            AnyClassifier::Ensemble(e) => e.characters(),
        }
    }

    /// The number of pixels a row must have.
    pub fn inputs(&self) -> usize {
        match self {
            AnyClassifier::Mlp(m) => m.dims().0,
            AnyClassifier::Cnn(_) | AnyClassifier::Ensemble(_) => cnn::SIDE * cnn::SIDE,
        }
    }

    /// "mlp", "cnn" or "cnn-ensemble".
    pub fn architecture(&self) -> &'static str {
        match self {
            AnyClassifier::Mlp(_) => "mlp",
            AnyClassifier::Cnn(_) => cnn::ARCHITECTURE,
            AnyClassifier::Ensemble(_) => ensemble::ARCHITECTURE,
        }
    }

    /// The most likely character of each row.
    pub fn predict(&self, x: ArrayView2<f32>) -> Vec<usize> {
        crate::functional::argmax_rows(self.predict_proba(x).view())
    }
}

impl Predict for AnyClassifier {
    fn predict_outputs(&self, x: ArrayView2<f32>) -> Array2<f32> {
        match self {
            AnyClassifier::Mlp(m) => m.predict_outputs(x),
            AnyClassifier::Cnn(m) => m.predict_outputs(x),
            AnyClassifier::Ensemble(e) => e.predict_outputs(x),
        }
    }
    fn has_touching(&self) -> bool {
        match self {
            AnyClassifier::Mlp(m) => m.has_touching(),
            AnyClassifier::Cnn(m) => m.has_touching(),
            AnyClassifier::Ensemble(e) => e.has_touching(),
        }
    }
}
