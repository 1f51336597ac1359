//! e^x for f32 without branches or library calls, so that a loop over an
//! array compiles to SIMD instructions, and the logistic function built on
//! it. libm's `expf` is one call per element; in the autoencoder's output
//! sigmoid (36 × 1024 values per step) that call was a sixth of an epoch.
//!
//! The method is the classic one (Cody & Waite range reduction, then a
//! polynomial, as in Cephes' `expf`): write x = n·ln 2 + r with n an integer
//! and |r| ≤ ln 2 / 2, so e^x = 2^n · e^r; e^r comes from a degree-6
//! polynomial and 2^n from the exponent bits. Relative error: within 2 ulp
//! of the exact value over the whole range (the test measures it against
//! f64).

use super::simd::widest;

/// Below this the result is 0 (e^−86 ≈ 4.5·10⁻³⁸, near f32's smallest
/// normal number; nothing here needs the subnormals under it).
const LOWEST: f32 = -86.0;
/// Above this e^x overflows f32 (ln of the largest f32 is 88.7228): +∞.
const HIGHEST: f32 = 88.72;

/// ln 2 split in two so that n·LN2_HI is exact in f32 (its low bits are zero).
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;

/// Adding and subtracting 1.5·2^23 rounds an f32 of magnitude below 2^22 to
/// the nearest integer, with two additions that vectorise everywhere.
const ROUND: f32 = 12_582_912.0;

/// Minimax coefficients for (e^r − 1 − r) / r² on |r| ≤ ln 2 / 2 (Cephes).
const P: [f32; 6] = [
    1.987_569_1e-4,
    1.398_199_9e-3,
    8.333_452e-3,
    4.166_579_6e-2,
    1.666_666_5e-1,
    0.5,
];

/// e^x in f32, NaN in, NaN out.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    // `max`/`min` and the selects below compile to SIMD instructions, not
    // branches. `max` drops a NaN (`clamp` would keep it), so everything up
    // to `y` is finite.
    #[allow(clippy::manual_clamp)]
    let clamped = x.max(LOWEST).min(HIGHEST);
    let n = (clamped * std::f32::consts::LOG2_E + ROUND) - ROUND;
    let r = clamped - n * LN2_HI - n * LN2_LO;
    let r2 = r * r;
    let poly = ((((P[0] * r + P[1]) * r + P[2]) * r + P[3]) * r + P[4]) * r + P[5];
    let e_r = poly * r2 + r + 1.0;
    // 2^n from the exponent field, as 2^(n−1)·2: n lies in [−124, 128] and
    // 2^128 alone is not an f32, though e^r·2^128 can be (e^r < 1 there).
    // SAFETY: n is a whole number in [−124, 128] (clamped is finite and in
    // range), so the conversion is exact; a plain `as` would add the
    // saturating checks that stop the loop from vectorising.
    let n = unsafe { n.to_int_unchecked::<i32>() };
    let half_two_n = f32::from_bits(((n + 126) as u32) << 23);
    let y = e_r * half_two_n * 2.0;
    let y = if x < LOWEST { 0.0 } else { y };
    let y = if x > HIGHEST { f32::INFINITY } else { y };
    if x.is_nan() {
        x
    } else {
        y
    }
}

/// 1 / (1 + e^−x) for every element, in place, on the widest SIMD unit
/// (`simd::widest`: AVX-512 halves AVX2's time on the autoencoder's output).
pub fn sigmoid_in_place(xs: &mut [f32]) {
    widest(|| sigmoid_loop(xs));
}

/// e^x for every element, in place, on the widest SIMD unit.
pub fn exp_in_place(xs: &mut [f32]) {
    widest(|| exp_loop(xs));
}

#[inline(always)]
fn exp_loop(xs: &mut [f32]) {
    for x in xs {
        *x = exp(*x);
    }
}

#[inline(always)]
fn sigmoid_loop(xs: &mut [f32]) {
    for x in xs {
        *x = 1.0 / (1.0 + exp(-*x));
    }
}

#[cfg(test)]
mod tests {
    use super::{exp, exp_in_place, exp_loop, sigmoid_in_place, sigmoid_loop};

    /// Distance in units in the last place between an f32 and the exact value.
    fn ulps(got: f32, exact: f64) -> f64 {
        let nearest = exact as f32;
        let ulp = (f32::from_bits(nearest.to_bits() + 1) - nearest) as f64;
        (got as f64 - exact).abs() / ulp
    }

    #[test]
    fn within_two_ulp_over_the_whole_range() {
        let mut worst: f64 = 0.0;
        let mut x = -86.0f32;
        while x < 88.72 {
            worst = worst.max(ulps(exp(x), (x as f64).exp()));
            x += 0.000_731;
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
    }

    #[test]
    fn sigmoid_matches_f64_and_saturates() {
        let mut xs: Vec<f32> = (-2000..=2000).map(|i| i as f32 * 0.05).collect();
        xs.extend([-1000.0, 1000.0, f32::NEG_INFINITY, f32::INFINITY]);
        let mut ys = xs.clone();
        sigmoid_in_place(&mut ys);
        for (&x, &y) in xs.iter().zip(&ys) {
            let exact = 1.0 / (1.0 + (-(x as f64)).exp());
            // Relative, except far left where e^−x overflows f32 and σ is 0 (so in libm's expf too).
            let tolerance = 2e-7 * exact + 1e-37;
            assert!(
                (y as f64 - exact).abs() <= tolerance,
                "σ({x}) = {y}, not {exact}"
            );
        }
        // The SIMD and plain loops agree bit for bit.
        let mut plain = xs.clone();
        sigmoid_loop(&mut plain);
        assert_eq!(plain, ys);
    }

    #[test]
    fn exp_in_place_is_exp_on_every_element() {
        let xs: Vec<f32> = (-300..=300).map(|i| i as f32 * 0.29).collect();
        let mut ys = xs.clone();
        exp_in_place(&mut ys);
        let mut plain = xs.clone();
        exp_loop(&mut plain);
        assert_eq!(plain, ys);
        assert!(xs.iter().zip(&ys).all(|(&x, &y)| y == exp(x)));
    }

    #[test]
    fn edges() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-1000.0), 0.0);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp(1000.0), f32::INFINITY);
        assert_eq!(exp(f32::INFINITY), f32::INFINITY);
        assert!(exp(f32::NAN).is_nan());
        assert!((exp(88.72) as f64 / (88.72f32 as f64).exp() - 1.0).abs() < 1e-6);
        assert!((exp(-86.0) as f64 / (-86f64).exp() - 1.0).abs() < 1e-6);
    }
}
