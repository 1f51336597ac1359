//! `gradink evaluate`: the accuracy of any saved classifier (MLP or CNN) on
//! one split of a NIST-format `.mat` file, with its most frequent confusions.

use anyhow::{bail, Context, Result};
use gradink::data::{class_names, load_split, Split};
use gradink::models::{AnyClassifier, Predict, ShiftAveraged};
use gradink::nn::{accuracy, confusion_matrix, top_confusions, Confusion};
use gradink::Error;
use serde::Serialize;
use std::path::PathBuf;

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// A model file written by `gradink train` (either architecture).
    #[arg(long)]
    pub model: PathBuf,
    /// A NIST-format .mat file; its test_*, valid_* or train_* variables are
    /// read (the first present, in that order). Labels 26 wide are the
    /// letters A–Z, 36 wide A–Z then 0–9.
    #[arg(long)]
    pub data: PathBuf,
    /// Print {"model", "data", "samples", "accuracy", "top_confusions", "shift_average"} as JSON.
    #[arg(long)]
    pub json: bool,
    /// Average the probabilities over each row and its four one-pixel
    /// shifts, as `gradink ocr` reads a photo's crops.
    #[arg(long)]
    pub shift_average: bool,
}

#[derive(Serialize)]
struct Evaluation {
    model: String,
    data: String,
    samples: usize,
    accuracy: f64,
    top_confusions: Vec<Confusion>,
    shift_average: bool,
}

/// The first of the test, valid and train splits present in `path`.
fn first_split(path: &std::path::Path) -> Result<Split> {
    for name in ["test", "valid", "train"] {
        match load_split(path, name) {
            Ok(split) => return Ok(split),
            Err(Error::MissingKey { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    bail!(
        "{}: no test_data, valid_data or train_data variable (is this a NIST-format .mat file?)",
        path.display()
    )
}

pub fn run(args: Args) -> Result<()> {
    let model = AnyClassifier::load(&args.model).context("cannot load the model")?;
    let split = first_split(&args.data)?;
    if split.classes != 26 && split.classes != 36 {
        bail!(
            "{}: the labels are {} wide; expected 26 (A–Z) or 36 (A–Z, 0–9)",
            args.data.display(),
            split.classes
        );
    }
    if split.images.ncols() != model.inputs() || model.classes() < split.classes {
        bail!(
            "{}: a {} model of {} inputs and {} classes cannot score {} pixels a row and {} classes",
            args.model.display(),
            model.architecture(),
            model.inputs(),
            model.classes(),
            split.images.ncols(),
            split.classes
        );
    }
    let predicted = if args.shift_average {
        gradink::functional::argmax_rows(
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
    let result = Evaluation {
        model: args.model.display().to_string(),
        data: args.data.display().to_string(),
        samples: split.len(),
        accuracy: accuracy(&predicted, &split.labels),
        top_confusions: top_confusions(&confusion, &names, 5),
        shift_average: args.shift_average,
    };
    if args.json {
        println!("{}", serde_json::to_string(&result)?);
    } else {
        println!(
            "{} ({}{}) on {}: {:.1}% of {} samples",
            result.model,
            model.architecture(),
            if args.shift_average {
                ", averaged over shifts"
            } else {
                ""
            },
            result.data,
            100.0 * result.accuracy,
            result.samples
        );
        for c in &result.top_confusions {
            println!("  {} read as {}: {}", c.truth, c.predicted, c.count);
        }
    }
    Ok(())
}
