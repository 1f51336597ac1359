//! Progress bars for long work (hidden when stderr is not a terminal).

use gradink::train::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// A bar over every batch of every epoch, showing running loss and accuracy.
pub fn training_bar(epochs: usize, batches_per_epoch: usize, label: &str) -> ProgressBar {
    let bar = ProgressBar::new((epochs * batches_per_epoch) as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos}/{len} batches, {elapsed} (eta {eta}) {msg}",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    bar.set_prefix(label.to_string());
    bar
}

/// Moves the bar to `p` and shows its running figures.
pub fn update(bar: &ProgressBar, p: Progress) {
    bar.set_position(((p.epoch - 1) * p.batches + p.batch) as u64);
    if p.batch == p.batches || p.batch % 20 == 0 {
        bar.set_message(format!(
            "epoch {} loss {:.3} acc {:.1}%",
            p.epoch,
            p.running_loss,
            100.0 * p.running_acc
        ));
    }
}
