//! Forward computations on plain arrays, without a tape.
//!
//! The tape calls these to compute each node's value, and inference calls them
//! directly, so a model's prediction and its training forward pass are the
//! same arithmetic.

use crate::kernels;
use crate::Scalar;
use ndarray::{
    Array, Array2, ArrayD, ArrayView, ArrayView2, ArrayViewD, ArrayViewMut1, ArrayViewMut2, Axis,
    Dimension, Ix1, Ix2, Ix3, Ix4, IxDyn, Zip,
};

/// `a · b`. Panics naming both shapes when the inner dimensions differ.
/// The product itself is a kernel (`kernels::matmul`: register tiles where
/// the CPU has them, else the `gemm` crate).
pub fn matmul<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<T> {
    check_matmul_shapes(a, b);
    kernels::matmul(a, b)
}

/// `a · b` through the kernels' fallback alone: the path every product
/// takes without AVX-512, and in f64. `benches/products.rs` times the tiles
/// against it.
pub fn matmul_gemm<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<T> {
    check_matmul_shapes(a, b);
    kernels::matmul_fallback(a, b)
}

/// `c = a·b`, or `c += a·b` when `accumulate`, into a view the caller owns
/// (a convolution writes each image's product straight into its output).
pub fn matmul_into<T: Scalar>(
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    c: ArrayViewMut2<T>,
    accumulate: bool,
) {
    check_matmul_shapes(a, b);
    assert_eq!(
        c.dim(),
        (a.nrows(), b.ncols()),
        "matmul: the output buffer has the wrong shape"
    );
    kernels::matmul_into(a, b, c, accumulate);
}

fn check_matmul_shapes<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>) {
    assert_eq!(
        a.ncols(),
        b.nrows(),
        "matmul: shapes {:?} and {:?} do not fit (inner dimensions differ)",
        a.shape(),
        b.shape()
    );
}

/// NumPy's broadcast of two shapes (axes aligned from the right; a size of 1
/// stretches), or `None` when they do not broadcast.
pub fn broadcast_shape(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let rank = a.len().max(b.len());
    let at = |s: &[usize], i: usize| {
        let pad = rank - s.len();
        if i < pad {
            1
        } else {
            s[i - pad]
        }
    };
    (0..rank)
        .map(|i| match (at(a, i), at(b, i)) {
            (x, y) if x == y || y == 1 => Some(x),
            (1, y) => Some(y),
            _ => None,
        })
        .collect()
}

/// `f(a, b)` elementwise with NumPy broadcasting. Ranks 1–4 run on
/// fixed-rank views (ndarray's fast inner loops); panics naming `op` and both
/// shapes when they do not broadcast.
pub fn broadcast_zip<T: Scalar>(
    a: ArrayViewD<T>,
    b: ArrayViewD<T>,
    op: &str,
    f: impl Fn(T, T) -> T,
) -> ArrayD<T> {
    let shape = broadcast_shape(a.shape(), b.shape()).unwrap_or_else(|| {
        panic!(
            "{op}: shapes {:?} and {:?} do not broadcast",
            a.shape(),
            b.shape()
        )
    });
    let (a, b) = (
        a.broadcast(IxDyn(&shape)).expect("shape checked"),
        b.broadcast(IxDyn(&shape)).expect("shape checked"),
    );
    fn fixed<T: Scalar, D: Dimension>(
        a: ArrayViewD<T>,
        b: ArrayViewD<T>,
        f: impl Fn(T, T) -> T,
    ) -> ArrayD<T> {
        let (a, b) = (
            a.into_dimensionality::<D>().expect("rank matched"),
            b.into_dimensionality::<D>().expect("rank matched"),
        );
        Zip::from(&a)
            .and(&b)
            .map_collect(|&x, &y| f(x, y))
            .into_dyn()
    }
    match shape.len() {
        1 => fixed::<T, Ix1>(a, b, f),
        2 => fixed::<T, Ix2>(a, b, f),
        3 => fixed::<T, Ix3>(a, b, f),
        4 => fixed::<T, Ix4>(a, b, f),
        _ => fixed::<T, IxDyn>(a, b, f),
    }
}

/// `g` summed down to `shape`, which broadcasts to g's shape: over the
/// leading axes `shape` lacks, and over every axis where `shape` has 1 —
/// the gradient of a broadcast input.
pub fn sum_to<T: Scalar>(g: ArrayViewD<T>, shape: &[usize]) -> ArrayD<T> {
    assert!(
        broadcast_shape(g.shape(), shape).as_deref() == Some(g.shape()),
        "sum_to: shape {shape:?} does not broadcast to {:?}",
        g.shape()
    );
    let mut sum = g.to_owned();
    while sum.ndim() > shape.len() {
        sum = sum.sum_axis(Axis(0));
    }
    for (axis, &size) in shape.iter().enumerate() {
        if size == 1 && sum.len_of(Axis(axis)) != 1 {
            sum = sum.sum_axis(Axis(axis)).insert_axis(Axis(axis));
        }
    }
    sum
}

/// The logistic function 1 / (1 + e^−x), elementwise.
pub fn sigmoid<T: Scalar, D: Dimension>(a: ArrayView<T, D>) -> Array<T, D> {
    let mut out = a.as_standard_layout().into_owned();
    let values = out
        .as_slice_mut()
        .expect("a standard-layout array is one slice");
    kernels::sigmoid_in_place(values);
    out
}

/// max(x, 0), elementwise.
pub fn relu<T: Scalar, D: Dimension>(a: ArrayView<T, D>) -> Array<T, D> {
    a.mapv(|x| if x > T::zero() { x } else { T::zero() })
}

/// Row-wise softmax. The row maximum is subtracted first: softmax is unchanged
/// by a shift, and the largest exponent becomes e^0 = 1, so nothing overflows.
pub fn softmax<T: Scalar>(logits: ArrayView2<T>) -> Array2<T> {
    let mut out = logits.as_standard_layout().into_owned();
    for mut row in out.rows_mut() {
        exp_shifted_in_place(&mut row);
        let sum = row.sum();
        row.mapv_inplace(|x| x / sum);
    }
    out
}

/// Replaces a row by e^(x − max) and returns its max; the exponentials go
/// through `kernels::exp_in_place` (SIMD in f32).
fn exp_shifted_in_place<T: Scalar>(row: &mut ArrayViewMut1<T>) -> T {
    let max = row.fold(T::neg_infinity(), |m, &x| m.max(x));
    row.mapv_inplace(|x| x - max);
    match row.as_slice_mut() {
        Some(values) => kernels::exp_in_place(values),
        None => row.mapv_inplace(T::exp),
    }
    max
}

/// Mean over rows of −Σ_c y_c log p_c with p = softmax(logits), computed with
/// log-sum-exp so that no log(0) can occur. Returns (loss, softmax).
pub fn softmax_cross_entropy<T: Scalar>(
    logits: ArrayView2<T>,
    targets: ArrayView2<T>,
) -> (T, Array2<T>) {
    assert_eq!(
        logits.shape(),
        targets.shape(),
        "softmax_cross_entropy: logits {:?} and targets {:?} differ in shape",
        logits.shape(),
        targets.shape()
    );
    let mut probs = logits.as_standard_layout().into_owned();
    let mut total = T::zero();
    Zip::from(probs.rows_mut())
        .and(logits.rows())
        .and(targets.rows())
        .for_each(|mut row, x, y| {
            let max = exp_shifted_in_place(&mut row);
            let sum = row.sum();
            let log_sum_exp = max + sum.ln();
            // −Σ y (x − lse) = lse·Σy − Σ y·x
            total += log_sum_exp * y.sum() - x.dot(&y);
            row.mapv_inplace(|e| e / sum);
        });
    let rows = T::of(logits.nrows().max(1) as f64);
    (total / rows, probs)
}

/// Σ (a − b)², the total squared error.
pub fn squared_error<T: Scalar, D: Dimension>(a: ArrayView<T, D>, b: ArrayView<T, D>) -> T {
    assert_eq!(
        a.shape(),
        b.shape(),
        "squared_error: prediction {:?} and target {:?} differ in shape",
        a.shape(),
        b.shape()
    );
    match (a.as_slice(), b.as_slice()) {
        (Some(a), Some(b)) => sum_of_squared_differences(a, b),
        _ => Zip::from(&a)
            .and(&b)
            .fold(T::zero(), |s, &x, &y| s + (x - y) * (x - y)),
    }
}

/// Σ (a − b)² over two equal-length slices in 8 interleaved partial sums:
/// one running sum is a chain of dependent additions that cannot use SIMD
/// (36 × 1024 of them took 30 µs, a tenth of an autoencoder step); eight
/// fill one vector register. The order is fixed, so every run gives the
/// same bits.
fn sum_of_squared_differences<T: Scalar>(a: &[T], b: &[T]) -> T {
    const LANES: usize = 8;
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .fold(T::zero(), |s, (&x, &y)| s + (x - y) * (x - y));
    let mut partial = [T::zero(); LANES];
    for (xs, ys) in a_chunks.zip(b_chunks) {
        for lane in 0..LANES {
            let d = xs[lane] - ys[lane];
            partial[lane] += d * d;
        }
    }
    partial.iter().fold(tail, |s, &p| s + p)
}

/// The index of the largest entry of each row (the predicted class).
pub fn argmax_rows<T: Scalar>(a: ArrayView2<T>) -> Vec<usize> {
    a.axis_iter(Axis(0))
        .map(|row| {
            let mut entries = row.iter().enumerate();
            let Some((_, &first)) = entries.next() else {
                return 0;
            };
            // The first of equal maxima wins.
            let (mut best, mut largest) = (0, first);
            for (i, &x) in entries {
                if x > largest {
                    (best, largest) = (i, x);
                }
            }
            best
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn filled<T: Scalar>(rows: usize, cols: usize, seed: usize) -> Array2<T> {
        Array2::from_shape_fn((rows, cols), |(i, j)| {
            T::of((((i * 31 + j * 17 + seed) % 97) as f64 - 48.0) / 37.0)
        })
    }

    #[test]
    fn squared_error_matches_a_plain_sum_on_any_layout() {
        let a = filled::<f64>(37, 29, 1);
        let b = filled::<f64>(37, 29, 2);
        let plain: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
        for (a, b) in [(a.view(), b.view()), (a.t(), b.t())] {
            assert!((squared_error(a, b) - plain).abs() < 1e-12 * plain);
        }
    }

    #[test]
    fn argmax_takes_the_first_of_equal_maxima() {
        let a = ndarray::array![[0.1, 0.7, 0.7], [3.0, -1.0, 2.0], [-5.0, -4.0, -4.5]];
        assert_eq!(argmax_rows(a.view()), vec![1, 0, 1]);
        assert_eq!(argmax_rows(a.t()), vec![1, 0, 1]);
        assert_eq!(argmax_rows(Array2::<f32>::zeros((2, 0)).view()), vec![0, 0]);
    }
}
