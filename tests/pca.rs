//! PCA, the autoencoder's linear baseline: exact on data of known low rank,
//! orthonormal and ordered components, PSNR as a direct computation gives it,
//! and one sentence for impossible fits.

mod common;

use common::{fixture, random};
use gradink::data::load_split;
use gradink::models::{Pca, PcaError};
use gradink::train_autoencoder::psnr;
use ndarray::{Array1, Array2, Axis};

/// `n` images of `pixels` pixels lying on a `rank`-dimensional affine
/// subspace (fixed by `subspace`): an offset plus random combinations
/// (drawn from `draw`) of `rank` random directions.
fn low_rank(n: usize, pixels: usize, rank: usize, subspace: u64, draw: u64) -> Array2<f32> {
    let weights = random(n, rank, -1.0, 1.0, draw);
    let directions = random(rank, pixels, -0.2, 0.2, subspace);
    let offset = random(1, pixels, 0.3, 0.7, subspace + 1);
    (weights.dot(&directions) + offset).mapv(|v| v as f32)
}

#[test]
fn data_of_rank_k_is_reconstructed_exactly_with_k_components() {
    let train = low_rank(200, 64, 5, 1, 10);
    let pca = Pca::fit(train.view(), 5).unwrap();
    // Images from the same subspace but not in the fit are drawn back too.
    let unseen = low_rank(50, 64, 5, 1, 11);
    for images in [&train, &unseen] {
        let back = pca.reconstruct(images.view());
        let worst = (&back - images).fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(worst < 1e-4, "largest reconstruction error {worst}");
        assert!(pca.mean_psnr(images.view()) > 70.0);
    }
    // Fewer components than the rank cannot be exact.
    let short = Pca::fit(train.view(), 4).unwrap();
    let back = short.reconstruct(train.view());
    let worst = (&back - &train).fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(
        worst > 1e-2,
        "4 components of rank-5 data: error only {worst}"
    );
}

#[test]
fn components_are_orthonormal_and_ordered_by_variance() {
    let x = random(300, 40, 0.0, 1.0, 7).mapv(|v| v as f32);
    let pca = Pca::fit(x.view(), 10).unwrap();
    let gram = pca.basis.t().dot(&pca.basis);
    for ((i, j), &g) in gram.indexed_iter() {
        let expected = if i == j { 1.0 } else { 0.0 };
        assert!((g - expected).abs() < 1e-4, "BᵀB[{i},{j}] = {g}");
    }
    assert!(pca.variances.windows(2).all(|w| w[0] >= w[1]));
    // Each variance is the variance of the training codes along that component.
    let codes = pca.encode(x.view()).mapv(f64::from);
    for (j, &v) in pca.variances.iter().enumerate() {
        let c = codes.column(j);
        let measured = c.dot(&c) / (x.nrows() - 1) as f64;
        assert!(
            (measured - v).abs() < 1e-4 * v.max(1.0),
            "{measured} vs {v}"
        );
    }
    // The codes of the training data have zero mean.
    let code_mean = codes.mean_axis(Axis(0)).unwrap();
    assert!(code_mean.iter().all(|m| m.abs() < 1e-4), "{code_mean}");
}

#[test]
fn all_components_reconstruct_anything() {
    let x = random(30, 12, 0.0, 1.0, 3).mapv(|v| v as f32);
    let other = random(8, 12, 0.0, 1.0, 4).mapv(|v| v as f32);
    let pca = Pca::fit(x.view(), 12).unwrap();
    let back = pca.reconstruct(other.view());
    let worst = (&back - &other).fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(worst < 1e-4, "{worst}");
}

#[test]
fn mean_psnr_is_the_mean_of_a_direct_per_image_computation() {
    let split = load_split(fixture(), "valid").unwrap();
    // The first 256 pixels (8 of the 32 columns) keep the eigenproblem small.
    let (fit, score) = (
        split.images.slice(ndarray::s![..100, ..256]),
        split.images.slice(ndarray::s![100.., ..256]),
    );
    let pca = Pca::fit(fit, 8).unwrap();
    let back = pca.reconstruct(score);
    // By hand: x̂ = μ + (x − μ)·B·Bᵀ, then 10·log10(1/MSE) per image.
    let mean: Array1<f64> = fit.mapv(f64::from).mean_axis(Axis(0)).unwrap();
    let b = pca.basis.mapv(f64::from);
    let mut direct = 0.0;
    for (k, x) in score.rows().into_iter().enumerate() {
        let x = x.mapv(f64::from);
        let xhat = &mean + &b.dot(&b.t().dot(&(&x - &mean)));
        let mse = (&x - &xhat).mapv(|d| d * d).mean().unwrap();
        direct += -10.0 * mse.log10();
        assert!((psnr(score.row(k), back.row(k)) - -10.0 * mse.log10()).abs() < 1e-3);
    }
    direct /= score.nrows() as f64;
    let measured = pca.mean_psnr(score);
    assert!(
        (measured - direct).abs() < 1e-3,
        "mean_psnr {measured} vs direct {direct}"
    );
    // More components never reconstruct the fitted images worse.
    let more = Pca::fit(fit, 16).unwrap();
    assert!(more.mean_psnr(fit) > pca.mean_psnr(fit));
}

#[test]
fn same_data_same_components() {
    let x = random(100, 30, 0.0, 1.0, 9).mapv(|v| v as f32);
    let (a, b) = (
        Pca::fit(x.view(), 6).unwrap(),
        Pca::fit(x.view(), 6).unwrap(),
    );
    assert_eq!(a.basis, b.basis);
    assert_eq!(a.mean, b.mean);
}

#[test]
fn impossible_fits_are_errors_not_panics() {
    let x = random(10, 8, 0.0, 1.0, 2).mapv(|v| v as f32);
    assert_eq!(
        Pca::fit(x.view(), 0).unwrap_err(),
        PcaError::BadCodeSize { k: 0, pixels: 8 }
    );
    assert_eq!(
        Pca::fit(x.view(), 9).unwrap_err(),
        PcaError::BadCodeSize { k: 9, pixels: 8 }
    );
    assert_eq!(
        Pca::fit(x.slice(ndarray::s![..1, ..]), 2).unwrap_err(),
        PcaError::TooFewImages(1)
    );
    let mut bad = x.clone();
    bad[[3, 4]] = f32::NAN;
    assert_eq!(Pca::fit(bad.view(), 2).unwrap_err(), PcaError::NotFinite);
    assert!(PcaError::BadCodeSize { k: 9, pixels: 8 }
        .to_string()
        .contains("choose 1 to 8"));
}
