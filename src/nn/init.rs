//! Weight initialisation.

use crate::Scalar;
use ndarray::Array2;
use rand::Rng;

/// Glorot & Bengio (2010), eq. 16: W ~ U[−a, a] with a = √(6 / (n_in + n_out)),
/// so Var[W] = a²/3 = 2 / (n_in + n_out). This keeps the variance of
/// activations (forward) and of gradients (backward) about the same in every layer.
pub fn xavier_uniform<T: Scalar>(n_in: usize, n_out: usize, rng: &mut impl Rng) -> Array2<T> {
    let a = (6.0 / (n_in + n_out) as f64).sqrt();
    Array2::from_shape_simple_fn((n_in, n_out), || T::of(rng.random_range(-a..a)))
}
