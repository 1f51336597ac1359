//! Forward computations on plain arrays, without a tape.
//!
//! The tape calls these to compute each node's value, and inference calls them
//! directly, so a model's prediction and its training forward pass are the
//! same arithmetic.

use crate::kernels;
use crate::Scalar;
use ndarray::{Array2, ArrayView2, ArrayViewMut1, Axis, Zip};

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

/// `c += a · b`, accumulating into `c` (a gradient buffer) without a temporary.
pub(crate) fn matmul_add<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>, c: &mut Array2<T>) {
    check_matmul_shapes(a, b);
    assert_eq!(
        c.dim(),
        (a.nrows(), b.ncols()),
        "matmul: the output buffer has the wrong shape"
    );
    kernels::matmul_add(a, b, c.view_mut());
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

/// `a + b` where `b` is one row (1×D) added to every row of `a` (N×D).
pub fn add_row<T: Scalar>(a: ArrayView2<T>, row: ArrayView2<T>) -> Array2<T> {
    assert!(
        row.nrows() == 1 && row.ncols() == a.ncols(),
        "add: shapes {:?} and {:?} do not broadcast (the bias must be 1×{})",
        a.shape(),
        row.shape(),
        a.ncols()
    );
    &a + &row
}

/// The logistic function 1 / (1 + e^−x), elementwise.
pub fn sigmoid<T: Scalar>(a: ArrayView2<T>) -> Array2<T> {
    let mut out = a.as_standard_layout().into_owned();
    let values = out
        .as_slice_mut()
        .expect("a standard-layout array is one slice");
    kernels::sigmoid_in_place(values);
    out
}

/// max(x, 0), elementwise.
pub fn relu<T: Scalar>(a: ArrayView2<T>) -> Array2<T> {
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
pub fn squared_error<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>) -> T {
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
