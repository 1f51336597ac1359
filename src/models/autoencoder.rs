//! The image-compressing autoencoder: a 1024-pixel image squeezed through
//! 32 numbers and drawn again.
//!
//! ```text
//! h₁ = relu(x·W₁ + b₁)      1024 → 32   (encoder)
//! h₂ = relu(h₁·W₂ + b₂)       32 → 32   (the code)
//! h₃ = relu(h₂·W₃ + b₃)       32 → 32   (decoder)
//! x̂  = σ(h₃·W₄ + b₄)          32 → 1024 (pixels in 0…1)
//! loss = Σ (x̂ − x)²                     (total squared error)
//! ```

use crate::error::{Error, Result};
use crate::functional as F;
use crate::nn::{HasParams, Linear, ParamStore};
use crate::{Scalar, Var};
use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// The four layers' names, in the order the data flows through them.
const LAYERS: [&str; 4] = ["encoder", "code", "decoder", "output"];

/// A pixels → hidden → hidden → hidden → pixels network; parameters named
/// `{encoder,code,decoder,output}.{weight,bias}`.
#[derive(Clone, Debug)]
pub struct Autoencoder<T> {
    pub params: ParamStore<T>,
    pub layers: [Linear; 4],
}

impl<T: Scalar> Autoencoder<T> {
    /// Xavier-initialised weights and zero biases, from `seed`: 1024 → 32 → 32 → 32 → 1024
    /// for `Autoencoder::new(1024, 32, seed)`.
    pub fn new(pixels: usize, hidden: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut params = ParamStore::new();
        let dims = [
            (pixels, hidden),
            (hidden, hidden),
            (hidden, hidden),
            (hidden, pixels),
        ];
        let layers = [0, 1, 2, 3].map(|i| {
            let (n_in, n_out) = dims[i];
            Linear::new(&mut params, LAYERS[i], n_in, n_out, &mut rng)
        });
        Autoencoder { params, layers }
    }

    /// The reconstruction of a batch, on the tape.
    pub fn forward<'t>(&self, x: Var<'t, T>) -> Var<'t, T> {
        let [encoder, code, decoder, output] = &self.layers;
        let h = encoder.forward(&self.params, x).relu();
        let h = code.forward(&self.params, h).relu();
        let h = decoder.forward(&self.params, h).relu();
        output.forward(&self.params, h).sigmoid()
    }

    /// The training loss of a batch: total squared error of its reconstruction.
    pub fn loss<'t>(&self, x: Var<'t, T>) -> Var<'t, T> {
        self.forward(x).squared_error(x.value()) // shared, not copied
    }

    /// Reconstructions without a tape (inference).
    pub fn reconstruct(&self, x: ArrayView2<T>) -> Array2<T> {
        let [encoder, code, decoder, output] = &self.layers;
        let h = F::relu(encoder.apply(&self.params, x).view());
        let h = F::relu(code.apply(&self.params, h.view()).view());
        let h = F::relu(decoder.apply(&self.params, h.view()).view());
        F::sigmoid(output.apply(&self.params, h.view()).view())
    }

    /// (pixels, hidden), read from the first layer.
    pub fn dims(&self) -> (usize, usize) {
        self.layers[0].dims(&self.params).unwrap_or((0, 0))
    }

    /// Saves the parameters as safetensors (atomically).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.params.save(path)
    }

    /// Loads a model saved by `save`, checking that the eight tensors fit together.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let model = Autoencoder {
            params: ParamStore::load(path)?,
            layers: LAYERS.map(Linear::named),
        };
        let bad = |reason: String| Error::ModelFile {
            path: path.to_path_buf(),
            reason,
        };
        let mut width = None;
        for layer in &model.layers {
            let shape = |name: &str| {
                model.params.matrix(name).map(|a| a.dim()).ok_or_else(|| {
                    bad(format!(
                        "no 2-D tensor named '{name}' (is this an autoencoder file?)"
                    ))
                })
            };
            let (n_in, n_out) = shape(&layer.weight)?;
            let (rows, cols) = shape(&layer.bias)?;
            if (rows, cols) != (1, n_out) {
                return Err(bad(format!(
                    "'{}' is {rows}×{cols}, expected 1×{n_out}",
                    layer.bias
                )));
            }
            if let Some(w) = width.filter(|&w| w != n_in) {
                return Err(bad(format!(
                    "'{}' is {n_in}×{n_out} but follows a layer of width {w}",
                    layer.weight
                )));
            }
            width = Some(n_out);
        }
        let (pixels, _) = model.dims();
        if width != Some(pixels) {
            return Err(bad(format!(
                "the output has {} values but the input {pixels}",
                width.unwrap_or(0)
            )));
        }
        Ok(model)
    }
}

/// What the autoencoder's training loop needs of a model (the dense one here,
/// `ConvAutoencoder` beside it): a loss on the tape, reconstructions without
/// training, and a file.
pub trait AeModel: HasParams<f32> + Sync {
    /// The total squared error of the batch's reconstruction, on the tape.
    fn loss<'t>(&self, x: Var<'t, f32>) -> Var<'t, f32>;
    /// Reconstructions of rows of pixels.
    fn reconstruct(&self, x: ArrayView2<f32>) -> Array2<f32>;
    /// Writes the model atomically.
    fn save(&self, path: &Path) -> Result<()>;
}

impl AeModel for Autoencoder<f32> {
    fn loss<'t>(&self, x: Var<'t, f32>) -> Var<'t, f32> {
        Autoencoder::loss(self, x)
    }
    fn reconstruct(&self, x: ArrayView2<f32>) -> Array2<f32> {
        Autoencoder::reconstruct(self, x)
    }
    fn save(&self, path: &Path) -> Result<()> {
        Autoencoder::save(self, path)
    }
}

impl<T> HasParams<T> for Autoencoder<T> {
    fn params(&self) -> &ParamStore<T> {
        &self.params
    }
    fn params_mut(&mut self) -> &mut ParamStore<T> {
        &mut self.params
    }
}
