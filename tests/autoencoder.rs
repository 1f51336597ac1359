//! The autoencoder: whole-model gradients, the momentum and Adam update
//! rules, training on the fixture, divergence, PSNR, and the CLI end to end.

mod common;

use common::{fixture, fixture_dir, gradink, random, scratch};
use gradink::data::{gather_rows, load_split};
use gradink::gradcheck::{gradcheck, Tolerance};
use gradink::models::{AeInit, Autoencoder};
use gradink::nn::{Adam, Momentum, Optimizer, ParamStore};
use gradink::train::Schedule;
use gradink::train_autoencoder::{
    evaluate, mean_psnr, psnr, train_autoencoder, AeConfig, OptimizerKind,
};
use gradink::{Error, Tape};
use ndarray::{array, Array1, Array2};

/// The smallest |pre-activation| of the three ReLU layers on `x`: the
/// gradient check is only meaningful if no ReLU input sits near its kink.
fn closest_to_kink(model: &Autoencoder<f64>, x: &Array2<f64>) -> f64 {
    let mut h = x.clone();
    let mut closest = f64::INFINITY;
    for layer in &model.layers[..3] {
        let z = layer.apply(&model.params, h.view());
        closest = closest.min(z.iter().fold(f64::INFINITY, |m, v| m.min(v.abs())));
        h = z.mapv(|v| v.max(0.0));
    }
    closest
}

/// Checks every parameter of `model` on the batch `x`, and that every
/// parameter does get a non-zero gradient (a dead network would pass trivially).
fn check_whole_model(mut model: Autoencoder<f64>, x: Array2<f64>) {
    assert!(
        closest_to_kink(&model, &x) > 1e-4,
        "a ReLU input is within 1e-4 of 0; pick another seed"
    );
    let grads = {
        let tape = Tape::new();
        model.loss(tape.constant(x.clone())).backward()
    };
    for (name, _) in model.params.iter() {
        let g = grads.named(name).expect("every parameter is used");
        assert!(g.iter().any(|v| v.abs() > 1e-8), "{name} gets no gradient");
    }
    let report = gradcheck(&mut model, Tolerance::default(), |tape, m| {
        m.loss(tape.constant(x.clone()))
    });
    assert_eq!(report.len(), 8);
    for c in &report {
        assert!(
            c.passed(),
            "{}: {} of {} failed, max abs err {:.3e}",
            c.name,
            c.failures,
            c.checked,
            c.max_abs_err
        );
    }
}

#[test]
fn whole_autoencoder_gradients() {
    let model = Autoencoder::<f64>::new(20, 6, 5);
    check_whole_model(model, random(5, 20, 0.0, 1.0, 11));
}

#[test]
fn real_nist_batch_gradients() {
    let split = load_split(fixture(), "valid").unwrap();
    let x = gather_rows::<f64>(&split.images, &[0, 45, 90]);
    check_whole_model(Autoencoder::<f64>::new(1024, 4, 2), x);
}

/// A store with one 1×2 parameter `w`, and the gradient of Σ w⊙c (which is c).
fn linear_loss(store: &ParamStore<f64>, c: &Array2<f64>) -> gradink::Gradients<f64> {
    let tape = Tape::new();
    let w = store.var(&tape, "w");
    (w * tape.constant(c.clone())).sum().backward()
}

/// One optimiser step on the loss Σ w⊙c.
fn step(opt: &mut impl Optimizer<f64>, store: &mut ParamStore<f64>, c: &Array2<f64>) {
    let grads = linear_loss(store, c);
    opt.step(store, &grads);
}

#[test]
fn momentum_follows_its_update_rule() {
    let (lr, mu) = (0.1, 0.9);
    let mut store = ParamStore::new();
    store.insert("w", array![[1.0, -2.0]]);
    let mut opt = Momentum::new(lr, mu);
    let (c1, c2) = (array![[3.0, 1.0]], array![[-1.0, 4.0]]);

    step(&mut opt, &mut store, &c1);
    // M = −α·g;  W = W₀ + M
    let m1 = c1.mapv(|g| -lr * g);
    let w1 = &array![[1.0, -2.0]] + &m1;
    assert!((store.get("w").unwrap() - &w1)
        .iter()
        .all(|d| d.abs() < 1e-12));
    assert!((opt.state().get("w").unwrap() - &m1)
        .iter()
        .all(|d| d.abs() < 1e-12));

    step(&mut opt, &mut store, &c2);
    // M = μ·M − α·g;  W = W + M
    let m2 = &m1 * mu - &c2 * lr;
    let w2 = &w1 + &m2;
    assert!((store.get("w").unwrap() - &w2)
        .iter()
        .all(|d| d.abs() < 1e-12));
    // Momentum carries the first gradient into the second step: plain SGD would differ.
    assert!((&w2 - &(&w1 - &(&c2 * lr))).iter().any(|d| d.abs() > 1e-3));
}

#[test]
fn a_parameter_used_twice_updates_the_velocity_once() {
    // Σ w⊙c₁ + Σ w⊙c₂ with w put on the tape twice: two gradient entries named
    // "w", which momentum must treat as the single gradient c₁ + c₂.
    let (c1, c2) = (array![[1.0, -1.0]], array![[2.0, 0.5]]);
    let mut twice = ParamStore::new();
    twice.insert("w", array![[0.0, 0.0]]);
    let mut once = twice.clone();
    let grads = {
        let tape = Tape::new();
        let a = (twice.var(&tape, "w") * tape.constant(c1.clone())).sum();
        let b = (twice.var(&tape, "w") * tape.constant(c2.clone())).sum();
        (a + b).backward()
    };
    assert_eq!(grads.iter_named().count(), 2);
    let mut opt = Momentum::new(0.1, 0.9);
    opt.step(&mut twice, &grads);
    step(&mut Momentum::new(0.1, 0.9), &mut once, &(&c1 + &c2));
    assert_eq!(twice.get("w"), once.get("w"));
}

#[test]
fn momentum_state_saves_and_resumes_exactly() {
    let dir = scratch("ae_momentum_state");
    let mut store = ParamStore::new();
    store.insert("w", array![[0.5, 1.5]]);
    let gradients = [array![[1.0, 2.0]], array![[-3.0, 0.5]], array![[2.0, 2.0]]];

    let (mut straight, mut straight_opt) = (store.clone(), Momentum::new(0.05, 0.9));
    for c in &gradients {
        step(&mut straight_opt, &mut straight, c);
    }

    let (mut first, mut first_opt) = (store.clone(), Momentum::new(0.05, 0.9));
    step(&mut first_opt, &mut first, &gradients[0]);
    first.save(dir.join("model.safetensors")).unwrap();
    first_opt.save_state(dir.join("optim.safetensors")).unwrap();

    let mut resumed = ParamStore::<f64>::load(dir.join("model.safetensors")).unwrap();
    let mut resumed_opt = Momentum::load_state(0.05, 0.9, dir.join("optim.safetensors")).unwrap();
    for c in &gradients[1..] {
        step(&mut resumed_opt, &mut resumed, c);
    }
    assert_eq!(resumed.get("w").unwrap(), straight.get("w").unwrap());
    assert_eq!(
        resumed_opt.state().get("w").unwrap(),
        straight_opt.state().get("w").unwrap()
    );
}

#[test]
fn adam_first_step_moves_each_weight_by_the_rate() {
    // With m̂ = g and v̂ = g², the first step is α·g/(|g| + ε) ≈ α·sign(g).
    let mut store = ParamStore::new();
    store.insert("w", array![[0.0, 0.0]]);
    let mut opt = Adam::new(0.01);
    step(&mut opt, &mut store, &array![[250.0, -0.5]]);
    let w = store.get("w").unwrap();
    assert!(
        (w[[0, 0]] + 0.01).abs() < 1e-9 && (w[[0, 1]] - 0.01).abs() < 1e-7,
        "{w}"
    );

    let dir = scratch("ae_adam_state");
    opt.save_state(dir.join("adam.safetensors")).unwrap();
    let resumed = Adam::<f64>::load_state(0.01, dir.join("adam.safetensors")).unwrap();
    assert_eq!(resumed.steps(), 1);
    assert_eq!(resumed.state().get("adam.m.w"), opt.state().get("adam.m.w"));
}

#[test]
fn psnr_of_known_errors() {
    let zeros = Array1::<f32>::zeros(1024);
    assert!((psnr(zeros.view(), zeros.mapv(|_| 0.1).view()) - 20.0).abs() < 1e-4);
    assert!((psnr(zeros.view(), zeros.mapv(|_| 0.5).view()) - 6.0206).abs() < 1e-3);
    // A perfect copy is floored at 100 dB rather than infinity.
    assert_eq!(psnr(zeros.view(), zeros.view()), 100.0);
}

#[test]
fn mean_psnr_averages_per_image() {
    // Zero weights and a zero output bias reconstruct every image as 0.5 grey.
    let mut model = Autoencoder::<f32>::new(1024, 32, 0);
    let names: Vec<String> = model.params.iter().map(|(n, _)| n.to_string()).collect();
    for name in names {
        model.params.get_mut(&name).unwrap().fill(0.0);
    }
    let mut images = Array2::<f32>::zeros((2, 1024));
    images.row_mut(0).fill(0.4); // MSE 0.01 → 20 dB
    images.row_mut(1).fill(0.49); // MSE 0.0001 → 40 dB
    let (loss, mean) = evaluate(&model, &images);
    // The mean of per-image PSNRs, not the PSNR of the pooled MSE (≈ 22.97 dB).
    assert!((mean - 30.0).abs() < 1e-3, "{mean}");
    assert!((mean_psnr(&model, &images) - mean).abs() < 1e-12);
    assert!(
        (loss - 1024.0 * (0.01 + 0.0001) / 2.0).abs() < 1e-3,
        "{loss}"
    );
}

fn config(lr: f64, epochs: usize) -> AeConfig {
    AeConfig {
        epochs,
        lr,
        batch_size: 16,
        seed: 1,
        optimizer: OptimizerKind::Momentum,
        momentum: 0.9,
        schedule: Schedule::Constant,
        warmup: 0,
        init: AeInit::Xavier,
        threads: 1,
    }
}

#[test]
fn training_on_the_fixture_lowers_the_loss_and_is_seeded() {
    let split = load_split(fixture(), "valid").unwrap();
    let cfg = config(5e-5, 6);
    let run = || {
        let mut model = Autoencoder::<f32>::new(1024, 32, cfg.seed);
        let mut calls = 0;
        let history =
            train_autoencoder(&mut model, &split.images, &split.images, &cfg, None, |_| {
                calls += 1
            })
            .unwrap();
        assert_eq!(calls, 6 * 130usize.div_ceil(16));
        history
    };
    let history = run();
    assert_eq!(history.len(), 6);
    let (first, last) = (&history[0], &history[5]);
    assert!(
        last.train_loss < 0.8 * first.train_loss,
        "loss {} → {}",
        first.train_loss,
        last.train_loss
    );
    assert!(last.scores.valid_psnr > first.scores.valid_psnr + 1.0);
    let again = run();
    assert_eq!(again[5].train_loss, last.train_loss);
}

#[test]
fn splitting_batches_over_threads_takes_the_same_steps() {
    let split = load_split(fixture(), "valid").unwrap();
    let run = |threads| {
        let cfg = AeConfig {
            threads,
            ..config(5e-5, 2)
        };
        let mut model = Autoencoder::<f32>::new(1024, 32, cfg.seed);
        train_autoencoder(&mut model, &split.images, &split.images, &cfg, None, |_| {}).unwrap()
    };
    let (one, three) = (run(1), run(3));
    for (a, b) in one.iter().zip(&three) {
        // Only the order of float additions differs.
        assert!(
            (a.train_loss - b.train_loss).abs() < 1e-3 * a.train_loss,
            "{} vs {}",
            a.train_loss,
            b.train_loss
        );
        assert!((a.scores.valid_psnr - b.scores.valid_psnr).abs() < 1e-3);
    }
}

#[test]
fn adam_trains_too() {
    let split = load_split(fixture(), "valid").unwrap();
    let cfg = AeConfig {
        optimizer: OptimizerKind::Adam,
        ..config(1e-3, 4)
    };
    let mut model = Autoencoder::<f32>::new(1024, 32, cfg.seed);
    let history =
        train_autoencoder(&mut model, &split.images, &split.images, &cfg, None, |_| {}).unwrap();
    assert!(history[3].train_loss < 0.8 * history[0].train_loss);
}

#[test]
fn divergence_is_an_error_and_keeps_the_last_good_model() {
    let split = load_split(fixture(), "valid").unwrap();
    let dir = scratch("ae_divergence");
    let path = dir.join("autoencoder.safetensors");

    // A good run leaves a checkpoint…
    let mut model = Autoencoder::<f32>::new(1024, 32, 1);
    train_autoencoder(
        &mut model,
        &split.images,
        &split.images,
        &config(5e-5, 2),
        Some(&path),
        |_| {},
    )
    .unwrap();
    let good = std::fs::read(&path).unwrap();

    // …which a run that blows up in its first epoch does not touch.
    let mut model = Autoencoder::<f32>::new(1024, 32, 1);
    let err = train_autoencoder(
        &mut model,
        &split.images,
        &split.images,
        &config(1e30, 3),
        Some(&path),
        |_| {},
    )
    .unwrap_err();
    match &err {
        Error::Diverged {
            epoch,
            loss,
            last_finite,
        } => {
            assert_eq!(*epoch, 1);
            assert!(!loss.is_finite());
            assert!(last_finite.is_finite() && *last_finite > 0.0);
        }
        other => panic!("expected Diverged, got {other}"),
    }
    assert!(err.to_string().contains("epoch 1"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), good);
    let kept = Autoencoder::<f32>::load(&path).unwrap();
    assert!(kept
        .params
        .iter()
        .all(|(_, p)| p.iter().all(|v| v.is_finite())));
}

#[test]
fn load_rejects_a_classifier_file() {
    let dir = scratch("ae_load_wrong");
    let path = dir.join("classifier.safetensors");
    gradink::models::Classifier::<f32>::new(1024, 8, 26, 0)
        .save(&path)
        .unwrap();
    let err = Autoencoder::<f32>::load(&path).unwrap_err().to_string();
    assert!(
        err.contains("classifier.safetensors") && err.contains("autoencoder"),
        "{err}"
    );
}

#[test]
fn cli_trains_writes_outputs_and_evaluates() {
    let data = fixture_dir("ae_cli_data");
    let out = scratch("ae_cli_out");
    let (data_s, out_s) = (data.to_str().unwrap(), out.to_str().unwrap());
    let o = gradink(&[
        "autoencoder",
        "--data",
        data_s,
        "--out",
        out_s,
        "--epochs",
        "3",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "ae_loss.png",
        "reconstructions.png",
        "autoencoder.safetensors",
        "ae_summary.json",
    ] {
        let meta = std::fs::metadata(out.join(f)).unwrap_or_else(|_| panic!("{f} missing"));
        assert!(meta.len() > 100, "{f} is empty");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("ae_summary.json")).unwrap()).unwrap();
    for key in [
        "epochs",
        "final_train_loss",
        "valid_psnr_mean",
        "seconds_per_epoch",
    ] {
        assert!(summary.get(key).is_some(), "summary lacks {key}");
    }
    assert_eq!(summary["epochs"], 3);
    assert_eq!(
        summary["config"]["schedule"], "cosine",
        "spelt as --schedule takes it"
    );
    assert_eq!(summary["history"].as_array().unwrap().len(), 3);
    let psnr = summary["valid_psnr_mean"].as_f64().unwrap();

    let model = out.join("autoencoder.safetensors");
    let o = gradink(&[
        "autoencoder",
        "--eval",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data_s,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains(&format!("{psnr:.2} dB")),
        "{stdout} vs {psnr}"
    );
}

#[test]
fn cli_divergence_is_one_clear_line_and_fails() {
    let data = fixture_dir("ae_cli_div_data");
    let out = scratch("ae_cli_div_out");
    let o = gradink(&[
        "autoencoder",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--lr",
        "1e30",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("diverged in epoch 1") && err.contains("last finite loss"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn cli_missing_data_and_model_are_clear_errors() {
    let out = scratch("ae_cli_missing");
    let o = gradink(&[
        "autoencoder",
        "--data",
        "/nonexistent/nist",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("/nonexistent/nist/nist36_train.mat"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let o = gradink(&[
        "autoencoder",
        "--eval",
        "--model",
        "/nonexistent/ae.safetensors",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("/nonexistent/ae.safetensors"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
