//! Bad input at the command line: one clear sentence, non-zero exit, no panic.

use std::process::Command;

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_extra_credit"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn missing_dataset_folder_is_one_sentence() {
    let (ok, err) = run(&[
        "flowers17",
        "--data",
        "/no/such/flowers",
        "--out",
        "/tmp/unused",
    ]);
    assert!(!ok);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("/no/such/flowers") && err.contains("robots.ox.ac.uk"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn missing_weights_file_is_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("0")).unwrap();
    std::fs::write(
        dir.path().join("0/a.jpg"),
        b"unread: the weights are checked first",
    )
    .unwrap();
    let data = dir.path().to_str().unwrap();
    let (ok, err) = run(&[
        "flowers17",
        "--data",
        data,
        "--weights",
        "/no/weights.safetensors",
    ]);
    assert!(!ok);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("/no/weights.safetensors")
            && err.contains("convert_torchvision_squeezenet.py"),
        "{err}"
    );
}
