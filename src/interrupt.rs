//! Ctrl-C (SIGINT) during a training run written through
//! [`crate::keep_better::Staging`] (`gradink train` and `autoencoder`,
//! `extra_credit`; docs/robustness.md). Nothing happens on Ctrl-C unless
//! the binary calls [`install`]; without it the process just stops, and the
//! next run tidies what it left.
//!
//! While a run is being trained, its files are only in its staging folder
//! (`keep_better.rs`), so an interrupt abandons it: the staging folder is
//! removed (and a `--out` this run created, if it is left empty), one line
//! says what `--out` holds, and the process exits with 130. While a finished
//! run is being moved into `--out` (a few renames), the interrupt is held
//! until the move is complete, so `--out` never holds a model beside a
//! summary of another; then the process exits with 130 as well.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

enum State {
    /// Nothing of ours to tidy: stop at once.
    Idle,
    /// A run is being trained into `staging` inside `out`.
    Training {
        staging: PathBuf,
        out: PathBuf,
        created_out: bool,
    },
    /// A finished run is being moved into `out`; `interrupted` once Ctrl-C
    /// has been pressed meanwhile.
    Committing { out: PathBuf, interrupted: bool },
}

static STATE: Mutex<State> = Mutex::new(State::Idle);

/// How the process ends after Ctrl-C (see [`install_with_exit`]).
static EXIT: std::sync::OnceLock<fn(i32) -> !> = std::sync::OnceLock::new();

fn exit(code: i32) -> ! {
    match EXIT.get() {
        Some(exit) => exit(code),
        None => std::process::exit(code),
    }
}

/// Installs the Ctrl-C handler (once per process; a second call, or a
/// platform without one, leaves the default: the process just stops, and
/// the next run tidies what it left).
pub fn install() {
    let _ = ctrlc::set_handler(on_interrupt);
}

/// As [`install`], ending the process with `exit` instead of
/// `std::process::exit`: for a binary whose libraries must not run their
/// exit-time destructors while another thread still uses them (libtorch in
/// `extra_credit`, which ends with `_exit`).
pub fn install_with_exit(exit: fn(i32) -> !) {
    let _ = EXIT.set(exit);
    install();
}

fn on_interrupt() {
    let mut state = STATE.lock().unwrap_or_else(|p| p.into_inner());
    match &mut *state {
        State::Idle => {
            eprintln!("\ninterrupted");
            exit(130);
        }
        State::Training {
            staging,
            out,
            created_out,
        } => {
            // The training thread may still be writing into the folder:
            // try a few times; whatever is left the next run removes.
            for _ in 0..5 {
                if std::fs::remove_dir_all(&*staging).is_ok() || !staging.exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            if *created_out {
                let _ = std::fs::remove_dir(&*out); // only if empty
            }
            eprintln!("\ninterrupted: this run was abandoned; {}", on_disk(out));
            exit(130);
        }
        State::Committing { out, interrupted } => {
            *interrupted = true;
            eprintln!(
                "\ninterrupt: finishing moving this run into {} first (a few renames)",
                out.display()
            );
        }
    }
}

/// A run starts training into `staging`.
pub fn training(staging: &Path, out: &Path, created_out: bool) {
    *STATE.lock().unwrap_or_else(|p| p.into_inner()) = State::Training {
        staging: staging.to_path_buf(),
        out: out.to_path_buf(),
        created_out,
    };
}

/// A finished run starts moving into `out`: Ctrl-C waits until [`idle`].
pub fn committing(out: &Path) {
    *STATE.lock().unwrap_or_else(|p| p.into_inner()) = State::Committing {
        out: out.to_path_buf(),
        interrupted: false,
    };
}

/// The run is settled (moved, rejected or abandoned). If Ctrl-C was pressed
/// while it was being moved, says what is on disk and exits with 130.
pub fn idle() {
    let mut state = STATE.lock().unwrap_or_else(|p| p.into_inner());
    if let State::Committing {
        out,
        interrupted: true,
    } = &*state
    {
        eprintln!("interrupted after this run was moved; {}", on_disk(out));
        exit(130);
    }
    *state = State::Idle;
}

/// One phrase saying what `out` holds now.
pub fn on_disk(out: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(out)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let models: Vec<&String> = names
        .iter()
        .filter(|n| n.ends_with(".safetensors"))
        .collect();
    if !out.exists() {
        format!("{} was not created", out.display())
    } else if names.is_empty() {
        format!("{} is empty", out.display())
    } else if models.is_empty() {
        format!("{} holds no model ({} files)", out.display(), names.len())
    } else {
        let models: Vec<&str> = models.iter().map(|s| s.as_str()).collect();
        format!(
            "{} holds {} and {} other files, as the last complete run left them",
            out.display(),
            models.join(", "),
            names.len() - models.len()
        )
    }
}
