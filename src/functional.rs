//! Forward computations on plain arrays, without a tape.
//!
//! The tape calls these to compute each node's value, and inference calls them
//! directly, so a model's prediction and its training forward pass are the
//! same arithmetic.

use crate::Scalar;
use ndarray::{linalg::general_mat_mul, Array2, ArrayView2, Axis, ShapeBuilder, Zip};

/// `a · b`. Panics naming both shapes when the inner dimensions differ.
pub fn matmul<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>) -> Array2<T> {
    check_matmul_shapes("matmul", a, b);
    let (m, n) = (a.nrows(), b.ncols());
    let mut out: Vec<T> = Vec::with_capacity(m * n);
    // SAFETY: `out` has room for m×n elements; with β = 0 the product writes
    // every one of them without reading them (matrixmultiply's contract), so
    // they are initialised before `set_len`.
    let written = unsafe { gemm_raw(T::one(), a, b, T::zero(), out.as_mut_ptr(), n as isize, 1) };
    if written {
        unsafe { out.set_len(m * n) };
        Array2::from_shape_vec((m, n), out).expect("m×n elements for an m×n array")
    } else {
        let mut c = Array2::zeros((m, n));
        general_mat_mul(T::one(), &a, &b, T::zero(), &mut c);
        c
    }
}

/// `c += a · b`, accumulating into `c` (a gradient buffer) without a temporary.
pub(crate) fn matmul_add<T: Scalar>(a: ArrayView2<T>, b: ArrayView2<T>, c: &mut Array2<T>) {
    check_matmul_shapes("matmul", a, b);
    assert_eq!(
        c.dim(),
        (a.nrows(), b.ncols()),
        "matmul: the output buffer has the wrong shape"
    );
    let (rsc, csc) = (c.strides()[0], c.strides()[1]);
    // SAFETY: `c` is an initialised, uniquely borrowed m×n array with these strides.
    let written = unsafe { gemm_raw(T::one(), a, b, T::one(), c.as_mut_ptr(), rsc, csc) };
    if !written {
        general_mat_mul(T::one(), &a, &b, T::one(), c);
    }
}

fn check_matmul_shapes<T: Scalar>(op: &str, a: ArrayView2<T>, b: ArrayView2<T>) {
    assert_eq!(
        a.ncols(),
        b.nrows(),
        "{op}: shapes {:?} and {:?} do not fit (inner dimensions differ)",
        a.shape(),
        b.shape()
    );
}

/// Operands with at least this many elements are copied into the layout
/// matrixmultiply packs fastest (below it the copy is not worth a call).
const RELAYOUT_MIN: usize = 4096;

/// `a` in column-major order (each column contiguous): element (i, j) at `j·rows + i`.
fn to_column_major<T: Scalar>(a: ArrayView2<T>) -> Vec<T> {
    let (m, k) = a.dim();
    let mut out: Vec<T> = Vec::with_capacity(m * k);
    let dst = out.as_mut_ptr();
    // SAFETY (every write below): i < m and j < k, so j·m + i < m·k, inside
    // the capacity reserved above.
    let put = |i: usize, j: usize| unsafe { *dst.add(j * m + i) = a[[i, j]] };
    const TILE: usize = 8;
    let (full_m, full_k) = (m - m % TILE, k - k % TILE);
    if !tiles_f32_avx(a, dst, full_m, full_k) {
        // f64 (gradient checks) or a strided view: element by element, a
        // block of 64 columns at a time so the block being written stays in cache.
        for j0 in (0..full_k).step_by(64) {
            for i in 0..full_m {
                for j in j0..(j0 + 64).min(full_k) {
                    put(i, j);
                }
            }
        }
    }
    // The ragged right and bottom edges.
    for i in 0..m {
        let from = if i < full_m { full_k } else { 0 };
        for j in from..k {
            put(i, j);
        }
    }
    // SAFETY: the tiles and the edges above wrote each of the m·k elements.
    unsafe { out.set_len(m * k) };
    out
}

/// The full 8×8 tiles of `to_column_major` through AVX registers into `out`
/// (room for a.nrows() × a.ncols() elements), when `T` is f32, rows are
/// contiguous and the CPU has AVX; false (nothing written) otherwise.
fn tiles_f32_avx<T: Scalar>(a: ArrayView2<T>, out: *mut T, full_m: usize, full_k: usize) -> bool {
    #[cfg(target_arch = "x86_64")]
    if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>()
        && a.strides()[1] == 1
        && a.strides()[0] >= 0
        && std::arch::is_x86_feature_detected!("avx")
    {
        let m = a.nrows();
        let (src, dst) = (a.as_ptr().cast::<f32>(), out.cast::<f32>());
        let rs = a.strides()[0] as usize;
        for i0 in (0..full_m).step_by(8) {
            for j0 in (0..full_k).step_by(8) {
                // SAFETY: T is f32; the tile's 8 rows × 8 columns lie inside
                // `a` (row stride `rs`, unit column stride) and its transpose
                // inside `out` (column length m); AVX was detected above.
                unsafe { transpose_8x8_avx(src.add(i0 * rs + j0), rs, dst.add(j0 * m + i0), m) };
            }
        }
        return true;
    }
    let _ = (a, out, full_m, full_k);
    false
}

/// Writes the transpose of the 8×8 block at `src` (row stride `src_stride`)
/// to `dst` (row stride `dst_stride`): the classic unpack / shuffle / permute.
///
/// # Safety
/// AVX must be available; both blocks must be valid for 8 rows of 8 floats.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn transpose_8x8_avx(src: *const f32, src_stride: usize, dst: *mut f32, dst_stride: usize) {
    use std::arch::x86_64::*;
    let r: [__m256; 8] = std::array::from_fn(|i| _mm256_loadu_ps(src.add(i * src_stride)));
    let t0 = _mm256_unpacklo_ps(r[0], r[1]);
    let t1 = _mm256_unpackhi_ps(r[0], r[1]);
    let t2 = _mm256_unpacklo_ps(r[2], r[3]);
    let t3 = _mm256_unpackhi_ps(r[2], r[3]);
    let t4 = _mm256_unpacklo_ps(r[4], r[5]);
    let t5 = _mm256_unpackhi_ps(r[4], r[5]);
    let t6 = _mm256_unpacklo_ps(r[6], r[7]);
    let t7 = _mm256_unpackhi_ps(r[6], r[7]);
    let s0 = _mm256_shuffle_ps::<0x44>(t0, t2);
    let s1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
    let s2 = _mm256_shuffle_ps::<0x44>(t1, t3);
    let s3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
    let s4 = _mm256_shuffle_ps::<0x44>(t4, t6);
    let s5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
    let s6 = _mm256_shuffle_ps::<0x44>(t5, t7);
    let s7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
    let c = [
        _mm256_permute2f128_ps::<0x20>(s0, s4),
        _mm256_permute2f128_ps::<0x20>(s1, s5),
        _mm256_permute2f128_ps::<0x20>(s2, s6),
        _mm256_permute2f128_ps::<0x20>(s3, s7),
        _mm256_permute2f128_ps::<0x31>(s0, s4),
        _mm256_permute2f128_ps::<0x31>(s1, s5),
        _mm256_permute2f128_ps::<0x31>(s2, s6),
        _mm256_permute2f128_ps::<0x31>(s3, s7),
    ];
    for (i, v) in c.into_iter().enumerate() {
        _mm256_storeu_ps(dst.add(i * dst_stride), v);
    }
}

/// C ← α·a·b + β·C, with each operand first copied into the layout that
/// matrixmultiply packs fastest when it is not already in it. The copy
/// moves values without arithmetic, so the result is bit for bit that of
/// one plain call. Returns false when `T` is neither f32 nor f64 (nothing
/// touched; the caller falls back).
///
/// # Safety
/// As `gemm_serial`.
unsafe fn gemm_raw<T: Scalar>(
    alpha: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    beta: T,
    c: *mut T,
    rsc: isize,
    csc: isize,
) -> bool {
    use std::any::TypeId;
    let is_float =
        TypeId::of::<T>() == TypeId::of::<f32>() || TypeId::of::<T>() == TypeId::of::<f64>();
    if !is_float {
        return false;
    }
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    // matrixmultiply packs A by columns and B by rows. From the other layout
    // its packing compiles to AVX-512 gathers, which are slow on this AMD CPU:
    // packing a row-major 32×1024 batch took longer than the product itself.
    // One AVX transpose into the layout it reads fastest costs about 2 µs.
    let a_copy =
        (a.strides()[0] != 1 && m >= 8 && m * k >= RELAYOUT_MIN).then(|| to_column_major(a));
    let a = match &a_copy {
        Some(buf) => ArrayView2::from_shape((m, k).f(), buf.as_slice()).expect("m×k elements"),
        None => a.view(),
    };
    let b_copy =
        (b.strides()[1] != 1 && n >= 8 && k * n >= RELAYOUT_MIN).then(|| to_column_major(b.t()));
    let b = match &b_copy {
        Some(buf) => ArrayView2::from_shape((k, n), buf.as_slice()).expect("k×n elements"),
        None => b.view(),
    };
    gemm_serial(alpha, a, b, beta, c, rsc, csc)
}

/// C ← α·a·b + β·C through matrixmultiply's sgemm/dgemm, with the views'
/// own strides (so transposed views cost no copy). Returns false, touching
/// nothing, when `T` is neither f32 nor f64 (the caller falls back).
///
/// # Safety
/// `c` must point to `a.nrows() × b.ncols()` elements laid out with strides
/// (`rsc`, `csc`), writable, and initialised unless `beta` is zero.
unsafe fn gemm_serial<T: Scalar>(
    alpha: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    beta: T,
    c: *mut T,
    rsc: isize,
    csc: isize,
) -> bool {
    use std::any::TypeId;
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    let (rsa, csa) = (a.strides()[0], a.strides()[1]);
    let (rsb, csb) = (b.strides()[0], b.strides()[1]);
    if TypeId::of::<T>() == TypeId::of::<f32>() {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha.to_f64() as f32,
            a.as_ptr().cast(),
            rsa,
            csa,
            b.as_ptr().cast(),
            rsb,
            csb,
            beta.to_f64() as f32,
            c.cast(),
            rsc,
            csc,
        );
        true
    } else if TypeId::of::<T>() == TypeId::of::<f64>() {
        matrixmultiply::dgemm(
            m,
            k,
            n,
            alpha.to_f64(),
            a.as_ptr().cast(),
            rsa,
            csa,
            b.as_ptr().cast(),
            rsb,
            csb,
            beta.to_f64(),
            c.cast(),
            rsc,
            csc,
        );
        true
    } else {
        false
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{linalg::general_mat_mul, Array2};

    fn filled<T: Scalar>(rows: usize, cols: usize, seed: usize) -> Array2<T> {
        Array2::from_shape_fn((rows, cols), |(i, j)| {
            T::of((((i * 31 + j * 17 + seed) % 97) as f64 - 48.0) / 37.0)
        })
    }

    /// The relaid-out product gives exactly the bits of one plain
    /// matrixmultiply call, for every layout the engine uses (a transposed
    /// view is what backward passes).
    fn same_bits_as_plain<T: Scalar>() {
        for &(m, k, n) in &[(32, 1024, 64), (1024, 32, 64), (70, 300, 50), (3, 5, 2)] {
            let a = filled::<T>(m, k, 1);
            let b = filled::<T>(k, n, 2);
            let at = a.t().as_standard_layout().into_owned(); // k×m, so at.t() is a column-major m×k view
            let bt = b.t().as_standard_layout().into_owned();
            for (a, b) in [
                (a.view(), b.view()),
                (at.t(), b.view()),
                (a.view(), bt.t()),
                (at.t(), bt.t()),
            ] {
                let mut plain = Array2::zeros((m, n));
                general_mat_mul(T::one(), &a, &b, T::zero(), &mut plain);
                assert_eq!(matmul(a, b), plain, "{m}×{k}×{n}");

                let mut acc = filled::<T>(m, n, 3);
                let mut plain_acc = acc.clone();
                general_mat_mul(T::one(), &a, &b, T::one(), &mut plain_acc);
                matmul_add(a, b, &mut acc);
                assert_eq!(acc, plain_acc, "{m}×{k}×{n} accumulated");
            }
        }
    }

    #[test]
    fn matmul_is_bit_identical_to_one_plain_product_f32() {
        same_bits_as_plain::<f32>();
    }

    #[test]
    fn matmul_is_bit_identical_to_one_plain_product_f64() {
        same_bits_as_plain::<f64>();
    }

    #[test]
    fn to_column_major_lays_columns_out_contiguously() {
        fn check<T: Scalar>(a: ArrayView2<T>) {
            let (m, k) = a.dim();
            let col = to_column_major(a);
            for i in 0..m {
                for j in 0..k {
                    assert_eq!(col[j * m + i], a[[i, j]], "({i}, {j}) of {m}×{k}");
                }
            }
        }
        // Whole 8×8 tiles, ragged edges, a sliced (strided) view, a transposed one.
        for (m, k) in [(32, 1024), (19, 45), (7, 5), (8, 8)] {
            let a = filled::<f32>(m, k, 0);
            check(a.view());
            check(a.slice(ndarray::s![.., 1..]));
            check(a.t());
            check(filled::<f64>(m, k, 0).view());
        }
    }
}
