//! `gradink train`: the classifier, its figures and its summary.

use crate::progress;
use anyhow::{Context, Result};
use gradink::data::{class_names, upright, Nist36, IMAGE_SIDE};
use gradink::keep_better::{settle, Judgement, Staging};
use gradink::models::{cnn, Classifier, Cnn, Predict};
use gradink::nn::{accuracy, confusion_matrix, top_confusions};
use gradink::plot::{self, Chart, Series};
use gradink::train::{evaluate, train_classifier, EpochStats, Schedule, TrainConfig};
use gradink::train_cnn::train_cnn;
use ndarray::{Array2, Axis};
use std::path::{Path, PathBuf};

/// Defaults: batch 32, rate 0.3 with a cosine schedule, on the mean loss (docs/training.md says why).
#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Folder with nist36_train.mat, nist36_valid.mat, nist36_test.mat
    /// [default: data/nist36 when it is there, else data/nist36_standin].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Folder for figures, summary.json and classifier.safetensors.
    #[arg(long, default_value = "out/train")]
    pub out: PathBuf,
    #[arg(long, default_value_t = 30, value_parser = crate::parse::epochs)]
    pub epochs: usize,
    /// The network: the course's MLP (one sigmoid hidden layer, SGD) or
    /// the CNN (docs/cnn.md; Adam).
    #[arg(long, value_enum, default_value_t = Arch::Mlp)]
    pub arch: Arch,
    /// Hidden units of the MLP.
    #[arg(long, default_value_t = 64, value_parser = crate::parse::positive)]
    pub hidden: usize,
    /// Learning rate for the mean cross-entropy over a batch
    /// (default: 0.3 for the MLP's SGD, 0.001 for the CNN's Adam).
    #[arg(long, value_parser = crate::parse::rate)]
    pub lr: Option<f64>,
    #[arg(long, default_value_t = 32, value_parser = crate::parse::positive)]
    pub batch_size: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, value_parser = crate::parse::named::<Schedule>(), default_value_t = Schedule::Cosine)]
    pub schedule: Schedule,
    /// Also train on EMNIST capitals and digits from this folder (the packed
    /// emnist_byclass_test sheets), rendered like the stand-in; indices in
    /// `<data>/source_indices.csv` are skipped so valid and test stay unseen.
    #[arg(long)]
    pub emnist: Option<PathBuf>,
    /// At most this many EMNIST samples per class (with --emnist).
    #[arg(long, default_value_t = 1500, value_parser = crate::parse::positive)]
    pub emnist_per_class: usize,
    /// Add this many randomly warped copies (rotation, shear, scale, shift)
    /// of every training row, drawn from --seed.
    #[arg(long, default_value_t = 0, value_parser = crate::parse::count)]
    pub augment: usize,
    /// With --arch cnn: add this many rows of two or three touching
    /// characters (made from the training rows, drawn from --seed) as one
    /// more output, "touching", so the reader can tell a box that holds
    /// several characters from one wide letter, and four redrawn single
    /// characters for each (docs/cnn.md).
    #[arg(long, default_value_t = 0, value_parser = crate::parse::count)]
    pub touching: usize,
    /// Accept this run into --out even if it blew up or the model already
    /// there scores better on the validation split (docs/robustness.md).
    #[arg(long)]
    pub force: bool,
}

/// Which network `gradink train` trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Arch {
    /// 1024 → hidden (sigmoid) → classes, plain SGD: the course's network.
    Mlp,
    /// conv 3×3 32 → pool → conv 3×3 64 → pool → FC 128 → classes, ReLU, Adam.
    Cnn,
}

impl Args {
    pub fn config(&self) -> TrainConfig {
        let default_lr = match self.arch {
            Arch::Mlp => 0.3,
            Arch::Cnn => 1e-3,
        };
        TrainConfig {
            epochs: self.epochs,
            hidden: self.hidden,
            lr: self.lr.unwrap_or(default_lr),
            batch_size: self.batch_size,
            seed: self.seed,
            schedule: self.schedule,
        }
    }
}

pub use gradink::train::Summary;

pub fn run(args: Args) -> Result<()> {
    let data_dir = crate::chosen_data(args.data.as_deref())?;
    let mut data = Nist36::load(&data_dir).context("cannot load the training data")?;
    if let Some(dir) = &args.emnist {
        data.train = with_emnist(
            &data.train,
            &data_dir,
            dir,
            args.emnist_per_class,
            args.seed,
        )?;
    }
    if args.touching > 0 {
        if args.arch != Arch::Cnn {
            anyhow::bail!(
                "--touching needs --arch cnn (the course's MLP has no 'touching' output)"
            );
        }
        gradink::memory::check_fits(
            &format!("--touching {}", args.touching),
            // The touching rows and their redrawn singles, then the copies.
            (data.train.len() as u64)
                .saturating_add(
                    (args.touching as u64)
                        .saturating_mul(1 + gradink::ocr::SINGLES_PER_TOUCHING as u64),
                )
                .saturating_mul(4 * (IMAGE_SIDE * IMAGE_SIDE) as u64 * (args.augment as u64 + 1)),
        )?;
        data.train = gradink::ocr::with_touching(&data.train, args.touching, args.seed);
    }
    if args.augment > 0 {
        use gradink::data::augment::{augment, Jitter};
        let rows = (data.train.len() as u64).saturating_mul(args.augment as u64 + 1);
        gradink::memory::check_fits(
            &format!("--augment {}", args.augment),
            rows.saturating_mul(4 * (IMAGE_SIDE * IMAGE_SIDE) as u64),
        )?;
        data.train = augment(&data.train, args.augment, Jitter::default(), args.seed);
    }
    let cfg = args.config();
    if args.arch == Arch::Mlp {
        check_mlp_fits(&cfg, data.train.classes)?;
    }
    let staging = Staging::new(&args.out)?;
    let trained = match args.arch {
        Arch::Mlp => train_and_report(&data, &cfg, &staging.dir, "train").map(|r| r.1),
        Arch::Cnn => train_cnn_and_report(&data, &cfg, &staging.dir, "train cnn"),
    };
    let summary = match trained {
        Ok(s) => s,
        Err(e) => {
            staging.abandon();
            anyhow::bail!("{e:#}; {}", staging.left());
        }
    };
    let predicted = gradink::models::AnyClassifier::load(staging.dir.join(MODEL_FILE))
        .map(|m| m.predict(data.valid.images.view()))
        .unwrap_or_default();
    let judgement = Judgement {
        blew_up: gradink::train::blow_up(&summary.history, &predicted, &data.valid),
        previous: previous_accuracy(&args.out.join(MODEL_FILE), &data),
        new: summary.valid_acc,
    };
    settle(
        &staging,
        judgement,
        args.force,
        MODEL_FILE,
        "summary.json",
        |a| format!("{:.1}%", 100.0 * a),
    )?;
    println!(
        "train {:.1}%  valid {:.1}%  test {:.1}%  ({:.3} s/epoch); wrote {}",
        100.0 * summary.train_acc,
        100.0 * summary.valid_acc,
        100.0 * summary.test_acc,
        summary.seconds_per_epoch,
        args.out.display()
    );
    Ok(())
}

/// The model file `train` writes.
const MODEL_FILE: &str = "classifier.safetensors";

/// Refuses an MLP whose training would not fit in memory, with an estimate.
pub fn check_mlp_fits(cfg: &TrainConfig, classes: usize) -> Result<()> {
    let bytes = gradink::train::memory_estimate(cfg, IMAGE_SIDE * IMAGE_SIDE, classes);
    gradink::memory::check_fits(&format!("--hidden {}", cfg.hidden), bytes)?;
    Ok(())
}

/// The validation accuracy of the classifier already at `path`, if there is
/// one that loads and fits this data (else `None`: nothing to protect).
fn previous_accuracy(path: &Path, data: &Nist36) -> Option<f64> {
    if !path.exists() {
        return None;
    }
    match gradink::models::AnyClassifier::load(path) {
        Ok(model) => {
            if model.classes() != data.valid.classes || model.inputs() != data.valid.images.ncols()
            {
                return None; // another kind of model: nothing to compare with
            }
            let predicted = model.predict(data.valid.images.view());
            Some(accuracy(&predicted, &data.valid.labels))
        }
        Err(e) => {
            eprintln!(
                "note: replacing {}, which cannot be read ({e})",
                path.display()
            );
            None
        }
    }
}

/// `train` followed by up to `per_class` EMNIST samples of each class that the
/// stand-in in `data` does not already use.
fn with_emnist(
    train: &gradink::data::Split,
    data: &Path,
    dir: &Path,
    per_class: usize,
    seed: u64,
) -> Result<gradink::data::Split> {
    use gradink::data::emnist;
    let listed = data.join("source_indices.csv");
    let exclude = if listed.exists() {
        emnist::standin_indices(&listed)?
    } else {
        Default::default()
    };
    let extra = emnist::load_emnist36(dir, &exclude, per_class, seed)
        .context("cannot load the EMNIST samples")?;
    if extra.classes != train.classes {
        anyhow::bail!(
            "--emnist adds {} classes (A–Z, 0–9) but the training data has {}; use 36-class NIST36 data with --emnist",
            extra.classes,
            train.classes
        );
    }
    eprintln!(
        "training on {} stand-in + {} EMNIST samples ({} stand-in indices skipped)",
        train.len(),
        extra.len(),
        exclude.len()
    );
    Ok(train.concat(&extra))
}

/// Trains one model and writes every figure, the model and `summary.json` into `out`.
pub fn train_and_report(
    data: &Nist36,
    cfg: &TrainConfig,
    out: &Path,
    label: &str,
) -> Result<(Classifier<f32>, Summary)> {
    let classes = data.train.classes;
    let mut model = Classifier::<f32>::new(IMAGE_SIDE * IMAGE_SIDE, cfg.hidden, classes, cfg.seed);
    let initial = model.clone();

    let batches = data.train.len().div_ceil(cfg.batch_size.max(1));
    let bar = progress::training_bar(cfg.epochs, batches, label);
    let history = train_classifier(&mut model, &data.train, &data.valid, cfg, |p| {
        progress::update(&bar, p)
    });
    bar.finish_and_clear();
    let history = history?;

    model.save(out.join("classifier.safetensors"))?;
    weight_grid(&initial, &out.join("weights_init.png"), "initial")?;
    weight_grid(&model, &out.join("weights_trained.png"), "trained")?;
    curves(&history, out)?;

    let architecture = format!(
        "mlp: {} > {} (sigmoid) > {classes}",
        IMAGE_SIDE * IMAGE_SIDE,
        cfg.hidden
    );
    let summary = summarise(&model, data, cfg, out, history, architecture)?;
    Ok((model, summary))
}

/// Trains the CNN and writes its figures (the first layer's filters
/// included), `classifier.safetensors` and `summary.json` into `out`.
pub fn train_cnn_and_report(
    data: &Nist36,
    cfg: &TrainConfig,
    out: &Path,
    label: &str,
) -> Result<Summary> {
    // Training rows of one class more than valid's are the "touching" rows.
    let mut model = if data.train.classes > data.valid.classes {
        Cnn::<f32>::with_touching(data.valid.classes, cfg.seed)
    } else {
        Cnn::<f32>::new(data.train.classes, cfg.seed)
    };
    filter_grid(&model, &out.join("filters_init.png"))?;
    let batches = data.train.len().div_ceil(cfg.batch_size.max(1));
    let bar = progress::training_bar(cfg.epochs, batches, label);
    let history = train_cnn(&mut model, &data.train, &data.valid, cfg, |p| {
        progress::update(&bar, p)
    });
    bar.finish_and_clear();
    let history = history?;
    model.save(out.join("classifier.safetensors"))?;
    filter_grid(&model, &out.join("filters_trained.png"))?;
    curves(&history, out)?;
    let mut architecture = cnn::DESCRIPTION.to_string();
    if model.touching {
        architecture.push_str(" (last output: touching)");
    }
    summarise(&model, data, cfg, out, history, architecture)
}

/// The test confusion matrix figure and `summary.json`, for either network.
fn summarise(
    model: &impl Predict,
    data: &Nist36,
    cfg: &TrainConfig,
    out: &Path,
    history: Vec<EpochStats>,
    architecture: String,
) -> Result<Summary> {
    let classes = data.test.classes;
    let names = class_names(classes);
    let predicted =
        gradink::functional::argmax_rows(model.predict_proba(data.test.images.view()).view());
    let confusion = confusion_matrix(&predicted, &data.test.labels, classes);
    let test_acc = accuracy(&predicted, &data.test.labels);
    plot::confusion_matrix(
        &out.join("confusion_test.png"),
        &confusion,
        &names,
        &format!("Test confusion matrix (accuracy {:.1}%)", 100.0 * test_acc),
    )?;

    let (_, train_acc) = evaluate(model, &data.train);
    let last = history.last();
    let summary = Summary {
        architecture,
        train_acc,
        valid_acc: last.map_or(0.0, |h| h.valid_acc),
        test_acc,
        best_valid_acc: history.iter().map(|h| h.valid_acc).fold(0.0, f64::max),
        epochs: cfg.epochs,
        hidden: cfg.hidden,
        lr: cfg.lr,
        batch_size: cfg.batch_size,
        seed: cfg.seed,
        schedule: cfg.schedule,
        seconds_per_epoch: history.iter().map(|h| h.seconds).sum::<f64>()
            / history.len().max(1) as f64,
        top_confusions: top_confusions(&confusion, &names, 10),
        history,
    };
    gradink::fsutil::write_atomic(
        &out.join("summary.json"),
        serde_json::to_string_pretty(&summary)?.as_bytes(),
    )?;
    Ok(summary)
}

/// `accuracy.png` and `loss.png`: train and valid per epoch.
fn curves(history: &[EpochStats], out: &Path) -> Result<()> {
    let series = |f: fn(&EpochStats) -> f64| history.iter().map(f).collect::<Vec<_>>();
    plot::line_chart(
        &out.join("accuracy.png"),
        &Chart {
            title: "Accuracy".into(),
            y_label: "accuracy".into(),
            series: vec![
                Series::new("train", series(|h| h.train_acc)),
                Series::new("valid", series(|h| h.valid_acc)),
            ],
        },
    )?;
    plot::line_chart(
        &out.join("loss.png"),
        &Chart {
            title: "Mean cross-entropy".into(),
            y_label: "loss per sample".into(),
            series: vec![
                Series::new("train", series(|h| h.train_loss)),
                Series::new("valid", series(|h| h.valid_loss)),
            ],
        },
    )?;
    Ok(())
}

/// The first layer's weight vectors as upright 32×32 images, 8 a row.
fn weight_grid(model: &Classifier<f32>, path: &Path, _which: &str) -> Result<()> {
    let w = model
        .params
        .matrix(&model.hidden.weight)
        .context("the model has no hidden layer")?;
    let images: Vec<Array2<f32>> = w.axis_iter(Axis(1)).take(64).map(upright).collect();
    plot::image_grid(path, &images, 8, 3, None)?;
    Ok(())
}

/// The first convolution's filters as upright 3×3 images (the network sees
/// the stored, transposed glyphs, so each filter is transposed back), 8 a row.
fn filter_grid(model: &Cnn<f32>, path: &Path) -> Result<()> {
    let w = model
        .params
        .get("conv1.weight")
        .context("the model has no first convolution")?;
    let images: Vec<Array2<f32>> = w
        .outer_iter()
        .map(|f| {
            let f = f.index_axis(Axis(0), 0);
            let f = f
                .into_dimensionality::<ndarray::Ix2>()
                .expect("OIHW weights");
            f.t().to_owned()
        })
        .collect();
    plot::image_grid(path, &images, 8, 24, None)?;
    Ok(())
}
