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
    /// A path that must be a folder is a file.
    #[error("{} is a file, not {what}; {hint}", path.display())]
    NotAFolder {
        what: String,
        path: PathBuf,
        hint: String,
    },
    /// A photo of a dataset that cannot be decoded (missing, truncated,
    /// corrupt, not an image), in the root crate's words.
    #[error("{0}")]
    BadImage(gradink::Error),
    /// Training produced a non-finite loss.
    #[error("{label}: training diverged in epoch {epoch}: the loss became {loss}")]
    Diverged {
        label: String,
        epoch: usize,
        loss: f64,
    },
    #[error("--device cuda was requested but libtorch sees no CUDA GPU on this machine")]
    NoCuda,
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    /// What the root crate's loaders and writers report (NIST36 `.mat`
    /// files, weights files, figures, atomic writes): one sentence naming
    /// the file.
    #[error(transparent)]
    Gradink(#[from] gradink::Error),
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

/// Fails with [`Error::Missing`] unless `path` exists, and with
/// [`Error::NotAFolder`] if it is not a folder.
pub fn require_dir(path: &std::path::Path, what: &str, hint: &str) -> Result<()> {
    require(path, what, hint)?;
    if path.is_dir() {
        Ok(())
    } else {
        Err(Error::NotAFolder {
            what: what.to_string(),
            path: path.to_path_buf(),
            hint: hint.to_string(),
        })
    }
}
