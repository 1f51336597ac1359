//! The classifiers' figures: accuracy and loss per epoch, the test
//! confusion matrix, the MLP's first-layer weights and the CNN's first
//! filters. In the library, so a program that trains a classifier can draw
//! them without the binary.

use crate::data::upright;
use crate::error::Result;
use crate::models::{Classifier, Cnn};
use crate::plot::{self, Chart, Series};
use crate::train::EpochStats;
use ndarray::{Array2, Axis};
use std::path::Path;

/// `accuracy.png` and `loss.png` in `out`: train and valid per epoch.
pub fn curves(history: &[EpochStats], out: &Path) -> Result<()> {
    let series = |f: fn(&EpochStats) -> f64| history.iter().map(f).collect::<Vec<_>>();
    plot::line_chart(
        &out.join("accuracy.png"),
        &Chart {
            title: "Accuracy".into(),
            y_label: "accuracy".into(),
            series: vec![
                Series::new("train", series(|h| h.scores.train_acc)),
                Series::new("valid", series(|h| h.scores.valid_acc)),
            ],
        },
    )?;
    plot::line_chart(
        &out.join("loss.png"),
        &Chart {
            title: "Mean cross-entropy".into(),
            y_label: "loss per sample".into(),
            series: vec![
                Series::new("train", series(|h| h.train_loss)),
                Series::new("valid", series(|h| h.scores.valid_loss)),
            ],
        },
    )?;
    Ok(())
}

/// `confusion_test.png` in `out`: the test confusion matrix, titled with
/// the test accuracy.
pub fn test_confusion(
    out: &Path,
    confusion: &[Vec<usize>],
    names: &[String],
    test_acc: f64,
) -> Result<()> {
    plot::confusion_matrix(
        &out.join("confusion_test.png"),
        confusion,
        names,
        &format!("Test confusion matrix (accuracy {:.1}%)", 100.0 * test_acc),
    )
}

/// The MLP's first-layer weight vectors as upright 32×32 images, 8 a row
/// (the first 64 hidden units).
pub fn weight_grid(model: &Classifier<f32>, path: &Path) -> Result<()> {
    let w = model
        .params
        .matrix(&model.hidden.weight)
        .expect("a classifier has its hidden layer's weights");
    let images: Vec<Array2<f32>> = w.axis_iter(Axis(1)).take(64).map(upright).collect();
    plot::image_grid(path, &images, 8, 3, None)
}

/// The CNN's first convolution's filters as upright 3×3 images (the network
/// sees the stored, transposed glyphs, so each filter is transposed back), 8 a row.
pub fn filter_grid(model: &Cnn<f32>, path: &Path) -> Result<()> {
    let w = model
        .params
        .get("conv1.weight")
        .expect("a CNN has its first convolution's weights");
    let images: Vec<Array2<f32>> = w
        .outer_iter()
        .map(|f| {
            let f = f.index_axis(Axis(0), 0);
            let f = f
                .into_dimensionality::<ndarray::Ix2>()
                .expect("OIHW weights");
            f.t().to_owned()
        })
        .collect();
    plot::image_grid(path, &images, 8, 24, None)
}
