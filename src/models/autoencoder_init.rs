//! How an autoencoder's weights start, before the first step.
//!
//! The course's start (Xavier weights, zero biases) draws every image as a
//! grey blur and lets training find the white background first. Starting the
//! output at the training set's mean image skips that phase, and He-scaled
//! weights with a small positive bias keep the narrow (32-unit) ReLU layers
//! alive, so a larger learning rate can be used from the first epoch.
//!
//! Starting from PCA goes further: the network begins as (almost) the best
//! linear code of its size, and training only has to improve on it.

use crate::functional as F;
use crate::models::{Autoencoder, Pca, PcaError};
use crate::Scalar;
use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// The ways to start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AeInit {
    /// Xavier-uniform weights, zero biases (the course's).
    Xavier,
    /// He-uniform weights (variance 2/n_in) for the three ReLU layers and
    /// Xavier for the output, hidden biases 0.01, and the output bias the
    /// logit of the training set's mean image: the first reconstruction of
    /// every image is (about) that mean.
    MeanImage,
    /// The network as PCA with `hidden` components, fitted on the training
    /// images: encoder = the principal directions (plus a bias that keeps
    /// every training code positive, so the ReLU passes it), the two middle
    /// layers identities, and the output layer PCA's decoder, scaled by `a`
    /// and centred on ½ so that σ(a·(x̂_PCA − ½)) draws the image; `a` is
    /// the value of a small grid that fits the training images best.
    Pca,
}

crate::named_values!(AeInit { Xavier => "xavier", MeanImage => "mean-image", Pca => "pca" });

/// Pixel means are clamped into [ε, 1 − ε] before the logit.
const LOGIT_CLAMP: f64 = 1e-3;
/// A small positive bias, so that no hidden ReLU starts dead on every image.
const HIDDEN_BIAS: f64 = 0.01;

impl AeInit {
    /// A model of `pixels → hidden → hidden → hidden → pixels` started this
    /// way from `seed`, with `train` (one image per row) for the data-dependent
    /// parts. Only the PCA start can fail (too few or non-finite images).
    pub fn model<T: Scalar>(
        self,
        pixels: usize,
        hidden: usize,
        seed: u64,
        train: ArrayView2<f32>,
    ) -> Result<Autoencoder<T>, PcaError> {
        let mut model = Autoencoder::new(pixels, hidden, seed);
        match self {
            AeInit::Xavier => return Ok(model),
            AeInit::Pca => {
                pca_start(&mut model, train)?;
                return Ok(model);
            }
            AeInit::MeanImage => {}
        }
        // A stream of its own, so the Xavier draws of `new` are not repeated.
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(2);
        let layers = model.layers.clone();
        for (i, layer) in layers.iter().enumerate() {
            let (n_in, n_out) = layer.dims(&model.params).expect("a new model's layer");
            if i < 3 {
                let a = (6.0 / n_in as f64).sqrt();
                let w =
                    Array2::from_shape_simple_fn((n_in, n_out), || T::of(rng.random_range(-a..a)));
                model.params.insert(&layer.weight, w);
                model.params.insert(
                    &layer.bias,
                    Array2::from_elem((1, n_out), T::of(HIDDEN_BIAS)),
                );
            } else {
                let mean = train
                    .mean_axis(Axis(0))
                    .unwrap_or_else(|| ndarray::Array1::from_elem(n_out, 0.5));
                assert_eq!(
                    mean.len(),
                    n_out,
                    "init: training images of {} pixels for a {n_out}-pixel model",
                    mean.len()
                );
                let logit = mean.mapv(|m| {
                    let m = (m as f64).clamp(LOGIT_CLAMP, 1.0 - LOGIT_CLAMP);
                    T::of((m / (1.0 - m)).ln())
                });
                model
                    .params
                    .insert(&layer.bias, logit.insert_axis(Axis(0)).to_owned());
            }
        }
        Ok(model)
    }
}

/// The grid for the output scale `a` of [`AeInit::Pca`].
const OUTPUT_SCALES: [f64; 8] = [2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0];
/// At most this many training images choose `a` (the first ones, no draw).
const SCALE_FIT_IMAGES: usize = 2000;

/// Sets every parameter of `model` so that it computes σ(a·(x̂_PCA − ½)).
fn pca_start<T: Scalar>(
    model: &mut Autoencoder<T>,
    train: ArrayView2<f32>,
) -> Result<(), PcaError> {
    let (pixels, hidden) = model.dims();
    assert_eq!(
        train.ncols(),
        pixels,
        "init: training images of {} pixels for a {pixels}-pixel model",
        train.ncols()
    );
    let pca = Pca::fit(train, hidden)?;
    let codes = pca.encode(train);
    // Shift each code so that the smallest training value sits at a tenth of
    // its range above zero: the ReLUs then pass every training code unchanged.
    let shift: Array1<f32> = codes
        .columns()
        .into_iter()
        .map(|c| {
            let (lo, hi) = c.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
            0.1 * (hi - lo) - lo
        })
        .collect();
    // x̂_PCA = μ + (h − shift)·Bᵀ, with h the shifted code.
    let offset = &pca.mean - &F::matmul(shift.view().insert_axis(Axis(0)), pca.basis.t()).row(0);
    let sample = train.slice(ndarray::s![..train.nrows().min(SCALE_FIT_IMAGES), ..]);
    let linear = pca.reconstruct(sample);
    let squared_error = |a: f64| {
        Zip::from(&linear).and(&sample).fold(0.0f64, |s, &r, &x| {
            let y = 1.0 / (1.0 + (-a * (r as f64 - 0.5)).exp());
            s + (y - x as f64).powi(2)
        })
    };
    let a = OUTPUT_SCALES
        .into_iter()
        .min_by(|&p, &q| squared_error(p).total_cmp(&squared_error(q)))
        .expect("a non-empty grid");

    let cast = |m: Array2<f32>| m.mapv(|v| T::of(v as f64));
    let row = |v: Array1<f32>| cast(v.insert_axis(Axis(0)));
    let [encoder, code, decoder, output] = model.layers.clone();
    let encoder_bias =
        &shift - &F::matmul(pca.mean.view().insert_axis(Axis(0)), pca.basis.view()).row(0);
    model
        .params
        .insert(&encoder.weight, cast(pca.basis.clone()));
    model.params.insert(&encoder.bias, row(encoder_bias));
    for layer in [&code, &decoder] {
        model
            .params
            .insert(&layer.weight, Array2::eye(hidden).mapv(|v: f64| T::of(v)));
        model.params.insert(&layer.bias, Array2::zeros((1, hidden)));
    }
    let a32 = a as f32;
    model
        .params
        .insert(&output.weight, cast(pca.basis.t().mapv(|v| a32 * v)));
    model
        .params
        .insert(&output.bias, row(offset.mapv(|v| a32 * (v - 0.5))));
    Ok(())
}
