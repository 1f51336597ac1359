//! The matrix products the models make, each timed through
//! `gradink::functional::matmul` (the AVX-512 tiles where the CPU has them)
//! and, in the same run, through `matmul_gemm`, the gemm crate alone (what
//! every product went through before the tiles, and still does without
//! AVX-512).
//!
//! ```sh
//! cargo bench --bench products
//! ```
//!
//! Each time is the median of 7 rounds of repeated products (about 0.2 s of
//! work per round), the output allocated each time, unfilled, as the engine
//! does.

use gradink::functional::{matmul, matmul_gemm};
use ndarray::{Array2, ArrayView2};
use std::time::Instant;

fn filled(rows: usize, cols: usize, seed: usize) -> Array2<f32> {
    Array2::from_shape_fn((rows, cols), |(i, j)| {
        (((i * 31 + j * 17 + seed) % 97) as f32 - 48.0) / 37.0
    })
}

/// Median seconds per call of `f` over 7 rounds.
fn median_seconds(flop: f64, f: &dyn Fn() -> Array2<f32>) -> f64 {
    let reps = (2e8 / flop) as usize + 1;
    let mut rounds: Vec<f64> = (0..7)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..reps {
                std::hint::black_box(f());
            }
            started.elapsed().as_secs_f64() / reps as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[3]
}

fn main() {
    let x = filled(32, 1024, 1);
    let w1 = filled(1024, 64, 2);
    let dz = filled(32, 64, 3);
    let w2 = filled(64, 36, 4);
    let dl = filled(32, 36, 5);
    let xa = filled(36, 1024, 6);
    let we = filled(1024, 32, 7);
    let h = filled(36, 32, 8);
    let wd = filled(32, 1024, 9);
    let dy = filled(36, 1024, 10);
    let dh = filled(36, 32, 11);
    let square = filled(512, 512, 12);
    type Case<'a> = (&'a str, ArrayView2<'a, f32>, ArrayView2<'a, f32>);
    let cases: [Case; 9] = [
        ("classifier x·W₁", x.view(), w1.view()),
        ("classifier xᵀ·∂Z₁", x.t(), dz.view()),
        ("classifier ∂L·W₂ᵀ", dl.view(), w2.t()),
        ("autoencoder x·W₁", xa.view(), we.view()),
        ("autoencoder h₃·W₄", h.view(), wd.view()),
        ("autoencoder h₃ᵀ·∂Z₄", h.t(), dy.view()),
        ("autoencoder ∂Z₄·W₄ᵀ", dy.view(), wd.t()),
        ("autoencoder xᵀ·∂Z₁", xa.t(), dh.view()),
        ("square (reference)", square.view(), square.view()),
    ];
    println!(
        "{:<22} {:>16} {:>9} {:>8} {:>9} {:>8} {:>8}",
        "product", "m×k×n", "gradink", "GFLOP/s", "gemm", "GFLOP/s", "speed-up"
    );
    for (name, a, b) in cases {
        let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
        let flop = 2.0 * (m * k * n) as f64;
        let ours = median_seconds(flop, &|| matmul(a, b));
        let theirs = median_seconds(flop, &|| matmul_gemm(a, b));
        println!(
            "{name:<22} {:>16} {:>7.1}µs {:>8.0} {:>7.1}µs {:>8.0} {:>7.2}×",
            format!("{m}×{k}×{n}"),
            ours * 1e6,
            flop / ours / 1e9,
            theirs * 1e6,
            flop / theirs / 1e9,
            theirs / ours
        );
    }
}
