//! The report's one progress display: an overall bar over the stages, each
//! stage's own bar (training epochs) drawn beneath it, and one line per
//! finished stage. Where stderr is not a terminal, just the lines.

use super::sections::{Section, StageTime};
use crate::progress;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::time::Instant;

/// Runs the stages one after another, timing each.
pub struct Stages {
    display: Display,
    timings: Vec<StageTime>,
}

impl Stages {
    pub fn new(count: usize) -> Self {
        Stages {
            display: Display::new(count),
            timings: Vec::new(),
        }
    }

    /// Runs one stage, records its wall time, and shows its outcome in one
    /// line (`summary` of the result when it is ok).
    pub fn run<T>(
        &mut self,
        name: &str,
        work: impl FnOnce() -> Section<T>,
        summary: impl FnOnce(&T) -> String,
    ) -> Section<T> {
        self.start(name);
        let started = Instant::now();
        let section = work();
        self.timings.push(StageTime {
            stage: name.to_string(),
            seconds: started.elapsed().as_secs_f64(),
        });
        self.display
            .finish_stage(&format!("{name}: {}", section.outcome(summary)));
        section
    }

    /// Shows `name` as the stage under way (for work not run through `run`).
    pub fn start(&self, name: &str) {
        self.display.overall.set_message(name.to_string());
    }

    /// Prints a line above the bars.
    pub fn say(&self, line: &str) {
        self.display.say(line);
    }

    /// The wall time of every stage run so far.
    pub fn timings(&mut self) -> Vec<StageTime> {
        std::mem::take(&mut self.timings)
    }

    /// Counts the last stage, prints `line`, and clears the bars.
    pub fn finish(&self, line: &str) {
        self.display.finish_stage(line);
        self.display.overall.finish_and_clear();
    }
}

/// The bars themselves.
struct Display {
    multi: MultiProgress,
    overall: ProgressBar,
}

impl Display {
    fn new(stages: usize) -> Self {
        let multi = MultiProgress::new();
        let overall = multi.add(ProgressBar::new(stages as u64));
        overall.set_style(
            ProgressStyle::with_template("report [{bar:20}] {pos}/{len} {elapsed} {msg}")
                .expect("static template")
                .progress_chars("=> "),
        );
        progress::nest_under(&multi);
        Display { multi, overall }
    }
    fn finish_stage(&self, line: &str) {
        self.overall.inc(1);
        self.say(line);
    }
    fn say(&self, line: &str) {
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
