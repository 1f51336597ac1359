//! Figures: loss and accuracy per epoch, drawn by the root crate's
//! `gradink::plot` (its bundled DejaVu Sans, PNG written atomically).

use crate::train::EpochStats;
use crate::Result;
use gradink::plot::{line_chart, Chart, Series};
use std::path::Path;

/// `{prefix}loss.png` and `{prefix}accuracy.png` for one training history.
pub fn history(dir: &Path, prefix: &str, title: &str, history: &[EpochStats]) -> Result<()> {
    let get = |f: fn(&EpochStats) -> f64| history.iter().map(f).collect::<Vec<_>>();
    let chart = |what: &str, y_label: &str, train, valid| Chart {
        title: format!("{title}: {what}"),
        y_label: y_label.to_string(),
        series: vec![
            Series::new("train", train),
            Series::new("validation", valid),
        ],
    };
    line_chart(
        &dir.join(format!("{prefix}loss.png")),
        &chart(
            "loss",
            "cross-entropy",
            get(|s| s.train_loss),
            get(|s| s.valid_loss),
        ),
    )?;
    line_chart(
        &dir.join(format!("{prefix}accuracy.png")),
        &chart(
            "accuracy",
            "accuracy",
            get(|s| s.train_acc),
            get(|s| s.valid_acc),
        ),
    )?;
    Ok(())
}
