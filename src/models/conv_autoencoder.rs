//! A convolutional autoencoder with the same 32-number code as the dense one:
//!
//! ```text
//! x (N, 1024) → ink = 1 − x, as (N, 1, 32, 32)
//! conv 3×3, C₁ (padding 1) → ReLU → max-pool 2×2     (N, C₁, 16, 16)
//! conv 3×3, C₂ (padding 1) → ReLU → max-pool 2×2     (N, C₂, 8, 8)
//! flatten → dense → code                             (N, 32), linear
//! dense → ReLU → reshape                             (N, C₂, 8, 8)
//! upsample ×2 → conv 3×3, C₁ (padding 1) → ReLU      (N, C₁, 16, 16)
//! upsample ×2 → conv 3×3, 1 (padding 1) → sigmoid    (N, 1, 32, 32) = x̂
//! loss = Σ (x̂ − x)²                                   (total squared error)
//! ```
//!
//! The encoder reads ink (1 − pixel), so that the convolutions' zero padding
//! looks like the white background, as in the CNN classifier; the decoder
//! draws pixels directly. The code is linear (no ReLU), so none of its 32
//! numbers can die. Upsampling is nearest-neighbour (`Var::upsample2d`),
//! each followed by a convolution that smooths the blocks.

use crate::error::{Error, Result};
use crate::models::cnn::he_uniform;
use crate::models::AeModel;
use crate::nn::{HasParams, ParamStore};
use crate::{Scalar, Tape, Var};
use ndarray::{Array2, ArrayD, ArrayView2, Axis, IxDyn};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// The side of the square input images.
pub const SIDE: usize = 32;
/// Channels of the first and second convolution (the decoder mirrors them).
pub const WIDTHS: [usize; 2] = [16, 32];
/// The architecture's name in model files' metadata.
pub const ARCHITECTURE: &str = "conv-autoencoder";
/// The layers, as summaries record them.
pub const DESCRIPTION: &str = "conv autoencoder: conv3x3 16 > relu > maxpool 2 > conv3x3 32 > relu > maxpool 2 > dense 32 (code, linear) > dense 2048 > relu > upsample 2 > conv3x3 16 > relu > upsample 2 > conv3x3 1 > sigmoid";

/// Rows fed through the tape at a time when reconstructing without training.
const CHUNK: usize = 256;

/// The parameters: `enc1`, `enc2` (convolutions), `code` (dense into the
/// code), `expand` (dense out of it), `dec1`, `dec2` (convolutions), each
/// `.weight` and `.bias`.
#[derive(Clone, Debug)]
pub struct ConvAutoencoder<T> {
    pub params: ParamStore<T>,
}

/// (name, weight shape, fan-in, bias shape) of every layer, for a code of `code` numbers.
fn layers(code: usize) -> [(&'static str, Vec<usize>, usize, Vec<usize>); 6] {
    let [c1, c2] = WIDTHS;
    let flat = c2 * (SIDE / 4) * (SIDE / 4);
    [
        ("enc1", vec![c1, 1, 3, 3], 9, vec![1, c1, 1, 1]),
        ("enc2", vec![c2, c1, 3, 3], c1 * 9, vec![1, c2, 1, 1]),
        ("code", vec![flat, code], flat, vec![1, code]),
        ("expand", vec![code, flat], code, vec![1, flat]),
        ("dec1", vec![c1, c2, 3, 3], c2 * 9, vec![1, c1, 1, 1]),
        ("dec2", vec![1, c1, 3, 3], c1 * 9, vec![1, 1, 1, 1]),
    ]
}

impl<T: Scalar> ConvAutoencoder<T> {
    /// He-uniform weights and zero biases from `seed`, for a code of `code` numbers.
    pub fn new(code: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut params = ParamStore::new();
        for (name, weight, fan_in, bias) in layers(code) {
            params.insert(
                &format!("{name}.weight"),
                he_uniform::<T>(&weight, fan_in, &mut rng),
            );
            params.insert(&format!("{name}.bias"), ArrayD::<T>::zeros(IxDyn(&bias)));
        }
        ConvAutoencoder { params }
    }

    /// The number of code values, read from the `code` layer.
    pub fn code_size(&self) -> usize {
        self.params.get("code.bias").map_or(0, |b| b.len())
    }

    /// The reconstruction (N, 1024) of a batch of rows (N, 1024), on the tape.
    pub fn forward<'t>(&self, x: Var<'t, T>) -> Var<'t, T> {
        let tape = x.tape();
        let p = |name: &str| self.params.var(tape, name);
        let n = x.shape()[0];
        let [c1, c2] = WIDTHS;
        let q = SIDE / 4;
        let one = tape.constant(Array2::from_elem((1, 1), T::one()));
        let ink = (one - x).reshape(&[n, 1, SIDE, SIDE]);
        let h = (ink.conv2d(p("enc1.weight"), 1, 1) + p("enc1.bias"))
            .relu()
            .max_pool2d(2, 2);
        let h = (h.conv2d(p("enc2.weight"), 1, 1) + p("enc2.bias"))
            .relu()
            .max_pool2d(2, 2);
        let code = h.flatten().matmul(p("code.weight")) + p("code.bias");
        let h = (code.matmul(p("expand.weight")) + p("expand.bias"))
            .relu()
            .reshape(&[n, c2, q, q])
            .upsample2d(2);
        let h = (h.conv2d(p("dec1.weight"), 1, 1) + p("dec1.bias"))
            .relu()
            .upsample2d(2);
        debug_assert_eq!(h.shape(), [n, c1, SIDE, SIDE]);
        let y = h.conv2d(p("dec2.weight"), 1, 1) + p("dec2.bias");
        y.sigmoid().reshape(&[n, SIDE * SIDE])
    }

    /// The training loss of a batch: total squared error of its reconstruction.
    pub fn loss<'t>(&self, x: Var<'t, T>) -> Var<'t, T> {
        self.forward(x).squared_error(x.value()) // shared, not copied
    }

    /// Reconstructions (N, 1024), `CHUNK` rows at a time, each through a
    /// fresh tape that is only read forward (the same ops as training, so
    /// training and inference cannot disagree).
    pub fn reconstruct(&self, x: ArrayView2<T>) -> Array2<T> {
        let mut out = Array2::zeros(x.raw_dim());
        for (rows, mut y) in x
            .axis_chunks_iter(Axis(0), CHUNK)
            .zip(out.axis_chunks_iter_mut(Axis(0), CHUNK))
        {
            let tape = Tape::new();
            y.assign(&self.forward(tape.constant(rows.to_owned())).matrix());
        }
        out
    }

    /// Saves the parameters as safetensors, with the architecture in the metadata.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.params
            .save_as(path, &[(crate::nn::ARCHITECTURE_KEY, ARCHITECTURE)])
    }

    /// Loads a model saved by `save`, checking every tensor's shape.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let params = ParamStore::load(path)?;
        let code = params.get("code.bias").map_or(0, |b| b.len());
        for (name, weight, _, bias) in layers(code.max(1)) {
            for (name, want) in [
                (format!("{name}.weight"), weight),
                (format!("{name}.bias"), bias),
            ] {
                let got = params.get(&name).map(|a| a.shape().to_vec());
                if got.as_deref() != Some(&want[..]) {
                    return Err(Error::ModelFile {
                        path: path.to_path_buf(),
                        reason: format!(
                            "tensor '{name}' has shape {got:?}, the convolutional autoencoder needs {want:?}"
                        ),
                    });
                }
            }
        }
        Ok(ConvAutoencoder { params })
    }
}

impl AeModel for ConvAutoencoder<f32> {
    fn loss<'t>(&self, x: Var<'t, f32>) -> Var<'t, f32> {
        ConvAutoencoder::loss(self, x)
    }
    fn reconstruct(&self, x: ArrayView2<f32>) -> Array2<f32> {
        ConvAutoencoder::reconstruct(self, x)
    }
    fn save(&self, path: &Path) -> Result<()> {
        ConvAutoencoder::save(self, path)
    }
}

impl<T> HasParams<T> for ConvAutoencoder<T> {
    fn params(&self) -> &ParamStore<T> {
        &self.params
    }
    fn params_mut(&mut self) -> &mut ParamStore<T> {
        &mut self.params
    }
}
