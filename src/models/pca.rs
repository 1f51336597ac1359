//! Principal component analysis: the best *linear* code of a given size, the
//! baseline an autoencoder with the same code size has to beat.
//!
//! ```text
//! μ = mean of the rows of X              C = (X − μ)ᵀ(X − μ) / (n − 1)
//! B = the k eigenvectors of C with the largest eigenvalues (pixels × k, orthonormal columns)
//! code(x) = (x − μ)·B        x̂ = μ + code(x)·Bᵀ
//! ```
//!
//! Among all reconstructions through k numbers that are affine in x, this
//! one has the least total squared error on the data it was fitted on. The
//! covariance is accumulated in f64 and decomposed by nalgebra's symmetric
//! eigensolver (Householder tridiagonalisation, then implicit QR).

use crate::functional as F;
use crate::train_autoencoder::psnr;
use nalgebra::{DMatrix, SymmetricEigen};
use ndarray::{s, Array1, Array2, ArrayView2, Axis};

/// Why a fit is impossible.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PcaError {
    #[error("PCA needs at least 2 images, got {0}")]
    TooFewImages(usize),
    #[error("PCA with {k} components of {pixels}-pixel images: choose 1 to {pixels} components")]
    BadCodeSize { k: usize, pixels: usize },
    #[error("PCA: the images hold NaN or infinite values")]
    NotFinite,
    #[error("PCA: the eigensolver did not converge")]
    NoConvergence,
}

/// A fitted PCA: the mean image and the leading principal directions.
#[derive(Clone, Debug)]
pub struct Pca {
    /// The mean of the training rows (one value per pixel).
    pub mean: Array1<f32>,
    /// pixels × k, orthonormal columns, the direction of largest variance first.
    pub basis: Array2<f32>,
    /// The variance of the training data along each column of `basis`
    /// (eigenvalues of the covariance, largest first).
    pub variances: Vec<f64>,
}

impl Pca {
    /// Fits `k` components to the rows of `images` (one image per row).
    pub fn fit(images: ArrayView2<f32>, k: usize) -> Result<Pca, PcaError> {
        let (n, pixels) = images.dim();
        if n < 2 {
            return Err(PcaError::TooFewImages(n));
        }
        if k == 0 || k > pixels {
            return Err(PcaError::BadCodeSize { k, pixels });
        }
        if images.iter().any(|v| !v.is_finite()) {
            return Err(PcaError::NotFinite);
        }
        let x = images.mapv(f64::from);
        let mean = x.mean_axis(Axis(0)).expect("at least two rows");
        let centred = &x - &mean;
        let cov = centred.t().dot(&centred) / (n - 1) as f64;
        // Symmetric, so row-major and column-major read the same.
        let cov = DMatrix::from_row_slice(pixels, pixels, cov.as_slice().expect("standard layout"));
        let max_iterations = 1000 * pixels;
        let eigen = SymmetricEigen::try_new(cov, f64::EPSILON, max_iterations)
            .ok_or(PcaError::NoConvergence)?;
        let mut order: Vec<usize> = (0..pixels).collect();
        order.sort_by(|&a, &b| eigen.eigenvalues[b].total_cmp(&eigen.eigenvalues[a]));
        let mut basis = Array2::<f32>::zeros((pixels, k));
        for (j, &i) in order[..k].iter().enumerate() {
            let v = eigen.eigenvectors.column(i);
            // An eigenvector's sign is arbitrary: make its largest entry positive.
            let largest = v
                .iter()
                .fold(0.0f64, |m, &a| if a.abs() > m.abs() { a } else { m });
            let sign = if largest < 0.0 { -1.0 } else { 1.0 };
            for p in 0..pixels {
                basis[[p, j]] = (sign * v[p]) as f32;
            }
        }
        Ok(Pca {
            mean: mean.mapv(|v| v as f32),
            basis,
            variances: order[..k].iter().map(|&i| eigen.eigenvalues[i]).collect(),
        })
    }

    /// The number of components (the code size).
    pub fn components(&self) -> usize {
        self.basis.ncols()
    }

    /// The k-number code of each row: (x − μ)·B.
    pub fn encode(&self, images: ArrayView2<f32>) -> Array2<f32> {
        assert_eq!(
            images.ncols(),
            self.mean.len(),
            "pca encode: images of {} pixels, fitted on {}",
            images.ncols(),
            self.mean.len()
        );
        let centred = &images - &self.mean;
        F::matmul(centred.view(), self.basis.view())
    }

    /// Images drawn back from their codes: μ + code·Bᵀ.
    pub fn decode(&self, codes: ArrayView2<f32>) -> Array2<f32> {
        let mut images = F::matmul(codes, self.basis.t());
        images += &self.mean;
        images
    }

    /// Each row projected onto the k components and drawn again.
    pub fn reconstruct(&self, images: ArrayView2<f32>) -> Array2<f32> {
        self.decode(self.encode(images).view())
    }

    /// The mean over rows of each row's PSNR (peak 1), as for the autoencoder.
    pub fn mean_psnr(&self, images: ArrayView2<f32>) -> f64 {
        const CHUNK: usize = 1024;
        let n = images.nrows();
        let mut sum = 0.0;
        for start in (0..n).step_by(CHUNK) {
            let x = images.slice(s![start..(start + CHUNK).min(n), ..]);
            let y = self.reconstruct(x);
            sum += x
                .rows()
                .into_iter()
                .zip(y.rows())
                .map(|(a, b)| psnr(a, b))
                .sum::<f64>();
        }
        sum / n.max(1) as f64
    }
}
