//! The autoencoder's recipes: every one is deterministic for a seed and stops
//! with `Error::Diverged` when its rate is far too high; the starts (Xavier,
//! mean image, PCA) and the warm-up do what they say; the CLI's `--recipe`.

mod common;

use common::{fixture, fixture_dir, gradink, scratch};
use gradink::ae_recipe::AeRecipe;
use gradink::data::load_split;
use gradink::models::{AeInit, Autoencoder, Pca, PcaError};
use gradink::train_autoencoder::{train_autoencoder, AeConfig};
use gradink::Error;
use ndarray::{s, Array2};

const RECIPES: [AeRecipe; 3] = [AeRecipe::Course, AeRecipe::AdamLong, AeRecipe::BeatPca];

/// The real-NIST fixture's images, cut to their first 256 pixels (8 of the
/// 32 columns) so that PCA and training stay fast.
fn images() -> Array2<f32> {
    let split = load_split(fixture(), "valid").unwrap();
    split.images.slice(s![.., ..256]).to_owned()
}

/// `recipe` for `seed`, shortened to `epochs` at batch 16.
fn short(recipe: AeRecipe, seed: u64, epochs: usize) -> AeConfig {
    AeConfig {
        epochs,
        batch_size: 16,
        ..recipe.config(seed)
    }
}

fn run(cfg: &AeConfig, x: &Array2<f32>) -> (Autoencoder<f32>, Vec<(f64, f64)>) {
    let mut model = cfg.init.model::<f32>(256, 32, cfg.seed, x.view()).unwrap();
    let history = train_autoencoder(&mut model, x, x, cfg, None, |_| {}).unwrap();
    let curve = history
        .iter()
        .map(|h| (h.train_loss, h.scores.valid_psnr))
        .collect();
    (model, curve)
}

#[test]
fn every_recipe_gives_the_same_model_for_the_same_seed() {
    let x = images();
    for recipe in RECIPES {
        let cfg = short(recipe, 4, 3);
        let (a, curve_a) = run(&cfg, &x);
        let (b, curve_b) = run(&cfg, &x);
        assert_eq!(curve_a, curve_b, "{recipe:?}");
        for ((name, p), (_, q)) in a.params.iter().zip(b.params.iter()) {
            assert_eq!(p, q, "{recipe:?}: {name} differs");
        }
        // …and another seed gives another model.
        let (c, _) = run(&short(recipe, 5, 3), &x);
        let differs = a
            .params
            .iter()
            .zip(c.params.iter())
            .any(|((_, p), (_, q))| p != q);
        assert!(differs, "{recipe:?}: seeds 4 and 5 gave the same model");
    }
}

#[test]
fn every_recipe_learns_on_the_fixture() {
    let x = images();
    for recipe in RECIPES {
        let (_, curve) = run(&short(recipe, 1, 4), &x);
        assert!(
            curve[3].0 < curve[0].0,
            "{recipe:?}: train loss {curve:?} did not fall"
        );
    }
}

#[test]
fn every_recipe_stops_on_divergence_and_keeps_the_last_good_model() {
    let x = images();
    for recipe in RECIPES {
        let dir = scratch(&format!("ae_recipe_diverge_{recipe:?}"));
        let path = dir.join("autoencoder.safetensors");
        let cfg = AeConfig {
            lr: 1e30,
            ..short(recipe, 2, 3)
        };
        let mut model = cfg.init.model::<f32>(256, 32, cfg.seed, x.view()).unwrap();
        let err = train_autoencoder(&mut model, &x, &x, &cfg, Some(&path), |_| {}).unwrap_err();
        match &err {
            Error::Diverged { epoch, .. } => {
                assert!(*epoch <= 2, "{recipe:?}: diverged only in epoch {epoch}");
            }
            other => panic!("{recipe:?}: expected Diverged, got {other}"),
        }
        // The file on disk, if any, is a finite model.
        if path.exists() {
            let kept = Autoencoder::<f32>::load(&path).unwrap();
            assert!(kept
                .params
                .iter()
                .all(|(_, p)| p.iter().all(|v| v.is_finite())));
        }
    }
}

#[test]
fn warm_up_climbs_linearly_then_the_schedule_runs_over_the_rest() {
    let cfg = AeConfig {
        epochs: 12,
        lr: 1.0,
        warmup: 4,
        ..AeRecipe::AdamLong.config(0)
    };
    let rates: Vec<f64> = (0..12).map(|e| cfg.rate(e)).collect();
    assert_eq!(&rates[..4], &[0.25, 0.5, 0.75, 1.0]);
    assert_eq!(rates[4], 1.0, "the cosine starts at the full rate");
    assert!(rates[4..].windows(2).all(|w| w[1] < w[0]), "{rates:?}");
    let no_warmup = AeConfig { warmup: 0, ..cfg };
    assert_eq!(no_warmup.rate(0), 1.0);
}

/// logit(y), the output layer's pre-activation read back from a sigmoid output.
fn logit(y: f64) -> f64 {
    (y / (1.0 - y)).ln()
}

#[test]
fn the_pca_start_draws_a_squashed_pca_reconstruction() {
    let x = images();
    let model = AeInit::Pca.model::<f64>(256, 32, 0, x.view()).unwrap();
    let pca = Pca::fit(x.view(), 32).unwrap();
    let linear = pca.reconstruct(x.view()).mapv(f64::from);
    let drawn = model.reconstruct(x.mapv(f64::from).view());
    // Wherever the sigmoid is not saturated, logit(ŷ) = a·(x̂_PCA − ½) for one a.
    let pairs: Vec<(f64, f64)> = linear
        .iter()
        .zip(drawn.iter())
        .filter(|(_, &y)| (0.01..0.99).contains(&y))
        .map(|(&r, &y)| (r - 0.5, logit(y)))
        .collect();
    assert!(
        pairs.len() > 1000,
        "only {} unsaturated pixels",
        pairs.len()
    );
    let a = pairs.iter().map(|(r, z)| r * z).sum::<f64>()
        / pairs.iter().map(|(r, _)| r * r).sum::<f64>();
    assert!((2.0..=12.0).contains(&a), "scale {a}");
    let worst = pairs
        .iter()
        .map(|(r, z)| (z - a * r).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-3, "logit(ŷ) differs from a·(x̂ − ½) by {worst}");
}

#[test]
fn the_mean_image_start_draws_about_the_mean_image() {
    let x = images();
    let model = AeInit::MeanImage
        .model::<f32>(256, 32, 0, x.view())
        .unwrap();
    let xavier = AeInit::Xavier.model::<f32>(256, 32, 0, x.view()).unwrap();
    let mean = x.mean_axis(ndarray::Axis(0)).unwrap();
    let distance = |m: &Autoencoder<f32>| {
        let y = m.reconstruct(x.view());
        (&y - &mean).mapv(|d| d * d).mean().unwrap()
    };
    assert!(distance(&model) < 0.5 * distance(&xavier));
}

#[test]
fn a_start_from_unusable_images_is_an_error() {
    let mut x = images();
    x[[5, 7]] = f32::NAN;
    let err = AeInit::Pca.model::<f32>(256, 32, 0, x.view()).unwrap_err();
    assert_eq!(err, PcaError::NotFinite);
}

#[test]
fn cli_recipe_beat_pca_reports_the_baseline() {
    let data = fixture_dir("ae_recipe_cli_data");
    let out = scratch("ae_recipe_cli_out");
    let o = gradink(&[
        "autoencoder",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--recipe",
        "beat-pca",
        "--epochs",
        "2",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("PCA with 32 components"), "{stdout}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("ae_summary.json")).unwrap()).unwrap();
    let (net, pca) = (
        summary["valid_psnr_mean"].as_f64().unwrap(),
        summary["pca_valid_psnr_mean"].as_f64().unwrap(),
    );
    assert!((summary["margin_over_pca_db"].as_f64().unwrap() - (net - pca)).abs() < 1e-9);
    assert_eq!(summary["config"]["init"], "pca");
    assert_eq!(summary["config"]["optimizer"], "adam");
    assert_eq!(summary["config"]["warmup"], 2);
    assert_eq!(summary["epochs"], 2, "--epochs overrides the recipe's");
    // The fixture is fitted and scored on the same 130 images, so PCA-32 is
    // strong there; the PCA-started network must stay close to it.
    assert!(net > pca - 3.0, "network {net} dB, PCA {pca} dB");
}
