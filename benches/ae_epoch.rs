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

use gradink::data::load_split;
use gradink::models::Autoencoder;
use gradink::train::Schedule;
use gradink::train_autoencoder::{train_autoencoder, AeConfig, OptimizerKind};
use ndarray::Array2;
use std::path::{Path, PathBuf};
use std::process::Command;

const HIDDEN: usize = 32;
const BATCH: usize = 36;
const LR: f64 = 3e-5;
const MOMENTUM: f64 = 0.9;
const SEED: u64 = 0;
/// The references get 2 threads (BLAS / torch intra-op), the machine's cores.
/// gradink runs its default, one thread: splitting a batch of 36 rows over two
/// tapes was slower here (the matrix products get too small).
const THREADS: usize = 2;

struct Options {
    data: PathBuf,
    epochs: usize,
    runs: usize,
    python: PathBuf,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn options() -> Options {
    let mut opts = Options {
        data: root().join("../shared/data/nist36_standin"),
        epochs: 20,
        runs: 3,
        python: std::env::var_os("GRADINK_BENCH_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join("benches/reference/.venv/bin/python")),
    };
    let args: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < args.len() {
        let value = args.get(i + 1).cloned();
        match (args[i].as_str(), value) {
            ("--data", Some(v)) => opts.data = v.into(),
            ("--epochs", Some(v)) => opts.epochs = v.parse().unwrap_or(opts.epochs).max(1),
            ("--runs", Some(v)) => opts.runs = v.parse().unwrap_or(opts.runs).max(1),
            ("--python", Some(v)) => opts.python = v.into(),
            _ => {
                i += 1; // cargo bench passes its own flags (e.g. --bench): ignore them
                continue;
            }
        }
        i += 2;
    }
    opts
}

fn config(epochs: usize) -> AeConfig {
    AeConfig {
        epochs,
        lr: LR,
        batch_size: BATCH,
        seed: SEED,
        optimizer: OptimizerKind::Momentum,
        momentum: MOMENTUM,
        schedule: Schedule::Cosine,
        threads: 1,
    }
}

/// One loop's measurements.
struct Row {
    name: String,
    seconds: Vec<f64>,
    valid_psnr: f64,
    note: String,
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
        valid_psnr = history.last().map_or(f64::NAN, |h| h.valid_psnr);
        let bits: Vec<u64> = history.iter().map(|h| h.train_loss.to_bits()).collect();
        if let Some(first) = &losses {
            deterministic &= *first == bits;
        }
        losses.get_or_insert(bits);
    }
    Row {
        name: "gradink".into(),
        seconds,
        valid_psnr,
        note: format!(
            "{} runs, 1 thread, losses {}",
            opts.runs,
            if deterministic {
                "identical bit for bit"
            } else {
                "DIFFER between runs"
            }
        ),
    }
}

/// Runs one reference script; it prints a JSON object with `seconds` and `valid_psnr`.
fn reference(opts: &Options, name: &str, script: &str) -> Result<Row, String> {
    let output = Command::new(&opts.python)
        .arg(root().join("benches/reference").join(script))
        .args(["--data", &opts.data.to_string_lossy()])
        .args(["--epochs", &opts.epochs.to_string()])
        .args(["--hidden", &HIDDEN.to_string()])
        .args(["--batch-size", &BATCH.to_string()])
        .args(["--lr", &LR.to_string()])
        .args(["--momentum", &MOMENTUM.to_string()])
        .args(["--schedule", "cosine"])
        .args(["--seed", &SEED.to_string()])
        .env("OMP_NUM_THREADS", THREADS.to_string())
        .env("OPENBLAS_NUM_THREADS", THREADS.to_string())
        .env("MKL_NUM_THREADS", THREADS.to_string())
        // Set on some machines for old OpenBLAS builds; they slow a current one.
        .env_remove("OPENBLAS_CORETYPE")
        .env_remove("OPENBLAS_L2_SIZE")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", opts.python.display()))?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        return Err(err.lines().last().unwrap_or("failed").to_string());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or("");
    let v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("bad output {line:?}: {e}"))?;
    let seconds = v["seconds"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s.as_f64()).collect())
        .unwrap_or_default();
    let note = if let Some(blas) = v["blas"].as_array().and_then(|b| b.first()) {
        format!(
            "numpy {}, {} {} kernel, {} threads",
            v["numpy"].as_str().unwrap_or("?"),
            blas["internal_api"].as_str().unwrap_or("?"),
            blas["architecture"].as_str().unwrap_or("?"),
            blas["num_threads"]
        )
    } else if let Some(t) = v["torch"].as_str() {
        format!("torch {t}, {} threads", v["threads"])
    } else {
        String::new()
    };
    Ok(Row {
        name: name.into(),
        seconds,
        valid_psnr: v["valid_psnr"].as_f64().unwrap_or(f64::NAN),
        note,
    })
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => 0.5 * (v[n / 2 - 1] + v[n / 2]),
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
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
    let opts = options();
    let (train, valid) = (load(&opts.data, "train"), load(&opts.data, "valid"));
    println!(
        "autoencoder epoch: {}×{} f32, 1024→{HIDDEN}→{HIDDEN}→{HIDDEN}→1024, batch {BATCH}, \
         momentum {MOMENTUM} rate {LR} cosine, {} epochs from scratch per loop; \
         matrixmultiply threading {}",
        train.nrows(),
        train.ncols(),
        opts.epochs,
        if cfg!(feature = "threading") {
            "on"
        } else {
            "off"
        }
    );

    let mut rows = vec![gradink_runs(&train, &valid, &opts)];
    for (name, script) in [("numpy", "ae_numpy.py"), ("torch eager", "ae_torch.py")] {
        match reference(&opts, name, script) {
            Ok(row) => rows.push(row),
            Err(e) => println!("{name}: skipped ({e}); run `bash benches/reference/setup.sh`"),
        }
    }

    let ours = median(&rows[0].seconds);
    let our_psnr = rows[0].valid_psnr;
    println!();
    println!(
        "{:<12} {:>14} {:>11} {:>12} {:>18}  notes",
        "loop", "median s/epoch", "min s/epoch", "gradink is", "valid PSNR (dB)"
    );
    for row in &rows {
        let m = median(&row.seconds);
        println!(
            "{:<12} {:>14.4} {:>11.4} {:>11.2}× {:>9.2} ({:+.2})  {}",
            row.name,
            m,
            min(&row.seconds),
            m / ours,
            row.valid_psnr,
            row.valid_psnr - our_psnr,
            row.note
        );
    }
    println!(
        "\nper-epoch seconds: {}",
        rows.iter()
            .map(|r| format!(
                "{} [{}]",
                r.name,
                r.seconds
                    .iter()
                    .map(|s| format!("{s:.3}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
}
