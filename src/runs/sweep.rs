//! `gradink sweep`: the MLP at the chosen learning rate against 10× and
//! 0.1×, each trained into its own folder, with the curves side by side
//! (`sweep.png`) and the outcomes in `sweep.json`.

use crate::data::choice::nist36_dir;
use crate::data::Nist36;
use crate::error::{Error, Result};
use crate::plot::{self, Chart, Series};
use crate::runs::event::Event;
use crate::runs::train::train_mlp_into;
use crate::train::TrainConfig;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One `gradink sweep`; `Default` is the command's defaults (those of
/// `gradink train`, whose options it takes).
#[derive(Clone, Debug)]
pub struct SweepConfig {
    /// The NIST36 folder; `None`: the default of src/data/choice.rs.
    pub data: Option<PathBuf>,
    /// Where `sweep.png`, `sweep.json` and the `lr_*` folders go.
    pub out: PathBuf,
    /// The run at the chosen rate; the others differ only in `lr`.
    pub train: TrainConfig,
}

impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig {
            data: None,
            out: PathBuf::from("out/train"),
            train: TrainConfig::default(),
        }
    }
}

/// One learning rate's outcome (a row of `sweep.json`).
#[derive(Clone, Debug, Serialize)]
pub struct SweepRun {
    pub lr: f64,
    pub train_acc: f64,
    pub valid_acc: f64,
    pub test_acc: f64,
    pub final_train_loss: f64,
    pub final_valid_loss: f64,
    pub folder: PathBuf,
}

/// The whole `gradink sweep`: the data, then [`sweep_into`] `cfg.out`.
pub fn sweep(cfg: &SweepConfig, on_event: &mut dyn FnMut(Event)) -> Result<Vec<SweepRun>> {
    let choice = nist36_dir(cfg.data.as_deref())?;
    on_event(Event::Data(&choice));
    let data = Nist36::load(&choice.dir).map_err(|e| e.during("cannot load the training data"))?;
    sweep_into(&data, &cfg.train, &cfg.out, on_event)
}

/// Trains at `base.lr`, 10× and 0.1× (otherwise `base`), each into its own
/// `lr_{best,10x,0.1x}` folder under `out`, and writes `sweep.png` (accuracy
/// and loss per rate) and `sweep.json` into `out`.
pub fn sweep_into(
    data: &Nist36,
    base: &TrainConfig,
    out: &Path,
    on_event: &mut dyn FnMut(Event),
) -> Result<Vec<SweepRun>> {
    let mut runs = Vec::new();
    let (mut acc_series, mut loss_series) = (Vec::new(), Vec::new());
    for (factor, tag) in [(1.0, "best"), (10.0, "10x"), (0.1, "0.1x")] {
        let mut cfg = base.clone();
        cfg.lr = base.lr * factor;
        let folder = out.join(format!("lr_{tag}"));
        std::fs::create_dir_all(&folder).map_err(|error| Error::Files {
            what: format!("cannot create {}", folder.display()),
            error,
        })?;
        let (_, s) = train_mlp_into(data, &cfg, &folder, &format!("lr {}", cfg.lr), on_event)?;
        let name = format!("lr {} ({tag})", cfg.lr);
        acc_series.push(Series::new(
            format!("{name} train"),
            s.history.iter().map(|h| h.scores.train_acc).collect(),
        ));
        acc_series.push(Series::new(
            format!("{name} valid"),
            s.history.iter().map(|h| h.scores.valid_acc).collect(),
        ));
        loss_series.push(Series::new(
            format!("{name} train"),
            s.history.iter().map(|h| h.train_loss).collect(),
        ));
        loss_series.push(Series::new(
            format!("{name} valid"),
            s.history.iter().map(|h| h.scores.valid_loss).collect(),
        ));
        let last = s.history.last();
        runs.push(SweepRun {
            lr: cfg.lr,
            train_acc: s.train_acc,
            valid_acc: s.valid_acc,
            test_acc: s.test_acc,
            final_train_loss: last.map_or(f64::NAN, |h| h.train_loss),
            final_valid_loss: last.map_or(f64::NAN, |h| h.scores.valid_loss),
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
    crate::fsutil::write_json(&out.join("sweep.json"), &runs)?;
    Ok(runs)
}
