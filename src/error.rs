//! Errors a user can cause: missing or malformed files. Each names the path
//! and says what was expected. (Shape mistakes in model code are bugs and panic.)

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: file not found{hint}")]
    NotFound { path: PathBuf, hint: String },

    /// The OS error is part of the message, not a `source`: a chain printed
    /// with `{:#}` would otherwise say it twice.
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },

    /// A file operation failed (`what` names it and the path): of the rule
    /// for `--out` (src/keep_better.rs), or creating a run's folders.
    #[error("{what}: {error}")]
    Files { what: String, error: std::io::Error },

    /// A finished run that the rule for `--out` did not accept
    /// (src/keep_better.rs): why, what was kept, where the run went.
    #[error("{0}")]
    Refused(String),

    /// `--data` names a file where a folder of the three splits is expected.
    #[error("--data must be a folder (holding nist36_train.mat, nist36_valid.mat and nist36_test.mat); {path} is a file")]
    DataNotFolder { path: PathBuf },

    /// A run that stopped before it finished: what went wrong, and what
    /// its output folder holds now.
    #[error("{0}")]
    Stopped(String),

    /// A model file that reads, but does not fit the data or the comparison asked for.
    #[error("{path}: {reason}")]
    ModelMismatch { path: PathBuf, reason: String },

    #[error("{path} {reason}")]
    NotRegular { path: PathBuf, reason: String },

    #[error("{path}: this is a MATLAB v7.3 (HDF5) file; re-save it as v7 or older (MATLAB: save(..., '-v7'); Python: scipy.io.savemat)")]
    Hdf5 { path: PathBuf },

    #[error("{path}: not a readable MATLAB v5 .mat file (truncated or corrupt?): {reason}")]
    Malformed { path: PathBuf, reason: String },

    #[error("{path}: no array named '{key}' (found: {found})")]
    MissingKey {
        path: PathBuf,
        key: String,
        found: String,
    },

    #[error("{path}: '{key}' has shape {rows}×{cols}; expected {expected}")]
    BadShape {
        path: PathBuf,
        key: String,
        rows: usize,
        cols: usize,
        expected: String,
    },

    #[error("{path}: row {row} of '{key}' is not one-hot (expected a single 1 and zeros)")]
    NotOneHot {
        path: PathBuf,
        key: String,
        row: usize,
    },

    #[error("{first} has {first_classes} label columns but {second} has {second_classes}; every split must have the same classes (26: A–Z, 36: A–Z and 0–9)")]
    ClassMismatch {
        first: PathBuf,
        first_classes: usize,
        second: PathBuf,
        second_classes: usize,
    },

    #[error("{path}: '{key}' {problem}")]
    BadData {
        path: PathBuf,
        key: String,
        problem: String,
    },

    #[error("{path}: not a usable model file: {reason}")]
    ModelFile { path: PathBuf, reason: String },

    #[error("training diverged in epoch {epoch}: the loss became {loss} (last finite loss {last_finite}); lower the learning rate")]
    Diverged {
        epoch: usize,
        loss: f64,
        last_finite: f64,
    },

    #[error("{what} would need about {need} of memory; {have} is available")]
    TooBig {
        what: String,
        need: String,
        have: String,
    },

    /// A run failed after it began writing: why, then what it left of `--out`.
    #[error("{error}; {left}")]
    Abandoned { error: Box<Error>, left: String },

    #[error("--touching needs --arch cnn (the course's MLP has no 'touching' output)")]
    TouchingNeedsCnn,

    #[error("--page-crops needs --arch cnn")]
    PageCropsNeedCnn,

    #[error("--emnist adds {emnist} classes (A–Z, 0–9) but the training data has {data}; use 36-class NIST36 data with --emnist")]
    EmnistClasses { emnist: usize, data: usize },

    #[error("{path}: no test_data, valid_data or train_data variable (is this a NIST-format .mat file?)")]
    NoSplit { path: PathBuf },

    #[error("{path}: the labels are {classes} wide; expected 26 (A–Z) or 36 (A–Z, 0–9)")]
    LabelWidth { path: PathBuf, classes: usize },

    #[error("{model}: a {architecture} model of {inputs} inputs and {classes} classes cannot score {pixels} pixels a row and {data_classes} classes")]
    ModelDoesNotFit {
        model: PathBuf,
        architecture: String,
        inputs: usize,
        classes: usize,
        pixels: usize,
        data_classes: usize,
    },

    #[error("{path}: cannot read image: {reason}")]
    Image { path: PathBuf, reason: String },

    #[error("truncated or corrupt image {path}: {reason}")]
    CorruptImage { path: PathBuf, reason: String },

    /// An output file (a figure, a page) that could not be written.
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },

    /// `gradink serve`'s socket could not be had.
    #[error("{0}")]
    Server(String),

    /// A step of a command that failed, named as the command says it
    /// ("cannot load the classifier: …"); the cause is part of the message,
    /// not a `source`, as in `Io`.
    #[error("{what}: {error}")]
    Step {
        what: String,
        error: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Error {
    /// This error as the cause of the step `what`.
    pub fn during(self, what: impl Into<String>) -> Self {
        Error::step(what, self)
    }

    /// `error`, of any type (PCA's, say), as the cause of the step `what`.
    pub fn step(
        what: impl Into<String>,
        error: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Step {
            what: what.into(),
            error: Box::new(error),
        }
    }

    /// Wraps an I/O error, turning "not found" into the friendlier variant.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::NotFound {
                path,
                hint: String::new(),
            }
        } else {
            Error::Io {
                path,
                error: source,
            }
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
