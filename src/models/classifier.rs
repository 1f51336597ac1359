//! The character classifier: one sigmoid hidden layer, softmax output.
//!
//! ```text
//! h = σ(x·W₁ + b₁)        logits = h·W₂ + b₂        p = softmax(logits)
//! ```

use crate::error::{Error, Result};
use crate::functional as F;
use crate::nn::{HasParams, Linear, ParamStore};
use crate::{Scalar, Var};
use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// A 1024 → hidden → classes network, its parameters named
/// `hidden.weight`, `hidden.bias`, `output.weight`, `output.bias`.
#[derive(Clone, Debug)]
pub struct Classifier<T> {
    pub params: ParamStore<T>,
    pub hidden: Linear,
    pub output: Linear,
}

impl<T: Scalar> Classifier<T> {
    /// Xavier-initialised weights, zero biases, from `seed`.
    pub fn new(inputs: usize, hidden: usize, classes: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut params = ParamStore::new();
        let hidden_layer = Linear::new(&mut params, "hidden", inputs, hidden, &mut rng);
        let output = Linear::new(&mut params, "output", hidden, classes, &mut rng);
        Classifier {
            params,
            hidden: hidden_layer,
            output,
        }
    }

    /// The logits of a batch, on the tape.
    pub fn forward<'t>(&self, x: Var<'t, T>) -> Var<'t, T> {
        let h = self.hidden.forward(&self.params, x).sigmoid();
        self.output.forward(&self.params, h)
    }

    /// Class probabilities without a tape (inference).
    pub fn predict_proba(&self, x: ArrayView2<T>) -> Array2<T> {
        let h = F::sigmoid(self.hidden.apply(&self.params, x).view());
        F::softmax(self.output.apply(&self.params, h.view()).view())
    }

    /// The most likely class of each row.
    pub fn predict(&self, x: ArrayView2<T>) -> Vec<usize> {
        F::argmax_rows(self.predict_proba(x).view())
    }

    /// (inputs, hidden, classes).
    pub fn dims(&self) -> (usize, usize, usize) {
        let (i, h) = self.hidden.dims(&self.params).unwrap_or((0, 0));
        let (_, c) = self.output.dims(&self.params).unwrap_or((0, 0));
        (i, h, c)
    }

    /// Saves the parameters as safetensors (atomically).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.params.save(path)
    }

    /// Loads a model saved by `save`, checking that the four tensors fit together.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let params = ParamStore::load(path)?;
        let model = Classifier {
            params,
            hidden: Linear::named("hidden"),
            output: Linear::named("output"),
        };
        let bad = |reason: String| Error::ModelFile {
            path: path.to_path_buf(),
            reason,
        };
        let shape = |name: &str| {
            model.params.matrix(name).map(|a| a.dim()).ok_or_else(|| {
                bad(format!(
                    "no 2-D tensor named '{name}' (is this a classifier file?)"
                ))
            })
        };
        for name in [
            "hidden.weight",
            "hidden.bias",
            "output.weight",
            "output.bias",
        ] {
            shape(name)?;
        }
        let (i, h) = shape("hidden.weight")?;
        let (h2, c) = shape("output.weight")?;
        if shape("hidden.bias")? != (1, h) || h2 != h || shape("output.bias")? != (1, c) {
            return Err(bad(format!(
                "tensor shapes do not fit a {i}→{h}→{c} classifier"
            )));
        }
        Ok(model)
    }
}

impl<T> HasParams<T> for Classifier<T> {
    fn params(&self) -> &ParamStore<T> {
        &self.params
    }
    fn params_mut(&mut self) -> &mut ParamStore<T> {
        &mut self.params
    }
}
