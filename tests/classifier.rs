//! The classifier: whole-model gradient check, training, determinism, saving.

mod common;

use common::{fixture, random, scratch};
use gradink::data::{gather_rows, load_split, one_hot};
use gradink::gradcheck::{gradcheck, Tolerance};
use gradink::models::Classifier;
use gradink::train::{train_classifier, Schedule, TrainConfig};
use gradink::Tape;

#[test]
fn whole_classifier_gradients() {
    let mut model = Classifier::<f64>::new(12, 7, 5, 3);
    let x = random(6, 12, -1.0, 1.0, 4);
    let y = one_hot::<f64>(&[0, 1, 2, 3, 4, 0], &[0, 1, 2, 3, 4, 5], 5);
    let report = gradcheck(&mut model, Tolerance::default(), |tape, m| {
        m.forward(tape.constant(x.clone()))
            .softmax_cross_entropy(&y)
    });
    let names: Vec<&str> = report.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "hidden.bias",
            "hidden.weight",
            "output.bias",
            "output.weight"
        ]
    );
    for c in &report {
        assert!(
            c.passed(),
            "{}: {} failures, max abs err {:.3e}",
            c.name,
            c.failures,
            c.max_abs_err
        );
    }
}

#[test]
fn real_nist_batch_gradients() {
    let split = load_split(fixture(), "valid").unwrap();
    let idx = [0, 40, 80, 120];
    let x = gather_rows::<f64>(&split.images, &idx);
    let y = one_hot::<f64>(&split.labels, &idx, split.classes);
    let mut model = Classifier::<f64>::new(1024, 4, split.classes, 9);
    let report = gradcheck(&mut model, Tolerance::default(), |tape, m| {
        m.forward(tape.constant(x.clone()))
            .softmax_cross_entropy(&y)
    });
    assert!(report.iter().all(|c| c.passed()));
}

fn config(seed: u64) -> TrainConfig {
    TrainConfig {
        epochs: 60,
        hidden: 32,
        // 0.3 with a constant rate bounces on 130 samples (final accuracy
        // 37–89 % across seeds); 0.1 fits them (94–99 % for seeds 0–3).
        lr: 0.1,
        batch_size: 8,
        seed,
        schedule: Schedule::Constant,
    }
}

#[test]
fn training_on_the_fixture_lowers_the_loss() {
    let split = load_split(fixture(), "valid").unwrap();
    let cfg = config(0);
    let mut model = Classifier::<f32>::new(1024, cfg.hidden, split.classes, cfg.seed);
    let mut calls = 0;
    let history = train_classifier(&mut model, &split, &split, &cfg, |_| calls += 1).unwrap();
    assert_eq!(history.len(), 60);
    assert_eq!(calls, 60 * 130usize.div_ceil(8));
    let (first, last) = (&history[0], &history[59]);
    assert!(
        last.train_loss < 0.7 * first.train_loss,
        "{} → {}",
        first.train_loss,
        last.train_loss
    );
    assert!(last.scores.valid_acc > first.scores.valid_acc);
    assert!(
        last.scores.valid_acc > 0.8,
        "fits the training set: {}",
        last.scores.valid_acc
    );
}

#[test]
fn same_seed_same_losses_bit_for_bit() {
    let split = load_split(fixture(), "valid").unwrap();
    let run = |seed| {
        let cfg = config(seed);
        let mut model = Classifier::<f32>::new(1024, cfg.hidden, split.classes, cfg.seed);
        let history = train_classifier(&mut model, &split, &split, &cfg, |_| {}).unwrap();
        history
            .iter()
            .map(|h| h.train_loss.to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn divergence_is_an_error_naming_the_epoch() {
    let split = load_split(fixture(), "valid").unwrap();
    let mut cfg = config(0);
    cfg.lr = 1e39; // beyond f32: the weights overflow
    let mut model = Classifier::<f32>::new(1024, cfg.hidden, split.classes, 0);
    let err = train_classifier(&mut model, &split, &split, &cfg, |_| {}).unwrap_err();
    assert!(matches!(err, gradink::Error::Diverged { .. }), "{err}");
    assert!(err.to_string().contains("epoch"));
}

#[test]
fn save_and_load_round_trip() {
    let model = Classifier::<f32>::new(1024, 16, 36, 1);
    let path = scratch("save_load").join("m.safetensors");
    model.save(&path).unwrap();
    let loaded = Classifier::<f32>::load(&path).unwrap();
    assert_eq!(loaded.dims(), (1024, 16, 36));
    for (name, value) in model.params.iter() {
        assert_eq!(loaded.params.get(name).unwrap(), value, "{name}");
    }
    // Inference needs no tape and agrees with the taped forward pass.
    let x = gather_rows::<f32>(&load_split(fixture(), "valid").unwrap().images, &[0, 1]);
    let taped = {
        let tape = Tape::new();
        gradink::functional::softmax(model.forward(tape.constant(x.clone())).matrix().view())
    };
    let direct = loaded.predict_proba(x.view());
    for (a, b) in taped.iter().zip(&direct) {
        assert!((a - b).abs() < 1e-6);
    }
}

#[test]
fn bad_model_files_are_errors() {
    let dir = scratch("bad_model");
    let garbage = dir.join("garbage.safetensors");
    std::fs::write(&garbage, b"not a model").unwrap();
    assert!(matches!(
        Classifier::<f32>::load(&garbage),
        Err(gradink::Error::ModelFile { .. })
    ));
    assert!(matches!(
        Classifier::<f32>::load(dir.join("none")),
        Err(gradink::Error::NotFound { .. })
    ));
    // Right format, wrong tensors.
    let mut store = gradink::nn::ParamStore::<f32>::new();
    store.insert("hidden.weight", ndarray::Array2::zeros((4, 3)));
    let wrong = dir.join("wrong.safetensors");
    store.save(&wrong).unwrap();
    let err = Classifier::<f32>::load(&wrong).unwrap_err();
    assert!(err.to_string().contains("hidden.bias"), "{err}");
}
