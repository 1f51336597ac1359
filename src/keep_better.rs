//! The rule that keeps a good model from being lost to a re-run into the
//! same `--out` (docs/robustness.md), for every binary that trains into an
//! output folder (`gradink train` and `autoencoder`, and `extra_credit`):
//!
//! A run is written into a staging folder inside
//! `--out`. When it finishes it is accepted — its files moved into `--out`,
//! replacing the previous run's — unless
//! - it blew up (accuracy at chance, a loss far above guessing, a PSNR no
//!   better than drawing the average image), or
//! - `--out` already holds a model that scores better on this run's own
//!   validation split (measured now, not read from an old summary).
//!
//! A refused run is moved to `--out/rejected/` (replacing an earlier refused
//! run) and the command exits 1 saying why; `--force` accepts any run that
//! finished. A run that fails (diverges, or an error) leaves `--out` as it was.

use crate::error::{Error, Result};
use crate::fsutil;
use std::path::{Path, PathBuf};

/// An I/O error with what was being done (`"cannot move the new X"`).
fn context<T>(r: std::io::Result<T>, what: impl FnOnce() -> String) -> Result<T> {
    r.map_err(|error| Error::Files {
        what: what(),
        error,
    })
}

/// Where a refused run goes, inside `--out`.
pub const REJECTED: &str = "rejected";

/// A run being written: its staging folder inside `out`.
pub struct Staging {
    pub out: PathBuf,
    pub dir: PathBuf,
    /// Whether this run created `out` (then a failed run removes it again,
    /// if it is empty, rather than leave an empty folder behind).
    created_out: bool,
}

/// The file a complete run's staging folder gets just before its files are
/// moved into `--out`: a staging folder holding it is finished by the next
/// run (moved into place) instead of thrown away.
const COMPLETE: &str = ".complete";

/// For tests/interrupted_runs.rs: `GRADINK_TEST_KILL_AFTER_MOVES=N` kills
/// the process (SIGKILL, no clean-up) after N files of a run have been moved
/// into `--out`, to check that the next run finishes the move.
fn test_kill_point(moved: usize) {
    let wanted = std::env::var("GRADINK_TEST_KILL_AFTER_MOVES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    if wanted == Some(moved) {
        let _ = std::process::Command::new("kill")
            .args(["-9", &std::process::id().to_string()])
            .status();
        std::process::abort();
    }
}

impl Staging {
    /// Creates `out` and a fresh staging folder inside it, after tidying
    /// what killed runs left there (see [`tidy`]).
    pub fn new(out: &Path) -> Result<Self> {
        let created_out = !out.exists();
        context(std::fs::create_dir_all(out), || {
            format!("cannot create the output folder {}", out.display())
        })?;
        tidy(out);
        let dir = out.join(format!(".staging-{}", std::process::id()));
        context(std::fs::create_dir_all(&dir), || {
            format!("cannot create {}", dir.display())
        })?;
        crate::interrupt::training(&dir, out, created_out);
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            created_out,
        })
    }

    /// Throws the run away (it failed): `--out` stays as it was (and is
    /// removed again if this run created it and nothing else is in it).
    pub fn abandon(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if self.created_out {
            let _ = std::fs::remove_dir(&self.out);
        }
        crate::interrupt::idle();
    }

    /// What a failed run left of `--out`, for its error message.
    pub fn left(&self) -> String {
        if self.created_out && !self.out.exists() {
            format!("{} was not created", self.out.display())
        } else {
            format!("{} was left as it was", self.out.display())
        }
    }

    /// Moves every file of the run into `--out`, replacing the previous
    /// run's files of the same names. The old summary is removed first and
    /// `last` (the new summary) moved last, so that no summary in `--out`
    /// ever describes a model that is not there; a kill in between leaves a
    /// `.complete` staging folder that the next run finishes moving.
    pub fn accept(&self, last: &str) -> Result<()> {
        crate::interrupt::committing(&self.out);
        let result = fsutil::write_atomic(&self.dir.join(COMPLETE), last.as_bytes())
            .and_then(|()| finish_move(&self.out, &self.dir, last));
        crate::interrupt::idle();
        result
    }

    /// Moves the whole run to `--out/rejected/` and returns that folder.
    pub fn reject(&self) -> Result<PathBuf> {
        crate::interrupt::committing(&self.out);
        let to = self.out.join(REJECTED);
        let result = (|| {
            if to.exists() {
                context(std::fs::remove_dir_all(&to), || {
                    format!("cannot clear {}", to.display())
                })?;
            }
            context(std::fs::rename(&self.dir, &to), || {
                format!("cannot move the run to {}", to.display())
            })
        })();
        crate::interrupt::idle();
        result.map(|()| to)
    }
}

/// Moves a complete run's files from `dir` into `out` (see
/// [`Staging::accept`]); also used to finish the move of a killed run.
fn finish_move(out: &Path, dir: &Path, last: &str) -> Result<()> {
    // While the new summary is still staged, the old one goes first. (If it
    // is no longer staged, it has been moved already: keep it.)
    if dir.join(last).exists() {
        match std::fs::remove_file(out.join(last)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return context(Err(e), || {
                    format!("cannot remove the old {}", out.join(last).display())
                })
            }
            _ => {}
        }
    }
    let mut names: Vec<_> = context(std::fs::read_dir(dir), || {
        format!("cannot list {}", dir.display())
    })?
    .flatten()
    .map(|e| e.file_name())
    .filter(|n| n != COMPLETE && fsutil::temporary_owner(&n.to_string_lossy()).is_none())
    .collect();
    names.sort_by_key(|n| (n == last, n.clone()));
    for (moved, name) in names.into_iter().enumerate() {
        test_kill_point(moved);
        let to = out.join(&name);
        context(std::fs::rename(dir.join(&name), &to), || {
            format!("cannot move the new {}", to.display())
        })?;
    }
    context(std::fs::remove_dir_all(dir), || {
        format!("cannot remove {}", dir.display())
    })
}

/// Tidies what killed runs left in `out`: a staging folder of a process that
/// is no longer running is finished (moved into place) if its run was
/// complete, else removed; `.NAME.tmpPID` files of such processes (an atomic
/// write cut short) are removed. Another run still writing into the same
/// `out` is left alone.
pub fn tidy(out: &Path) {
    for name in fsutil::remove_stale_temporaries(out) {
        eprintln!(
            "note: removed {}, left by a killed run",
            out.join(name).display()
        );
    }
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(".staging-")
            .and_then(|_| fsutil::temporary_owner(&name))
        else {
            continue;
        };
        if fsutil::pid_alive(pid) || !e.path().is_dir() {
            continue;
        }
        let dir = e.path();
        match std::fs::read_to_string(dir.join(COMPLETE)) {
            Ok(last) if !last.is_empty() => match finish_move(out, &dir, &last) {
                Ok(()) => eprintln!(
                    "note: finished moving a complete run that was killed while being moved into {}",
                    out.display()
                ),
                Err(err) => eprintln!("note: could not finish moving {}: {err}", dir.display()),
            },
            _ => {
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
    }
}
/// How a finished run compares with what `--out` held.
pub struct Judgement {
    /// Why the run is not a usable model, if it blew up.
    pub blew_up: Option<String>,
    /// The score of the model already in `--out` on this run's validation
    /// split, when there is one that could be read and scored.
    pub previous: Option<f64>,
    pub new: f64,
}

/// Accepts or rejects the staged run (see the module's doc). `unit` formats
/// a score ("79.3%", "16.89 dB"); `model` is the model file's name.
pub fn settle(
    staging: &Staging,
    judgement: Judgement,
    force: bool,
    model: &str,
    summary: &str,
    unit: impl Fn(f64) -> String,
) -> Result<()> {
    let worse = judgement.previous.filter(|&old| old > judgement.new);
    if force || (judgement.blew_up.is_none() && worse.is_none()) {
        if let (true, Some(why)) = (force, &judgement.blew_up) {
            eprintln!("warning: {why}; kept because of --force");
        }
        if let (true, Some(old)) = (force, worse) {
            eprintln!(
                "warning: replaced a better model ({} against this run's {}) because of --force",
                unit(old),
                unit(judgement.new)
            );
        }
        return staging.accept(summary);
    }
    let rejected = staging.reject()?;
    let kept = if staging.out.join(model).exists() {
        format!(
            "kept {} and the files beside it",
            staging.out.join(model).display()
        )
    } else {
        format!("left {} as it was", staging.out.display())
    };
    let why = match (judgement.blew_up, worse) {
        (Some(why), _) => why,
        (None, Some(old)) => format!(
            "this run's validation score {} is below the {} of the model already in {} (measured now on the same validation split)",
            unit(judgement.new),
            unit(old),
            staging.out.display()
        ),
        (None, None) => unreachable!("accepted above"),
    };
    Err(Error::Refused(format!(
        "{why}; {kept}, and wrote this run to {}; pass --force to accept it anyway",
        rejected.display()
    )))
}
