//! The library's error type: every problem a user can cause (missing data,
//! bad files, wrong weights) is a value with a one-sentence message, not a panic.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A dataset folder, data file or weights file is absent.
    #[error("{what} was not found at {}; {hint}", path.display())]
    Missing {
        what: String,
        path: PathBuf,
        hint: String,
    },
    /// A file exists but its contents are not what the loader expects.
    #[error("{}: {reason}", path.display())]
    BadData { path: PathBuf, reason: String },
    /// A weights file lacks a tensor the model has.
    #[error("weights file {} has no tensor `{name}` (expected shape {expected:?})", path.display())]
    MissingTensor {
        path: PathBuf,
        name: String,
        expected: Vec<i64>,
    },
    /// A weights file tensor has a different shape from the model's.
    #[error("weights file {}: tensor `{name}` has shape {found:?} but the model expects {expected:?}", path.display())]
    ShapeMismatch {
        path: PathBuf,
        name: String,
        expected: Vec<i64>,
        found: Vec<i64>,
    },
    #[error("--device cuda was requested but libtorch sees no CUDA GPU on this machine")]
    NoCuda,
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("drawing {}: {reason}", path.display())]
    Plot { path: PathBuf, reason: String },
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(context: impl std::fmt::Display, source: std::io::Error) -> Self {
        Error::Io {
            context: context.to_string(),
            source,
        }
    }

    /// A file the loader cannot make sense of.
    pub fn bad(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::BadData {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// Fails with [`Error::Missing`] unless `path` exists.
pub fn require(path: &std::path::Path, what: &str, hint: &str) -> Result<()> {
    if path.exists() {
        Ok(())
    } else {
        Err(Error::Missing {
            what: what.to_string(),
            path: path.to_path_buf(),
            hint: hint.to_string(),
        })
    }
}
