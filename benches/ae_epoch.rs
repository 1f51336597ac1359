//! One autoencoder training epoch (NIST36 stand-in train split, 10,674 × 1024,
//! 1024→32→32→32→1024, batch 36, f32, momentum SGD) on gradink, timed against
//! the same loop in numpy and in PyTorch eager on CPU, in the same run.
//!
//! ```sh
//! bash benches/ae_epoch.sh                 # set-up + this bench, one command
//! cargo bench --bench ae_epoch -- --epochs 20 --runs 3 --data DIR
//! ```
//!
//! Every loop trains `--epochs` epochs from scratch with the `gradink
//! autoencoder` defaults (momentum 0.9, rate 3e-5 on the total squared error,
//! cosine schedule, batch 36, one thread) and reports the median time of the
//! training part of an epoch (the validation pass is not timed) and the mean
//! validation PSNR after the last epoch. gradink runs `--runs` times (each run
//! must give the same losses bit for bit); each reference runs once, limited
//! to 2 threads, with `OPENBLAS_CORETYPE`/`OPENBLAS_L2_SIZE` unset so numpy's
//! OpenBLAS picks its fastest kernel for this CPU.
//! A reference that cannot run (no venv) is reported and skipped.

mod common;

use common::{Options, Row};
use gradink::data::load_split;
use gradink::models::{AeInit, Autoencoder};
use gradink::train::Schedule;
use gradink::train_autoencoder::{train_autoencoder, AeConfig, OptimizerKind};
use ndarray::Array2;
use std::path::Path;

const HIDDEN: usize = 32;
const BATCH: usize = 36;
const LR: f64 = 3e-5;
const MOMENTUM: f64 = 0.9;
const SEED: u64 = 0;

fn config(epochs: usize) -> AeConfig {
    AeConfig {
        epochs,
        lr: LR,
        batch_size: BATCH,
        seed: SEED,
        optimizer: OptimizerKind::Momentum,
        momentum: MOMENTUM,
        schedule: Schedule::Cosine,
        warmup: 0,
        init: AeInit::Xavier,
        // One thread: splitting a batch of 36 rows over two tapes was slower
        // here (the matrix products get too small).
        threads: 1,
    }
}

/// `runs` × `epochs` epochs of the library's own loop (`train_autoencoder`),
/// as `gradink autoencoder` runs it.
fn gradink_runs(train: &Array2<f32>, valid: &Array2<f32>, opts: &Options) -> Row {
    let mut seconds = Vec::new();
    let (mut valid_psnr, mut losses) = (f64::NAN, None::<Vec<u64>>);
    let mut deterministic = true;
    for _ in 0..opts.runs {
        let mut model = Autoencoder::<f32>::new(train.ncols(), HIDDEN, SEED);
        let history =
            train_autoencoder(&mut model, train, valid, &config(opts.epochs), None, |_| {})
                .expect("the default recipe does not diverge");
        seconds.extend(history.iter().map(|h| h.seconds));
        valid_psnr = history.last().map_or(f64::NAN, |h| h.scores.valid_psnr);
        let bits: Vec<u64> = history.iter().map(|h| h.train_loss.to_bits()).collect();
        if let Some(first) = &losses {
            deterministic &= *first == bits;
        }
        losses.get_or_insert(bits);
    }
    Row {
        name: "gradink".into(),
        seconds,
        score: valid_psnr,
        note: format!(
            "{} runs, 1 compute thread, losses {}",
            opts.runs,
            if deterministic {
                "identical bit for bit"
            } else {
                "DIFFER between runs"
            }
        ),
    }
}

fn load(dir: &Path, split: &str) -> Array2<f32> {
    match load_split(dir.join(format!("nist36_{split}.mat")), split) {
        Ok(s) => s.images,
        Err(e) => {
            eprintln!("ae_epoch: {e}");
            std::process::exit(1);
        }
    }
}

fn main() {
    let opts = Options::parse(20);
    let (train, valid) = (load(&opts.data, "train"), load(&opts.data, "valid"));
    println!(
        "autoencoder epoch: {}×{} f32, 1024→{HIDDEN}→{HIDDEN}→{HIDDEN}→1024, batch {BATCH}, \
         momentum {MOMENTUM} rate {LR} cosine, {} epochs from scratch per loop; \
         gradink computes on one thread, a second gathers batches",
        train.nrows(),
        train.ncols(),
        opts.epochs,
    );

    let mut rows = vec![gradink_runs(&train, &valid, &opts)];
    let args = [
        ("--hidden", HIDDEN.to_string()),
        ("--batch-size", BATCH.to_string()),
        ("--lr", LR.to_string()),
        ("--momentum", MOMENTUM.to_string()),
        ("--schedule", "cosine".to_string()),
        ("--seed", SEED.to_string()),
    ];
    let scripts = [("numpy", "ae_numpy.py"), ("torch eager", "ae_torch.py")];
    rows.extend(common::references(&opts, &scripts, &args, "valid_psnr"));

    common::print_results(&rows, "valid PSNR (dB)", 18, |psnr, ours| {
        format!("{psnr:>9.2} ({:+.2})", psnr - ours)
    });
}
