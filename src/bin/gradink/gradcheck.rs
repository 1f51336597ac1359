//! `gradink gradcheck`: the classifier's analytic gradients against central
//! differences (`gradink::runs::gradcheck`).

use anyhow::{bail, Result};
use gradink::gradcheck::InputCheck;
use gradink::runs::gradcheck::{gradcheck, GradcheckConfig};
use std::path::PathBuf;

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// A NIST36-format .mat file with valid_data/valid_labels to take the batch from.
    #[arg(long, default_value_os_t = GradcheckConfig::default().data)]
    pub data: PathBuf,
    /// Samples in the batch.
    #[arg(long, default_value_t = GradcheckConfig::default().batch, value_parser = crate::parse::positive)]
    pub batch: usize,
    #[arg(long, default_value_t = GradcheckConfig::default().hidden, value_parser = crate::parse::positive)]
    pub hidden: usize,
    #[arg(long, default_value_t = GradcheckConfig::default().seed)]
    pub seed: u64,
}

pub fn run(args: Args) -> Result<()> {
    let cfg = GradcheckConfig {
        data: args.data,
        batch: args.batch,
        hidden: args.hidden,
        seed: args.seed,
    };
    println!("data: {}", cfg.file().display());
    let report = gradcheck(&cfg)?;
    print_table(&report);
    if report.iter().any(|c| !c.passed()) {
        bail!("gradient check failed");
    }
    println!("all gradients pass (|analytic − numeric| ≤ 1e-5 + 1e-3·|numeric|)");
    Ok(())
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
