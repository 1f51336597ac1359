//! Forward computations on plain arrays, without a tape.
//!
//! The tape calls these to compute each node's value, and inference calls them
//! directly, so a model's prediction and its training forward pass are the
//! same arithmetic.

use crate::Scalar;
use ndarray::{
    Array, Array2, ArrayD, ArrayView, ArrayView2, ArrayViewD, ArrayViewMut1, ArrayViewMut2, Axis,
    Dimension, Ix1, Ix2, Ix3, Ix4, IxDyn, Zip,
};

/// `a · b`. Panics naming both shapes when the inner dimensions differ.
pub fn matmul<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<T> {
    new_product(a, b, |a, b, c| product_into(a, b, c, false))
}

/// `a · b` through the `gemm` crate alone: the path every product takes
/// without AVX-512, and in f64. `benches/products.rs` times the AVX-512
/// tiles against it.
pub fn matmul_gemm<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<T> {
    new_product(a, b, |a, b, c| gemm_in_halves(a, b, c, false))
}

/// A new `a · b`, computed by `write`, which must overwrite every element of
/// the output it is given without reading any.
fn new_product<T: Scalar>(
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    write: impl FnOnce(ArrayView2<T>, ArrayView2<T>, ArrayViewMut2<T>),
) -> Array2<T> {
    check_matmul_shapes(a, b);
    let (m, n) = (a.nrows(), b.ncols());
    if a.ncols() == 0 {
        return Array2::zeros((m, n));
    }
    // No zero-filling first: for a first layer's weight gradient that was a
    // tenth of the product's time.
    let mut c = Array2::<T>::uninit((m, n));
    // SAFETY: with a non-empty inner dimension, both callers' product paths
    // (the AVX-512 tiles, and gemm without reading the destination) write
    // every element of `c` and read none of them first; f32 and f64 have no
    // invalid bit patterns.
    unsafe {
        write(a, b, c.raw_view_mut().cast::<T>().deref_into_view_mut());
        c.assume_init()
    }
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
    if a.ncols() == 0 {
        if !accumulate {
            let mut c = c;
            c.fill(T::zero());
        }
        return;
    }
    product_into(a, b, c, accumulate);
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

/// `c = a·b`, or `c += a·b` when `accumulate`: on the crate's AVX-512
/// tiles where they apply (f32, `avx512_product`), else through gemm.
fn product_into<T: Scalar>(
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    mut c: ArrayViewMut2<T>,
    accumulate: bool,
) {
    if !T::tiled_product(a, b, c.view_mut(), accumulate) {
        gemm_in_halves(a, b, c, accumulate);
    }
}

/// gemm, a product with 64 or more columns computed as two products of half
/// the columns each: for the backward product of the first layer (1024×32
/// by 32×64) gemm's blocking runs the halves 1.2× faster than the whole.
/// Each output element is still one dot product over the whole inner
/// dimension in the same order, so the cut changes no bit
/// (`functional::tests` checks).
fn gemm_in_halves<T: Scalar>(
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
/// its AVX2 or SSE kernel at run time (its AVX-512 kernels need a nightly
/// compiler). On the models' thin products it runs 1.2–3× faster than
/// matrixmultiply (README, "What was optimised").
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
    T::sigmoid_in_place(values);
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
/// through `Scalar::exp_in_place` (SIMD in f32).
fn exp_shifted_in_place<T: Scalar>(row: &mut ArrayViewMut1<T>) -> T {
    let max = row.fold(T::neg_infinity(), |m, &x| m.max(x));
    row.mapv_inplace(|x| x - max);
    match row.as_slice_mut() {
        Some(values) => T::exp_in_place(values),
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

    /// The textbook triple loop, summing in f64 as a reference.
    fn naive<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<f64> {
        Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
            (0..a.ncols())
                .map(|p| a[[i, p]].to_f64() * b[[p, j]].to_f64())
                .sum()
        })
    }

    /// Shapes that meet every tile remainder: rows not a multiple of the
    /// tile's, columns ending in a partial register or spanning several
    /// tiles, inner dimensions not a multiple of 16, single elements.
    const SHAPES: [(usize, usize, usize); 9] = [
        (32, 1024, 64),
        (1024, 32, 64),
        (36, 1024, 32),
        (36, 32, 1024),
        (70, 300, 50),
        (37, 45, 130),
        (3, 5, 2),
        (1, 1, 1),
        (9, 17, 1),
    ];

    /// Every layout of `a` and `b` (a transposed view is what backward
    /// gives, a reversed one has negative strides), in both the plain and the
    /// accumulating form: close to the triple loop.
    fn products_match<T: Scalar>(tolerance: f64) {
        for (m, k, n) in SHAPES {
            let a = filled::<T>(m, k, 1);
            let b = filled::<T>(k, n, 2);
            let at = a.t().as_standard_layout().into_owned(); // k×m, so at.t() is a column-major m×k view
            let bt = b.t().as_standard_layout().into_owned();
            let expected = naive(a.view(), b.view());
            let reversed_a = a.slice(ndarray::s![.., ..;-1]).to_owned();
            let reversed_b = b.slice(ndarray::s![..;-1, ..]).to_owned();
            let check = |product: &Array2<T>, what: &str| {
                let worst = (&product.mapv(|x| x.to_f64()) - &expected)
                    .iter()
                    .fold(0.0f64, |w, d| w.max(d.abs()));
                assert!(
                    worst < tolerance * k as f64,
                    "{m}×{k}×{n} {what}: off by {worst}"
                );
            };
            for (a, b) in [
                (a.view(), b.view()),
                (at.t(), b.view()),
                (a.view(), bt.t()),
                (at.t(), bt.t()),
                (
                    reversed_a.slice(ndarray::s![.., ..;-1]),
                    reversed_b.slice(ndarray::s![..;-1, ..]),
                ),
            ] {
                check(&matmul(a, b), "product");
                check(&matmul_gemm(a, b), "gemm product");
                let start = filled::<T>(m, n, 3);
                let mut acc = start.clone();
                matmul_into(a, b, acc.view_mut(), true);
                check(&(acc - start), "accumulated");
            }
        }
        assert_eq!(
            matmul(
                Array2::<T>::zeros((3, 0)).view(),
                Array2::zeros((0, 4)).view()
            ),
            Array2::zeros((3, 4))
        );
    }

    /// The column cut of `gemm_in_halves` changes no bit.
    fn halves_match_one_gemm<T: Scalar>() {
        for (m, k, n) in SHAPES {
            let a = filled::<T>(m, k, 1);
            let b = filled::<T>(k, n, 2);
            for accumulate in [false, true] {
                let mut halves = filled::<T>(m, n, 3);
                let mut whole = halves.clone();
                gemm_in_halves(a.view(), b.view(), halves.view_mut(), accumulate);
                gemm(a.view(), b.view(), whole.view_mut(), accumulate);
                assert_eq!(halves, whole, "{m}×{k}×{n}, accumulate {accumulate}");
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
    fn argmax_takes_the_first_of_equal_maxima() {
        let a = ndarray::array![[0.1, 0.7, 0.7], [3.0, -1.0, 2.0], [-5.0, -4.0, -4.5]];
        assert_eq!(argmax_rows(a.view()), vec![1, 0, 1]);
        assert_eq!(argmax_rows(a.t()), vec![1, 0, 1]);
        assert_eq!(argmax_rows(Array2::<f32>::zeros((2, 0)).view()), vec![0, 0]);
    }

    #[test]
    fn products_match_the_triple_loop_f32() {
        products_match::<f32>(1e-6);
    }

    #[test]
    fn products_match_the_triple_loop_f64() {
        products_match::<f64>(1e-14);
    }

    #[test]
    fn gemm_halves_change_no_bit() {
        halves_match_one_gemm::<f32>();
        halves_match_one_gemm::<f64>();
    }
}
