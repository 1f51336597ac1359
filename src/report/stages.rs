//! Running the report's stages one after another: each timed, its outcome
//! shown in one line through a [`StageDisplay`] (the binary's progress bars,
//! or anything else a program wants).

use super::sections::{Section, StageTime};
use std::time::Instant;

/// What is shown while the report runs.
pub trait StageDisplay {
    /// `name` is the stage under way.
    fn start(&mut self, name: &str);
    /// A stage has finished (or the report is written): counts it and shows `line`.
    fn finish_stage(&mut self, line: &str);
    /// A note between stages (e.g. why the training data is missing).
    fn say(&mut self, line: &str);
}

/// Runs the stages one after another, timing each.
pub struct Stages<'a> {
    display: &'a mut dyn StageDisplay,
    timings: Vec<StageTime>,
}

impl<'a> Stages<'a> {
    pub fn new(display: &'a mut dyn StageDisplay) -> Self {
        Stages {
            display,
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
    pub fn start(&mut self, name: &str) {
        self.display.start(name);
    }

    /// Shows a line between stages.
    pub fn say(&mut self, line: &str) {
        self.display.say(line);
    }

    /// The wall time of every stage run so far.
    pub fn timings(&mut self) -> Vec<StageTime> {
        std::mem::take(&mut self.timings)
    }

    /// Counts the last stage and shows `line`.
    pub fn finish(&mut self, line: &str) {
        self.display.finish_stage(line);
    }
}
