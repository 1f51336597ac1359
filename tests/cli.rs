//! The `gradink` binary end to end on the fixture.

mod common;

use common::{fixture_dir, gradink, scratch};

#[test]
fn train_writes_every_figure_model_and_summary() {
    let data = fixture_dir("cli_train_data");
    let out = scratch("cli_train_out");
    let o = gradink(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--epochs",
        "3",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "accuracy.png",
        "loss.png",
        "weights_init.png",
        "weights_trained.png",
        "confusion_test.png",
        "classifier.safetensors",
        "summary.json",
    ] {
        let meta = std::fs::metadata(out.join(f)).unwrap_or_else(|_| panic!("{f} missing"));
        assert!(meta.len() > 100, "{f} is empty");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "train_acc",
        "valid_acc",
        "test_acc",
        "epochs",
        "hidden",
        "lr",
        "batch_size",
        "seconds_per_epoch",
        "top_confusions",
    ] {
        assert!(summary.get(key).is_some(), "summary lacks {key}");
    }
    assert_eq!(summary["epochs"], 3);
    assert_eq!(
        summary["schedule"], "cosine",
        "spelt as --schedule takes it"
    );
    assert_eq!(summary["history"].as_array().unwrap().len(), 3);
    let image = image::open(out.join("weights_trained.png")).unwrap();
    assert!(image.width() > 8 * 32 && image.height() > 8 * 32);
}

#[test]
fn missing_data_is_one_clear_sentence() {
    let o = gradink(&[
        "train",
        "--data",
        "/nonexistent/nist",
        "--out",
        scratch("cli_missing").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("/nonexistent/nist/nist36_train.mat"), "{err}");
    assert!(err.contains("get-data.sh"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn gradcheck_command_passes_and_prints_every_parameter() {
    let fixture = common::fixture();
    let o = gradink(&[
        "gradcheck",
        "--data",
        fixture.to_str().unwrap(),
        "--hidden",
        "8",
        "--batch",
        "3",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for name in [
        "hidden.weight",
        "hidden.bias",
        "output.weight",
        "output.bias",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(name) && l.ends_with("pass")),
            "{text}"
        );
    }
}
