//! The convolutional autoencoder (`gradink autoencoder --arch conv`): the
//! same seed gives the same bits, training lowers the loss, a far too high
//! rate stops with `Error::Diverged` and keeps the last good model, model
//! files round-trip and are told apart, and the CLI end to end.

mod common;

use common::{fixture, fixture_dir, gradink, scratch};
use gradink::ae_recipe::conv_config;
use gradink::data::load_split;
use gradink::models::{Autoencoder, ConvAutoencoder};
use gradink::train_autoencoder::{evaluate, train_autoencoder, AeConfig};
use gradink::{Error, Tape};
use ndarray::{s, Array2};

/// The first 48 images of the real-NIST fixture.
fn images() -> Array2<f32> {
    let split = load_split(fixture(), "valid").unwrap();
    split.images.slice(s![..48, ..]).to_owned()
}

/// The conv recipe for `seed`, shortened to `epochs` at batch 16.
fn short(seed: u64, epochs: usize) -> AeConfig {
    AeConfig {
        epochs,
        batch_size: 16,
        ..conv_config(seed)
    }
}

fn run(cfg: &AeConfig, x: &Array2<f32>) -> (ConvAutoencoder<f32>, Vec<(f64, f64)>) {
    let mut model = ConvAutoencoder::<f32>::new(32, cfg.seed);
    let history = train_autoencoder(&mut model, x, x, cfg, None, |_| {}).unwrap();
    let curve = history
        .iter()
        .map(|h| (h.train_loss, h.scores.valid_psnr))
        .collect();
    (model, curve)
}

#[test]
fn the_same_seed_gives_the_same_bits_and_training_lowers_the_loss() {
    let x = images();
    let cfg = short(3, 3);
    let (a, curve_a) = run(&cfg, &x);
    let (b, curve_b) = run(&cfg, &x);
    assert_eq!(curve_a, curve_b);
    assert_eq!(a.params.iter().count(), 12);
    for ((name, p), (_, q)) in a.params.iter().zip(b.params.iter()) {
        assert_eq!(p, q, "{name} differs");
    }
    let (c, _) = run(&short(4, 3), &x);
    assert!(
        a.params
            .iter()
            .zip(c.params.iter())
            .any(|((_, p), (_, q))| p != q),
        "another seed, another model"
    );
    let (first, last) = (curve_a[0], curve_a[2]);
    assert!(last.0 < 0.9 * first.0, "loss {} → {}", first.0, last.0);
}

#[test]
fn the_code_has_32_numbers_and_the_output_is_an_image() {
    let model = ConvAutoencoder::<f32>::new(32, 0);
    assert_eq!(model.code_size(), 32);
    let x = images();
    let tape = Tape::new();
    let y = model.forward(tape.constant(x.slice(s![..3, ..]).to_owned()));
    assert_eq!(y.shape(), [3, 1024]);
    assert!(y.value().iter().all(|&v| (0.0..=1.0).contains(&v)));
    // Reconstructing in chunks without training gives the tape's values.
    assert_eq!(
        model.reconstruct(x.slice(s![..3, ..])),
        y.matrix().to_owned()
    );
}

#[test]
fn divergence_is_an_error_and_keeps_the_last_good_model() {
    let x = images();
    let dir = scratch("conv_ae_divergence");
    let path = dir.join("autoencoder.safetensors");
    let mut model = ConvAutoencoder::<f32>::new(32, 1);
    train_autoencoder(&mut model, &x, &x, &short(1, 1), Some(&path), |_| {}).unwrap();
    let good = std::fs::read(&path).unwrap();

    let cfg = AeConfig {
        lr: 1e30,
        warmup: 0,
        ..short(1, 3)
    };
    let mut model = ConvAutoencoder::<f32>::new(32, 1);
    let err = train_autoencoder(&mut model, &x, &x, &cfg, Some(&path), |_| {}).unwrap_err();
    match &err {
        Error::Diverged { epoch, .. } => assert_eq!(*epoch, 1, "{err}"),
        other => panic!("expected Diverged, got {other}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), good);
    let kept = ConvAutoencoder::<f32>::load(&path).unwrap();
    assert!(kept
        .params
        .iter()
        .all(|(_, p)| p.iter().all(|v| v.is_finite())));
}

#[test]
fn model_files_round_trip_and_are_told_apart() {
    let dir = scratch("conv_ae_files");
    let (conv, dense) = (dir.join("conv.safetensors"), dir.join("dense.safetensors"));
    let model = ConvAutoencoder::<f32>::new(32, 2);
    model.save(&conv).unwrap();
    let loaded = ConvAutoencoder::<f32>::load(&conv).unwrap();
    let x = images();
    assert_eq!(evaluate(&model, &x), evaluate(&loaded, &x));

    Autoencoder::<f32>::new(1024, 32, 0).save(&dense).unwrap();
    let err = ConvAutoencoder::<f32>::load(&dense)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("dense.safetensors") && err.contains("convolutional autoencoder"),
        "{err}"
    );
}

#[test]
fn cli_trains_compares_with_dense_and_pca_and_evaluates() {
    let data = fixture_dir("conv_ae_cli_data");
    let out = scratch("conv_ae_cli_out");
    let (data_s, out_s) = (data.to_str().unwrap(), out.to_str().unwrap());
    let o = gradink(&[
        "autoencoder",
        "--arch",
        "conv",
        "--data",
        data_s,
        "--out",
        out_s,
        "--epochs",
        "2",
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
    assert_eq!(summary["epochs"], 2);
    assert!(summary["architecture"]
        .as_str()
        .unwrap()
        .starts_with("conv autoencoder"));
    let psnr = summary["valid_psnr_mean"].as_f64().unwrap();
    let dense = summary["dense"]["valid_psnr_mean"].as_f64().unwrap();
    let margin = summary["dense"]["conv_margin_db"].as_f64().unwrap();
    assert!((margin - (psnr - dense)).abs() < 1e-9);
    assert!(summary["pca_valid_psnr_mean"].as_f64().unwrap() > 10.0);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("dense (trained here: --recipe beat-pca"),
        "{stdout}"
    );

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

    // A dense-only option with --arch conv is one sentence, not a panic.
    let o = gradink(&[
        "autoencoder",
        "--arch",
        "conv",
        "--init",
        "pca",
        "--data",
        data_s,
        "--out",
        out_s,
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--init") && !err.contains("panicked"), "{err}");

    // A missing --dense-model is reported before any training.
    let o = gradink(&[
        "autoencoder",
        "--arch",
        "conv",
        "--dense-model",
        "/nonexistent/dense.safetensors",
        "--data",
        data_s,
        "--out",
        out_s,
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("/nonexistent/dense.safetensors") && !err.contains("panicked"),
        "{err}"
    );
}
