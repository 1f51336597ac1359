//! What a run tells its caller while it works. `gradink` turns these into
//! its `data:` line and its progress bars; a library user may ignore them
//! (pass [`ignore`]). The library itself prints nothing to stdout.

use crate::data::choice::DataChoice;
use crate::train::Progress;

/// One thing that happened in a run, in the order it happened.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// The NIST36 folder the run reads and why, before it is loaded.
    Data(&'a DataChoice),
    /// A training stage starts: `epochs` epochs of `batches` batches each.
    Training {
        label: &'a str,
        epochs: usize,
        batches: usize,
    },
    /// One more batch of the current training stage is done.
    Batch(Progress),
    /// The current training stage ended (finished or failed).
    TrainingDone,
    /// Data preparation of `total` steps starts (e.g. pages to generate).
    Preparing { label: &'a str, total: usize },
    /// `done` of the preparation's steps are done.
    Prepared(usize),
    /// The preparation ended.
    PreparedDone,
}

/// The callback for a caller that wants no progress.
pub fn ignore(_: Event) {}
