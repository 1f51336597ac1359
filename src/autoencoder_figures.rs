//! The autoencoder's figures: its loss curves beside the PCA baseline, and
//! validation images beside their reconstructions. In the library, so a
//! program that trains an autoencoder can draw them without the binary.

use crate::data::{class_name, upright, Split, IMAGE_SIDE};
use crate::error::Result;
use crate::models::{AeModel, Autoencoder, Pca};
use crate::plot::{self, Chart, Series};
use crate::train::EpochStats;
use crate::train_autoencoder::Reconstruction;
use ndarray::{Array2, Axis};
use plotters::prelude::*;
use std::path::Path;

/// `ae_loss.png`: squared error per image (train and valid) and valid PSNR
/// per epoch, beside the PSNR of PCA with `pca_components` components.
pub fn loss_curves(
    history: &[EpochStats<Reconstruction>],
    pca_psnr: f64,
    pca_components: usize,
    path: &Path,
) -> Result<()> {
    let series =
        |f: fn(&EpochStats<Reconstruction>) -> f64| history.iter().map(f).collect::<Vec<_>>();
    plot::line_charts(
        path,
        &[
            Chart {
                title: "Autoencoder loss".into(),
                y_label: "squared error per image".into(),
                series: vec![
                    Series::new("train", series(|h| h.train_loss)),
                    Series::new("valid", series(|h| h.scores.valid_loss)),
                ],
            },
            Chart {
                title: "Validation PSNR".into(),
                y_label: "dB".into(),
                series: vec![
                    Series::new("valid", series(|h| h.scores.valid_psnr)),
                    Series::new(
                        format!("PCA-{pca_components} (valid)"),
                        vec![pca_psnr; history.len()],
                    ),
                ],
            },
        ],
        2,
    )?;
    Ok(())
}

/// Five classes spread over the alphabet, and the first two validation images of each.
pub fn pick_examples(valid: &Split) -> Vec<(usize, usize)> {
    let classes = valid.classes.max(1);
    let mut picked = Vec::new();
    for k in 0..5 {
        let class = k * classes / 5;
        let rows = (0..valid.len()).filter(|&i| valid.labels[i] == class);
        picked.extend(rows.take(2).map(|i| (class, i)));
    }
    picked
}

/// `reconstructions.png`: one row per class, each original beside the
/// network's reconstruction (with `dense`, the conv network's and then the
/// dense one's) and PCA's (same code size), upright, on a fixed 0 (black) …
/// 1 (white) scale so that a faint reconstruction looks faint.
pub fn reconstructions<M: AeModel>(
    model: &M,
    dense: Option<&Autoencoder<f32>>,
    pca: &Pca,
    valid: &Split,
    path: &Path,
) -> Result<()> {
    let picked = pick_examples(valid);
    let rows: Vec<usize> = picked.iter().map(|&(_, i)| i).collect();
    let originals = valid.images.select(Axis(0), &rows);
    let mut columns = vec![("original", originals.clone())];
    match dense {
        None => columns.push(("network", model.reconstruct(originals.view()))),
        Some(dense) => {
            columns.push(("conv", model.reconstruct(originals.view())));
            columns.push(("dense", dense.reconstruct(originals.view())));
        }
    }
    columns.push(("PCA", pca.reconstruct(originals.view())));
    let title = match dense {
        None => format!(
            "Validation images, the network's and PCA-{}'s reconstructions",
            pca.components()
        ),
        Some(_) => format!(
            "Validation images; conv, dense and PCA-{} reconstructions",
            pca.components()
        ),
    };

    const SCALE: i32 = 4;
    const GAP: i32 = 8;
    let side = IMAGE_SIDE as i32 * SCALE;
    let (left, top) = (40, 56);
    let group = columns.len() as i32 * (side + GAP) - GAP;
    let size = (
        (left + 2 * group + 3 * GAP) as u32,
        (top + 5 * (side + GAP) + GAP) as u32,
    );
    plot::render(path, size, |root| {
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
        root.fill(&WHITE).map_err(e)?;
        let text = |s: &str, at: (i32, i32), px: u32| {
            root.draw_text(s, &("sans-serif", px).into_text_style(&root), at)
        };
        text(&title, (left, 6), 18).map_err(e)?;
        for c in 0..2 {
            let x = left + c * (group + 2 * GAP);
            for (j, (title, _)) in columns.iter().enumerate() {
                text(title, (x + j as i32 * (side + GAP), top - 20), 14).map_err(e)?;
            }
        }
        for (k, &(class, _)) in picked.iter().enumerate() {
            let (row, col) = ((k / 2) as i32, (k % 2) as i32);
            let y = top + row * (side + GAP);
            let x = left + col * (group + 2 * GAP);
            if col == 0 {
                text(&class_name(class).to_string(), (12, y + side / 2 - 10), 22).map_err(e)?;
            }
            for (j, (_, images)) in columns.iter().enumerate() {
                let x0 = x + j as i32 * (side + GAP);
                draw_image(&root, &upright(images.row(k)), (x0, y), SCALE).map_err(e)?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

fn draw_image<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    image: &Array2<f32>,
    (x0, y0): (i32, i32),
    scale: i32,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    for ((r, c), &v) in image.indexed_iter() {
        let g = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        let (x, y) = (x0 + c as i32 * scale, y0 + r as i32 * scale);
        root.draw(&Rectangle::new(
            [(x, y), (x + scale, y + scale)],
            RGBColor(g, g, g).filled(),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two validation images of each of five classes spread over the
    /// alphabet (A, H, O, V, 2 of 36), in that order.
    #[test]
    fn examples_are_two_images_of_five_spread_classes() {
        let labels: Vec<usize> = (0..36 * 3).map(|i| i % 36).collect();
        let valid = Split {
            images: Array2::ones((labels.len(), IMAGE_SIDE * IMAGE_SIDE)),
            labels,
            classes: 36,
        };
        let picked = pick_examples(&valid);
        let classes: Vec<usize> = picked.iter().map(|&(c, _)| c).collect();
        assert_eq!(classes, vec![0, 0, 7, 7, 14, 14, 21, 21, 28, 28]);
        assert!(picked.iter().all(|&(c, i)| valid.labels[i] == c));
    }

    /// The loss figure is a PNG file with both charts drawn.
    #[test]
    fn loss_curves_write_a_png() {
        let history: Vec<EpochStats<Reconstruction>> = (0..3)
            .map(|e| EpochStats {
                epoch: e,
                lr: 1e-3,
                train_loss: 30.0 - e as f64,
                scores: Reconstruction {
                    valid_loss: 31.0 - e as f64,
                    valid_psnr: 15.0 + e as f64,
                },
                seconds: 0.1,
            })
            .collect();
        let path = std::env::temp_dir().join(format!("gradink_ae_loss_{}.png", std::process::id()));
        loss_curves(&history, 17.97, 32, &path).unwrap();
        let image = image::open(&path).unwrap();
        assert!(image.width() > 400 && image.height() > 200);
        std::fs::remove_file(&path).unwrap();
    }
}
