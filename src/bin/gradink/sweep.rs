//! `gradink sweep`: the chosen learning rate against 10× and 0.1×.

use crate::train::train_and_report;
use anyhow::{Context, Result};
use gradink::data::Nist36;
use gradink::plot::{self, Chart, Series};
use gradink::train::{SweepRun, TrainConfig};
use std::path::Path;

// `group(skip)`: the flattened `train::Args` already has the group `Args`.
#[derive(clap::Args, Clone, Debug)]
#[group(skip)]
pub struct Args {
    #[command(flatten)]
    pub train: crate::train::Args,
}

pub fn run(args: Args) -> Result<()> {
    let base = args.train;
    let data_dir = crate::chosen_data(base.data.as_deref())?;
    let data = Nist36::load(&data_dir).context("cannot load the training data")?;
    for r in sweep(&data, &base.config(), &base.out)? {
        println!(
            "lr {:<8} valid {:.1}%  test {:.1}%",
            r.lr,
            100.0 * r.valid_acc,
            100.0 * r.test_acc
        );
    }
    println!("wrote {}", base.out.join("sweep.png").display());
    Ok(())
}

/// Trains at `base.lr`, 10× and 0.1× (otherwise `base`), each into its own
/// `lr_{best,10x,0.1x}` folder under `out`, and writes `sweep.png` (accuracy
/// and loss per rate) and `sweep.json` into `out`.
pub fn sweep(data: &Nist36, base: &TrainConfig, out: &Path) -> Result<Vec<SweepRun>> {
    let mut runs = Vec::new();
    let (mut acc_series, mut loss_series) = (Vec::new(), Vec::new());
    for (factor, tag) in [(1.0, "best"), (10.0, "10x"), (0.1, "0.1x")] {
        let mut cfg = base.clone();
        cfg.lr = base.lr * factor;
        let folder = out.join(format!("lr_{tag}"));
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        let (_, s) = train_and_report(data, &cfg, &folder, &format!("lr {}", cfg.lr))?;
        let name = format!("lr {} ({tag})", cfg.lr);
        acc_series.push(Series::new(
            format!("{name} train"),
            s.history.iter().map(|h| h.train_acc).collect(),
        ));
        acc_series.push(Series::new(
            format!("{name} valid"),
            s.history.iter().map(|h| h.valid_acc).collect(),
        ));
        loss_series.push(Series::new(
            format!("{name} train"),
            s.history.iter().map(|h| h.train_loss).collect(),
        ));
        loss_series.push(Series::new(
            format!("{name} valid"),
            s.history.iter().map(|h| h.valid_loss).collect(),
        ));
        let last = s.history.last();
        runs.push(SweepRun {
            lr: cfg.lr,
            train_acc: s.train_acc,
            valid_acc: s.valid_acc,
            test_acc: s.test_acc,
            final_train_loss: last.map_or(f64::NAN, |h| h.train_loss),
            final_valid_loss: last.map_or(f64::NAN, |h| h.valid_loss),
            folder,
        });
    }
    // Six panels: accuracy (top) and loss (bottom) for each rate.
    let mut charts = Vec::new();
    for (series, what) in [(&acc_series, "accuracy"), (&loss_series, "loss per sample")] {
        for (k, pair) in series.chunks(2).enumerate() {
            charts.push(Chart {
                title: format!("{} — {what}", runs[k].lr),
                y_label: what.into(),
                series: pair.to_vec(),
            });
        }
    }
    plot::line_charts(&out.join("sweep.png"), &charts, 3)?;
    gradink::fsutil::write_atomic(
        &out.join("sweep.json"),
        serde_json::to_string_pretty(&runs)?.as_bytes(),
    )?;
    Ok(runs)
}
