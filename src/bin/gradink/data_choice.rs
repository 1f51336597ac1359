//! Which NIST36 folder a subcommand reads when `--data` is not given: the
//! course's own files in `data/nist36` (fetched by `bash data/get-data.sh`)
//! when they are there, else the stand-in shipped in `data/nist36_standin`,
//! so a fresh clone runs everything. Every run says which one it reads.

pub use gradink::repository::in_repository;
use std::path::{Path, PathBuf};

/// Where `data/get-data.sh` puts the course's files.
pub const COURSE_DATA: &str = "data/nist36";
/// The NIST36-format stand-in shipped in the repository.
pub const SHIPPED_DATA: &str = "data/nist36_standin";

/// The folder to read (`given`, else the default above), after printing
/// one line to stdout naming it and why it was chosen. A `--data` that is a
/// file (a common slip: the path of `nist36_train.mat` itself) is refused.
pub fn nist36_dir(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = given {
        if dir.exists() && !dir.is_dir() {
            anyhow::bail!(
                "--data must be a folder (holding nist36_train.mat, nist36_valid.mat and nist36_test.mat); {} is a file",
                dir.display()
            );
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
    println!("data: {} ({why})", dir.display());
    Ok(dir)
}
