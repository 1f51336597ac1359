//! One classifier training epoch (NIST36 stand-in train split, 10,674 × 1024,
//! hidden 64, batch 32, f32, plain SGD) on gradink, timed against the same
//! loop in numpy and in PyTorch eager on CPU, in the same run; plus the peak
//! memory of a whole `gradink train`.
//!
//! ```sh
//! bash benches/run.sh                      # set-up + this bench, one command
//! cargo bench --bench train_epoch -- --epochs 30 --runs 3 --data DIR
//! ```
//!
//! Every loop trains `--epochs` epochs from scratch with the `gradink train`
//! defaults (rate 0.3, cosine schedule, batch 32) and reports the median time
//! of the training part of an epoch (the validation pass is not timed) and
//! the validation accuracy after the last epoch. gradink runs `--runs` times
//! (each run must give the same losses bit for bit); each reference runs
//! once, limited to 2 threads, with `OPENBLAS_CORETYPE`/`OPENBLAS_L2_SIZE`
//! unset so numpy's OpenBLAS picks its fastest kernel for this CPU.
//! A reference that cannot run (no venv) is reported and skipped.

mod common;

use common::{root, Options, Row};
use gradink::data::Nist36;
use gradink::models::Classifier;
use gradink::train::{train_classifier, Schedule, TrainConfig};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const HIDDEN: usize = 64;
const BATCH: usize = 32;
const LR: f64 = 0.3;
const SEED: u64 = 0;

fn config(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        hidden: HIDDEN,
        lr: LR,
        batch_size: BATCH,
        seed: SEED,
        schedule: Schedule::Cosine,
    }
}

/// `runs` × `epochs` epochs of the library's own loop (`train_classifier`),
/// as `gradink train` runs it.
fn gradink_runs(data: &Nist36, opts: &Options) -> Row {
    let mut seconds = Vec::new();
    let (mut valid_acc, mut losses) = (f64::NAN, None::<Vec<u64>>);
    let mut deterministic = true;
    for _ in 0..opts.runs {
        let classes = data.train.classes;
        let mut model = Classifier::<f32>::new(data.train.images.ncols(), HIDDEN, classes, SEED);
        let history = train_classifier(
            &mut model,
            &data.train,
            &data.valid,
            &config(opts.epochs),
            |_| {},
        )
        .expect("the default recipe does not diverge");
        seconds.extend(history.iter().map(|h| h.seconds));
        valid_acc = history.last().map_or(f64::NAN, |h| h.scores.valid_acc);
        let bits: Vec<u64> = history.iter().map(|h| h.train_loss.to_bits()).collect();
        if let Some(first) = &losses {
            deterministic &= *first == bits;
        }
        losses.get_or_insert(bits);
    }
    Row {
        name: "gradink".into(),
        seconds,
        score: valid_acc,
        note: format!(
            "{} runs, losses {}",
            opts.runs,
            if deterministic {
                "identical bit for bit"
            } else {
                "DIFFER between runs"
            }
        ),
    }
}

/// Peak resident memory (MB) and wall time of a whole `gradink train` run
/// (loading, training, figures, summary), in a child process.
fn train_peak_memory(opts: &Options) -> Result<(f64, f64), String> {
    let out = root().join("target/bench/train_epoch_out");
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_gradink"))
        .arg("train")
        .args(["--data", &opts.data.to_string_lossy()])
        .args(["--out", &out.to_string_lossy()])
        .args(["--epochs", &opts.epochs.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run gradink train: {e}"))?;
    let wall = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("gradink train failed ({status})"));
    }
    Ok((max_child_rss_kib()? / 1024.0, wall))
}

/// The largest resident set of any child waited for so far (KiB on Linux).
/// Called before any other child runs, so it is `gradink train`'s.
fn max_child_rss_kib() -> Result<f64, String> {
    // SAFETY: getrusage only writes into the zeroed struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return Err("getrusage failed".into());
    }
    Ok(usage.ru_maxrss as f64)
}

fn load(dir: &Path) -> Nist36 {
    Nist36::load(dir).unwrap_or_else(|e| {
        eprintln!("train_epoch: {e}");
        std::process::exit(1);
    })
}

fn main() {
    let opts = Options::parse(30);
    let data = load(&opts.data);
    println!(
        "classifier epoch: {}×{} f32, hidden {HIDDEN}, batch {BATCH}, SGD rate {LR} cosine, \
         {} epochs from scratch per loop; gradink computes on one thread, a second gathers batches",
        data.train.len(),
        data.train.images.ncols(),
        opts.epochs,
    );

    // The memory run comes first: getrusage reports the largest child so far.
    if !opts.no_memory {
        match train_peak_memory(&opts) {
            Ok((mb, wall)) => println!(
                "gradink train --epochs {}: peak memory {mb:.0} MB (target < 250), {wall:.1} s wall",
                opts.epochs
            ),
            Err(e) => println!("gradink train: peak memory not measured ({e})"),
        }
    }

    let mut rows = vec![gradink_runs(&data, &opts)];
    let args = [
        ("--hidden", HIDDEN.to_string()),
        ("--batch-size", BATCH.to_string()),
        ("--lr", LR.to_string()),
        ("--schedule", "cosine".to_string()),
        ("--seed", SEED.to_string()),
    ];
    let scripts = [
        ("numpy", "classifier_numpy.py"),
        ("torch eager", "classifier_torch.py"),
    ];
    rows.extend(common::references(&opts, &scripts, &args, "valid_acc"));

    common::print_results(&rows, "valid acc", 15, |acc, ours| {
        format!("{:>8.2}% ({:+.2})", 100.0 * acc, 100.0 * (acc - ours))
    });
}
