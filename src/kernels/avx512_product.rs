//! f32 matrix products on AVX-512 register tiles.
//!
//! Why this exists beside the `gemm` crate: gemm's AVX-512 kernels need a
//! nightly compiler, so on stable Rust it runs its 8-lane AVX2 kernels even
//! on a CPU with 16-lane AVX-512. The models' products are also small (at
//! most 1024×64 per step), where packing operands into panels, as a general
//! gemm does, costs as much as the arithmetic. The tiles here read every
//! operand in place. Two layouts cover every product the models make:
//!
//! * **broadcast**, when `b`'s rows are contiguous (`x·W`, `xᵀ·g`,
//!   `hᵀ·g`): per step of the inner dimension, load up to 64 columns of one
//!   row of `b` and multiply them by one element of each of up to 8 rows of
//!   `a`, so a tile of `c` lives in registers for the whole inner loop.
//! * **dot**, when `a`'s rows and `b`'s columns are contiguous along a long
//!   inner dimension (`g·Wᵀ`): 16-lane partial dot products for a 4×4 tile
//!   of `c`, summed across the lanes once at the end. With a short inner
//!   dimension `b` is copied into rows and takes the broadcast form.
//!
//! Each element of `c` is one sum over the inner dimension, always in the
//! same order whatever the tile, so a row of a product does not depend on
//! the other rows in its batch. Anything else (an output without contiguous
//! rows, f64, a CPU without AVX-512) returns `false` and goes to gemm.

use ndarray::{ArrayView2, ArrayViewMut2};

/// `c = a·b`, or `c += a·b` when `accumulate`, if this CPU and these layouts
/// have a tile here; `false` (and `c` untouched) otherwise. Panics if the
/// shapes do not fit (`functional` checks them first, with a clearer message).
pub(crate) fn product(
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    c: ArrayViewMut2<f32>,
    accumulate: bool,
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if available() {
            return x86::product(a, b, c, accumulate);
        }
    }
    let _ = (a, b, c, accumulate);
    false
}

/// Whether this CPU runs the tiles (it has AVX-512F).
pub(crate) fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx512f");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use ndarray::{ArrayView2, ArrayViewMut2};
    use std::arch::x86_64::*;

    /// `$tile::<R, C>` for run-time `($rows, $cols)`: C of 1 to 3 for every
    /// R in the first list, C = 4 for every R in the second (the widest
    /// tiles hold fewer rows). Any other pair is a bug in the caller.
    macro_rules! monomorphised {
        ($tile:ident, $rows:expr, $cols:expr, [$($r:literal),*], [$($r4:literal),*]) => {
            match ($rows, $cols) {
                $(
                    ($r, 1) => $tile::<$r, 1>,
                    ($r, 2) => $tile::<$r, 2>,
                    ($r, 3) => $tile::<$r, 3>,
                )*
                $(($r4, 4) => $tile::<$r4, 4>,)*
                (rows, cols) => unreachable!("no {rows}×{cols} tile"),
            }
        };
    }

    /// Columns of `c` one broadcast tile covers: four 16-lane registers.
    const TILE_COLUMNS: usize = 64;

    /// Rows of `c` in a broadcast tile of `vectors` registers per row, so
    /// that the accumulators (rows × vectors) and one row of `b` fit in the
    /// 32 vector registers.
    const fn tile_rows(vectors: usize) -> usize {
        if vectors == 4 {
            6
        } else {
            8
        }
    }

    /// The inner dimension is cut into chunks of this many steps, so that
    /// the chunk of `b` one column tile reads (64 × 64 floats, 16 KiB) stays
    /// in the L1 cache while every row tile of `a` passes over it.
    const INNER_CHUNK: usize = 64;

    /// Rows and columns of `c` in a dot tile.
    const DOT_TILE: usize = 4;

    /// The shortest inner dimension the dot form takes: below it, the
    /// lane sums at the end of each tile outweigh copying `b` into rows for
    /// the broadcast form (for the classifier's 32×36 by 36×64 product
    /// the copy runs about 2× faster: `cargo bench --bench products` with
    /// this set to 0).
    const DOT_MIN_INNER: usize = 128;

    /// A matrix operand: where it starts and its strides, in elements.
    #[derive(Clone, Copy)]
    struct Operand {
        ptr: *const f32,
        rows: isize,
        cols: isize,
    }

    impl Operand {
        fn of(view: &ArrayView2<f32>) -> Self {
            Operand {
                ptr: view.as_ptr(),
                rows: view.strides()[0],
                cols: view.strides()[1],
            }
        }

        /// The operand from row `i`, column `j` on.
        ///
        /// # Safety
        /// `(i, j)` lies inside the view this operand came from.
        unsafe fn at(self, i: usize, j: usize) -> Self {
            Operand {
                ptr: self
                    .ptr
                    .offset(i as isize * self.rows + j as isize * self.cols),
                ..self
            }
        }
    }

    /// The output: where it starts and its strides, in elements.
    #[derive(Clone, Copy)]
    struct Output {
        ptr: *mut f32,
        rows: isize,
        cols: isize,
    }

    impl Output {
        /// # Safety
        /// `(i, j)` lies inside the view this output came from.
        unsafe fn at(self, i: usize, j: usize) -> Self {
            Output {
                ptr: self
                    .ptr
                    .offset(i as isize * self.rows + j as isize * self.cols),
                ..self
            }
        }
    }

    /// A stride that makes a dimension contiguous: 1, or anything for a
    /// dimension of one element (ndarray leaves those strides free).
    fn unit(stride: isize, len: usize) -> bool {
        stride == 1 || len <= 1
    }

    pub(super) fn product(
        a: ArrayView2<f32>,
        b: ArrayView2<f32>,
        mut c: ArrayViewMut2<f32>,
        accumulate: bool,
    ) -> bool {
        let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
        assert_eq!(
            (b.nrows(), c.dim()),
            (k, (m, n)),
            "product: shapes do not fit"
        );
        if m == 0 || n == 0 {
            return true;
        }
        if k == 0 {
            if !accumulate {
                c.fill(0.0);
            }
            return true;
        }
        let out = Output {
            ptr: c.as_mut_ptr(),
            rows: c.strides()[0],
            cols: c.strides()[1],
        };
        let (a_op, b_op) = (Operand::of(&a), Operand::of(&b));
        // SAFETY: the CPU has AVX-512F (checked by the caller); `a`, `b` and
        // `c` are m×k, k×n and m×n views whose pointers and strides reach
        // only their own elements, and `c` is borrowed uniquely. Each form
        // is called only on the layouts it relies on.
        unsafe {
            if !unit(out.cols, n) {
                false
            } else if unit(b_op.cols, n) {
                broadcast_form(m, k, n, a_op, b_op, out, accumulate);
                true
            } else if unit(a_op.cols, k) && unit(b_op.rows, k) && k >= DOT_MIN_INNER {
                dot_form(m, k, n, a_op, b_op, out, accumulate);
                true
            } else {
                // A short inner dimension: summing the dot form's lanes
                // would cost more than copying `b` into rows.
                let packed = b.as_standard_layout();
                broadcast_form(m, k, n, a_op, Operand::of(&packed.view()), out, accumulate);
                true
            }
        }
    }

    /// A lane mask with the first `lanes` (1..=16) lanes set.
    fn first_lanes(lanes: usize) -> __mmask16 {
        (((1u32 << lanes) - 1) & 0xFFFF) as __mmask16
    }

    type BroadcastTile = unsafe fn(usize, Operand, Operand, Output, __mmask16, bool);

    /// # Safety
    /// AVX-512F; `b` and `c` have unit column strides; the shapes agree.
    #[target_feature(enable = "avx512f")]
    unsafe fn broadcast_form(
        m: usize,
        k: usize,
        n: usize,
        a: Operand,
        b: Operand,
        c: Output,
        accumulate: bool,
    ) {
        for j in (0..n).step_by(TILE_COLUMNS) {
            let width = (n - j).min(TILE_COLUMNS);
            let vectors = width.div_ceil(16);
            let last_mask = first_lanes(width - 16 * (vectors - 1));
            let rows_per_tile = tile_rows(vectors);
            for p in (0..k).step_by(INNER_CHUNK) {
                let depth = (k - p).min(INNER_CHUNK);
                // Later chunks continue the sums the earlier ones left in `c`.
                let continue_sums = accumulate || p > 0;
                let mut i = 0;
                while i < m {
                    let rows = (m - i).min(rows_per_tile);
                    let tile = choose_broadcast_tile(rows, vectors);
                    tile(
                        depth,
                        a.at(i, p),
                        b.at(p, j),
                        c.at(i, j),
                        last_mask,
                        continue_sums,
                    );
                    i += rows;
                }
            }
        }
    }

    /// `c[..R, ..16V] (+)= a[..R, ..k] · b[..k, ..16V]`, the last register of
    /// each row masked to `last_mask`'s lanes. With `continue_sums` each
    /// element's running sum starts from `c`'s value, so a product cut into
    /// chunks of the inner dimension gives the bits of an uncut one.
    ///
    /// # Safety
    /// AVX-512F; the tile lies inside the operands; `b`, `c` have unit
    /// column strides.
    #[target_feature(enable = "avx512f")]
    unsafe fn broadcast_tile<const R: usize, const V: usize>(
        k: usize,
        a: Operand,
        b: Operand,
        c: Output,
        last_mask: __mmask16,
        continue_sums: bool,
    ) {
        let mask = |v: usize| if v + 1 == V { last_mask } else { 0xFFFF };
        let mut acc = [[_mm512_setzero_ps(); V]; R];
        if continue_sums {
            for (r, acc_r) in acc.iter_mut().enumerate() {
                let c_r = c.ptr.offset(r as isize * c.rows);
                for (v, sum) in acc_r.iter_mut().enumerate() {
                    *sum = _mm512_maskz_loadu_ps(mask(v), c_r.add(16 * v));
                }
            }
        }
        let (mut a_k, mut b_k) = (a.ptr, b.ptr);
        for _ in 0..k {
            let mut row = [_mm512_setzero_ps(); V];
            for (v, lanes) in row.iter_mut().enumerate() {
                *lanes = _mm512_maskz_loadu_ps(mask(v), b_k.add(16 * v));
            }
            for (r, acc_r) in acc.iter_mut().enumerate() {
                let x = _mm512_set1_ps(*a_k.offset(r as isize * a.rows));
                for (acc_rv, lanes) in acc_r.iter_mut().zip(&row) {
                    *acc_rv = _mm512_fmadd_ps(x, *lanes, *acc_rv);
                }
            }
            a_k = a_k.offset(a.cols);
            b_k = b_k.offset(b.rows);
        }
        for (r, acc_r) in acc.iter().enumerate() {
            let c_r = c.ptr.offset(r as isize * c.rows);
            for (v, sum) in acc_r.iter().enumerate() {
                _mm512_mask_storeu_ps(c_r.add(16 * v), mask(v), *sum);
            }
        }
    }

    /// The broadcast tile for `rows` rows and `vectors` registers per row.
    fn choose_broadcast_tile(rows: usize, vectors: usize) -> BroadcastTile {
        monomorphised!(
            broadcast_tile,
            rows,
            vectors,
            [1, 2, 3, 4, 5, 6, 7, 8],
            [1, 2, 3, 4, 5, 6]
        )
    }

    type DotTile = unsafe fn(usize, Operand, Operand, Output, bool);

    /// # Safety
    /// AVX-512F; `a`'s columns and `b`'s rows are unit strides; the shapes
    /// agree.
    #[target_feature(enable = "avx512f")]
    unsafe fn dot_form(
        m: usize,
        k: usize,
        n: usize,
        a: Operand,
        b: Operand,
        c: Output,
        accumulate: bool,
    ) {
        for i in (0..m).step_by(DOT_TILE) {
            let rows = (m - i).min(DOT_TILE);
            for j in (0..n).step_by(DOT_TILE) {
                let cols = (n - j).min(DOT_TILE);
                let tile = choose_dot_tile(rows, cols);
                tile(k, a.at(i, 0), b.at(0, j), c.at(i, j), accumulate);
            }
        }
    }

    /// `c[..R, ..S] (+)= a[..R, ..k] · b[..k, ..S]` as R·S dot products of
    /// 16 lanes each, the lanes summed at the end.
    ///
    /// # Safety
    /// AVX-512F; the tile lies inside the operands; `a`'s columns and `b`'s
    /// rows are unit strides.
    #[target_feature(enable = "avx512f")]
    unsafe fn dot_tile<const R: usize, const S: usize>(
        k: usize,
        a: Operand,
        b: Operand,
        c: Output,
        accumulate: bool,
    ) {
        let mut acc = [[_mm512_setzero_ps(); S]; R];
        for start in (0..k).step_by(16) {
            let mask = first_lanes((k - start).min(16));
            let mut a_rows = [_mm512_setzero_ps(); R];
            for (r, lanes) in a_rows.iter_mut().enumerate() {
                *lanes = _mm512_maskz_loadu_ps(mask, a.ptr.offset(r as isize * a.rows).add(start));
            }
            for s in 0..S {
                let b_col =
                    _mm512_maskz_loadu_ps(mask, b.ptr.offset(s as isize * b.cols).add(start));
                for (acc_r, a_row) in acc.iter_mut().zip(&a_rows) {
                    acc_r[s] = _mm512_fmadd_ps(*a_row, b_col, acc_r[s]);
                }
            }
        }
        for (r, acc_r) in acc.iter().enumerate() {
            for (s, lanes) in acc_r.iter().enumerate() {
                let p = c.ptr.offset(r as isize * c.rows + s as isize * c.cols);
                let sum = _mm512_reduce_add_ps(*lanes);
                *p = if accumulate { *p + sum } else { sum };
            }
        }
    }

    /// The dot tile for `rows` × `cols` outputs (each 1..=4).
    fn choose_dot_tile(rows: usize, cols: usize) -> DotTile {
        monomorphised!(dot_tile, rows, cols, [1, 2, 3, 4], [1, 2, 3, 4])
    }
}

#[cfg(test)]
mod tests {
    use super::{available, product};
    use ndarray::Array2;

    /// On an AVX-512 CPU every layout the models use stays on the tiles
    /// (`products::tests` checks the numbers); an output without
    /// contiguous rows goes to gemm. CI sets `GRADINK_REQUIRE_AVX512` on a
    /// CPU with AVX-512, so that the tiles cannot go untested there.
    #[test]
    fn the_tiles_take_the_models_layouts() {
        let avx512 = available();
        println!("product path: {}", crate::kernels::product_path());
        if std::env::var_os("GRADINK_REQUIRE_AVX512").is_some() {
            assert!(
                avx512,
                "GRADINK_REQUIRE_AVX512 is set, but the tiles did not run"
            );
        }
        let x = Array2::<f32>::ones((36, 1024));
        let w = Array2::<f32>::ones((1024, 32));
        let g = Array2::<f32>::ones((36, 32));
        let mut out = Array2::<f32>::zeros((36, 32));
        let mut weight_grad = Array2::<f32>::zeros((1024, 32));
        let mut input_grad = Array2::<f32>::zeros((36, 1024));
        assert_eq!(product(x.view(), w.view(), out.view_mut(), false), avx512);
        assert_eq!(
            product(x.t(), g.view(), weight_grad.view_mut(), true),
            avx512
        );
        assert_eq!(
            product(g.view(), w.t(), input_grad.view_mut(), false),
            avx512
        );
        assert_eq!(
            product(
                g.view(),
                w.t().slice(ndarray::s![.., ..4]),
                input_grad.slice_mut(ndarray::s![.., ..4]),
                false
            ),
            avx512
        );
        if avx512 {
            assert!(out.iter().all(|&v| v == 1024.0));
            assert!(weight_grad.iter().all(|&v| v == 36.0));
            assert!(input_grad.iter().all(|&v| v == 32.0));
        }
        let mut column_major = Array2::<f32>::zeros((32, 36)).reversed_axes();
        assert!(!product(x.view(), w.view(), column_major.view_mut(), false));
    }
}
