//! Training-set augmentation: extra copies of each 32×32 row, each warped by
//! a small random affine map (rotation, shear, scale, shift), so the
//! classifier sees characters of varying size, slant and position, as real
//! handwriting (and a photo's crops) have. Rows stay in the stored
//! column-major layout; pixels brought in from outside the frame are white.

use crate::data::{Split, IMAGE_SIDE};
use ndarray::{Array2, ArrayView1};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The largest warp applied.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Jitter {
    /// Rotation, ± degrees.
    pub rotate_deg: f32,
    /// Horizontal shear, ± (x += shear · y).
    pub shear: f32,
    /// Scale factor drawn from this range.
    pub scale: (f32, f32),
    /// Translation, ± pixels in x and y.
    pub shift: f32,
}

impl Default for Jitter {
    fn default() -> Self {
        Jitter {
            rotate_deg: 10.0,
            shear: 0.2,
            scale: (0.75, 1.05),
            shift: 2.0,
        }
    }
}

/// `split` followed by `copies` warped copies of every row (labels repeated).
pub fn augment(split: &Split, copies: usize, jitter: Jitter, seed: u64) -> Split {
    let n = split.len();
    let pixels = IMAGE_SIDE * IMAGE_SIDE;
    let mut images = Array2::<f32>::zeros((n * (copies + 1), pixels));
    images.slice_mut(ndarray::s![..n, ..]).assign(&split.images);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut labels = split.labels.clone();
    for copy in 0..copies {
        for (i, row) in split.images.rows().into_iter().enumerate() {
            let warped = warp(row, random_map(&mut rng, jitter));
            images
                .row_mut((copy + 1) * n + i)
                .assign(&ArrayView1::from(&warped));
            labels.push(split.labels[i]);
        }
    }
    Split {
        images,
        labels,
        classes: split.classes,
    }
}

/// A 2×2 linear map and a shift, output = A·(p − c) + c + t.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Affine {
    pub a: [[f32; 2]; 2],
    pub t: [f32; 2],
}

fn random_map(rng: &mut impl Rng, j: Jitter) -> Affine {
    let angle = rng.random_range(-j.rotate_deg..=j.rotate_deg).to_radians();
    let shear = rng.random_range(-j.shear..=j.shear);
    let scale = rng.random_range(j.scale.0..=j.scale.1);
    let (sin, cos) = angle.sin_cos();
    // scale · rotation · shear, in (x, y) order.
    let a = [
        [scale * cos, scale * (cos * shear - sin)],
        [scale * sin, scale * (sin * shear + cos)],
    ];
    let t = [
        rng.random_range(-j.shift..=j.shift),
        rng.random_range(-j.shift..=j.shift),
    ];
    Affine { a, t }
}

/// Warps one stored row by `map` with bilinear sampling (white outside).
pub fn warp(row: ArrayView1<f32>, map: Affine) -> Vec<f32> {
    let side = IMAGE_SIDE;
    let c = (side as f32 - 1.0) / 2.0;
    let [[a, b], [cc, d]] = map.a;
    let det = a * d - b * cc;
    let inv = [[d / det, -b / det], [-cc / det, a / det]];
    // Stored index x·32 + y holds upright pixel (row y, column x).
    let at = |x: isize, y: isize| -> f32 {
        if x < 0 || y < 0 || x >= side as isize || y >= side as isize {
            1.0
        } else {
            row[x as usize * side + y as usize]
        }
    };
    let mut out = vec![1.0f32; side * side];
    for x in 0..side {
        for y in 0..side {
            let (px, py) = (x as f32 - c - map.t[0], y as f32 - c - map.t[1]);
            let sx = inv[0][0] * px + inv[0][1] * py + c;
            let sy = inv[1][0] * px + inv[1][1] * py + c;
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as isize, y0 as isize);
            let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
            let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
            out[x * side + y] = top * (1.0 - fy) + bottom * fy;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identity_map_changes_nothing_and_a_shift_moves_ink() {
        let mut row = vec![1.0f32; 1024];
        row[10 * 32 + 12] = 0.0; // upright (row 12, column 10)
        let view = ArrayView1::from(&row);
        let same = warp(
            view,
            Affine {
                a: [[1.0, 0.0], [0.0, 1.0]],
                t: [0.0, 0.0],
            },
        );
        assert_eq!(same, row);
        let moved = warp(
            view,
            Affine {
                a: [[1.0, 0.0], [0.0, 1.0]],
                t: [3.0, 0.0],
            },
        );
        assert!(moved[13 * 32 + 12] < 1e-6, "ink moved 3 columns right");
    }

    #[test]
    fn augmenting_keeps_the_originals_and_repeats_labels() {
        let split = Split {
            images: Array2::from_elem((2, 1024), 1.0),
            labels: vec![3, 5],
            classes: 36,
        };
        let big = augment(&split, 2, Jitter::default(), 7);
        assert_eq!(big.len(), 6);
        assert_eq!(big.labels, vec![3, 5, 3, 5, 3, 5]);
        assert!(big.images.iter().all(|&v| (v - 1.0).abs() < 1e-6));
    }
}
