//! Runs killed or interrupted at any moment (issue 12, item 9;
//! docs/robustness.md): `--out` always holds a loadable model beside a
//! summary that describes that same model (or, for the instant a finished
//! run is being moved in, no summary, and the next run finishes the move),
//! Ctrl-C abandons a run cleanly, and the next run leaves no temporaries.

mod common;

use common::scratch;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn standin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/nist36_standin")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn train(out: &Path, epochs: usize, extra: &[&str]) -> Command {
    let mut c = run("train", out, epochs, extra);
    c.args(["--hidden", "32"]);
    c
}

fn run(command: &str, out: &Path, epochs: usize, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gradink"));
    c.args([command, "--data", s(&standin()), "--out", s(out)])
        .args(["--epochs", &epochs.to_string()])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// Names in `dir` (and `dir/rejected`) of this project's temporaries.
/// Waits until `child` trains into its staging folder in `out`, so that a
/// Ctrl-C lands during training (a fixed wait is too short on a loaded
/// machine, where loading the data takes longer).
fn wait_until_training(out: &Path, child: &std::process::Child) {
    let staging = out.join(format!(".staging-{}", child.id()));
    let started = Instant::now();
    while !staging.exists() && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
}

fn temporaries(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for d in [dir.to_path_buf(), dir.join("rejected")] {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if gradink::fsutil::temporary_owner(&name).is_some() {
                found.push(format!("{}/{name}", d.display()));
            }
        }
    }
    found
}

/// A finished run: its model's bytes and the epochs its summary records.
struct Finished {
    model: Vec<u8>,
    epochs: u64,
}

/// Checks `out`: the model loads and is one of `runs`; if there is a
/// summary it describes that model. Returns whether there is a summary.
fn consistent(out: &Path, runs: &[Finished], when: &str) -> bool {
    consistent_files(out, runs, when, "classifier.safetensors", "summary.json")
}

fn consistent_files(
    out: &Path,
    runs: &[Finished],
    when: &str,
    model_file: &str,
    summary_file: &str,
) -> bool {
    let model_path = out.join(model_file);
    let model = std::fs::read(&model_path).unwrap_or_else(|e| panic!("{when}: no model: {e}"));
    if model_file == "classifier.safetensors" {
        gradink::models::AnyClassifier::load(&model_path)
            .unwrap_or_else(|e| panic!("{when}: the model does not load: {e}"));
    } else {
        gradink::models::Autoencoder::<f32>::load(&model_path)
            .unwrap_or_else(|e| panic!("{when}: the model does not load: {e}"));
    }
    let run = runs
        .iter()
        .find(|r| r.model == model)
        .unwrap_or_else(|| panic!("{when}: the model is none of the finished runs'"));
    let Ok(text) = std::fs::read_to_string(out.join(summary_file)) else {
        return false;
    };
    let summary: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{when}: summary.json is not JSON: {e}"));
    assert_eq!(
        summary["epochs"].as_u64(),
        Some(run.epochs),
        "{when}: the summary describes another model"
    );
    true
}

/// Trains `epochs` into a fresh folder and returns the finished run.
fn reference(name: &str, epochs: usize) -> Finished {
    let out = scratch(name);
    let o = train(&out, epochs, &[]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Finished {
        model: std::fs::read(out.join("classifier.safetensors")).unwrap(),
        epochs: epochs as u64,
    }
}

#[test]
fn killed_runs_never_leave_a_model_beside_another_model_s_summary() {
    // Same seed, same bits: the runs below can only produce these models.
    let runs = [reference("killed_ref2", 2), reference("killed_ref3", 3)];
    assert!(runs[0].model != runs[1].model);
    let out = scratch("killed_runs");
    let o = train(&out, 2, &[]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(consistent(&out, &runs, "first run"));

    // SIGKILL at moments spread over a run (loading, training, figures,
    // moving), alternating the model so that each accepted run replaces it.
    let mut killed_while_moving = 0;
    for (i, delay_ms) in [20u64, 60, 120, 200, 300, 400, 500, 600, 800]
        .into_iter()
        .enumerate()
    {
        let epochs = 2 + (i + 1) % 2;
        let mut child = train(&out, epochs, &["--force"]).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let when = format!("killed after {delay_ms} ms");
        if !consistent(&out, &runs, &when) {
            killed_while_moving += 1;
        }
    }
    // SIGKILL after each number of files moved into --out (the moment a
    // timer rarely hits): the summary is absent or right, never stale.
    for moved in 0..8 {
        let epochs = 2 + moved % 2;
        let o = train(&out, epochs, &["--force"])
            .env("GRADINK_TEST_KILL_AFTER_MOVES", moved.to_string())
            .output()
            .unwrap();
        let when = format!("killed after {moved} files moved");
        if o.status.success() {
            // The run had fewer files than that: it finished.
            assert!(consistent(&out, &runs, &when), "{when}");
            break;
        }
        assert!(o.status.code().is_none(), "{when}: killed by a signal");
        if !consistent(&out, &runs, &when) {
            killed_while_moving += 1;
            // A complete run is staged: the next run finishes moving it.
            let staged: Vec<_> = std::fs::read_dir(&out)
                .unwrap()
                .flatten()
                .filter(|e| e.path().join(".complete").exists())
                .collect();
            assert_eq!(staged.len(), 1, "{when}");
        }
    }
    assert!(killed_while_moving > 0, "some kill fell in the move");

    // Stale temporaries of our naming, as a kill during a write leaves them
    // (a pid above Linux's maximum is never alive).
    std::fs::write(out.join(".summary.json.tmp4999999"), b"half").unwrap();
    std::fs::create_dir_all(out.join(".staging-4999998")).unwrap();
    std::fs::write(out.join(".staging-4999998/weights_init.png"), b"x").unwrap();
    // The next run (here a worse one, refused) finishes any complete move,
    // removes the rest, and leaves no temporaries.
    let o = train(&out, 1, &[]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(consistent(&out, &runs, "after the next run"), "{err}");
    assert_eq!(temporaries(&out), Vec::<String>::new(), "{err}");
}

#[test]
fn ctrl_c_abandons_a_run_and_says_what_is_on_disk() {
    let out = scratch("ctrl_c_out");
    let o = train(&out, 2, &[]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let model = std::fs::read(out.join("classifier.safetensors")).unwrap();
    let summary = std::fs::read(out.join("summary.json")).unwrap();

    let interrupt = |out: &Path| {
        let child = train(out, 200, &["--force"]).spawn().unwrap();
        wait_until_training(out, &child);
        let sent = Instant::now();
        let status = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let o = child.wait_with_output().unwrap();
        assert!(sent.elapsed() < Duration::from_secs(5), "stopped promptly");
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, err) = interrupt(&out);
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("interrupted: this run was abandoned"), "{err}");
    assert!(err.contains("classifier.safetensors"), "{err}");
    assert_eq!(
        std::fs::read(out.join("classifier.safetensors")).unwrap(),
        model
    );
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), summary);
    assert_eq!(temporaries(&out), Vec::<String>::new());

    // Into a new --out: nothing is left behind, not even the folder.
    let fresh = scratch("ctrl_c_fresh").join("new");
    let (code, err) = interrupt(&fresh);
    assert_eq!(code, Some(130), "{err}");
    assert!(!fresh.exists(), "{err}");
}

#[test]
fn the_autoencoder_killed_while_moving_or_interrupted_keeps_its_pair() {
    let ae = |out: &Path, epochs: usize, extra: &[&str]| run("autoencoder", out, epochs, extra);
    let check = |out: &Path, runs: &[Finished], when: &str| {
        consistent_files(
            out,
            runs,
            when,
            "autoencoder.safetensors",
            "ae_summary.json",
        )
    };
    let finished = |name: &str, epochs: usize| {
        let out = scratch(name);
        let o = ae(&out, epochs, &[]).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        Finished {
            model: std::fs::read(out.join("autoencoder.safetensors")).unwrap(),
            epochs: epochs as u64,
        }
    };
    let runs = [finished("ae_killed_ref2", 2), finished("ae_killed_ref3", 3)];
    let out = scratch("ae_killed");
    let o = ae(&out, 2, &[]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut pending = 0;
    for moved in 0..6 {
        let o = ae(&out, 2 + (moved + 1) % 2, &["--force"])
            .env("GRADINK_TEST_KILL_AFTER_MOVES", moved.to_string())
            .output()
            .unwrap();
        let when = format!("autoencoder killed after {moved} files moved");
        if o.status.success() {
            assert!(check(&out, &runs, &when));
            break;
        }
        if !check(&out, &runs, &when) {
            pending += 1;
        }
    }
    assert!(pending > 0, "some kill left the summary to the next run");

    // Ctrl-C during a long run: abandoned, --out as the last run left it.
    let model = std::fs::read(out.join("autoencoder.safetensors")).unwrap();
    let child = ae(&out, 100_000, &["--force"]).spawn().unwrap();
    wait_until_training(&out, &child);
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: this run was abandoned"), "{err}");
    assert_eq!(
        std::fs::read(out.join("autoencoder.safetensors")).unwrap(),
        model
    );
    assert!(check(&out, &runs, "after Ctrl-C"), "{err}");
    assert_eq!(temporaries(&out), Vec::<String>::new(), "{err}");
}
