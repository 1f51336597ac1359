//! Progress bars for long work (hidden when stderr is not a terminal).

use gradink::report::stages::StageDisplay;
use gradink::runs::event::Event;
use gradink::train::Progress;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::sync::OnceLock;

/// Set by `gradink report`: every later bar is drawn under its overall display.
static PARENT: OnceLock<MultiProgress> = OnceLock::new();

/// Draws every bar made from now on beneath `multi` (one display for many stages).
pub fn nest_under(multi: &MultiProgress) {
    let _ = PARENT.set(multi.clone());
}

/// `bar`, drawn beneath `gradink report`'s display when there is one.
fn nested(bar: ProgressBar) -> ProgressBar {
    match PARENT.get() {
        Some(multi) => multi.add(bar),
        None => bar,
    }
}

/// A bar over every batch of every epoch, showing running loss and accuracy.
pub fn training_bar(epochs: usize, batches_per_epoch: usize, label: &str) -> ProgressBar {
    let bar = nested(ProgressBar::new((epochs * batches_per_epoch) as u64));
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

/// Moves the bar to `p` and shows its running figures (the autoencoder's
/// loss is per image, without an accuracy).
pub fn update(bar: &ProgressBar, p: Progress) {
    bar.set_position(((p.epoch - 1) * p.batches + p.batch) as u64);
    if p.batch == p.batches || p.batch.is_multiple_of(20) {
        bar.set_message(match p.running_acc {
            Some(acc) => format!(
                "epoch {} loss {:.3} acc {:.1}%",
                p.epoch,
                p.running_loss,
                100.0 * acc
            ),
            None => format!("epoch {} loss {:.2}/image", p.epoch, p.running_loss),
        });
    }
}

/// Shows a library run's events: the data it chose as the first line on
/// stdout, a bar for each training stage.
pub fn shown() -> impl FnMut(Event<'_>) {
    let mut bar: Option<ProgressBar> = None;
    move |event| match event {
        Event::Data(choice) => println!("data: {choice}"),
        Event::Training {
            label,
            epochs,
            batches,
        } => bar = Some(training_bar(epochs, batches, label)),
        Event::Batch(p) => {
            if let Some(bar) = &bar {
                update(bar, p);
            }
        }
        Event::TrainingDone | Event::PreparedDone => {
            if let Some(bar) = bar.take() {
                bar.finish_and_clear();
            }
        }
        Event::Preparing { label, total } => bar = Some(preparing_bar(total, label)),
        Event::Prepared(done) => {
            if let Some(bar) = &bar {
                bar.set_position(done as u64);
            }
        }
    }
}

/// A bar over the steps of preparing the data.
fn preparing_bar(total: usize, label: &str) -> ProgressBar {
    let bar = nested(ProgressBar::new(total as u64));
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len}, {elapsed} (eta {eta})")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_string());
    bar
}

/// `gradink report`'s display: an overall bar over the stages, each stage's
/// own bar (training epochs) drawn beneath it, and one line per finished
/// stage. Where stderr is not a terminal, just the lines.
pub struct StageBars {
    multi: MultiProgress,
    overall: ProgressBar,
}

impl StageBars {
    pub fn new(stages: usize) -> Self {
        let multi = MultiProgress::new();
        let overall = multi.add(ProgressBar::new(stages as u64));
        overall.set_style(
            ProgressStyle::with_template("report [{bar:20}] {pos}/{len} {elapsed} {msg}")
                .expect("static template")
                .progress_chars("=> "),
        );
        nest_under(&multi);
        StageBars { multi, overall }
    }
}

impl StageDisplay for StageBars {
    fn start(&mut self, name: &str) {
        self.overall.set_message(name.to_string());
    }
    fn finish_stage(&mut self, line: &str) {
        self.overall.inc(1);
        self.say(line);
    }
    fn say(&mut self, line: &str) {
        if self.overall.is_hidden() {
            eprintln!(
                "[{}/{}] {line}",
                self.overall.position(),
                self.overall.length().unwrap_or(0)
            );
        } else {
            let _ = self.multi.println(line);
        }
    }
}

impl Drop for StageBars {
    fn drop(&mut self) {
        self.overall.finish_and_clear();
    }
}
