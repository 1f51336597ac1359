//! Every figure, drawn with plotters into memory and written as PNG.

use crate::error::{Error, Result};
use ndarray::Array2;
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

/// A named curve, one value per epoch.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

impl Series {
    pub fn new(name: impl Into<String>, values: Vec<f64>) -> Self {
        Series {
            name: name.into(),
            values,
        }
    }
}

/// One panel: curves against epochs.
#[derive(Clone, Debug)]
pub struct Chart {
    pub title: String,
    pub y_label: String,
    pub series: Vec<Series>,
}

const FONT: &str = "sans-serif";
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// The colour of series (or line) `i`.
pub fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Plotters finds fonts by name; the project ships its own so that figures
/// look the same on every machine and need no system fonts.
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../assets/DejaVuSans.ttf");
        plotters::style::register_font(FONT, FontStyle::Normal, bytes)
            .unwrap_or_else(|_| panic!("the bundled font is valid"));
    });
}

fn plot_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        error: std::io::Error::other(e.to_string()),
    }
}

/// Draws into an RGB buffer of `size`, then writes it to `path` as PNG (atomically).
pub fn render(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(
        DrawingArea<BitMapBackend, plotters::coord::Shift>,
    ) -> std::result::Result<(), String>,
) -> Result<()> {
    register_font();
    let mut buffer = vec![255u8; (size.0 * size.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, size).into_drawing_area();
        draw(root.clone()).map_err(|e| plot_err(path, e))?;
        root.present().map_err(|e| plot_err(path, e))?;
    }
    save_rgb(path, size, buffer)
}

/// Encodes an RGB buffer as PNG and writes it atomically.
pub fn save_rgb(path: &Path, (w, h): (u32, u32), buffer: Vec<u8>) -> Result<()> {
    let img =
        image::RgbImage::from_raw(w, h, buffer).ok_or_else(|| plot_err(path, "buffer size"))?;
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| plot_err(path, e))?;
    crate::fsutil::write_atomic(path, png.get_ref())
}

/// Curves against epoch (1, 2, …), one panel per chart, `cols` panels a row.
pub fn line_charts(path: &Path, charts: &[Chart], cols: usize) -> Result<()> {
    let cols = cols.clamp(1, charts.len().max(1));
    let rows = charts.len().div_ceil(cols).max(1);
    let size = (640 * cols as u32, 440 * rows as u32);
    render(path, size, |root| {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        for (area, chart) in root.split_evenly((rows, cols)).iter().zip(charts) {
            draw_chart(area, chart)?;
        }
        Ok(())
    })
}

/// One chart in its own file.
pub fn line_chart(path: &Path, chart: &Chart) -> Result<()> {
    line_charts(path, std::slice::from_ref(chart), 1)
}

fn draw_chart(
    area: &DrawingArea<BitMapBackend, plotters::coord::Shift>,
    chart: &Chart,
) -> std::result::Result<(), String> {
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    let n = chart
        .series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let finite = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let pad = ((hi - lo) * 0.05).max(1e-3);
    let mut c = ChartBuilder::on(area)
        .caption(&chart.title, (FONT, 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(1f64..(n.max(2) as f64), (lo - pad)..(hi + pad))
        .map_err(e)?;
    c.configure_mesh()
        .x_desc("epoch")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc(chart.y_label.as_str())
        .label_style((FONT, 14))
        .draw()
        .map_err(e)?;
    for (i, s) in chart.series.iter().enumerate() {
        let colour = palette(i);
        let points = s
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(e, &v)| ((e + 1) as f64, v));
        c.draw_series(LineSeries::new(points, colour.stroke_width(2)))
            .map_err(e)?
            .label(s.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
    }
    c.configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font((FONT, 14))
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(e)
}

/// Greyscale images in a grid, each scaled to its own min…max (so weight
/// vectors with any range are visible), `scale` screen pixels per image pixel,
/// with an optional caption under each image.
pub fn image_grid(
    path: &Path,
    images: &[Array2<f32>],
    cols: usize,
    scale: u32,
    captions: Option<&[String]>,
) -> Result<()> {
    let (h, w) = images.first().map(|i| i.dim()).unwrap_or((1, 1));
    let cols = cols.max(1);
    let rows = images.len().div_ceil(cols).max(1);
    let gap = 4u32;
    let caption_h = if captions.is_some() { 22 } else { 0 };
    let cell = (w as u32 * scale + gap, h as u32 * scale + gap + caption_h);
    let size = (cols as u32 * cell.0 + gap, rows as u32 * cell.1 + gap);
    render(path, size, |root| {
        for (k, img) in images.iter().enumerate() {
            let (x0, y0) = (
                gap + (k % cols) as u32 * cell.0,
                gap + (k / cols) as u32 * cell.1,
            );
            let lo = img.iter().copied().fold(f32::INFINITY, f32::min);
            let hi = img.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let range = if hi > lo { hi - lo } else { 1.0 };
            for ((r, c), &v) in img.indexed_iter() {
                let g = (((v - lo) / range).clamp(0.0, 1.0) * 255.0) as u8;
                let (x, y) = (
                    (x0 + c as u32 * scale) as i32,
                    (y0 + r as u32 * scale) as i32,
                );
                root.draw(&Rectangle::new(
                    [(x, y), (x + scale as i32, y + scale as i32)],
                    RGBColor(g, g, g).filled(),
                ))
                .map_err(|e| e.to_string())?;
            }
            if let Some(text) = captions.and_then(|c| c.get(k)) {
                let y = (y0 + h as u32 * scale + 3) as i32;
                root.draw_text(text, &(FONT, 15).into_text_style(&root), (x0 as i32, y))
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    })
}

/// A confusion matrix as a heat map (rows: true class, columns: predicted),
/// shaded by the fraction of each true class, counts written in the cells.
pub fn confusion_matrix(
    path: &Path,
    matrix: &[Vec<usize>],
    names: &[String],
    title: &str,
) -> Result<()> {
    let n = matrix.len();
    let cell = 22i32;
    let (left, top) = (70i32, 60i32);
    let side = left + cell * n as i32 + 20;
    let size = (side as u32, (top + cell * n as i32 + 60) as u32);
    render(path, size, |root| {
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
        root.fill(&WHITE).map_err(e)?;
        let text = |s: &str, at: (i32, i32), px: u32| {
            root.draw_text(s, &(FONT, px).into_text_style(&root), at)
        };
        text(title, (left, 10), 20).map_err(e)?;
        text("predicted →", (left, 36), 14).map_err(e)?;
        text("true ↓", (4, top - 20), 14).map_err(e)?;
        for (t, row) in matrix.iter().enumerate() {
            let total = row.iter().sum::<usize>().max(1) as f64;
            let y = top + t as i32 * cell;
            text(&names[t], (left - 22, y + 4), 14).map_err(e)?;
            for (p, &count) in row.iter().enumerate() {
                let x = left + p as i32 * cell;
                let f = count as f64 / total;
                let shade = if t == p {
                    RGBColor(
                        (255.0 * (1.0 - f)) as u8,
                        (255.0 - 100.0 * f) as u8,
                        (255.0 * (1.0 - f)) as u8,
                    )
                } else {
                    let f = (f * 4.0).min(1.0); // mistakes are rarer: stretch their scale
                    RGBColor(255, (255.0 * (1.0 - f)) as u8, (255.0 * (1.0 - f)) as u8)
                };
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    shade.filled(),
                ))
                .map_err(e)?;
                if count > 0 {
                    text(&count.to_string(), (x + 2, y + 6), 10).map_err(e)?;
                }
            }
        }
        for (p, name) in names.iter().enumerate() {
            let x = left + p as i32 * cell + 6;
            text(name, (x, top + cell * n as i32 + 6), 14).map_err(e)?;
            text(name, (x, top - 16), 12).map_err(e)?;
        }
        Ok(())
    })
}
