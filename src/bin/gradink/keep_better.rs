//! The rule that keeps a good model from being lost to a re-run into the
//! same `--out` (docs/robustness.md):
//!
//! A run of `train` or `autoencoder` is written into a staging folder inside
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

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// Where a refused run goes, inside `--out`.
pub const REJECTED: &str = "rejected";

/// A run being written: its staging folder inside `out`.
pub struct Staging {
    pub out: PathBuf,
    pub dir: PathBuf,
}

impl Staging {
    /// Creates `out` and a fresh staging folder inside it, removing stale
    /// staging folders of earlier runs (ours are named `.staging-PID`).
    pub fn new(out: &Path) -> Result<Self> {
        std::fs::create_dir_all(out)
            .with_context(|| format!("cannot create the output folder {}", out.display()))?;
        if let Ok(entries) = std::fs::read_dir(out) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with(".staging-") && e.path().is_dir() {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = out.join(format!(".staging-{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
        })
    }

    /// Throws the run away (it failed): `--out` stays as it was.
    pub fn abandon(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Moves every file of the run into `--out`, replacing the previous
    /// run's files of the same names; `last` (the summary) goes last so that
    /// it never describes a model that is not there yet.
    pub fn accept(&self, last: &str) -> Result<()> {
        let mut names: Vec<_> = std::fs::read_dir(&self.dir)
            .with_context(|| format!("cannot list {}", self.dir.display()))?
            .flatten()
            .map(|e| e.file_name())
            .collect();
        names.sort_by_key(|n| (n == last, n.clone()));
        for name in names {
            let to = self.out.join(&name);
            std::fs::rename(self.dir.join(&name), &to)
                .with_context(|| format!("cannot move the new {}", to.display()))?;
        }
        self.abandon();
        Ok(())
    }

    /// Moves the whole run to `--out/rejected/` and returns that folder.
    pub fn reject(&self) -> Result<PathBuf> {
        let to = self.out.join(REJECTED);
        if to.exists() {
            std::fs::remove_dir_all(&to)
                .with_context(|| format!("cannot clear {}", to.display()))?;
        }
        std::fs::rename(&self.dir, &to)
            .with_context(|| format!("cannot move the run to {}", to.display()))?;
        Ok(to)
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
    bail!(
        "{why}; {kept}, and wrote this run to {}; pass --force to accept it anyway",
        rejected.display()
    )
}
