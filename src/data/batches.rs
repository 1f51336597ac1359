//! Shuffled mini-batches, reproducible from a seed.

use crate::Scalar;
use ndarray::{Array2, Axis};
use rand::seq::SliceRandom;
use rand::Rng;

/// A random permutation of `0..n` cut into batches of `batch_size` (the last may be shorter).
pub fn shuffled_batches(n: usize, batch_size: usize, rng: &mut impl Rng) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    order
        .chunks(batch_size.max(1))
        .map(<[usize]>::to_vec)
        .collect()
}

/// The rows `idx` of `a`, converted to `T`.
pub fn gather_rows<T: Scalar>(a: &Array2<f32>, idx: &[usize]) -> Array2<T> {
    a.select(Axis(0), idx).mapv(|x| T::of(x as f64))
}

/// One-hot rows for the labels at `idx`.
pub fn one_hot<T: Scalar>(labels: &[usize], idx: &[usize], classes: usize) -> Array2<T> {
    let mut y = Array2::zeros((idx.len(), classes));
    for (r, &i) in idx.iter().enumerate() {
        y[[r, labels[i]]] = T::one();
    }
    y
}
