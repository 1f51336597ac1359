//! The speed code: AVX-512 product tiles, SIMD loops, the fast `exp`, and the
//! subnormal guard. The engine calls it; nothing here knows about the tape.

pub(crate) mod avx512_product;
pub mod fast_exp;
pub(crate) mod simd;
pub mod subnormals;
