//! `gradink sweep`: the chosen learning rate against 10× and 0.1×
//! (`gradink::runs::sweep`).

use crate::progress;
use anyhow::Result;
use gradink::runs::sweep::{sweep, SweepConfig};

// `group(skip)`: the flattened `train::Args` already has the group `Args`.
#[derive(clap::Args, Clone, Debug)]
#[group(skip)]
pub struct Args {
    #[command(flatten)]
    pub train: crate::train::Args,
}

pub fn run(args: Args) -> Result<()> {
    let train = args.train.config();
    let cfg = SweepConfig {
        data: train.data,
        out: train.out,
        train: train.train,
    };
    for r in sweep(&cfg, &mut progress::shown())? {
        println!(
            "lr {:<8} valid {:.1}%  test {:.1}%",
            r.lr,
            100.0 * r.valid_acc,
            100.0 * r.test_acc
        );
    }
    println!("wrote {}", cfg.out.join("sweep.png").display());
    Ok(())
}
