//! Flushing subnormal floats to zero while training, as PyTorch's
//! `torch.set_flush_denormal(True)` does.
//!
//! Why: numbers below f32's smallest normal (1.2·10⁻³⁸) are handled by slow
//! microcode on x86 CPUs, about a hundred times slower than a normal
//! multiply. The autoencoder meets them as it learns: a confident output
//! pixel has σ(z) ≈ 10⁻²⁰, and the gradient through it, 2σ(z)·σ(z)(1 − σ(z)),
//! underflows into the subnormal range. Without flushing, its epochs grew
//! 2.5× slower after the first two (docs/performance.md). Flushed, such a value
//! becomes 0, which changes nothing that can be seen: the gradients it
//! drops are smaller than 10⁻³⁸.
//!
//! The flags (FTZ: results flushed; DAZ: inputs read as zero) live in the
//! MXCSR register of the thread that sets them. `FlushSubnormals` sets both
//! for its lifetime and restores the previous value when dropped, so code
//! outside a training loop, such as the gradient checks, keeps IEEE
//! arithmetic. Elsewhere than x86-64 it does nothing.

/// While alive, this thread's SIMD arithmetic flushes subnormals to zero.
#[must_use = "the flags are restored when the guard is dropped"]
pub struct FlushSubnormals {
    #[cfg(target_arch = "x86_64")]
    saved: u32,
}

/// MXCSR bit 15: flush subnormal results to zero.
#[cfg(target_arch = "x86_64")]
const FLUSH_TO_ZERO: u32 = 1 << 15;
/// MXCSR bit 6: read subnormal inputs as zero.
#[cfg(target_arch = "x86_64")]
const DENORMALS_ARE_ZERO: u32 = 1 << 6;

impl FlushSubnormals {
    /// Sets FTZ and DAZ on this thread until the guard is dropped.
    pub fn new() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            let saved = read_mxcsr();
            write_mxcsr(saved | FLUSH_TO_ZERO | DENORMALS_ARE_ZERO);
            FlushSubnormals { saved }
        }
        #[cfg(not(target_arch = "x86_64"))]
        FlushSubnormals {}
    }
}

impl Default for FlushSubnormals {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for FlushSubnormals {
    fn drop(&mut self) {
        #[cfg(target_arch = "x86_64")]
        write_mxcsr(self.saved);
    }
}

#[cfg(target_arch = "x86_64")]
fn read_mxcsr() -> u32 {
    let mut value = 0u32;
    // SAFETY: `stmxcsr` stores the 32-bit control register to the given
    // address, a valid local.
    unsafe {
        std::arch::asm!("stmxcsr [{}]", in(reg) &mut value, options(nostack, preserves_flags));
    }
    value
}

#[cfg(target_arch = "x86_64")]
fn write_mxcsr(value: u32) {
    // SAFETY: `ldmxcsr` loads the control register from a valid local; only
    // the FTZ and DAZ bits ever differ from the value read before, and the
    // exception masks stay as they were, so no floating-point trap can start.
    unsafe {
        std::arch::asm!("ldmxcsr [{}]", in(reg) &value, options(nostack, readonly, preserves_flags));
    }
}

#[cfg(test)]
mod tests {
    use super::FlushSubnormals;
    use std::hint::black_box;

    #[test]
    fn subnormals_flush_inside_the_guard_and_not_outside() {
        let tiny = black_box(1e-20f32);
        assert!(tiny * tiny > 0.0, "IEEE arithmetic gives a subnormal");
        {
            let _flush = FlushSubnormals::new();
            let product = black_box(tiny) * black_box(tiny);
            if cfg!(target_arch = "x86_64") {
                assert_eq!(product, 0.0);
                assert_eq!(black_box(f32::MIN_POSITIVE / 4.0) * 1.0, 0.0);
            }
        }
        assert!(black_box(tiny) * black_box(tiny) > 0.0, "restored on drop");
    }
}
