//! Which NIST36 folder a run reads when no folder is given: the course's
//! own files in `data/nist36` (fetched by `bash data/get-data.sh`) when they
//! are there, else the stand-in shipped in `data/nist36_standin`, so a fresh
//! clone runs everything. The choice says why, so every run can name it.

use crate::error::{Error, Result};
use std::fmt;
use std::path::{Path, PathBuf};

/// Where `data/get-data.sh` puts the course's files.
pub const COURSE_DATA: &str = "data/nist36";
/// The NIST36-format stand-in shipped in the repository.
pub const SHIPPED_DATA: &str = "data/nist36_standin";

/// The folder a run reads and why it was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataChoice {
    pub dir: PathBuf,
    pub why: &'static str,
}

/// Shown as `FOLDER (why)`, the line `gradink` prints after `data: `.
impl fmt::Display for DataChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.dir.display(), self.why)
    }
}

/// The folder to read: `given`, else the default above. A `given` path that
/// is a file (a common slip: the path of `nist36_train.mat` itself) is refused.
pub fn nist36_dir(given: Option<&Path>) -> Result<DataChoice> {
    if let Some(dir) = given {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::DataNotFolder {
                path: dir.to_path_buf(),
            });
        }
    }
    let course = in_repository(COURSE_DATA);
    let (dir, why) = match given {
        Some(dir) => (dir.to_path_buf(), "--data"),
        None if course.join("nist36_train.mat").exists() => {
            (course, "the course's files, from data/get-data.sh")
        }
        None => (
            in_repository(SHIPPED_DATA),
            "the EMNIST stand-in shipped with gradink, see data/nist36_standin/README.md; \
             `bash data/get-data.sh` puts the course's files in data/nist36",
        ),
    };
    Ok(DataChoice { dir, why })
}

/// A default path relative to the repository: as given if it exists here
/// (the usual case, run from the repository root), else beside this crate's
/// manifest, so the commands also work when run from elsewhere.
pub fn in_repository(path: impl AsRef<Path>) -> PathBuf {
    let path = path.as_ref();
    let beside_manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if path.exists() || path.is_absolute() || !beside_manifest.exists() {
        path.to_path_buf()
    } else {
        beside_manifest
    }
}
