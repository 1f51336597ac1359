//! Figures: loss and accuracy per epoch (PNG, plotters with an embedded
//! DejaVu Sans so no system fonts are needed).

use crate::train::EpochStats;
use crate::{Error, Result};
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

static FONT: Once = Once::new();

fn register_font() {
    FONT.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../assets/DejaVuSans.ttf");
        plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
            .unwrap_or_else(|_| panic!("the embedded font is valid"));
    });
}

/// Draws named series against epoch 1, 2, … into a PNG.
pub fn lines(path: &Path, title: &str, y_label: &str, series: &[(&str, Vec<f64>)]) -> Result<()> {
    register_font();
    let err = |e: &dyn std::fmt::Display| Error::Plot {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let n = series
        .iter()
        .map(|(_, v)| v.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let values = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let pad = ((hi - lo) * 0.05).max(1e-3);

    const W: u32 = 800;
    const H: u32 = 500;
    let mut buffer = vec![0u8; (W * H * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (W, H)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 24))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(1f64..(n as f64).max(2.0), (lo - pad)..(hi + pad))
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_desc(y_label)
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(|e| err(&e))?;
        for (i, (name, v)) in series.iter().enumerate() {
            let colour = Palette99::pick(i).to_rgba().stroke_width(2);
            chart
                .draw_series(LineSeries::new(
                    v.iter().enumerate().map(|(e, &y)| (e as f64 + 1.0, y)),
                    colour,
                ))
                .map_err(|e| err(&e))?
                .label(*name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    // Encoded with `image` (already a dependency) rather than plotters' own
    // encoder, which would pull in a second version of `image`.
    let img = image::RgbImage::from_raw(W, H, buffer).expect("buffer is W×H×3");
    img.save(path).map_err(|e| err(&e))
}

/// `{prefix}loss.png` and `{prefix}accuracy.png` for one training history.
pub fn history(dir: &Path, prefix: &str, title: &str, history: &[EpochStats]) -> Result<()> {
    let get = |f: fn(&EpochStats) -> f64| history.iter().map(f).collect::<Vec<_>>();
    lines(
        &dir.join(format!("{prefix}loss.png")),
        &format!("{title}: loss"),
        "cross-entropy",
        &[
            ("train", get(|s| s.train_loss)),
            ("validation", get(|s| s.valid_loss)),
        ],
    )?;
    lines(
        &dir.join(format!("{prefix}accuracy.png")),
        &format!("{title}: accuracy"),
        "accuracy",
        &[
            ("train", get(|s| s.train_acc)),
            ("validation", get(|s| s.valid_acc)),
        ],
    )
}
