//! The element type of every tensor: `f32` for speed, `f64` for gradient checks.

use ndarray::{ArrayView2, ArrayViewMut2, NdFloat};

/// A floating-point element the engine can compute with.
///
/// `NdFloat` brings arithmetic, `exp`/`ln` and matrix products; the extra
/// methods convert constants and name the type in model files.
pub trait Scalar: NdFloat + Default {
    /// The safetensors name of this type, so model files say what they hold.
    const DTYPE: safetensors::Dtype;

    /// Converts an `f64` constant (a learning rate, `0.5`, `1e-6`) into this type.
    fn of(x: f64) -> Self;

    /// Widens to `f64`, for reporting.
    fn to_f64(self) -> f64;

    /// Little-endian bytes, as safetensors stores them.
    fn write_le(self, out: &mut Vec<u8>);

    /// Reads one value from little-endian bytes of the given dtype.
    fn read_le(dtype: safetensors::Dtype, bytes: &[u8]) -> Option<Self>;

    /// The logistic function 1 / (1 + e^−x) of every element, in place:
    /// through `fast_exp` in f32 (SIMD, within 2 ulp), through libm in f64
    /// (the gradient checks).
    fn sigmoid_in_place(xs: &mut [Self]);

    /// e^x of every element, in place: `fast_exp` in f32, libm in f64.
    fn exp_in_place(xs: &mut [Self]);

    /// `c = a·b`, or `c += a·b` when `accumulate`, on this crate's own
    /// register tiles where the type, the layouts and the CPU have one (f32
    /// on AVX-512: `avx512_product`); `false` leaves `c` to gemm.
    fn tiled_product(
        a: ArrayView2<Self>,
        b: ArrayView2<Self>,
        c: ArrayViewMut2<Self>,
        accumulate: bool,
    ) -> bool;
}

impl Scalar for f32 {
    const DTYPE: safetensors::Dtype = safetensors::Dtype::F32;
    fn of(x: f64) -> Self {
        x as f32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn write_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn read_le(dtype: safetensors::Dtype, bytes: &[u8]) -> Option<Self> {
        match dtype {
            safetensors::Dtype::F32 => Some(f32::from_le_bytes(bytes.try_into().ok()?)),
            safetensors::Dtype::F64 => Some(f64::from_le_bytes(bytes.try_into().ok()?) as f32),
            _ => None,
        }
    }
    fn sigmoid_in_place(xs: &mut [Self]) {
        crate::fast_exp::sigmoid_in_place(xs);
    }
    fn exp_in_place(xs: &mut [Self]) {
        crate::fast_exp::exp_in_place(xs);
    }
    fn tiled_product(
        a: ArrayView2<Self>,
        b: ArrayView2<Self>,
        c: ArrayViewMut2<Self>,
        accumulate: bool,
    ) -> bool {
        crate::avx512_product::product(a, b, c, accumulate)
    }
}

impl Scalar for f64 {
    const DTYPE: safetensors::Dtype = safetensors::Dtype::F64;
    fn of(x: f64) -> Self {
        x
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn write_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn read_le(dtype: safetensors::Dtype, bytes: &[u8]) -> Option<Self> {
        match dtype {
            safetensors::Dtype::F32 => Some(f32::from_le_bytes(bytes.try_into().ok()?) as f64),
            safetensors::Dtype::F64 => Some(f64::from_le_bytes(bytes.try_into().ok()?)),
            _ => None,
        }
    }
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
