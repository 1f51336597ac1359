//! The subcommands, one file each; every task writes its figures, its JSON
//! summary and its checkpoints under `out`.

pub mod cifar10;
pub mod flowers17;
pub mod image_pair;
pub mod nist36;
pub mod sun;

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
