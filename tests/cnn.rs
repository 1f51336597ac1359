//! The CNN: its tape forward equals its inference, its files say what they
//! hold, and `gradink train --arch cnn` / `gradink evaluate` work end to end.

mod common;

use common::{fixture, fixture_dir, gradink, scratch, write_mat, MatArray};
use gradink::models::{AnyClassifier, Cnn, Predict};
use gradink::nn::{HasParams, ParamStore};
use gradink::Tape;
use ndarray::{Array2, Array4};

#[test]
fn the_tape_forward_and_inference_agree() {
    let mut model = Cnn::<f64>::new(36, 3);
    // Biases of their own for every channel (a fresh model's are zero), so
    // that inference must add each channel's bias to its own plane.
    for (name, channels) in [("conv1.bias", 32), ("conv2.bias", 64)] {
        let bias = Array4::from_shape_fn((1, channels, 1, 1), |(_, c, _, _)| 0.02 * c as f64 - 0.3);
        model.params_mut().insert(name, bias);
    }
    for (name, width) in [("fc1.bias", 128), ("fc2.bias", 36)] {
        let bias = Array2::from_shape_fn((1, width), |(_, j)| 0.01 * j as f64 - 0.2);
        model.params_mut().insert(name, bias);
    }
    let x = common::random(5, 1024, -0.1, 1.1, 4);
    let tape = Tape::new();
    let on_tape = model.forward(tape.constant(x.clone()), false, 0).matrix();
    let logits = model.logits(x.view());
    assert_eq!(on_tape.dim(), (5, 36));
    for (a, b) in on_tape.iter().zip(&logits) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
    // Dropout changes the training forward only.
    let dropped = model.forward(tape.constant(x), true, 1).matrix();
    assert_ne!(dropped, on_tape);
}

#[test]
fn files_record_the_architecture_and_load_as_either_kind() {
    let dir = scratch("cnn_files");
    let cnn = Cnn::<f32>::new(36, 5);
    cnn.save(dir.join("cnn.safetensors")).unwrap();
    let x = common::random(3, 1024, 0., 1., 6).mapv(|v| v as f32);
    match AnyClassifier::load(dir.join("cnn.safetensors")).unwrap() {
        AnyClassifier::Cnn(loaded) => {
            assert_eq!(loaded.predict_proba(x.view()), cnn.predict_proba(x.view()))
        }
        other => panic!("a CNN file loaded as {}", other.architecture()),
    }
    let shipped = AnyClassifier::load("models/classifier.safetensors").unwrap();
    assert_eq!((shipped.inputs(), shipped.classes()), (1024, 36));

    // An unknown architecture, and a CNN file with a wrong shape: one sentence each.
    let mut store = ParamStore::<f32>::new();
    store.insert("w", Array2::<f32>::zeros((2, 2)));
    store
        .save_as(
            dir.join("rnn.safetensors"),
            &[(gradink::nn::ARCHITECTURE_KEY, "rnn")],
        )
        .unwrap();
    let e = AnyClassifier::load(dir.join("rnn.safetensors")).unwrap_err();
    assert!(e.to_string().contains("unknown architecture 'rnn'"), "{e}");
    let mut bad = cnn.params.clone();
    bad.insert("conv2.weight", Array2::<f32>::zeros((3, 3)));
    bad.save_as(
        dir.join("bad.safetensors"),
        &[(gradink::nn::ARCHITECTURE_KEY, "cnn")],
    )
    .unwrap();
    let e = AnyClassifier::load(dir.join("bad.safetensors")).unwrap_err();
    assert!(e.to_string().contains("conv2.weight"), "{e}");
}

/// The same store and metadata give the same bytes every time: safetensors
/// keeps metadata in a `HashMap`, whose order would change from one call to
/// the next, so the same seed would write different model files.
#[test]
fn metadata_is_written_in_one_order() {
    let mut store = ParamStore::<f32>::new();
    store.insert("w", Array2::<f32>::ones((2, 3)));
    let metadata = [("e", "5"), ("b", "2"), ("d", "4"), ("a", "1"), ("c", "3")];
    let first = store.to_safetensors_with(&metadata);
    for _ in 0..20 {
        assert!(store.to_safetensors_with(&metadata) == first);
    }
    let header = String::from_utf8_lossy(&first[8..80]);
    assert!(
        header.contains(r#"{"a":"1","b":"2","c":"3","d":"4","e":"5"}"#),
        "{header}"
    );
}

/// A CNN with a "touching" output keeps it through its file, and answers
/// single-character questions with the characters alone.
#[test]
fn a_touching_output_is_recorded_and_left_out_of_character_probabilities() {
    let dir = scratch("cnn_touching_file");
    let cnn = Cnn::<f32>::with_touching(36, 7);
    assert_eq!((cnn.classes(), cnn.characters()), (37, 36));
    let path = dir.join("touching.safetensors");
    cnn.save(&path).unwrap();
    let x = common::random(4, 1024, 0., 1., 8).mapv(|v| v as f32);
    let loaded = AnyClassifier::load(&path).unwrap();
    assert!(loaded.has_touching());
    assert_eq!(loaded.classes(), 36);
    let outputs = loaded.predict_outputs(x.view());
    let chars = loaded.predict_proba(x.view());
    assert_eq!((outputs.ncols(), chars.ncols()), (37, 36));
    for (o, c) in outputs.rows().into_iter().zip(chars.rows()) {
        assert!((c.sum() - 1.0).abs() < 1e-5);
        // The characters keep their proportions.
        let scale = 1.0 - o[36];
        for k in 0..36 {
            assert!((c[k] * scale - o[k]).abs() < 1e-5);
        }
    }
    // A plain CNN file has no such output.
    Cnn::<f32>::new(36, 7)
        .save(dir.join("plain.safetensors"))
        .unwrap();
    assert!(!AnyClassifier::load(dir.join("plain.safetensors"))
        .unwrap()
        .has_touching());
}

#[test]
fn train_cnn_then_evaluate_from_the_command_line() {
    let data = fixture_dir("cnn_cli_data");
    let out = scratch("cnn_cli_out");
    // The course's MLP has no "touching" output and is not trained on page
    // crops: one sentence each, no training.
    for (flag, value) in [("--touching", "10"), ("--page-crops", "2")] {
        let mlp = gradink(&["train", flag, value, "--data", data.to_str().unwrap()]);
        assert!(!mlp.status.success());
        let said = String::from_utf8_lossy(&mlp.stderr);
        assert!(said.contains(&format!("{flag} needs --arch cnn")), "{said}");
    }
    let run = gradink(&[
        "train",
        "--arch",
        "cnn",
        "--epochs",
        "1",
        "--touching",
        "40",
        "--page-crops",
        "2",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(said.contains("crops from 2 generated pages"), "{said}");
    for figure in [
        "filters_init.png",
        "filters_trained.png",
        "accuracy.png",
        "confusion_test.png",
    ] {
        assert!(out.join(figure).exists(), "{figure} missing");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert!(summary["architecture"].as_str().unwrap().starts_with("cnn"));

    let model = out.join("classifier.safetensors");
    assert!(AnyClassifier::load(&model).unwrap().has_touching());
    let eval = gradink(&[
        "evaluate",
        "--model",
        model.to_str().unwrap(),
        "--data",
        fixture().to_str().unwrap(),
        "--json",
    ]);
    assert!(
        eval.status.success(),
        "{}",
        String::from_utf8_lossy(&eval.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert_eq!(result["samples"], 130);
    let accuracy = result["accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&accuracy));
    for key in ["model", "data", "top_confusions"] {
        assert!(result.get(key).is_some(), "{key} missing");
    }
    assert_eq!(result["shift_average"], false);
}

/// `evaluate --shift-average` scores as the reader reads (one-pixel shifts
/// averaged): the shipped reader on the 130 real letters, 122 of them right
/// (docs/cnn.md), against 118 without.
#[test]
fn evaluate_scores_as_the_reader_reads_with_shift_average() {
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(gradink::ocr::DEFAULT_MODEL);
    let data = fixture();
    let score = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "evaluate",
            "--model",
            model.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "--json",
        ];
        args.extend_from_slice(extra);
        let o = gradink(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let (plain, averaged) = (score(&[]), score(&["--shift-average"]));
    assert_eq!(averaged["shift_average"], true);
    let right = |v: &serde_json::Value| (v["accuracy"].as_f64().unwrap() * 130.0).round() as usize;
    let (plain, averaged) = (right(&plain), right(&averaged));
    assert!(
        averaged > plain && averaged >= 120,
        "{averaged}/130 with shifts averaged, {plain}/130 without (measured: 122, 118)"
    );
}

#[test]
fn evaluate_scores_the_shipped_mlp_and_rejects_bad_files() {
    let eval = gradink(&[
        "evaluate",
        "--model",
        "models/classifier.safetensors",
        "--data",
        fixture().to_str().unwrap(),
    ]);
    assert!(
        eval.status.success(),
        "{}",
        String::from_utf8_lossy(&eval.stderr)
    );
    let text = String::from_utf8_lossy(&eval.stdout);
    assert!(text.contains("of 130 samples"), "{text}");

    // Labels 5 wide: neither 26 nor 36.
    let dir = scratch("evaluate_bad");
    let path = dir.join("five.mat");
    let mut labels = vec![0u8; 2 * 5];
    labels[0] = 1;
    labels[3] = 1; // row 1, class 1 (column-major)
    write_mat(
        &path,
        &[
            MatArray::Double("test_data", 2, 1024, vec![0.5; 2 * 1024]),
            MatArray::UInt8("test_labels", 2, 5, labels),
        ],
    );
    let eval = gradink(&[
        "evaluate",
        "--model",
        "models/classifier.safetensors",
        "--data",
        path.to_str().unwrap(),
    ]);
    assert!(!eval.status.success());
    let err = String::from_utf8_lossy(&eval.stderr);
    assert!(err.contains("5 wide") && err.contains("five.mat"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
