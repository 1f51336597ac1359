//! Matrix products: the routing between the AVX-512 tiles and the fallback,
//! and the one place where a product's output starts uninitialised.
//!
//! Every function here is safe to call; shapes are checked by the caller
//! (`functional`, with messages naming the op) and again, by assertion, here.

use super::Float;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis};

/// `a · b` on the fastest path this CPU and these layouts have.
pub fn matmul<T: Float>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<T> {
    new_product(a, b, |a, b, c| product_into(a, b, c, false))
}

/// `a · b` through the fallback alone (the `gemm` crate): the path every
/// product takes without AVX-512, and in f64. `benches/products.rs` times
/// the tiles against it.
pub fn matmul_fallback<T: Float>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<T> {
    new_product(a, b, |a, b, c| gemm_in_halves(a, b, c, false))
}

/// `c = a·b`, or `c += a·b` when `accumulate`, into a view the caller owns.
pub fn matmul_into<T: Float>(
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    mut c: ArrayViewMut2<T>,
    accumulate: bool,
) {
    assert_fits(a, b);
    assert_eq!(c.dim(), (a.nrows(), b.ncols()), "matmul: output shape");
    if a.ncols() == 0 {
        if !accumulate {
            c.fill(T::zero());
        }
        return;
    }
    product_into(a, b, c, accumulate);
}

/// Which path an f32 product takes on this CPU: what CI prints, so that a
/// run on a CPU without AVX-512 says that the tiles went untested.
pub fn product_path() -> &'static str {
    if super::avx512_product::available() {
        "AVX-512 register tiles (f32), gemm crate (f64 and other layouts)"
    } else {
        "gemm crate (no AVX-512 on this CPU)"
    }
}

fn assert_fits<T: Float>(a: ArrayView2<T>, b: ArrayView2<T>) {
    assert_eq!(a.ncols(), b.nrows(), "matmul: inner dimensions differ");
}

/// A new `a · b`, computed by `write`, which must overwrite every element of
/// the output it is given without reading any.
fn new_product<T: Float>(
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    write: impl FnOnce(ArrayView2<T>, ArrayView2<T>, ArrayViewMut2<T>),
) -> Array2<T> {
    assert_fits(a, b);
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

/// `c = a·b`, or `c += a·b` when `accumulate`: on the crate's AVX-512
/// tiles where they apply (f32, `avx512_product`), else through gemm.
fn product_into<T: Float>(
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
/// dimension in the same order, so the cut changes no bit (tested below).
fn gemm_in_halves<T: Float>(
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
/// Off by default: on a 2-core machine it made epochs slower
/// (docs/performance.md).
#[cfg(feature = "threading")]
const PARALLELISM: gemm::Parallelism = gemm::Parallelism::Rayon(0);
#[cfg(not(feature = "threading"))]
const PARALLELISM: gemm::Parallelism = gemm::Parallelism::None;

/// `c = a·b` or `c += a·b` through the `gemm` crate, which reads every
/// operand through its strides (a transposed view costs no copy) and picks
/// its AVX2 or SSE kernel at run time (its AVX-512 kernels need a nightly
/// compiler). `cargo bench --bench products` times it against
/// matrixmultiply (ndarray's own `dot`) on the models' shapes.
fn gemm<T: Float>(a: ArrayView2<T>, b: ArrayView2<T>, mut c: ArrayViewMut2<T>, accumulate: bool) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    assert_eq!(c.dim(), (m, n), "gemm: output shape");
    assert_eq!(b.nrows(), k, "gemm: inner dimensions differ");
    let [c_rs, c_cs] = [c.strides()[0], c.strides()[1]];
    let c_ptr = c.as_mut_ptr();
    // SAFETY: `c` is a uniquely borrowed m×n view and `a`, `b` are m×k and
    // k×n views (asserted above), each pointer valid for every offset its
    // strides reach; `c` is initialised when accumulating (only
    // `new_product` hands out an uninitialised one, with `accumulate` false,
    // and gemm then does not read it). gemm panics, rather than
    // misbehaving, for a type other than f32 and f64, the only `Float`s.
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// Constants in and results out, for the two kernel floats.
    trait TestFloat: Float {
        fn of(x: f64) -> Self;
        fn wide(self) -> f64;
    }
    impl TestFloat for f32 {
        fn of(x: f64) -> Self {
            x as f32
        }
        fn wide(self) -> f64 {
            self as f64
        }
    }
    impl TestFloat for f64 {
        fn of(x: f64) -> Self {
            x
        }
        fn wide(self) -> f64 {
            self
        }
    }

    fn filled<T: TestFloat>(rows: usize, cols: usize, seed: usize) -> Array2<T> {
        Array2::from_shape_fn((rows, cols), |(i, j)| {
            T::of((((i * 31 + j * 17 + seed) % 97) as f64 - 48.0) / 37.0)
        })
    }

    /// The textbook triple loop, summing in f64 as a reference.
    fn naive<T: TestFloat>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<f64> {
        Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
            (0..a.ncols())
                .map(|p| a[[i, p]].wide() * b[[p, j]].wide())
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
    fn products_match<T: TestFloat>(tolerance: f64) {
        for (m, k, n) in SHAPES {
            let a = filled::<T>(m, k, 1);
            let b = filled::<T>(k, n, 2);
            let at = a.t().as_standard_layout().into_owned(); // k×m, so at.t() is a column-major m×k view
            let bt = b.t().as_standard_layout().into_owned();
            let expected = naive(a.view(), b.view());
            let reversed_a = a.slice(ndarray::s![.., ..;-1]).to_owned();
            let reversed_b = b.slice(ndarray::s![..;-1, ..]).to_owned();
            let check = |product: &Array2<T>, what: &str| {
                let worst = (&product.mapv(|x| x.wide()) - &expected)
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
                check(&matmul_fallback(a, b), "gemm product");
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
    fn halves_match_one_gemm<T: TestFloat>() {
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
