//! The subcommands, one file each; every task writes its figures, its JSON
//! summary and its checkpoints under `out`.

pub mod cifar10;
pub mod flowers17;
pub mod image_pair;
pub mod nist36;
pub mod sun;

use crate::data::images::BadImages;
use crate::train::{blow_up, Outcome};
use crate::Result;
use gradink::keep_better::{settle, Judgement, Staging};
use std::path::PathBuf;
use tch::Device;

/// What every task is given.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub data: PathBuf,
    pub out: PathBuf,
    /// Epochs for the main model; `None` uses the task's default.
    pub epochs: Option<usize>,
    pub device: Device,
    pub seed: u64,
    /// Accept a finished run even if it is worse than what `out` holds.
    pub force: bool,
    /// What `sun` and `flowers17` do with a photo that cannot be decoded.
    pub bad_images: BadImages,
}

/// The summary's name in `out`; it is moved in last.
pub const SUMMARY: &str = "summary.json";

/// Runs `write` (which writes every file of the run into the staging folder
/// it is given) under the root crate's rule for an output folder
/// (`gradink::keep_better`, docs/robustness.md): the run's files reach
/// `out` only when it finished and is accepted; a run that fails leaves
/// `out` as it was; a finished run whose model scores below the model of
/// the same name already in `out` (on this run's validation split) or that
/// blew up is moved to `out/rejected` instead, and this returns the error
/// saying so, unless `opts.force`. `write` returns the summary and the
/// models it trained: `(file name, outcome, classes)`, the main one first.
pub fn staged<S>(
    opts: &RunOptions,
    write: impl FnOnce(&std::path::Path) -> Result<(S, Vec<(String, Outcome, i64)>)>,
) -> Result<S> {
    let staging = Staging::new(&opts.out)?;
    let (summary, models) = match write(&staging.dir) {
        Ok(done) => done,
        Err(e) => {
            staging.abandon();
            return Err(e);
        }
    };
    let blew_up = models
        .iter()
        .find_map(|(name, o, classes)| blow_up(o, *classes).map(|why| format!("{name}: {why}")));
    let worse = models.iter().find(|(_, o, _)| {
        o.previous_valid_acc
            .is_some_and(|old| old > o.best_valid_acc)
    });
    let Some((name, outcome, _)) = worse.or(models.first()) else {
        staging.accept(SUMMARY)?;
        return Ok(summary);
    };
    let judgement = Judgement {
        blew_up,
        previous: outcome.previous_valid_acc,
        new: outcome.best_valid_acc,
    };
    settle(&staging, judgement, opts.force, name, SUMMARY, |a| {
        format!("{:.1}%", 100.0 * a)
    })?;
    Ok(summary)
}

/// Run details recorded at the top of every summary.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RunInfo {
    pub task: String,
    pub data: PathBuf,
    pub device: String,
    pub seed: u64,
    pub libtorch_threads: i32,
}

impl RunInfo {
    pub fn new(task: &str, opts: &RunOptions) -> Self {
        RunInfo {
            task: task.to_string(),
            data: opts.data.clone(),
            device: format!("{:?}", opts.device),
            seed: opts.seed,
            libtorch_threads: tch::get_num_threads(),
        }
    }
}
