//! Forward computations on plain arrays, without a tape.
//!
//! The tape calls these to compute each node's value, and inference calls them
//! directly, so a model's prediction and its training forward pass are the
//! same arithmetic.

use crate::Scalar;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, Zip};

/// `a · b`. Panics naming both shapes when the inner dimensions differ.
pub fn matmul<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<T> {
    check_matmul_shapes(a, b);
    let mut c = Array2::zeros((a.nrows(), b.ncols()));
    product_into(a, b, c.view_mut(), false);
    c
}

/// `c += a · b`, accumulating into `c` (a gradient buffer) without a temporary.
pub(crate) fn matmul_add<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>, c: &mut Array2<T>) {
    check_matmul_shapes(a, b);
    assert_eq!(
        c.dim(),
        (a.nrows(), b.ncols()),
        "matmul: the output buffer has the wrong shape"
    );
    product_into(a, b, c.view_mut(), true);
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

/// `c = a·b`, or `c += a·b` when `accumulate`. A product with 64 or more
/// columns is computed as two products of half the columns each: for the
/// backward product of the first layer (1024×32 by 32×64) gemm's blocking
/// runs the halves 1.2× faster than the whole, which is a tenth of a
/// classifier epoch. Each output element is still one dot product over the
/// whole inner dimension in the same order, so the cut changes no bit
/// (`functional::tests` checks).
fn product_into<T: Scalar>(
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    c: ArrayViewMut2<T>,
    accumulate: bool,
) {
    if b.ncols() >= 64 {
        let cut = b.ncols().div_ceil(16) * 8; // the middle, a multiple of 8 (the kernels' width)
        let (b_left, b_right) = b.split_at(Axis(1), cut);
        let (c_left, c_right) = c.split_at(Axis(1), cut);
        gemm(a, b_left, c_left, accumulate);
        gemm(a, b_right, c_right, accumulate);
    } else {
        gemm(a, b, c, accumulate);
    }
}

/// How gemm may spread one product: over rayon's threads with the
/// `threading` feature (it splits the output's rows and columns, never the
/// inner dimension, so the bits stay the same), else on the calling thread.
/// Off by default: on the 2-core machine here it made epochs slower (README,
/// "Speed").
#[cfg(feature = "threading")]
const PARALLELISM: gemm::Parallelism = gemm::Parallelism::Rayon(0);
#[cfg(not(feature = "threading"))]
const PARALLELISM: gemm::Parallelism = gemm::Parallelism::None;

/// `c = a·b` or `c += a·b` through the `gemm` crate, which reads every
/// operand through its strides (a transposed view costs no copy) and picks
/// its AVX-512, AVX2 or SSE kernel at run time. On the models' thin products
/// it runs 1.2–3× faster than matrixmultiply (README, "What was optimised").
fn gemm<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>, mut c: ArrayViewMut2<T>, accumulate: bool) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    debug_assert_eq!(c.dim(), (m, n));
    let [c_rs, c_cs] = [c.strides()[0], c.strides()[1]];
    let c_ptr = c.as_mut_ptr();
    // SAFETY: `c` is a uniquely borrowed m×n view and `a`, `b` are m×k and
    // k×n views, each pointer valid for every offset its strides reach; `c`
    // is initialised, so reading it when accumulating is sound. (gemm
    // panics, rather than misbehaving, for a type other than f32 and f64,
    // the only `Scalar`s.)
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c_ptr,
            c_cs,
            c_rs,
            accumulate,
            a.as_ptr(),
            a.strides()[1],
            a.strides()[0],
            b.as_ptr(),
            b.strides()[1],
            b.strides()[0],
            T::one(),
            T::one(),
            false,
            false,
            false,
            PARALLELISM,
        );
    }
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
    T::sigmoid_in_place(values);
    out
}

/// max(x, 0), elementwise.
pub fn relu<T: Scalar>(a: ArrayView2<T>) -> Array2<T> {
    a.mapv(|x| if x > T::zero() { x } else { T::zero() })
}

/// Row-wise softmax. The row maximum is subtracted first: softmax is unchanged
/// by a shift, and the largest exponent becomes e^0 = 1, so nothing overflows.
pub fn softmax<T: Scalar>(logits: ArrayView2<T>) -> Array2<T> {
    let mut out = logits.to_owned();
    for mut row in out.rows_mut() {
        let max = row.fold(T::neg_infinity(), |m, &x| m.max(x));
        row.mapv_inplace(|x| (x - max).exp());
        let sum = row.sum();
        row.mapv_inplace(|x| x / sum);
    }
    out
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
    let mut probs = logits.to_owned();
    let mut total = T::zero();
    Zip::from(probs.rows_mut())
        .and(targets.rows())
        .for_each(|mut row, y| {
            let max = row.fold(T::neg_infinity(), |m, &x| m.max(x));
            let log_sum_exp = max + row.fold(T::zero(), |s, &x| s + (x - max).exp()).ln();
            // −Σ y (x − lse) = lse·Σy − Σ y·x
            total += log_sum_exp * y.sum() - row.dot(&y);
            row.mapv_inplace(|x| (x - log_sum_exp).exp());
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
            let mut best = 0;
            for (i, &x) in row.iter().enumerate() {
                if x > row[best] {
                    best = i;
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

    /// The textbook triple loop, summing in f64 as a reference.
    fn naive<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<f64> {
        Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
            (0..a.ncols())
                .map(|p| a[[i, p]].to_f64() * b[[p, j]].to_f64())
                .sum()
        })
    }

    /// Every layout the engine passes (a transposed view is what backward
    /// gives), the column cut of `product_into`, and the accumulate form: close
    /// to the triple loop, and bit for bit what one uncut product gives.
    fn products_match<T: Scalar>(tolerance: f64) {
        let shapes = [
            (32, 1024, 64),
            (1024, 32, 64),
            (36, 1024, 32),
            (70, 300, 50),
            (3, 5, 2),
        ];
        for (m, k, n) in shapes {
            let a = filled::<T>(m, k, 1);
            let b = filled::<T>(k, n, 2);
            let at = a.t().as_standard_layout().into_owned(); // k×m, so at.t() is a column-major m×k view
            let bt = b.t().as_standard_layout().into_owned();
            let expected = naive(a.view(), b.view());
            for (a, b) in [
                (a.view(), b.view()),
                (at.t(), b.view()),
                (a.view(), bt.t()),
                (at.t(), bt.t()),
            ] {
                let product = matmul(a, b);
                let worst = (&product.mapv(|x| x.to_f64()) - &expected)
                    .iter()
                    .fold(0.0f64, |w, d| w.max(d.abs()));
                assert!(worst < tolerance * k as f64, "{m}×{k}×{n}: off by {worst}");

                let mut uncut = Array2::zeros((m, n));
                gemm(a, b, uncut.view_mut(), false);
                assert_eq!(product, uncut, "{m}×{k}×{n}: the cut changed bits");

                let mut acc = filled::<T>(m, n, 3);
                let mut acc_uncut = acc.clone();
                matmul_add(a, b, &mut acc);
                gemm(a, b, acc_uncut.view_mut(), true);
                assert_eq!(acc, acc_uncut, "{m}×{k}×{n} accumulated");
            }
        }
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
    fn products_match_the_triple_loop_and_do_not_depend_on_the_cut_f32() {
        products_match::<f32>(1e-6);
    }

    #[test]
    fn products_match_the_triple_loop_and_do_not_depend_on_the_cut_f64() {
        products_match::<f64>(1e-14);
    }
}
