//! Convolution and max pooling on NCHW arrays, without a tape.
//!
//! A convolution is one matrix product per image: `im2col` lays every
//! receptive field of the image out as a column, so that
//! `out[n] = W · cols(x[n])` with W the (O, C·kh·kw) view of the OIHW
//! weights. The products go through `functional::matmul_into`, so they run
//! on the same AVX-512 tiles (or gemm) as the fully connected layers. One
//! column buffer serves every image of a batch: nothing is allocated per
//! pixel. Backward (`conv2d_backward`) is the transpose of the same
//! product: ∂W = Σₙ gₙ·colsₙᵀ and ∂x = col2im(Wᵀ·gₙ) (docs/math.md).

use crate::functional as F;
use crate::Scalar;
use ndarray::{Array2, Array4, ArrayView2, ArrayView4, ArrayViewMut4};

/// The sizes of one convolution: input (n, c, h, w), weights (o, c, kh, kw),
/// output (n, o, ho, wo).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvShape {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub o: usize,
    pub kh: usize,
    pub kw: usize,
    pub stride: usize,
    pub padding: usize,
    pub ho: usize,
    pub wo: usize,
}

impl ConvShape {
    /// The geometry of `conv2d(x, w, stride, padding)`. Panics naming the op
    /// and both shapes when they do not fit (as every shape mistake does).
    pub fn new(x: &[usize], w: &[usize], stride: usize, padding: usize) -> Self {
        let fits = x.len() == 4
            && w.len() == 4
            && x[1] == w[1]
            && stride > 0
            && w[2] > 0
            && w[3] > 0
            && x[2] + 2 * padding >= w[2]
            && x[3] + 2 * padding >= w[3];
        assert!(
            fits,
            "conv2d: input {x:?} (NCHW) and weights {w:?} (OIHW) do not fit \
             with stride {stride} and padding {padding}"
        );
        let (h, wd, kh, kw) = (x[2], x[3], w[2], w[3]);
        ConvShape {
            n: x[0],
            c: x[1],
            h,
            w: wd,
            o: w[0],
            kh,
            kw,
            stride,
            padding,
            ho: (h + 2 * padding - kh) / stride + 1,
            wo: (wd + 2 * padding - kw) / stride + 1,
        }
    }

    /// Rows of one image's column matrix: c·kh·kw.
    pub fn patch(&self) -> usize {
        self.c * self.kh * self.kw
    }

    /// Columns of one image's column matrix: ho·wo.
    pub fn pixels(&self) -> usize {
        self.ho * self.wo
    }

    /// The output's shape (n, o, ho, wo).
    pub fn output(&self) -> (usize, usize, usize, usize) {
        (self.n, self.o, self.ho, self.wo)
    }

    /// The output columns `ox` whose input column `ox·stride + j − padding`
    /// lies inside the image, as a half-open range.
    fn inside(&self, j: usize, size: usize, out: usize) -> (usize, usize) {
        let (s, p) = (self.stride, self.padding);
        // ox·s + j ≥ p  and  ox·s + j < size + p
        let lo = if j >= p { 0 } else { (p - j).div_ceil(s) };
        let hi = if size + p > j {
            ((size + p - j).div_ceil(s)).min(out)
        } else {
            0
        };
        (lo.min(hi), hi)
    }
}

/// Lays out one image (c, h, w; contiguous) as its (c·kh·kw, ho·wo) column
/// matrix: row (ci, i, j), column (oy, ox) holds x[ci, oy·s + i − p, ox·s + j − p],
/// or 0 in the padding.
pub fn im2col<T: Scalar>(image: &[T], s: &ConvShape, cols: &mut [T]) {
    debug_assert_eq!(image.len(), s.c * s.h * s.w);
    debug_assert_eq!(cols.len(), s.patch() * s.pixels());
    let mut rows = cols.chunks_exact_mut(s.pixels());
    for ci in 0..s.c {
        let plane = &image[ci * s.h * s.w..(ci + 1) * s.h * s.w];
        for i in 0..s.kh {
            let (y_lo, y_hi) = s.inside(i, s.h, s.ho);
            for j in 0..s.kw {
                let row = rows.next().expect("one row per (channel, i, j)");
                let (x_lo, x_hi) = s.inside(j, s.w, s.wo);
                for oy in 0..s.ho {
                    let out = &mut row[oy * s.wo..(oy + 1) * s.wo];
                    if oy < y_lo || oy >= y_hi || x_lo >= x_hi {
                        out.fill(T::zero());
                        continue;
                    }
                    let iy = oy * s.stride + i - s.padding;
                    let line = &plane[iy * s.w..(iy + 1) * s.w];
                    out[..x_lo].fill(T::zero());
                    out[x_hi..].fill(T::zero());
                    let x0 = x_lo * s.stride + j - s.padding;
                    if s.stride == 1 {
                        out[x_lo..x_hi].copy_from_slice(&line[x0..x0 + (x_hi - x_lo)]);
                    } else {
                        for (k, o) in out[x_lo..x_hi].iter_mut().enumerate() {
                            *o = line[x0 + k * s.stride];
                        }
                    }
                }
            }
        }
    }
}

/// The transpose of `im2col`: adds every entry of a column matrix back onto
/// the pixel it was copied from (entries that came from padding are dropped).
pub fn col2im_add<T: Scalar>(cols: &[T], s: &ConvShape, image: &mut [T]) {
    debug_assert_eq!(image.len(), s.c * s.h * s.w);
    debug_assert_eq!(cols.len(), s.patch() * s.pixels());
    let mut rows = cols.chunks_exact(s.pixels());
    for ci in 0..s.c {
        let plane = &mut image[ci * s.h * s.w..(ci + 1) * s.h * s.w];
        for i in 0..s.kh {
            let (y_lo, y_hi) = s.inside(i, s.h, s.ho);
            for j in 0..s.kw {
                let row = rows.next().expect("one row per (channel, i, j)");
                let (x_lo, x_hi) = s.inside(j, s.w, s.wo);
                if x_lo >= x_hi {
                    continue;
                }
                for oy in y_lo..y_hi {
                    let from = &row[oy * s.wo + x_lo..oy * s.wo + x_hi];
                    let iy = oy * s.stride + i - s.padding;
                    let line = &mut plane[iy * s.w..(iy + 1) * s.w];
                    let x0 = x_lo * s.stride + j - s.padding;
                    for (k, &v) in from.iter().enumerate() {
                        line[x0 + k * s.stride] += v;
                    }
                }
            }
        }
    }
}

/// The weights as the (o, c·kh·kw) matrix of the product (a view, no copy).
fn weight_matrix<'a, T: Scalar>(w: ArrayView4<'a, T>, s: &ConvShape) -> ArrayView2<'a, T> {
    w.into_shape_with_order((s.o, s.patch()))
        .expect("standard-layout weights reshape without a copy")
}

/// Cross-correlation of NCHW `x` with OIHW `w` (what deep-learning libraries
/// call convolution), with zero padding on every side.
pub fn conv2d<T: Scalar>(
    x: ArrayView4<T>,
    w: ArrayView4<T>,
    stride: usize,
    padding: usize,
) -> Array4<T> {
    let s = ConvShape::new(x.shape(), w.shape(), stride, padding);
    let (x, w) = (x.as_standard_layout(), w.as_standard_layout());
    let wm = weight_matrix(w.view(), &s);
    let mut out = Array4::<T>::zeros(s.output());
    let mut cols = vec![T::zero(); s.patch() * s.pixels()];
    let image = s.c * s.h * s.w;
    let x = x.as_slice().expect("standard layout");
    for (n, mut out_n) in out.outer_iter_mut().enumerate() {
        im2col(&x[n * image..(n + 1) * image], &s, &mut cols);
        let cols = ArrayView2::from_shape((s.patch(), s.pixels()), &cols).expect("sized above");
        let out_n = out_n
            .view_mut()
            .into_shape_with_order((s.o, s.pixels()))
            .expect("a fresh array is contiguous");
        F::matmul_into(wm, cols, out_n, false);
    }
    out
}

/// The gradients of `conv2d` for the output gradient `g` (n, o, ho, wo):
/// ∂x (when `dx` is given, added into it) and ∂w (when `dw` is given, added
/// into it). The column matrices are rebuilt from `x` image by image instead
/// of being kept from the forward pass: copying is cheap, memory is not.
pub fn conv2d_backward<T: Scalar>(
    x: ArrayView4<T>,
    w: ArrayView4<T>,
    g: ArrayView4<T>,
    s: &ConvShape,
    mut dx: Option<ArrayViewMut4<T>>,
    mut dw: Option<ArrayViewMut4<T>>,
) {
    let (x, w, g) = (
        x.as_standard_layout(),
        w.as_standard_layout(),
        g.as_standard_layout(),
    );
    let wm = weight_matrix(w.view(), s);
    let image = s.c * s.h * s.w;
    let xs = x.as_slice().expect("standard layout");
    let mut cols = vec![T::zero(); s.patch() * s.pixels()];
    let mut dcols = Array2::<T>::zeros((s.patch(), s.pixels()));
    let mut dw_acc = dw.as_ref().map(|_| Array2::<T>::zeros((s.o, s.patch())));
    for n in 0..s.n {
        let g_n = g
            .index_axis(ndarray::Axis(0), n)
            .into_shape_with_order((s.o, s.pixels()))
            .expect("standard layout");
        if let Some(acc) = dw_acc.as_mut() {
            im2col(&xs[n * image..(n + 1) * image], s, &mut cols);
            let c = ArrayView2::from_shape((s.patch(), s.pixels()), &cols).expect("sized");
            F::matmul_into(g_n, c.t(), acc.view_mut(), n > 0);
        }
        if let Some(dx) = dx.as_mut() {
            F::matmul_into(wm.t(), g_n, dcols.view_mut(), false);
            let mut dx_n = dx.index_axis_mut(ndarray::Axis(0), n);
            match dx_n.as_slice_mut() {
                Some(slice) => col2im_add(dcols.as_slice().expect("fresh"), s, slice),
                None => {
                    let mut tmp = dx_n.to_owned();
                    col2im_add(
                        dcols.as_slice().expect("fresh"),
                        s,
                        tmp.as_slice_mut().expect("fresh"),
                    );
                    dx_n.assign(&tmp);
                }
            }
        }
    }
    if let (Some(dw), Some(acc)) = (dw.as_mut(), dw_acc) {
        let acc = acc
            .into_shape_with_order((s.o, s.c, s.kh, s.kw))
            .expect("same count");
        *dw += &acc;
    }
}

/// The sizes of one max pooling: input (n, c, h, w), output (n, c, ho, wo),
/// windows of `kernel`×`kernel` every `stride` pixels (the last partial
/// window is dropped, as in PyTorch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolShape {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub kernel: usize,
    pub stride: usize,
    pub ho: usize,
    pub wo: usize,
}

impl PoolShape {
    /// Panics naming the op and the shapes when the window does not fit.
    pub fn new(x: &[usize], kernel: usize, stride: usize) -> Self {
        assert!(
            x.len() == 4 && kernel > 0 && stride > 0 && x[2] >= kernel && x[3] >= kernel,
            "max_pool2d: input {x:?} (NCHW) does not fit a {kernel}×{kernel} window \
             with stride {stride}"
        );
        PoolShape {
            n: x[0],
            c: x[1],
            h: x[2],
            w: x[3],
            kernel,
            stride,
            ho: (x[2] - kernel) / stride + 1,
            wo: (x[3] - kernel) / stride + 1,
        }
    }
}

/// The maximum of every window, and for each output the flat index (into
/// `x`) of the input it came from, which is where backward sends its gradient.
/// Of equal maxima the first (in row-major order) wins.
pub fn max_pool2d<T: Scalar>(
    x: ArrayView4<T>,
    kernel: usize,
    stride: usize,
) -> (Array4<T>, Vec<u32>) {
    let p = PoolShape::new(x.shape(), kernel, stride);
    let x = x.as_standard_layout();
    let xs = x.as_slice().expect("standard layout");
    assert!(xs.len() <= u32::MAX as usize, "max_pool2d: input too large");
    let mut out = Vec::with_capacity(p.n * p.c * p.ho * p.wo);
    let mut from = Vec::with_capacity(out.capacity());
    for plane in 0..p.n * p.c {
        let base = plane * p.h * p.w;
        for oy in 0..p.ho {
            for ox in 0..p.wo {
                let (mut best, mut at) =
                    (T::neg_infinity(), base + oy * stride * p.w + ox * stride);
                for i in 0..kernel {
                    let row = base + (oy * stride + i) * p.w + ox * stride;
                    for (j, &v) in xs[row..row + kernel].iter().enumerate() {
                        if v > best {
                            (best, at) = (v, row + j);
                        }
                    }
                }
                out.push(best);
                from.push(at as u32);
            }
        }
    }
    let out = Array4::from_shape_vec((p.n, p.c, p.ho, p.wo), out).expect("sized above");
    (out, from)
}

/// The maximum of every window, as [`max_pool2d`] gives it, without the
/// indices backward needs: inference (`Cnn::logits`) calls this, and
/// comparing without tracking where each maximum came from leaves the
/// comparisons free of branches.
pub fn max_pool2d_values<T: Scalar>(x: ArrayView4<T>, kernel: usize, stride: usize) -> Array4<T> {
    let p = PoolShape::new(x.shape(), kernel, stride);
    let x = x.as_standard_layout();
    let xs = x.as_slice().expect("standard layout");
    let mut out = vec![T::neg_infinity(); p.n * p.c * p.ho * p.wo];
    for (plane, maxima) in xs
        .chunks_exact(p.h * p.w)
        .zip(out.chunks_exact_mut(p.ho * p.wo))
    {
        for (oy, maxima) in maxima.chunks_exact_mut(p.wo).enumerate() {
            for i in 0..kernel {
                let row = &plane[(oy * stride + i) * p.w..(oy * stride + i + 1) * p.w];
                for (ox, best) in maxima.iter_mut().enumerate() {
                    for &v in &row[ox * stride..ox * stride + kernel] {
                        *best = if v > *best { v } else { *best };
                    }
                }
            }
        }
    }
    Array4::from_shape_vec((p.n, p.c, p.ho, p.wo), out).expect("sized above")
}

/// The gradient of `max_pool2d`: each output's gradient goes to the one
/// input that was the maximum of its window (added, since windows that
/// overlap can share it).
pub fn max_pool2d_backward<T: Scalar>(g: &[T], from: &[u32], dx: &mut [T]) {
    for (&g, &i) in g.iter().zip(from) {
        dx[i as usize] += g;
    }
}

/// Nearest-neighbour upsampling of an NCHW batch by an integer `factor`:
/// out[n, c, y, x] = x[n, c, y / factor, x / factor], so every pixel becomes
/// a `factor`×`factor` block. Panics naming the op when `x` is not 4-D or
/// the factor is 0.
pub fn upsample2d<T: Scalar>(x: ArrayView4<T>, factor: usize) -> Array4<T> {
    assert!(
        factor > 0,
        "upsample2d: input {:?} (NCHW) with factor 0",
        x.shape()
    );
    let (n, c, h, w) = x.dim();
    let x = x.as_standard_layout();
    let xs = x.as_slice().expect("standard layout");
    let (ho, wo) = (h * factor, w * factor);
    let mut out = Vec::with_capacity(n * c * ho * wo);
    for plane in xs.chunks_exact(h * w) {
        for row in plane.chunks_exact(w) {
            let start = out.len();
            for &v in row {
                out.extend(std::iter::repeat_n(v, factor));
            }
            for _ in 1..factor {
                out.extend_from_within(start..start + wo);
            }
        }
    }
    Array4::from_shape_vec((n, c, ho, wo), out).expect("sized above")
}

/// The gradient of `upsample2d`: each input pixel receives the sum of the
/// gradients of the `factor`×`factor` block it was copied to (added into `dx`,
/// which has the input's shape and standard layout).
pub fn upsample2d_backward<T: Scalar>(g: ArrayView4<T>, factor: usize, dx: &mut [T]) {
    let (_, _, ho, wo) = g.dim();
    let (h, w) = (ho / factor, wo / factor);
    let g = g.as_standard_layout();
    let gs = g.as_slice().expect("standard layout");
    debug_assert_eq!(gs.len(), dx.len() * factor * factor);
    for (plane, d_plane) in gs.chunks_exact(ho * wo).zip(dx.chunks_exact_mut(h * w)) {
        for (oy, g_row) in plane.chunks_exact(wo).enumerate() {
            let d_row = &mut d_plane[(oy / factor) * w..(oy / factor + 1) * w];
            for (d, block) in d_row.iter_mut().zip(g_row.chunks_exact(factor)) {
                // One fixed order of additions: row by row, left to right.
                let mut s = T::zero();
                for &v in block {
                    s += v;
                }
                *d += s;
            }
        }
    }
}
