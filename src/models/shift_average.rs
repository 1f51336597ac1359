//! Test-time augmentation for the reader: a classifier's probabilities
//! averaged over the crop and its four one-pixel shifts. A crop cut from a
//! photo is never centred exactly as the training rows were; averaging over
//! small shifts makes the answer depend less on where the box happened to
//! fall. Measured on rows no model trained on (docs/cnn.md): the shipped
//! CNN reads the 130 real NIST letters 91.5 → 93.8 %, unseen EMNIST rows
//! 91.1 → 91.5 %, the stand-in's test split 92.3 → 92.4 %, for five times
//! the classification work. Crops cut from pages are read over shifts up
//! and down and leaned both ways instead ([`PageAveraged`]).

use super::Predict;
use crate::data::IMAGE_SIDE;
use ndarray::{s, Array2, ArrayView2, Axis};

/// The shifts averaged over, (x, y) in pixels: none, then one each way.
pub const SHIFTS: [(isize, isize); 5] = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)];

/// `model`, answering with probabilities averaged over [`SHIFTS`].
#[derive(Clone, Copy, Debug)]
pub struct ShiftAveraged<'a, M: ?Sized>(pub &'a M);

impl<M: Predict + ?Sized> Predict for ShiftAveraged<'_, M> {
    fn predict_outputs(&self, x: ArrayView2<f32>) -> Array2<f32> {
        averaged(self.0, x, &SHIFTS, &[])
    }
    fn has_touching(&self) -> bool {
        self.0.has_touching()
    }
}

/// How far each crop of a page is also leaned, either way (x moves by this
/// times the rows from the middle): a letter's own slant strays from its
/// line's, which the crop undoes.
pub const PAGE_SHEAR: f32 = 0.15;

/// The shifts a page's crops are averaged over besides the leans: none,
/// then one pixel up and down (a lean already moves the crop's rows
/// sideways).
pub const PAGE_SHIFTS: [(isize, isize); 3] = [(0, 0), (0, 1), (0, -1)];

/// `model`, answering for crops cut from a page: probabilities averaged over
/// the crop's [`PAGE_SHIFTS`] and the crop leaned by ±[`PAGE_SHEAR`], five
/// classifications a crop, as many as [`ShiftAveraged`]'s. Measured
/// (docs/ocr-photos.md): generated pages read better, most on the
/// strongest (+0.5 points on average over three seeds); rows of upright
/// letters do not (the 130 real letters 93.8 → 93.1 % with the leans added
/// to the shifts), so single letters are read with [`ShiftAveraged`].
#[derive(Clone, Copy, Debug)]
pub struct PageAveraged<'a, M: ?Sized>(pub &'a M);

impl<M: Predict + ?Sized> Predict for PageAveraged<'_, M> {
    fn predict_outputs(&self, x: ArrayView2<f32>) -> Array2<f32> {
        averaged(self.0, x, &PAGE_SHIFTS, &[PAGE_SHEAR, -PAGE_SHEAR])
    }
    fn has_touching(&self) -> bool {
        self.0.has_touching()
    }
}

/// Rows of `x` whose variants are classified in one call: one batch
/// instead of five keeps the cores busy on a page's few dozen crops, and
/// bounds the memory of the variants for a whole test split.
const ROWS_AT_ONCE: usize = 512;

/// `model`'s outputs for `x` averaged over `x` moved by each of `shifts`
/// (the first being none) and leaned by each of `shears`. The variants of
/// [`ROWS_AT_ONCE`] rows are classified together, stacked one under the
/// other; a row's outputs do not depend on the rows beside it, and the
/// variants are summed in the order listed, so the average is the same.
fn averaged<M: Predict + ?Sized>(
    model: &M,
    x: ArrayView2<f32>,
    shifts: &[(isize, isize)],
    shears: &[f32],
) -> Array2<f32> {
    if x.nrows() == 0 {
        return model.predict_outputs(x);
    }
    let variants = shifts.len() + shears.len();
    let mut parts = Vec::new();
    for rows in x.axis_chunks_iter(Axis(0), ROWS_AT_ONCE) {
        let mut moved = Vec::with_capacity(variants - 1);
        for &(dx, dy) in &shifts[1..] {
            moved.push(shifted(rows, dx, dy));
        }
        for &shear in shears {
            moved.push(sheared(rows, shear));
        }
        let mut views = vec![rows.view()];
        views.extend(moved.iter().map(|v| v.view()));
        let all = model.predict_outputs(
            ndarray::concatenate(Axis(0), &views)
                .expect("variants of the same rows")
                .view(),
        );
        let n = rows.nrows();
        let mut sum = all.slice(s![0..n, ..]).to_owned();
        for v in 1..variants {
            sum += &all.slice(s![v * n..(v + 1) * n, ..]);
        }
        parts.push(sum / variants as f32);
    }
    if parts.len() == 1 {
        return parts.pop().expect("one part");
    }
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    ndarray::concatenate(Axis(0), &views).expect("outputs of the same model")
}

/// Rows of stored (column-major) 32×32 pixels leaned: the pixel at upright
/// (row, column) comes from column − `shear` × (row − middle), interpolated
/// along the row; what comes in from outside the frame is white paper.
/// Rows of another length are not images and come back unchanged.
pub fn sheared(x: ArrayView2<f32>, shear: f32) -> Array2<f32> {
    let side = IMAGE_SIDE;
    let mut out = Array2::<f32>::ones(x.raw_dim());
    if x.ncols() != side * side {
        out.assign(&x);
        return out;
    }
    let middle = (side as f32 - 1.0) / 2.0;
    for (from, mut to) in x.rows().into_iter().zip(out.rows_mut()) {
        let at = |col: f32, row: usize| {
            if (0.0..side as f32).contains(&col) {
                from[col as usize * side + row]
            } else {
                1.0
            }
        };
        for row in 0..side {
            let offset = -shear * (row as f32 - middle);
            for col in 0..side {
                let source = col as f32 + offset;
                let left = source.floor();
                let f = source - left;
                to[col * side + row] = at(left, row) * (1.0 - f) + at(left + 1.0, row) * f;
            }
        }
    }
    out
}

/// Rows of stored (column-major) 32×32 pixels moved by `dx` columns and
/// `dy` rows; what comes in from outside the frame is white paper (1.0).
/// Rows of another length are not images and come back unchanged.
pub fn shifted(x: ArrayView2<f32>, dx: isize, dy: isize) -> Array2<f32> {
    let side = IMAGE_SIDE as isize;
    let mut out = Array2::<f32>::ones(x.raw_dim());
    if x.ncols() != IMAGE_SIDE * IMAGE_SIDE {
        out.assign(&x);
        return out;
    }
    for (from, mut to) in x.rows().into_iter().zip(out.rows_mut()) {
        for col in 0..side {
            let src_col = col - dx;
            if !(0..side).contains(&src_col) {
                continue;
            }
            for row in 0..side {
                let src_row = row - dy;
                if (0..side).contains(&src_row) {
                    to[(col * side + row) as usize] = from[(src_col * side + src_row) as usize];
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One dark pixel at upright (row 5, column 7) moves to (5, 8) with dx = 1.
    #[test]
    fn a_shift_moves_ink_and_brings_in_white() {
        let pixels = IMAGE_SIDE * IMAGE_SIDE;
        let mut x = Array2::<f32>::ones((1, pixels));
        x[[0, 7 * IMAGE_SIDE + 5]] = 0.0;
        x[[0, 5]] = 0.25; // column 0, row 5: moves to column 1
        let s = shifted(x.view(), 1, 0);
        assert_eq!(s[[0, 8 * IMAGE_SIDE + 5]], 0.0);
        assert_eq!(s[[0, 7 * IMAGE_SIDE + 5]], 1.0);
        assert_eq!(s[[0, IMAGE_SIDE + 5]], 0.25);
        assert_eq!(s[[0, 5]], 1.0, "column 0 is filled with white");
        let down = shifted(x.view(), 0, 1);
        assert_eq!(down[[0, 7 * IMAGE_SIDE + 6]], 0.0);
        assert_eq!(down[[0, 7 * IMAGE_SIDE]], 1.0, "row 0 is filled with white");
    }

    /// A vertical stroke leaned by 0.25 runs from column 12 at the top row
    /// to column 20 at the bottom (middle row 15.5, 15.5 × 0.25 ≈ 3.9); it
    /// stays put in the middle, and unleaned it is unchanged.
    #[test]
    fn a_shear_leans_a_vertical_stroke() {
        let side = IMAGE_SIDE;
        let mut x = Array2::<f32>::ones((1, side * side));
        for row in 0..side {
            x[[0, 16 * side + row]] = 0.0;
        }
        let darkest = |s: &Array2<f32>, row: usize| {
            (0..side)
                .min_by(|&a, &b| s[[0, a * side + row]].total_cmp(&s[[0, b * side + row]]))
                .expect("columns")
        };
        let leaned = sheared(x.view(), 0.25);
        assert_eq!(darkest(&leaned, 0), 12);
        assert_eq!(darkest(&leaned, 31), 20);
        assert_eq!(darkest(&leaned, 15), 16);
        assert!(leaned.row(0).iter().all(|&v| (0.0..=1.0).contains(&v)));
        assert_eq!(sheared(x.view(), 0.0), x);
    }

    /// A model that answers with the row's mean ink: averaging over shifts
    /// of a row whose ink stays inside the frame changes nothing.
    #[test]
    fn averaging_a_shift_invariant_model_changes_nothing() {
        struct Mean;
        impl Predict for Mean {
            fn predict_outputs(&self, x: ArrayView2<f32>) -> Array2<f32> {
                let m = x.mean_axis(ndarray::Axis(1)).expect("columns");
                let mut p = Array2::<f32>::zeros((x.nrows(), 2));
                p.column_mut(0).assign(&m);
                p.column_mut(1).assign(&m.mapv(|v| 1.0 - v));
                p
            }
        }
        let mut x = Array2::<f32>::ones((2, IMAGE_SIDE * IMAGE_SIDE));
        x[[0, 10 * IMAGE_SIDE + 10]] = 0.0;
        x[[1, 20 * IMAGE_SIDE + 3]] = 0.5;
        let plain = Mean.predict_proba(x.view());
        let averaged = ShiftAveraged(&Mean).predict_proba(x.view());
        for (a, b) in plain.iter().zip(averaged.iter()) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    /// Classifying the variants stacked in one batch, more rows than
    /// `ROWS_AT_ONCE`, gives bit for bit the average of classifying each
    /// variant alone, summed in the order listed.
    #[test]
    fn stacked_variants_average_as_each_alone() {
        /// Outputs that depend on where the ink is: the ink-weighted mean
        /// of the pixel index, and of its square.
        struct Where;
        impl Predict for Where {
            fn predict_outputs(&self, x: ArrayView2<f32>) -> Array2<f32> {
                let mut out = Array2::<f32>::zeros((x.nrows(), 2));
                for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
                    for (i, &v) in row.iter().enumerate() {
                        o[0] += (1.0 - v) * i as f32;
                        o[1] += (1.0 - v) * (i * i) as f32 / 1024.0;
                    }
                }
                out
            }
        }
        let pixels = IMAGE_SIDE * IMAGE_SIDE;
        let n = ROWS_AT_ONCE + 88;
        let x = Array2::from_shape_fn((n, pixels), |(r, i)| ((r * 7 + i * 13) % 17) as f32 / 16.0);
        let stacked = PageAveraged(&Where).predict_outputs(x.view());
        let mut sum = Where.predict_outputs(x.view());
        for &(dx, dy) in &PAGE_SHIFTS[1..] {
            sum += &Where.predict_outputs(shifted(x.view(), dx, dy).view());
        }
        for shear in [PAGE_SHEAR, -PAGE_SHEAR] {
            sum += &Where.predict_outputs(sheared(x.view(), shear).view());
        }
        assert_eq!(stacked, sum / 5.0);
        let none = Array2::<f32>::zeros((0, pixels));
        assert_eq!(
            PageAveraged(&Where).predict_outputs(none.view()).dim(),
            (0, 2)
        );
    }
}
