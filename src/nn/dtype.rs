//! How a `Scalar` is stored in safetensors files: as itself (f32 or f64),
//! little-endian. Reading converts from either width.

use crate::Scalar;
use safetensors::Dtype;
use std::any::TypeId;

/// The safetensors dtype that holds `T` exactly.
pub(crate) fn dtype_of<T: Scalar>() -> Dtype {
    if TypeId::of::<T>() == TypeId::of::<f32>() {
        Dtype::F32
    } else {
        Dtype::F64
    }
}

/// Appends `x` in `dtype_of::<T>()`'s little-endian bytes.
pub(crate) fn write_le<T: Scalar>(x: T, out: &mut Vec<u8>) {
    match dtype_of::<T>() {
        // Exact: T is f32 here, and f32 → f64 → f32 loses nothing.
        Dtype::F32 => out.extend_from_slice(&(x.to_f64() as f32).to_le_bytes()),
        _ => out.extend_from_slice(&x.to_f64().to_le_bytes()),
    }
}

/// One value from little-endian bytes of an F32 or F64 tensor.
pub(crate) fn read_le<T: Scalar>(dtype: Dtype, bytes: &[u8]) -> Option<T> {
    match dtype {
        Dtype::F32 => Some(T::of(f32::from_le_bytes(bytes.try_into().ok()?) as f64)),
        Dtype::F64 => Some(T::of(f64::from_le_bytes(bytes.try_into().ok()?))),
        _ => None,
    }
}
