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

use gradink::data::Nist36;
use gradink::models::Classifier;
use gradink::train::{train_classifier, Schedule, TrainConfig};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const HIDDEN: usize = 64;
const BATCH: usize = 32;
const LR: f64 = 0.3;
const SEED: u64 = 0;
/// The references get 2 threads (BLAS / torch intra-op), the machine's cores.
const THREADS: usize = 2;

struct Options {
    data: PathBuf,
    epochs: usize,
    runs: usize,
    python: PathBuf,
    /// Skip the `gradink train` peak-memory run.
    no_memory: bool,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn options() -> Options {
    let mut opts = Options {
        data: root().join("../shared/data/nist36_standin"),
        epochs: 30,
        runs: 3,
        python: std::env::var_os("GRADINK_BENCH_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join("benches/reference/.venv/bin/python")),
        no_memory: false,
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
            ("--no-memory", _) => {
                opts.no_memory = true;
                i += 1;
                continue;
            }
            _ => {
                i += 1; // cargo bench passes its own flags (e.g. --bench): ignore them
                continue;
            }
        }
        i += 2;
    }
    opts
}

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

/// One loop's measurements.
struct Row {
    name: String,
    seconds: Vec<f64>,
    valid_acc: f64,
    note: String,
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
        valid_acc = history.last().map_or(f64::NAN, |h| h.valid_acc);
        let bits: Vec<u64> = history.iter().map(|h| h.train_loss.to_bits()).collect();
        if let Some(first) = &losses {
            deterministic &= *first == bits;
        }
        losses.get_or_insert(bits);
    }
    Row {
        name: "gradink".into(),
        seconds,
        valid_acc,
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

/// Runs one reference script; it prints a JSON object with `seconds` and `valid_acc`.
fn reference(opts: &Options, name: &str, script: &str) -> Result<Row, String> {
    let output = Command::new(&opts.python)
        .arg(root().join("benches/reference").join(script))
        .args(["--data", &opts.data.to_string_lossy()])
        .args(["--epochs", &opts.epochs.to_string()])
        .args(["--hidden", &HIDDEN.to_string()])
        .args(["--batch-size", &BATCH.to_string()])
        .args(["--lr", &LR.to_string()])
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
        valid_acc: v["valid_acc"].as_f64().unwrap_or(f64::NAN),
        note,
    })
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

fn load(dir: &Path) -> Nist36 {
    Nist36::load(dir).unwrap_or_else(|e| {
        eprintln!("train_epoch: {e}");
        std::process::exit(1);
    })
}

fn main() {
    let opts = options();
    let data = load(&opts.data);
    println!(
        "classifier epoch: {}×{} f32, hidden {HIDDEN}, batch {BATCH}, SGD rate {LR} cosine, \
         {} epochs from scratch per loop; matrixmultiply threading {}",
        data.train.len(),
        data.train.images.ncols(),
        opts.epochs,
        if cfg!(feature = "threading") {
            "on"
        } else {
            "off"
        }
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
    for (name, script) in [
        ("numpy", "classifier_numpy.py"),
        ("torch eager", "classifier_torch.py"),
    ] {
        match reference(&opts, name, script) {
            Ok(row) => rows.push(row),
            Err(e) => println!("{name}: skipped ({e}); run `bash benches/reference/setup.sh`"),
        }
    }

    let ours = median(&rows[0].seconds);
    let our_acc = rows[0].valid_acc;
    println!();
    println!(
        "{:<12} {:>14} {:>11} {:>12} {:>15}  notes",
        "loop", "median s/epoch", "min s/epoch", "gradink is", "valid acc"
    );
    for row in &rows {
        let m = median(&row.seconds);
        println!(
            "{:<12} {:>14.4} {:>11.4} {:>11.2}× {:>8.2}% ({:+.2})  {}",
            row.name,
            m,
            min(&row.seconds),
            m / ours,
            100.0 * row.valid_acc,
            100.0 * (row.valid_acc - our_acc),
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
