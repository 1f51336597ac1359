//! `gradink evaluate`: the accuracy of any saved classifier (MLP, CNN or ensemble) on
//! one split of a NIST-format `.mat` file (`gradink::runs::evaluate`).

use anyhow::Result;
use gradink::runs::evaluate::{evaluate, EvaluateConfig};
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

pub fn run(args: Args) -> Result<()> {
    let result = evaluate(&EvaluateConfig {
        model: args.model,
        data: args.data,
        shift_average: args.shift_average,
    })?;
    if args.json {
        println!("{}", serde_json::to_string(&result)?);
        return Ok(());
    }
    println!(
        "{} ({}{}) on {}: {:.1}% of {} samples",
        result.model,
        result.architecture,
        if result.shift_average {
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
    Ok(())
}
