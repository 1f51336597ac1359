//! Shuffled mini-batches, reproducible from a seed.

use crate::Scalar;
use ndarray::Array2;
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

/// The rows `idx` of `a`, converted to `T`, in one pass (no intermediate
/// copy, no zero-filling first).
pub fn gather_rows<T: Scalar>(a: &Array2<f32>, idx: &[usize]) -> Array2<T> {
    let mut out = Vec::with_capacity(idx.len() * a.ncols());
    for &i in idx {
        let row = a.row(i);
        match row.to_slice() {
            // A slice iterator knows its length: one vectorised copy.
            Some(row) => out.extend(row.iter().map(|&x| T::of(x as f64))),
            None => out.extend(row.iter().map(|&x| T::of(x as f64))),
        }
    }
    Array2::from_shape_vec((idx.len(), a.ncols()), out).expect("one row per index")
}

/// One-hot rows for the labels at `idx`.
pub fn one_hot<T: Scalar>(labels: &[usize], idx: &[usize], classes: usize) -> Array2<T> {
    let mut y = Array2::zeros((idx.len(), classes));
    for (r, &i) in idx.iter().enumerate() {
        y[[r, labels[i]]] = T::one();
    }
    y
}
