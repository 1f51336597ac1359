//! The cores of faint, blurred strokes. Where writing is faint (pencil),
//! `binarize.rs` raises the ink threshold half-way to the typical stroke, so
//! the mask takes in the grey halo that blur spreads around each stroke, and
//! where strokes run close (the arms of an E, the loop of a 6 or an A) the
//! halos meet and the gap between them fills. Thinned, such a blob loses its
//! holes and arms: an E comes out as one bent stroke.
//!
//! The gap is still lighter than the strokes beside it, so a crop is drawn
//! from the core of the ink only: the pixels at least [`CORE`] × as dark as
//! the darkest ink within about a stroke's reach. A stroke's middle is the
//! darkest thing near it and stays; a filled gap, darker than the threshold
//! but lighter than its neighbours, goes. On pages written in dark ink (the
//! threshold not raised) crops are drawn from all the ink, as before.
//!
//! It opens gaps about a stroke wide, the ones blur closes; the middle of a
//! wider filled loop is as dark as anything within reach and stays. On the
//! four sample photos (dark pen) the same rule cost 1.2 points: it
//! breaks strokes whose darkness varies along them, so it is not used there.
//!
//! Dark ink fills gaps the same way where its strokes are thick for the
//! letter (a broad pen, a small hand, a blurred photo: the counters of an
//! A or a B, the arms of an E close up), and thinned it loses them the
//! same way. So a component of dark ink whose strokes are wider than
//! [`THICK`] of its longer side is drawn from its cores too
//! ([`thick_components`]); the sample photos' letters are all thinner
//! than that (at most 0.18), and read as before.

use super::components::Component;
use super::filters::max_filter;

/// A pixel of ink belongs to a stroke's core when it is at least this
/// fraction as dark (1 − shade) as the darkest ink within [`reach`].
/// Measured on generated pages (docs/ocr-photos.md): 0.6 and 0.8 read the
/// strongest pages no better than 0.7.
pub const CORE: f32 = 0.7;

/// How far (working pixels) a pixel looks for darker ink: a twelfth of
/// the typical character, about one stroke's width, at least 2 pixels.
pub fn reach(char_size: f64) -> usize {
    ((char_size / 12.0) as usize).max(2)
}

/// The core of every stroke: 1 where `ink` (row-major, 1 = ink) is at least
/// [`CORE`] × as dark as the darkest ink within `reach` pixels (a square).
/// `shade` is the page divided by its paper (paper ≈ 1, ink darker).
pub fn stroke_cores(
    ink: &[u8],
    shade: &[f32],
    width: usize,
    height: usize,
    reach: usize,
) -> Vec<u8> {
    let darkness: Vec<f32> = ink
        .iter()
        .zip(shade)
        .map(|(&i, &s)| if i != 0 { 1.0 - s } else { 0.0 })
        .collect();
    let darkest = max_filter(&darkness, width, height, reach);
    darkness
        .iter()
        .zip(&darkest)
        .zip(ink)
        .map(|((&d, &most), &i)| u8::from(i != 0 && d >= CORE * most))
        .collect()
}

/// Ink whose strokes are wider than this fraction of its longer side is
/// thick for its size. Measured (docs/ocr-photos.md): the sample photos'
/// characters reach 0.18, generated pages' dark letters 0.18 at the median.
pub const THICK: f64 = 0.2;

/// Whether each component (indexed by label; 0, the paper, never is) is
/// drawn with strokes thick for its size. A stroke's width is its area over
/// half its outline: a band `w` wide and `l` long has area `w·l` and about
/// `2·l` edge pixels. Components whose longer side is under `smallest`
/// (full stops, specks: solid dots, thick by any measure, with nothing
/// inside to open) are not.
pub fn thick_components(
    labels: &[u32],
    comps: &[Component],
    width: usize,
    height: usize,
    smallest: f64,
) -> Vec<bool> {
    let mut edge = vec![0usize; comps.len() + 1];
    let paper = |x: isize, y: isize| {
        x < 0
            || y < 0
            || x >= width as isize
            || y >= height as isize
            || labels[y as usize * width + x as usize] == 0
    };
    for y in 0..height {
        for x in 0..width {
            let l = labels[y * width + x];
            let (x, y) = (x as isize, y as isize);
            if l != 0 && (paper(x - 1, y) || paper(x + 1, y) || paper(x, y - 1) || paper(x, y + 1))
            {
                edge[l as usize] += 1;
            }
        }
    }
    std::iter::once(false)
        .chain(comps.iter().zip(&edge[1..]).map(|(c, &e)| {
            let size = c.height().max(c.width()) as f64;
            let stroke = 2.0 * c.area as f64 / e.max(1) as f64;
            size >= smallest && stroke > THICK * size
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two blurred strokes (σ = 2 px) 6 pixels apart whose halos meet: the
    /// mask is one blob 11 pixels wide, the cores are the two strokes with
    /// the lighter pixel between them open (worked out by hand: darkness
    /// 0.195 there, 0.303 at the strokes' middles, 0.7 × 0.303 = 0.212).
    #[test]
    fn a_filled_gap_between_two_strokes_opens() {
        let (w, h) = (20, 5);
        // Darkness across a row: two strokes at x = 6 and x = 12, with blur.
        let across = |x: usize| {
            let d = |c: f32| 0.3 * (-((x as f32 - c).powi(2)) / 8.0).exp();
            d(6.0) + d(12.0)
        };
        let shade: Vec<f32> = (0..w * h).map(|i| 1.0 - across(i % w)).collect();
        let ink: Vec<u8> = shade.iter().map(|&s| u8::from(s < 0.9)).collect();
        let row = |mask: &[u8]| -> String {
            (0..w)
                .map(|x| if mask[2 * w + x] != 0 { '#' } else { '.' })
                .collect()
        };
        assert_eq!(row(&ink), "....###########.....", "the halos meet");
        let cores = stroke_cores(&ink, &shade, w, h, 3);
        assert_eq!(row(&cores), ".....####.####......");
    }

    /// A ring 40 px across drawn with a pen 3 px wide is thin; drawn with a
    /// pen 11 px wide (a quarter of its size, as a broad pen writes a small
    /// O) it is thick.
    #[test]
    fn a_broad_pen_is_thick_for_a_small_letter() {
        let (w, h) = (50, 50);
        let ring = |pen: f32| -> Vec<u8> {
            (0..w * h)
                .map(|i| {
                    let (dx, dy) = ((i % w) as f32 - 25.0, (i / w) as f32 - 25.0);
                    let r = (dx * dx + dy * dy).sqrt();
                    u8::from((r - (20.0 - pen / 2.0)).abs() <= pen / 2.0)
                })
                .collect()
        };
        for (pen, thick) in [(3.0, false), (11.0, true)] {
            let (labels, comps) = crate::ocr::label_components(&ring(pen), w, h);
            assert_eq!(comps.len(), 1);
            assert_eq!(
                thick_components(&labels, &comps, w, h, 0.0),
                [false, thick],
                "pen {pen}"
            );
        }
    }

    /// Ink of one darkness everywhere (a sharp pen) is all core.
    #[test]
    fn an_even_stroke_is_all_core() {
        let (w, h) = (9, 9);
        let ink: Vec<u8> = (0..w * h)
            .map(|i| u8::from((3..6).contains(&(i % w))))
            .collect();
        let shade: Vec<f32> = ink
            .iter()
            .map(|&i| if i != 0 { 0.3 } else { 1.0 })
            .collect();
        assert_eq!(stroke_cores(&ink, &shade, w, h, 2), ink);
    }
}
