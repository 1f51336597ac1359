//! The speed code, behind a small safe API: matrix products (the AVX-512
//! register tiles, with the `gemm` crate as the fallback), the SIMD `exp` and
//! sigmoid, loops compiled for the widest vector unit, and the subnormal
//! guard. Every `unsafe` block of the crate lives under this folder; the
//! engine calls the functions below and never meets a tile.

mod avx512_product;
pub mod fast_exp;
mod products;
pub(crate) mod simd;
pub mod subnormals;

pub use products::{matmul, matmul_fallback, matmul_into, product_path};

use ndarray::{ArrayView2, ArrayViewMut2, NdFloat};

/// A float the kernels compute with: `f32` (the tiles and `fast_exp`) or
/// `f64` (gemm and libm, for the gradient checks). Sealed: the kernels
/// exist for these two types only.
pub trait Float: NdFloat + Default + sealed::Kernels {}

impl Float for f32 {}
impl Float for f64 {}

/// The logistic function 1 / (1 + e^−x) of every element, in place:
/// through `fast_exp` in f32 (SIMD, within 2 ulp), through libm in f64.
pub fn sigmoid_in_place<T: Float>(xs: &mut [T]) {
    T::sigmoid_in_place(xs)
}

/// e^x of every element, in place: `fast_exp` in f32, libm in f64.
pub fn exp_in_place<T: Float>(xs: &mut [T]) {
    T::exp_in_place(xs)
}

mod sealed {
    use super::*;

    /// What each float type runs on; the public functions above call it.
    pub trait Kernels: Sized {
        fn sigmoid_in_place(xs: &mut [Self]);
        fn exp_in_place(xs: &mut [Self]);
        /// `c = a·b`, or `c += a·b` when `accumulate`, on the register tiles
        /// where the type, the layouts and the CPU have one; `false` (and
        /// `c` untouched) leaves it to the fallback.
        fn tiled_product(
            a: ArrayView2<Self>,
            b: ArrayView2<Self>,
            c: ArrayViewMut2<Self>,
            accumulate: bool,
        ) -> bool;
    }

    impl Kernels for f32 {
        fn sigmoid_in_place(xs: &mut [Self]) {
            super::fast_exp::sigmoid_in_place(xs);
        }
        fn exp_in_place(xs: &mut [Self]) {
            super::fast_exp::exp_in_place(xs);
        }
        fn tiled_product(
            a: ArrayView2<Self>,
            b: ArrayView2<Self>,
            c: ArrayViewMut2<Self>,
            accumulate: bool,
        ) -> bool {
            super::avx512_product::product(a, b, c, accumulate)
        }
    }

    impl Kernels for f64 {
        fn sigmoid_in_place(xs: &mut [Self]) {
            for x in xs {
                *x = 1.0 / (1.0 + (-*x).exp());
            }
        }
        fn exp_in_place(xs: &mut [Self]) {
            for x in xs {
                *x = x.exp();
            }
        }
        fn tiled_product(
            _: ArrayView2<Self>,
            _: ArrayView2<Self>,
            _: ArrayViewMut2<Self>,
            _: bool,
        ) -> bool {
            false
        }
    }
}
