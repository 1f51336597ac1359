//! A small convolutional character classifier, written as tensor expressions:
//!
//! ```text
//! x (N, 1024) → ink = 1 − x, as (N, 1, 32, 32)
//! conv 3×3, 32 (padding 1) → ReLU → max-pool 2×2     (N, 32, 16, 16)
//! conv 3×3, 64 (padding 1) → ReLU → max-pool 2×2     (N, 64, 8, 8)
//! flatten → FC 128 → ReLU → dropout → FC classes     (N, classes)
//! ```
//!
//! The rows are the NIST36 column-major images, so the network sees every
//! glyph transposed; a convolution does not care, as long as training and
//! reading agree (they use the same rows). Ink is 1 − pixel so that the
//! zero padding of the convolutions looks like the white background.

use crate::conv;
use crate::error::{Error, Result};
use crate::functional as F;
use crate::nn::{HasParams, ParamStore};
use crate::{Scalar, Var};
use ndarray::{Array2, Array4, ArrayD, ArrayView2, Axis, Ix2, Ix4, IxDyn};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// The side of the square input images.
pub const SIDE: usize = 32;
/// Channels of the two convolutions, and width of the hidden FC layer.
pub const WIDTHS: [usize; 2] = [32, 64];
pub const HIDDEN: usize = 128;
/// The number of tensors: a weight and a bias for each of four layers.
pub const TENSORS: usize = 8;
/// Dropout before the last layer, while training.
pub const DROPOUT: f64 = 0.3;
/// The architecture's name in model files' metadata.
pub const ARCHITECTURE: &str = "cnn";
/// The metadata key and value of a model whose last output is "touching"
/// (two or three characters whose strokes meet; see `ocr::touching`).
pub const LAST_OUTPUT_KEY: &str = "last_output";
pub const TOUCHING: &str = "touching";
/// The layers, as summaries record them.
pub const DESCRIPTION: &str =
    "cnn: conv3x3 32 (pad 1) > relu > maxpool 2 > conv3x3 64 (pad 1) > relu > maxpool 2 > fc 128 > relu > dropout 0.3 > fc";

/// The parameters: `conv1.{weight,bias}` (32, 1, 3, 3) and (1, 32, 1, 1),
/// `conv2.*` (64, 32, 3, 3) and (1, 64, 1, 1), `fc1.*` (4096, 128) and
/// (1, 128), `fc2.*` (128, outputs) and (1, outputs).
#[derive(Clone, Debug)]
pub struct Cnn<T> {
    pub params: ParamStore<T>,
    /// The last output is "touching" (more than one character), not a character.
    pub touching: bool,
}

/// Whether a model file's metadata says its last output is "touching".
pub(crate) fn says_touching(metadata: &std::collections::HashMap<String, String>) -> bool {
    metadata.get(LAST_OUTPUT_KEY).map(String::as_str) == Some(TOUCHING)
}

/// He-uniform: U[−a, a] with a = √(6 / fan_in), which keeps the variance of
/// ReLU activations steady from layer to layer (He et al., 2015).
pub(crate) fn he_uniform<T: Scalar>(
    shape: &[usize],
    fan_in: usize,
    rng: &mut impl Rng,
) -> ArrayD<T> {
    let a = (6.0 / fan_in as f64).sqrt();
    ArrayD::from_shape_simple_fn(IxDyn(shape), || T::of(rng.random_range(-a..a)))
}

/// Each layer's name, weight shape, fan-in and bias shape, for `classes`
/// outputs.
fn layers(classes: usize) -> [(&'static str, Vec<usize>, usize, Vec<usize>); 4] {
    let [c1, c2] = WIDTHS;
    let flat = c2 * (SIDE / 4) * (SIDE / 4);
    [
        ("conv1", vec![c1, 1, 3, 3], 9, vec![1, c1, 1, 1]),
        ("conv2", vec![c2, c1, 3, 3], c1 * 9, vec![1, c2, 1, 1]),
        ("fc1", vec![flat, HIDDEN], flat, vec![1, HIDDEN]),
        ("fc2", vec![HIDDEN, classes], HIDDEN, vec![1, classes]),
    ]
}

impl<T: Scalar> Cnn<T> {
    /// He-initialised weights, zero biases, from `seed`; `classes` outputs.
    pub fn new(classes: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut params = ParamStore::new();
        for (name, weight, fan_in, bias) in layers(classes) {
            params.insert(
                &format!("{name}.weight"),
                he_uniform::<T>(&weight, fan_in, &mut rng),
            );
            params.insert(&format!("{name}.bias"), ArrayD::<T>::zeros(IxDyn(&bias)));
        }
        Cnn {
            params,
            touching: false,
        }
    }

    /// As [`new`](Self::new), with one output more than `characters`:
    /// "touching", for boxes that hold two or three characters.
    pub fn with_touching(characters: usize, seed: u64) -> Self {
        Cnn {
            touching: true,
            ..Self::new(characters + 1, seed)
        }
    }

    /// The logits of a batch of rows (N, 1024), on the tape. Dropout is
    /// drawn from `seed` while `training`, and off otherwise.
    pub fn forward<'t>(&self, x: Var<'t, T>, training: bool, seed: u64) -> Var<'t, T> {
        let tape = x.tape();
        let p = |name: &str| self.params.var(tape, name);
        let n = x.shape()[0];
        let ink =
            (tape.constant(Array2::from_elem((1, 1), T::one())) - x).reshape(&[n, 1, SIDE, SIDE]);
        let h = (ink.conv2d(p("conv1.weight"), 1, 1) + p("conv1.bias"))
            .relu()
            .max_pool2d(2, 2);
        let h = (h.conv2d(p("conv2.weight"), 1, 1) + p("conv2.bias"))
            .relu()
            .max_pool2d(2, 2);
        let h = (h.flatten().matmul(p("fc1.weight")) + p("fc1.bias")).relu();
        h.dropout(DROPOUT, seed, training).matmul(p("fc2.weight")) + p("fc2.bias")
    }

    fn image(&self, name: &str) -> ndarray::ArrayView4<'_, T> {
        self.get(name)
            .into_dimensionality::<Ix4>()
            .expect("checked when loaded")
    }

    fn matrix(&self, name: &str) -> ArrayView2<'_, T> {
        self.get(name)
            .into_dimensionality::<Ix2>()
            .expect("checked when loaded")
    }

    fn get(&self, name: &str) -> ndarray::ArrayViewD<'_, T> {
        self.params
            .get(name)
            .unwrap_or_else(|| panic!("no parameter named '{name}' in the store"))
            .view()
    }

    /// The logits without a tape (inference): the same arithmetic the tape does.
    pub fn logits(&self, x: ArrayView2<T>) -> Array2<T> {
        let n = x.nrows();
        let ink = x
            .mapv(|v| T::one() - v)
            .into_shape_with_order((n, 1, SIDE, SIDE));
        let ink: Array4<T> = ink.expect("rows of 1024 pixels");
        let block = |x: Array4<T>, layer: &str| {
            let mut y = conv::conv2d(x.view(), self.image(&format!("{layer}.weight")), 1, 1);
            // Bias and ReLU in place, a channel's plane at a time (what the
            // tape's broadcast add and relu compute, without their 4-D walk).
            let plane = y.shape()[2] * y.shape()[3];
            let bias = self.get(&format!("{layer}.bias"));
            let planes = y.as_slice_mut().expect("a fresh array is contiguous");
            for (plane, &b) in planes.chunks_exact_mut(plane).zip(bias.iter().cycle()) {
                for v in plane {
                    let s = *v + b;
                    *v = if s > T::zero() { s } else { T::zero() };
                }
            }
            conv::max_pool2d_values(y.view(), 2, 2)
        };
        let h = block(block(ink, "conv1"), "conv2");
        let h = h
            .into_shape_with_order((n, WIDTHS[1] * (SIDE / 4) * (SIDE / 4)))
            .expect("contiguous");
        let mut h = F::matmul(h.view(), self.matrix("fc1.weight"));
        h += &self.matrix("fc1.bias");
        h.mapv_inplace(|v| if v > T::zero() { v } else { T::zero() });
        let mut out = F::matmul(h.view(), self.matrix("fc2.weight"));
        out += &self.matrix("fc2.bias");
        out
    }

    /// Class probabilities without a tape. The rows are shared among the
    /// machine's cores (a row's outputs do not depend on the rows computed
    /// with it, so the result is the same on any machine), each share 256
    /// rows at a time (so that the convolutions' outputs stay small whatever
    /// the number of rows).
    pub fn predict_proba(&self, x: ArrayView2<T>) -> Array2<T> {
        const CHUNK: usize = 256;
        /// Fewer rows than this per core are not worth a thread.
        const PER_THREAD: usize = 32;
        let n = x.nrows();
        let mut out = Array2::zeros((n, self.classes()));
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        let threads = cores.min(n / PER_THREAD).max(1);
        let share = n.div_ceil(threads); // used only with two threads or more
        let predict = |x: ArrayView2<T>, mut out: ndarray::ArrayViewMut2<T>| {
            for (rows, mut probs) in x
                .axis_chunks_iter(Axis(0), CHUNK)
                .zip(out.axis_chunks_iter_mut(Axis(0), CHUNK))
            {
                probs.assign(&F::softmax(self.logits(rows).view()));
            }
        };
        if threads == 1 {
            predict(x, out.view_mut());
            return out;
        }
        std::thread::scope(|scope| {
            for (rows, probs) in x
                .axis_chunks_iter(Axis(0), share)
                .zip(out.axis_chunks_iter_mut(Axis(0), share))
            {
                scope.spawn(move || predict(rows, probs));
            }
        });
        out
    }

    /// Loads a model saved by `save`, checking every tensor's shape.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let (params, metadata) = ParamStore::load_with_metadata(path)?;
        Self::from_store(params, says_touching(&metadata), path)
    }

    /// The CNN of `params` (shapes checked; `path` names the file in errors),
    /// its last output "touching" if `touching`.
    pub(crate) fn from_store(params: ParamStore<T>, touching: bool, path: &Path) -> Result<Self> {
        let mut model = Self::from_params(params, path)?;
        model.touching = touching;
        if model.touching && model.classes() < 2 {
            return Err(Error::ModelFile {
                path: path.to_path_buf(),
                reason: "a 'touching' output and no character".into(),
            });
        }
        Ok(model)
    }

    /// The number of outputs, read from the last layer.
    pub fn classes(&self) -> usize {
        self.params.get("fc2.bias").map_or(0, |b| b.len())
    }

    /// The number of characters told apart (the outputs but "touching").
    pub fn characters(&self) -> usize {
        self.classes() - usize::from(self.touching)
    }

    /// Whether `other` has the same outputs (their number, and "touching").
    pub fn same_outputs(&self, other: &Self) -> bool {
        self.classes() == other.classes() && self.touching == other.touching
    }

    /// Its outputs in words, for messages: "37 outputs (touching last)".
    pub fn outputs_described(&self) -> String {
        let touching = if self.touching {
            " (touching last)"
        } else {
            ""
        };
        format!("{} outputs{touching}", self.classes())
    }

    /// Saves the parameters as safetensors with the architecture (and the
    /// "touching" output, if any) in the metadata.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let mut metadata = vec![(crate::nn::ARCHITECTURE_KEY, ARCHITECTURE)];
        if self.touching {
            metadata.push((LAST_OUTPUT_KEY, TOUCHING));
        }
        self.params.save_as(path, &metadata)
    }

    /// Checks that `params` have the shapes of this architecture.
    fn from_params(params: ParamStore<T>, path: &Path) -> Result<Self> {
        let classes = params.get("fc2.bias").map_or(0, |b| b.len());
        // The shapes only: no weights are drawn for a model that is loaded.
        let mut expected: Vec<(String, Vec<usize>)> = layers(classes.max(1))
            .into_iter()
            .flat_map(|(layer, weight, _, bias)| {
                [
                    (format!("{layer}.weight"), weight),
                    (format!("{layer}.bias"), bias),
                ]
            })
            .collect();
        expected.sort(); // in the order of the store's names, as before
        for (name, want) in expected {
            let got = params.get(&name).map(|a| a.shape().to_vec());
            if got.as_deref() != Some(&want[..]) {
                return Err(Error::ModelFile {
                    path: path.to_path_buf(),
                    reason: format!("tensor '{name}' has shape {got:?}, the CNN needs {want:?}"),
                });
            }
        }
        Ok(Cnn {
            params,
            touching: false,
        })
    }
}

impl<T> HasParams<T> for Cnn<T> {
    fn params(&self) -> &ParamStore<T> {
        &self.params
    }
    fn params_mut(&mut self) -> &mut ParamStore<T> {
        &mut self.params
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shared among threads or not, in one batch or row by row, a row's
    /// probabilities are bit for bit the same: readings do not depend on the
    /// machine's cores or on what else is read with a crop.
    #[test]
    fn a_rows_probabilities_do_not_depend_on_its_batch() {
        let cnn = Cnn::<f32>::new(37, 3);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let x = Array2::from_shape_simple_fn((300, SIDE * SIDE), || rng.random_range(0.0..1.0f32));
        let together = cnn.predict_proba(x.view());
        for (k, row) in x.outer_iter().enumerate() {
            let alone = cnn.predict_proba(row.insert_axis(Axis(0)));
            assert_eq!(alone.row(0), together.row(k), "row {k}");
        }
    }

    /// A saved CNN loads back with the same outputs; one whose tensor has
    /// another shape is refused, the tensor and both shapes named.
    #[test]
    fn a_model_file_loads_only_with_the_cnns_shapes() {
        let dir = std::env::temp_dir().join(format!("gradink_cnn_load_{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let good = dir.join("good.safetensors");
        let cnn = Cnn::<f32>::with_touching(36, 4);
        cnn.save(&good).expect("saves");
        let back = Cnn::<f32>::load(&good).expect("loads");
        assert!(back.touching && back.classes() == 37);
        let x = Array2::from_elem((2, SIDE * SIDE), 0.5f32);
        assert_eq!(back.logits(x.view()), cnn.logits(x.view()));

        let mut wrong = cnn.params.clone();
        wrong.insert("conv2.weight", Array4::<f32>::zeros((64, 16, 3, 3)));
        let bad = dir.join("bad.safetensors");
        wrong
            .save_as(&bad, &[(crate::nn::ARCHITECTURE_KEY, ARCHITECTURE)])
            .expect("saves");
        let err = match Cnn::<f32>::load(&bad) {
            Ok(_) => panic!("a tensor of another shape was loaded"),
            Err(e) => e.to_string(),
        };
        assert!(
            err.contains("'conv2.weight'")
                && err.contains("[64, 16, 3, 3]")
                && err.contains("[64, 32, 3, 3]"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
