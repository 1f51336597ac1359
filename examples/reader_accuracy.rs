//! How well a classifier reads handwriting it never saw, with and without
//! the reader's shift averaging (`gradink::models::ShiftAveraged`): the 130
//! real NIST letters of the test fixture, the stand-in's test split, and
//! unseen EMNIST capitals and digits (every 7th held-out row, at most 150
//! per class). The last two need ../shared/data.
//!
//!     cargo run --release --example reader_accuracy [-- MODEL]

use gradink::data::emnist::{held_out36, load_emnist_rows};
use gradink::data::load_split;
use gradink::functional::argmax_rows;
use gradink::models::{AnyClassifier, Predict, ShiftAveraged};
use ndarray::{Array2, ArrayView2};
use std::path::Path;

const EMNIST: &str = "../shared/data/emnist_byclass_test";
const STANDIN: &str = "../shared/data/nist36_standin";

fn percent_right(model: &impl Predict, images: ArrayView2<f32>, labels: &[usize]) -> f64 {
    let predicted = argmax_rows(model.predict_proba(images).view());
    let right = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
    100.0 * right as f64 / labels.len() as f64
}

fn report(name: &str, model: &AnyClassifier, images: &Array2<f32>, labels: &[usize]) {
    println!(
        "| {name} | {} | {:.1} % | {:.1} % |",
        labels.len(),
        percent_right(model, images.view(), labels),
        percent_right(&ShiftAveraged(model), images.view(), labels)
    );
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| gradink::ocr::DEFAULT_MODEL.to_string());
    let model = AnyClassifier::load(&path)?;
    println!("{path}\n\n| rows | samples | network alone | averaged over shifts |\n| --- | --- | --- | --- |");
    let letters = load_split("tests/fixtures/nist26_valid_small.mat", "valid")?;
    report(
        "130 real NIST letters",
        &model,
        &letters.images,
        &letters.labels,
    );
    if !Path::new(EMNIST).is_dir() {
        println!("(../shared/data is absent: the stand-in and EMNIST rows are skipped)");
        return Ok(());
    }
    let test = load_split(Path::new(STANDIN).join("nist36_test.mat"), "test")?;
    report("stand-in test split", &model, &test.images, &test.labels);
    let held = held_out36(
        EMNIST,
        Path::new(STANDIN).join("source_indices.csv"),
        1500,
        0,
    )?;
    let mut per_class = [0usize; 36];
    let chosen: Vec<(usize, usize)> = held
        .iter()
        .enumerate()
        .filter(|&(k, &(_, c))| {
            let take = k % 7 == 3 && per_class[c] < 150;
            per_class[c] += usize::from(take);
            take
        })
        .map(|(_, &row)| row)
        .collect();
    let indices: Vec<usize> = chosen.iter().map(|&(i, _)| i).collect();
    let labels: Vec<usize> = chosen.iter().map(|&(_, c)| c).collect();
    let images = load_emnist_rows(EMNIST, &indices)?;
    report("unseen EMNIST rows", &model, &images, &labels);
    Ok(())
}
