//! The element type of every tensor: `f32` for speed, `f64` for gradient checks.

use crate::kernels::Float;

/// A floating-point element the engine can compute with.
///
/// `Float` (from the kernels) brings arithmetic, `exp`/`ln` and the fast
/// loops; the two methods here convert constants and results.
pub trait Scalar: Float {
    /// Converts an `f64` constant (a learning rate, `0.5`, `1e-6`) into this type.
    fn of(x: f64) -> Self;

    /// Widens to `f64`, for reporting.
    fn to_f64(self) -> f64;
}

impl Scalar for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
}

impl Scalar for f64 {
    fn of(x: f64) -> Self {
        x
    }
    fn to_f64(self) -> f64 {
        self
    }
}
