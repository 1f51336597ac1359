//! `gradink evaluate`: the accuracy of any saved classifier (MLP, CNN or ensemble) on
//! one split of a NIST-format `.mat` file, with its most frequent confusions.

use crate::data::{class_names, load_split, Split};
use crate::error::{Error, Result};
use crate::models::{AnyClassifier, Predict, ShiftAveraged};
use crate::nn::{accuracy, confusion_matrix, top_confusions, Confusion};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One `gradink evaluate`: which model on which file.
#[derive(Clone, Debug, Default)]
pub struct EvaluateConfig {
    /// A model file written by `gradink train` (either architecture).
    pub model: PathBuf,
    /// A NIST-format .mat file; its test, valid or train split is read (the
    /// first present, in that order). Labels 26 wide are the letters A–Z,
    /// 36 wide A–Z then 0–9.
    pub data: PathBuf,
    /// Average the probabilities over each row and its four one-pixel
    /// shifts, as the reader classifies a photo's crops.
    pub shift_average: bool,
}

/// What `gradink evaluate --json` prints.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub model: String,
    /// The model's kind ("mlp", "cnn"), from its file.
    #[serde(skip)]
    pub architecture: String,
    pub data: String,
    pub samples: usize,
    pub accuracy: f64,
    pub top_confusions: Vec<Confusion>,
    pub shift_average: bool,
}

/// Scores `cfg.model` on the first split of `cfg.data`.
pub fn evaluate(cfg: &EvaluateConfig) -> Result<Evaluation> {
    let model = AnyClassifier::load(&cfg.model).map_err(|e| e.during("cannot load the model"))?;
    let split = first_split(&cfg.data)?;
    if split.classes != 26 && split.classes != 36 {
        return Err(Error::LabelWidth {
            path: cfg.data.clone(),
            classes: split.classes,
        });
    }
    if split.images.ncols() != model.inputs() || model.classes() < split.classes {
        return Err(Error::ModelDoesNotFit {
            model: cfg.model.clone(),
            architecture: model.architecture().to_string(),
            inputs: model.inputs(),
            classes: model.classes(),
            pixels: split.images.ncols(),
            data_classes: split.classes,
        });
    }
    let predicted = if cfg.shift_average {
        crate::functional::argmax_rows(
            ShiftAveraged(&model)
                .predict_proba(split.images.view())
                .view(),
        )
    } else {
        model.predict(split.images.view())
    };
    let classes = model.classes();
    let names = class_names(classes);
    let confusion = confusion_matrix(&predicted, &split.labels, classes);
    Ok(Evaluation {
        model: cfg.model.display().to_string(),
        architecture: model.architecture().to_string(),
        data: cfg.data.display().to_string(),
        samples: split.len(),
        accuracy: accuracy(&predicted, &split.labels),
        top_confusions: top_confusions(&confusion, &names, 5),
        shift_average: cfg.shift_average,
    })
}

/// The first of the test, valid and train splits present in `path`.
fn first_split(path: &Path) -> Result<Split> {
    for name in ["test", "valid", "train"] {
        match load_split(path, name) {
            Ok(split) => return Ok(split),
            Err(Error::MissingKey { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::NoSplit {
        path: path.to_path_buf(),
    })
}
