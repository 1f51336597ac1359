//! Running a plain loop compiled for the widest vector unit the CPU has.
//!
//! The crate is built for the x86-64 baseline, whose vectors are SSE2's 4
//! lanes. The loops that touch every weight or every pixel of a step (the
//! optimiser updates, the output sigmoid) are also compiled for AVX-512
//! (16 lanes) and AVX2 (8 lanes), and the widest this CPU runs is picked at
//! run time. Every version computes the same operations in the same order
//! (Rust never fuses a multiply and an add on its own), so the bits do not
//! depend on the CPU.

/// Calls `f`, compiled with AVX-512F or AVX2 enabled where this CPU has
/// them. `f` should be a small closure around `#[inline(always)]` loops, so
/// that the loops are compiled into the wide versions.
#[inline(always)]
pub(crate) fn widest<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, checked just above.
            return unsafe { with_avx512(f) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            return unsafe { with_avx2(f) };
        }
    }
    f()
}

/// # Safety
/// The CPU must support AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn with_avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn with_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}
