//! The few image filters segmentation needs, on row-major f32 planes:
//! a separable Gaussian blur and a separable maximum filter (edges clamped).

/// Gaussian blur with standard deviation `sigma` (kernel radius ⌈3σ⌉).
pub fn gaussian_blur(data: &[f32], width: usize, height: usize, sigma: f32) -> Vec<f32> {
    if sigma <= 0.0 || width == 0 || height == 0 {
        return data.to_vec();
    }
    let (radius, kernel) = gaussian_kernel(sigma);
    // Both passes add one weight's products for a whole row at a time (a
    // loop the compiler vectorises; going down a column pixel by pixel
    // would also walk memory a row apart). Each pixel's products are added
    // in the window's order, so the result is what `separable` gives.
    // The first weight's products are written, not added to a zero: a fresh
    // buffer's pages are then faulted in once, by that write, instead of
    // once mapped as zeros by a read and copied again by the write (half
    // the page faults on a 12 MP photo). 0 + x is x, so the sums are the same.
    let mut padded = vec![0.0f32; width + 2 * radius];
    let mut rows = vec![0.0f32; data.len()];
    for (line, target) in data.chunks_exact(width).zip(rows.chunks_exact_mut(width)) {
        pad_clamped(&mut padded, line.iter().copied(), width, radius);
        for (k, &weight) in kernel.iter().enumerate() {
            let source = &padded[k..k + width];
            add_products(target, source, weight, k == 0);
        }
    }
    let mut out = vec![0.0f32; data.len()];
    for (y, target) in out.chunks_exact_mut(width).enumerate() {
        for (k, &weight) in kernel.iter().enumerate() {
            let from = (y + k).saturating_sub(radius).min(height - 1);
            let source = &rows[from * width..(from + 1) * width];
            add_products(target, source, weight, k == 0);
        }
    }
    out
}

/// `target += source · weight`, or `target = source · weight` for the first
/// term of a sum (see `gaussian_blur`).
fn add_products(target: &mut [f32], source: &[f32], weight: f32, first: bool) {
    if first {
        for (o, &v) in target.iter_mut().zip(source) {
            *o = v * weight;
        }
    } else {
        for (o, &v) in target.iter_mut().zip(source) {
            *o += v * weight;
        }
    }
}

/// The radius ⌈3σ⌉ and the 2·radius+1 weights (summing to 1) of a Gaussian.
fn gaussian_kernel(sigma: f32) -> (usize, Vec<f32>) {
    let radius = (3.0 * sigma).ceil() as usize;
    let mut kernel: Vec<f32> = (0..=2 * radius)
        .map(|i| {
            let d = i as f32 - radius as f32;
            (-d * d / (2.0 * sigma * sigma)).exp()
        })
        .collect();
    let total: f32 = kernel.iter().sum();
    kernel.iter_mut().for_each(|k| *k /= total);
    (radius, kernel)
}

/// The maximum over a (2·radius+1)² square around each pixel.
pub fn max_filter(data: &[f32], width: usize, height: usize, radius: usize) -> Vec<f32> {
    square_filter(data, width, height, radius, f32::max)
}

/// The minimum over a (2·radius+1)² square around each pixel.
pub fn min_filter(data: &[f32], width: usize, height: usize, radius: usize) -> Vec<f32> {
    square_filter(data, width, height, radius, f32::min)
}

/// `pick` (max or min) over a (2·radius+1)² square, edges clamped. As in
/// [`gaussian_blur`], both passes take one offset of the window for a whole
/// row at a time, a loop the compiler vectorises, instead of walking each
/// pixel's window (and each column a row apart in memory): on faint pages,
/// whose strokes' cores need two such filters of the whole page, this was
/// the reader's costliest step. Max and min are exact in any order, so the
/// result is the window-at-a-time one's.
fn square_filter(
    data: &[f32],
    width: usize,
    height: usize,
    radius: usize,
    pick: impl Fn(f32, f32) -> f32,
) -> Vec<f32> {
    if width == 0 || height == 0 {
        return data.to_vec();
    }
    let mut padded = vec![0.0f32; width + 2 * radius];
    let mut rows = data.to_vec();
    for (line, target) in data.chunks_exact(width).zip(rows.chunks_exact_mut(width)) {
        pad_clamped(&mut padded, line.iter().copied(), width, radius);
        for k in 0..=2 * radius {
            for (o, &v) in target.iter_mut().zip(&padded[k..k + width]) {
                *o = pick(*o, v);
            }
        }
    }
    let mut out = rows.clone();
    for (y, target) in out.chunks_exact_mut(width).enumerate() {
        let (top, bottom) = (y.saturating_sub(radius), (y + radius).min(height - 1));
        for from in top..=bottom {
            for (o, &v) in target
                .iter_mut()
                .zip(&rows[from * width..(from + 1) * width])
            {
                *o = pick(*o, v);
            }
        }
    }
    out
}

/// Applies `reduce` over a (2·radius+1) window along rows, then along
/// columns: the plain form the fast filters are checked against.
#[cfg(test)]
fn separable(
    data: &[f32],
    width: usize,
    height: usize,
    radius: usize,
    reduce: impl Fn(&[f32]) -> f32,
) -> Vec<f32> {
    let mut padded = vec![0.0f32; width.max(height) + 2 * radius];
    let mut rows = vec![0.0f32; data.len()];
    for y in 0..height {
        let line = &data[y * width..(y + 1) * width];
        pad_clamped(&mut padded, line.iter().copied(), width, radius);
        for x in 0..width {
            rows[y * width + x] = reduce(&padded[x..x + 2 * radius + 1]);
        }
    }
    let mut out = vec![0.0f32; data.len()];
    for x in 0..width {
        let column = (0..height).map(|y| rows[y * width + x]);
        pad_clamped(&mut padded, column, height, radius);
        for y in 0..height {
            out[y * width + x] = reduce(&padded[y..y + 2 * radius + 1]);
        }
    }
    out
}

/// Writes `values` (n of them) into `buf` with `radius` copies of each end value on either side.
fn pad_clamped(buf: &mut [f32], values: impl Iterator<Item = f32>, n: usize, radius: usize) {
    for (i, v) in values.enumerate() {
        buf[radius + i] = v;
    }
    let (first, last) = (buf[radius], buf[radius + n - 1]);
    buf[..radius].iter_mut().for_each(|b| *b = first);
    buf[radius + n..n + 2 * radius]
        .iter_mut()
        .for_each(|b| *b = last);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blur_keeps_a_constant_image_and_spreads_a_dot() {
        let flat = vec![0.5f32; 25];
        assert!(gaussian_blur(&flat, 5, 5, 1.0)
            .iter()
            .all(|v| (v - 0.5).abs() < 1e-6));
        let mut dot = vec![0.0f32; 49];
        dot[24] = 1.0;
        let b = gaussian_blur(&dot, 7, 7, 1.0);
        assert!(b[24] < 1.0 && b[23] > 0.0 && (b.iter().sum::<f32>() - 1.0).abs() < 1e-4);
    }

    /// The row-at-a-time passes give the very bits of the window-at-a-time
    /// ones.
    #[test]
    fn blur_down_rows_equals_blur_down_columns() {
        let (w, h, sigma) = (23, 17, 1.5f32);
        let data: Vec<f32> = (0..w * h)
            .map(|i| ((i * 37 % 101) as f32) / 100.0)
            .collect();
        let (radius, kernel) = gaussian_kernel(sigma);
        let by_columns = separable(&data, w, h, radius, |window| {
            window.iter().zip(&kernel).map(|(v, k)| v * k).sum()
        });
        let fast = gaussian_blur(&data, w, h, sigma);
        assert!(fast
            .iter()
            .zip(&by_columns)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    /// The row-at-a-time max and min give the window-at-a-time ones, on
    /// planes narrower and shorter than the window too.
    #[test]
    fn square_filters_equal_the_window_at_a_time_ones() {
        for (w, h, radius) in [(23, 17, 3), (5, 9, 4), (1, 6, 2), (8, 1, 1)] {
            let data: Vec<f32> = (0..w * h)
                .map(|i| ((i * 37 % 101) as f32) / 100.0)
                .collect();
            let slow_max = separable(&data, w, h, radius, |window| {
                window.iter().copied().fold(f32::NEG_INFINITY, f32::max)
            });
            let slow_min = separable(&data, w, h, radius, |window| {
                window.iter().copied().fold(f32::INFINITY, f32::min)
            });
            assert_eq!(
                max_filter(&data, w, h, radius),
                slow_max,
                "{w}×{h}, r {radius}"
            );
            assert_eq!(
                min_filter(&data, w, h, radius),
                slow_min,
                "{w}×{h}, r {radius}"
            );
        }
    }

    #[test]
    fn max_filter_grows_a_bright_dot_into_a_square() {
        let mut dot = vec![0.0f32; 49];
        dot[24] = 1.0;
        let m = max_filter(&dot, 7, 7, 1);
        assert_eq!(m.iter().filter(|&&v| v == 1.0).count(), 9);
    }
}
