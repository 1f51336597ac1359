//! `gradink train`: load NIST36 (with optional EMNIST rows, "touching" rows
//! and warped copies), train the MLP or the CNN, and write its figures,
//! `classifier.safetensors` and `summary.json` into the output folder under
//! the rule for `--out` (src/keep_better.rs: a better model is never
//! silently replaced).
//!
//! ```no_run
//! use gradink::runs::event;
//! use gradink::runs::train::{train, Arch, TrainRunConfig};
//!
//! let mut cfg = TrainRunConfig {
//!     out: "out/cnn".into(),
//!     arch: Arch::Cnn,
//!     ..Default::default()
//! };
//! cfg.train.lr = Arch::Cnn.default_lr();
//! let summary = train(&cfg, &mut event::ignore)?;
//! println!("valid {:.1}%", 100.0 * summary.valid_acc);
//! # Ok::<(), gradink::Error>(())
//! ```

use crate::classifier_figures as figures;
use crate::data::choice::nist36_dir;
use crate::data::{class_names, Nist36, Split, IMAGE_SIDE};
use crate::error::{Error, Result};
use crate::keep_better::{settle, Judgement, Staging};
use crate::models::{cnn, AnyClassifier, Classifier, Cnn, Predict};
use crate::nn::{accuracy, confusion_matrix, top_confusions, Confusion};
use crate::runs::event::Event;
use crate::train::{evaluate, train_classifier, EpochStats, Progress, TrainConfig};
use crate::train_cnn::train_cnn;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Which network `gradink train` trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// 1024 → hidden (sigmoid) → classes, plain SGD: the course's network.
    Mlp,
    /// conv 3×3 32 → pool → conv 3×3 64 → pool → FC 128 → classes, ReLU, Adam.
    Cnn,
}

crate::named_values!(Arch { Mlp => "mlp", Cnn => "cnn" });

impl Arch {
    /// The learning rate when none is given: 0.3 for the MLP's SGD, 0.001
    /// for the CNN's Adam (docs/training.md, docs/cnn.md).
    pub fn default_lr(self) -> f64 {
        match self {
            Arch::Mlp => TrainConfig::default().lr,
            Arch::Cnn => 1e-3,
        }
    }
}

/// One `gradink train`; `Default` is the command's defaults.
#[derive(Clone, Debug)]
pub struct TrainRunConfig {
    /// The NIST36 folder; `None`: `data/nist36` when it is there, else the
    /// shipped stand-in (src/data/choice.rs).
    pub data: Option<PathBuf>,
    /// Where the figures, `summary.json` and `classifier.safetensors` go.
    pub out: PathBuf,
    pub arch: Arch,
    /// The training's hyper-parameters; its `lr` should suit `arch`
    /// ([`Arch::default_lr`]).
    pub train: TrainConfig,
    /// Also train on EMNIST capitals and digits from this folder (the
    /// packed emnist_byclass_test sheets), skipping the stand-in's own
    /// indices (`<data>/source_indices.csv`) so valid and test stay unseen.
    pub emnist: Option<PathBuf>,
    /// At most this many EMNIST samples per class.
    pub emnist_per_class: usize,
    /// Randomly warped copies of every training row (drawn from the seed).
    pub augment: usize,
    /// CNN only: rows of two or three touching characters, one more output.
    pub touching: usize,
    /// CNN only: crops cut from this many generated photo-like pages written
    /// with the training rows' own glyphs (`ocr::page_crops`).
    pub page_crops: usize,
    /// Accept the run even if it blew up or the model already in `out`
    /// scores better on the validation split.
    pub force: bool,
}

impl Default for TrainRunConfig {
    fn default() -> Self {
        TrainRunConfig {
            data: None,
            out: PathBuf::from("out/train"),
            arch: Arch::Mlp,
            train: TrainConfig::default(),
            emnist: None,
            emnist_per_class: 1500,
            augment: 0,
            touching: 0,
            page_crops: 0,
            force: false,
        }
    }
}

/// What `summary.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct TrainSummary {
    /// The network's layers.
    pub architecture: String,
    pub train_acc: f64,
    pub valid_acc: f64,
    pub test_acc: f64,
    pub best_valid_acc: f64,
    /// The run's hyper-parameters, as their own keys of `summary.json`.
    #[serde(flatten)]
    pub config: TrainConfig,
    pub seconds_per_epoch: f64,
    pub top_confusions: Vec<Confusion>,
    pub history: Vec<EpochStats>,
}

/// The model file `train` writes.
pub const MODEL_FILE: &str = "classifier.safetensors";

/// The whole `gradink train`: data, training, files. Returns the summary
/// written to `cfg.out`; a run the rule for `--out` refuses is an
/// [`Error::Refused`] saying where it went.
pub fn train(cfg: &TrainRunConfig, on_event: &mut dyn FnMut(Event)) -> Result<TrainSummary> {
    let choice = nist36_dir(cfg.data.as_deref())?;
    on_event(Event::Data(&choice));
    let mut data =
        Nist36::load(&choice.dir).map_err(|e| e.during("cannot load the training data"))?;
    if let Some(dir) = &cfg.emnist {
        data.train = with_emnist(
            &data.train,
            &choice.dir,
            dir,
            cfg.emnist_per_class,
            cfg.train.seed,
        )?;
    }
    let from_pages = if cfg.page_crops > 0 {
        Some(crops_from_pages(cfg, &data.train, on_event)?)
    } else {
        None
    };
    if cfg.touching > 0 {
        if cfg.arch != Arch::Cnn {
            return Err(Error::TouchingNeedsCnn);
        }
        crate::memory::check_fits(
            &format!("--touching {}", cfg.touching),
            // The touching rows, their redrawn singles and wrongly cut pieces, then the copies.
            (data.train.len() as u64)
                .saturating_add((cfg.touching as u64).saturating_mul(
                    1 + (crate::ocr::SINGLES_PER_TOUCHING + crate::ocr::FRAGMENTS_PER_TOUCHING)
                        as u64,
                ))
                .saturating_mul(4 * (IMAGE_SIDE * IMAGE_SIDE) as u64 * (cfg.augment as u64 + 1)),
        )?;
        data.train = crate::ocr::with_touching(&data.train, cfg.touching, cfg.train.seed);
    }
    if cfg.augment > 0 {
        use crate::data::augment::{augment, Jitter};
        let rows = (data.train.len() as u64).saturating_mul(cfg.augment as u64 + 1);
        crate::memory::check_fits(
            &format!("--augment {}", cfg.augment),
            rows.saturating_mul(4 * (IMAGE_SIDE * IMAGE_SIDE) as u64),
        )?;
        data.train = augment(&data.train, cfg.augment, Jitter::default(), cfg.train.seed);
    }
    // After the warped copies: the page crops are already drawn slanted,
    // broken and blurred by the pages themselves.
    if let Some(crops) = from_pages {
        data.train = data.train.concat(&crops);
    }
    if cfg.arch == Arch::Mlp {
        check_mlp_fits(&cfg.train, data.train.classes)?;
    }
    let staging = Staging::new(&cfg.out)?;
    let trained = match cfg.arch {
        Arch::Mlp => {
            train_mlp_into(&data, &cfg.train, &staging.dir, "train", on_event).map(|r| r.1)
        }
        Arch::Cnn => train_cnn_into(&data, &cfg.train, &staging.dir, "train cnn", on_event),
    };
    let summary = match trained {
        Ok(s) => s,
        Err(e) => {
            staging.abandon();
            return Err(Error::Abandoned {
                error: Box::new(e),
                left: staging.left(),
            });
        }
    };
    let predicted = AnyClassifier::load(staging.dir.join(MODEL_FILE))
        .map(|m| m.predict(data.valid.images.view()))
        .unwrap_or_default();
    let judgement = Judgement {
        blew_up: crate::train::blow_up(&summary.history, &predicted, &data.valid),
        previous: previous_accuracy(&cfg.out.join(MODEL_FILE), &data),
        new: summary.valid_acc,
    };
    settle(
        &staging,
        judgement,
        cfg.force,
        MODEL_FILE,
        "summary.json",
        |a| format!("{:.1}%", 100.0 * a),
    )?;
    Ok(summary)
}

/// Refuses an MLP whose training would not fit in memory, with an estimate.
pub fn check_mlp_fits(cfg: &TrainConfig, classes: usize) -> Result<()> {
    let bytes = crate::train::memory_estimate(cfg, IMAGE_SIDE * IMAGE_SIDE, classes);
    crate::memory::check_fits(&format!("--hidden {}", cfg.hidden), bytes)
}

/// The validation accuracy of the classifier already at `path`, if there is
/// one that loads and fits this data (else `None`: nothing to protect).
fn previous_accuracy(path: &Path, data: &Nist36) -> Option<f64> {
    if !path.exists() {
        return None;
    }
    match AnyClassifier::load(path) {
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

/// The `--page-crops` rows: characters cut from generated pages written
/// with `train`'s glyphs, merges and pieces labelled "touching" when the run
/// has that output (`--touching`), else left out.
fn crops_from_pages(
    cfg: &TrainRunConfig,
    train: &Split,
    on_event: &mut dyn FnMut(Event),
) -> Result<Split> {
    if cfg.arch != Arch::Cnn {
        return Err(Error::PageCropsNeedCnn);
    }
    crate::memory::check_fits(
        &format!("--page-crops {}", cfg.page_crops),
        (cfg.page_crops as u64)
            .saturating_mul(crate::ocr::MOST_CROPS_PER_PAGE as u64)
            .saturating_mul(4 * (IMAGE_SIDE * IMAGE_SIDE) as u64),
    )?;
    let not_one = (cfg.touching > 0).then_some(train.classes);
    on_event(Event::Preparing {
        label: "page crops",
        total: cfg.page_crops,
    });
    let crops = crate::ocr::page_crops(train, cfg.page_crops, cfg.train.seed, not_one, |done| {
        on_event(Event::Prepared(done))
    });
    on_event(Event::PreparedDone);
    eprintln!(
        "{} crops from {} generated pages",
        crops.len(),
        cfg.page_crops
    );
    Ok(crops)
}

/// `train` followed by up to `per_class` EMNIST samples of each class that the
/// stand-in in `data` does not already use.
fn with_emnist(
    train: &Split,
    data: &Path,
    dir: &Path,
    per_class: usize,
    seed: u64,
) -> Result<Split> {
    use crate::data::emnist;
    let listed = data.join("source_indices.csv");
    let exclude = if listed.exists() {
        emnist::standin_indices(&listed)?
    } else {
        Default::default()
    };
    let extra = emnist::load_emnist36(dir, &exclude, per_class, seed)
        .map_err(|e| e.during("cannot load the EMNIST samples"))?;
    if extra.classes != train.classes {
        return Err(Error::EmnistClasses {
            emnist: extra.classes,
            data: train.classes,
        });
    }
    eprintln!(
        "training on {} stand-in + {} EMNIST samples ({} stand-in indices skipped)",
        train.len(),
        extra.len(),
        exclude.len()
    );
    Ok(train.concat(&extra))
}

/// The events of one training stage around `run`, which gets the batch callback.
fn stage<T>(
    label: &str,
    cfg: &TrainConfig,
    rows: usize,
    on_event: &mut dyn FnMut(Event),
    run: impl FnOnce(&mut dyn FnMut(Progress)) -> Result<T>,
) -> Result<T> {
    on_event(Event::Training {
        label,
        epochs: cfg.epochs,
        batches: rows.div_ceil(cfg.batch_size.max(1)),
    });
    let result = run(&mut |p| on_event(Event::Batch(p)));
    on_event(Event::TrainingDone);
    result
}

/// Trains the MLP and writes every figure (its first layer's weights
/// before and after included), the model and `summary.json` into `out`.
pub fn train_mlp_into(
    data: &Nist36,
    cfg: &TrainConfig,
    out: &Path,
    label: &str,
    on_event: &mut dyn FnMut(Event),
) -> Result<(Classifier<f32>, TrainSummary)> {
    let classes = data.train.classes;
    let mut model = Classifier::<f32>::new(IMAGE_SIDE * IMAGE_SIDE, cfg.hidden, classes, cfg.seed);
    let initial = model.clone();
    let history = stage(label, cfg, data.train.len(), on_event, |on_batch| {
        train_classifier(&mut model, &data.train, &data.valid, cfg, on_batch)
    })?;
    model.save(out.join(MODEL_FILE))?;
    figures::weight_grid(&initial, &out.join("weights_init.png"))?;
    figures::weight_grid(&model, &out.join("weights_trained.png"))?;
    figures::curves(&history, out)?;
    let architecture = format!(
        "mlp: {} > {} (sigmoid) > {classes}",
        IMAGE_SIDE * IMAGE_SIDE,
        cfg.hidden
    );
    let summary = summarise(&model, data, cfg, out, history, architecture)?;
    Ok((model, summary))
}

/// Trains the CNN and writes its figures (the first layer's filters
/// before and after included), the model and `summary.json` into `out`.
/// Training rows of one class more than valid's are "touching" rows: the
/// network gets that output too.
pub fn train_cnn_into(
    data: &Nist36,
    cfg: &TrainConfig,
    out: &Path,
    label: &str,
    on_event: &mut dyn FnMut(Event),
) -> Result<TrainSummary> {
    let mut model = if data.train.classes > data.valid.classes {
        Cnn::<f32>::with_touching(data.valid.classes, cfg.seed)
    } else {
        Cnn::<f32>::new(data.train.classes, cfg.seed)
    };
    figures::filter_grid(&model, &out.join("filters_init.png"))?;
    let history = stage(label, cfg, data.train.len(), on_event, |on_batch| {
        train_cnn(&mut model, &data.train, &data.valid, cfg, on_batch)
    })?;
    model.save(out.join(MODEL_FILE))?;
    figures::filter_grid(&model, &out.join("filters_trained.png"))?;
    figures::curves(&history, out)?;
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
) -> Result<TrainSummary> {
    let classes = data.test.classes;
    let names = class_names(classes);
    let predicted =
        crate::functional::argmax_rows(model.predict_proba(data.test.images.view()).view());
    let confusion = confusion_matrix(&predicted, &data.test.labels, classes);
    let test_acc = accuracy(&predicted, &data.test.labels);
    figures::test_confusion(out, &confusion, &names, test_acc)?;

    let (_, train_acc) = evaluate(model, &data.train);
    let last = history.last();
    let summary = TrainSummary {
        architecture,
        train_acc,
        valid_acc: last.map_or(0.0, |h| h.scores.valid_acc),
        test_acc,
        best_valid_acc: history
            .iter()
            .map(|h| h.scores.valid_acc)
            .fold(0.0, f64::max),
        config: cfg.clone(),
        seconds_per_epoch: history.iter().map(|h| h.seconds).sum::<f64>()
            / history.len().max(1) as f64,
        top_confusions: top_confusions(&confusion, &names, 10),
        history,
    };
    crate::fsutil::write_json(&out.join("summary.json"), &summary)?;
    Ok(summary)
}
