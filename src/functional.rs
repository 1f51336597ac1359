//! Forward computations on plain arrays, without a tape.
//!
//! The tape calls these to compute each node's value, and inference calls them
//! directly, so a model's prediction and its training forward pass are the
//! same arithmetic.

use crate::Scalar;
use ndarray::{linalg::general_mat_mul, Array2, ArrayView2, Axis, Zip};

/// `a · b`. Panics naming both shapes when the inner dimensions differ.
pub fn matmul<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<T> {
    assert_eq!(
        a.ncols(),
        b.nrows(),
        "matmul: shapes {:?} and {:?} do not fit (inner dimensions differ)",
        a.shape(),
        b.shape()
    );
    let mut out = Array2::zeros((a.nrows(), b.ncols()));
    general_mat_mul(T::one(), &a, &b, T::zero(), &mut out);
    out
}

/// `a + b` where `b` is one row (1×D) added to every row of `a` (N×D).
pub fn add_row<T: Scalar>(a: ArrayView2<T>, row: ArrayView2<T>) -> Array2<T> {
    assert!(
        row.nrows() == 1 && row.ncols() == a.ncols(),
        "add: shapes {:?} and {:?} do not broadcast (the bias must be 1×{})",
        a.shape(),
        row.shape(),
        a.ncols()
    );
    &a + &row
}

/// The logistic function 1 / (1 + e^−x), elementwise.
pub fn sigmoid<T: Scalar>(a: ArrayView2<T>) -> Array2<T> {
    a.mapv(|x| T::one() / (T::one() + (-x).exp()))
}

/// max(x, 0), elementwise.
pub fn relu<T: Scalar>(a: ArrayView2<T>) -> Array2<T> {
    a.mapv(|x| if x > T::zero() { x } else { T::zero() })
}

/// Row-wise softmax. The row maximum is subtracted first: softmax is unchanged
/// by a shift, and the largest exponent becomes e^0 = 1, so nothing overflows.
pub fn softmax<T: Scalar>(logits: ArrayView2<T>) -> Array2<T> {
    let mut out = logits.to_owned();
    for mut row in out.rows_mut() {
        let max = row.fold(T::neg_infinity(), |m, &x| m.max(x));
        row.mapv_inplace(|x| (x - max).exp());
        let sum = row.sum();
        row.mapv_inplace(|x| x / sum);
    }
    out
}

/// Mean over rows of −Σ_c y_c log p_c with p = softmax(logits), computed with
/// log-sum-exp so that no log(0) can occur. Returns (loss, softmax).
pub fn softmax_cross_entropy<T: Scalar>(
    logits: ArrayView2<T>,
    targets: ArrayView2<T>,
) -> (T, Array2<T>) {
    assert_eq!(
        logits.shape(),
        targets.shape(),
        "softmax_cross_entropy: logits {:?} and targets {:?} differ in shape",
        logits.shape(),
        targets.shape()
    );
    let mut probs = logits.to_owned();
    let mut total = T::zero();
    Zip::from(probs.rows_mut())
        .and(targets.rows())
        .for_each(|mut row, y| {
            let max = row.fold(T::neg_infinity(), |m, &x| m.max(x));
            let log_sum_exp = max + row.fold(T::zero(), |s, &x| s + (x - max).exp()).ln();
            // −Σ y (x − lse) = lse·Σy − Σ y·x
            total += log_sum_exp * y.sum() - row.dot(&y);
            row.mapv_inplace(|x| (x - log_sum_exp).exp());
        });
    let rows = T::of(logits.nrows().max(1) as f64);
    (total / rows, probs)
}

/// Σ (a − b)², the total squared error.
pub fn squared_error<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>) -> T {
    assert_eq!(
        a.shape(),
        b.shape(),
        "squared_error: prediction {:?} and target {:?} differ in shape",
        a.shape(),
        b.shape()
    );
    Zip::from(&a)
        .and(&b)
        .fold(T::zero(), |s, &x, &y| s + (x - y) * (x - y))
}

/// The index of the largest entry of each row (the predicted class).
pub fn argmax_rows<T: Scalar>(a: ArrayView2<T>) -> Vec<usize> {
    a.axis_iter(Axis(0))
        .map(|row| {
            let mut best = 0;
            for (i, &x) in row.iter().enumerate() {
                if x > row[best] {
                    best = i;
                }
            }
            best
        })
        .collect()
}
