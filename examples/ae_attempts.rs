//! Draws the validation-PSNR curves of several `gradink autoencoder` runs on
//! one chart, with PCA's PSNR (same code size) as a flat line: the figure of
//! docs/autoencoder.md.
//!
//! `cargo run --release --example ae_attempts -- OUT.png LABEL=DIR/ae_summary.json ...`

use anyhow::{bail, Context, Result};
use gradink::plot::{self, Chart, Series};
use std::path::Path;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((out, runs)) = args.split_first() else {
        bail!("usage: ae_attempts OUT.png LABEL=SUMMARY.json ...");
    };
    let mut series = Vec::new();
    let mut pca = None;
    for run in runs {
        let (label, file) = run
            .split_once('=')
            .with_context(|| format!("'{run}' is not LABEL=SUMMARY.json"))?;
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
        let summary: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{file}: not JSON"))?;
        let curve = summary["history"]
            .as_array()
            .with_context(|| format!("{file}: no history"))?
            .iter()
            .map(|h| h["valid_psnr"].as_f64().unwrap_or(f64::NAN))
            .collect();
        series.push(Series::new(label, curve));
        pca = pca.or(summary["pca_valid_psnr_mean"].as_f64());
    }
    let epochs = series.iter().map(|s| s.values.len()).max().unwrap_or(1);
    if let Some(p) = pca {
        series.push(Series::new("PCA-32", vec![p; epochs]));
    }
    plot::line_chart(
        Path::new(out),
        &Chart {
            title: "Autoencoder 1024-32-32-32-1024: validation PSNR per epoch".into(),
            y_label: "dB".into(),
            series,
        },
    )?;
    println!("wrote {out}");
    Ok(())
}
