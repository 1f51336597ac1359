//! The root crate's rule for `--out` (docs/robustness.md), applied to
//! `extra_credit`: a re-run never silently replaces a better model, a
//! killed or interrupted run never leaves a checkpoint beside a summary of
//! another, and what killed runs leave behind is tidied by the next run.
//! On the NIST36 stand-in shipped in data/nist36_standin (`nist36-fc`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const MODEL: &str = "nist36_fc.safetensors";

fn command(out: &Path, epochs: &str, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_extra_credit"));
    c.args(["nist36-fc", "--data"])
        .arg(common::shipped_standin())
        .arg("--out")
        .arg(out)
        .args(["--epochs", epochs, "--device", "cpu"])
        .args(extra);
    c
}

fn run(out: &Path, epochs: &str, extra: &[&str]) -> (Option<i32>, String) {
    let o: Output = command(out, epochs, extra).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    (o.status.code(), err)
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The `.staging-*` folders and `.*.tmp*` files in `out`.
fn temporaries(out: &Path) -> Vec<String> {
    std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".staging-") || (n.starts_with('.') && n.contains(".tmp")))
        .collect()
}

/// Starts a long run and waits until it is training (its staging folder exists).
fn start_training(out: &Path) -> (Child, PathBuf) {
    let child = command(out, "100000", &[])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let staging = out.join(format!(".staging-{}", child.id()));
    let start = Instant::now();
    while !staging.exists() {
        assert!(start.elapsed() < Duration::from_secs(60), "never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(700));
    (child, staging)
}

fn summary_epochs(out: &Path) -> u64 {
    let v: serde_json::Value = serde_json::from_slice(&read(&out.join("summary.json"))).unwrap();
    v["fc"]["config"]["epochs"].as_u64().unwrap()
}

#[test]
fn a_worse_rerun_is_refused_and_the_better_model_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, err) = run(&out, "3", &[]);
    assert_eq!(code, Some(0), "{err}");
    let (model, summary) = (read(&out.join(MODEL)), read(&out.join("summary.json")));
    for figure in ["loss.png", "accuracy.png"] {
        assert!(out.join(figure).exists(), "{figure}");
    }

    let (code, err) = run(&out, "1", &[]);
    assert_eq!(code, Some(1), "{err}");
    let last = err.trim().lines().last().unwrap_or_default();
    assert!(last.starts_with("error: "), "{err}");
    assert!(
        err.contains("is below the") && err.contains("pass --force"),
        "{err}"
    );
    assert_eq!(
        read(&out.join(MODEL)),
        model,
        "the better model was replaced"
    );
    assert_eq!(read(&out.join("summary.json")), summary);
    assert!(out.join("rejected").join(MODEL).exists());
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));

    let (code, err) = run(&out, "1", &["--force"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("because of --force"), "{err}");
    assert_eq!(summary_epochs(&out), 1);

    // An earlier checkpoint that cannot be read is replaced, with a note.
    std::fs::write(out.join(MODEL), b"not a model").unwrap();
    let (code, err) = run(&out, "1", &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("not comparable and will be replaced"), "{err}");
}

#[test]
fn killed_runs_leave_the_last_complete_run_and_are_tidied() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, err) = run(&out, "2", &[]);
    assert_eq!(code, Some(0), "{err}");
    let (model, summary) = (read(&out.join(MODEL)), read(&out.join("summary.json")));

    // SIGKILL while training: --out as it was, the staging folder left.
    let (mut child, staging) = start_training(&out);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(staging.exists());
    assert_eq!(read(&out.join(MODEL)), model);
    assert_eq!(read(&out.join("summary.json")), summary);

    // A stale temporary of a dead process; the next run removes both.
    std::fs::write(out.join(".summary.json.tmp4999999"), b"half").unwrap();
    let (code, err) = run(&out, "2", &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("removed"), "{err}");
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));

    // Killed after one file of a finished run was moved in: the old summary
    // is already gone, never left beside the new model; the next run
    // finishes the move before it starts.
    let o = command(&out, "3", &["--force"])
        .env("GRADINK_TEST_KILL_AFTER_MOVES", "1")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(!out.join("summary.json").exists());
    let (code, err) = run(&out, "1", &[]);
    assert!(err.contains("finished moving a complete run"), "{err}");
    // This run (1 epoch) is refused or accepted; either way the summary
    // describes the model beside it.
    let expected = if code == Some(0) { 1 } else { 3 };
    assert_eq!(summary_epochs(&out), expected, "{err}");
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
}

#[test]
fn ctrl_c_abandons_the_run_and_leaves_out_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, err) = run(&out, "2", &[]);
    assert_eq!(code, Some(0), "{err}");
    let (model, summary) = (read(&out.join(MODEL)), read(&out.join("summary.json")));

    let (child, staging) = start_training(&out);
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: this run was abandoned"), "{err}");
    assert!(!staging.exists());
    assert_eq!(read(&out.join(MODEL)), model);
    assert_eq!(read(&out.join("summary.json")), summary);

    // Into a new --out: nothing is left behind.
    let fresh = dir.path().join("fresh");
    let (child, _) = start_training(&fresh);
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130));
    assert!(!fresh.exists());
}
