//! `gradink gradcheck`: the classifier's analytic gradients against central differences.

use anyhow::{bail, Result};
use gradink::data::{gather_rows, load_split, one_hot};
use gradink::gradcheck::{gradcheck, InputCheck, Tolerance};
use gradink::models::Classifier;
use std::path::PathBuf;

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// A NIST36-format .mat file with valid_data/valid_labels to take the batch from.
    #[arg(long, default_value = "tests/fixtures/nist26_valid_small.mat")]
    pub data: PathBuf,
    /// Samples in the batch.
    #[arg(long, default_value_t = 4, value_parser = crate::parse::positive)]
    pub batch: usize,
    #[arg(long, default_value_t = 64, value_parser = crate::parse::positive)]
    pub hidden: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

pub fn run(args: Args) -> Result<()> {
    let args = Args {
        data: gradink::data::choice::in_repository(&args.data),
        ..args
    };
    println!("data: {}", args.data.display());
    let report = check(&args)?;
    print_table(&report);
    if report.iter().any(|c| !c.passed()) {
        bail!("gradient check failed");
    }
    println!("all gradients pass (|analytic − numeric| ≤ 1e-5 + 1e-3·|numeric|)");
    Ok(())
}

/// Checks every parameter of a freshly initialised classifier (`args.seed`)
/// on `args.batch` samples spread evenly over the file; one entry per parameter.
pub fn check(args: &Args) -> Result<Vec<InputCheck>> {
    let split = load_split(&args.data, "valid")?;
    let step = (split.len() / args.batch.max(1)).max(1);
    let idx: Vec<usize> = (0..split.len())
        .step_by(step)
        .take(args.batch.max(1))
        .collect();
    let x = gather_rows::<f64>(&split.images, &idx);
    let y = one_hot::<f64>(&split.labels, &idx, split.classes);
    let mut model = Classifier::<f64>::new(x.ncols(), args.hidden, split.classes, args.seed);
    Ok(gradcheck(&mut model, Tolerance::default(), |tape, m| {
        m.forward(tape.constant(x.clone()))
            .softmax_cross_entropy(&y)
    }))
}

/// Per parameter: scalars checked, largest errors, pass or fail.
fn print_table(report: &[InputCheck]) {
    println!(
        "{:<14} {:>8} {:>12} {:>12}  result",
        "parameter", "scalars", "max abs err", "max rel err"
    );
    for c in report {
        println!(
            "{:<14} {:>8} {:>12.3e} {:>12.3e}  {}",
            c.name,
            c.checked,
            c.max_abs_err,
            c.max_rel_err,
            if c.passed() {
                "pass".to_string()
            } else {
                format!("FAIL ({} outside tolerance)", c.failures)
            }
        );
    }
}
