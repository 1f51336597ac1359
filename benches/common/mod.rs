//! The harness `ae_epoch` and `train_epoch` share: their command line, the
//! Python reference loops, and the results table.
// Each bench is its own crate and uses only part of this module.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// The references get 2 threads (BLAS / torch intra-op), the machine's cores.
pub const THREADS: usize = 2;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Options {
    pub data: PathBuf,
    pub epochs: usize,
    pub runs: usize,
    pub python: PathBuf,
    /// Skip the `gradink train` peak-memory run (`train_epoch` only).
    pub no_memory: bool,
}

impl Options {
    /// `--data DIR --epochs N --runs N --python PATH --no-memory`, each optional.
    pub fn parse(default_epochs: usize) -> Options {
        let mut opts = Options {
            data: root().join("../shared/data/nist36_standin"),
            epochs: default_epochs,
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
}

/// One loop's measurements; `score` is the bench's quality measure
/// (validation PSNR or accuracy) after the last epoch.
pub struct Row {
    pub name: String,
    pub seconds: Vec<f64>,
    pub score: f64,
    pub note: String,
}

/// Runs each `(name, script)` reference with `--data`, `--epochs` and `args`;
/// one that cannot run is reported and left out.
pub fn references(
    opts: &Options,
    scripts: &[(&str, &str)],
    args: &[(&str, String)],
    score_key: &str,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for &(name, script) in scripts {
        match reference(opts, name, script, args, score_key) {
            Ok(row) => rows.push(row),
            Err(e) => println!("{name}: skipped ({e}); run `bash benches/reference/setup.sh`"),
        }
    }
    rows
}

/// Runs one reference script; it prints a JSON object with `seconds` and `score_key`.
fn reference(
    opts: &Options,
    name: &str,
    script: &str,
    args: &[(&str, String)],
    score_key: &str,
) -> Result<Row, String> {
    let mut command = Command::new(&opts.python);
    command
        .arg(root().join("benches/reference").join(script))
        .args(["--data", &opts.data.to_string_lossy()])
        .args(["--epochs", &opts.epochs.to_string()]);
    for (flag, value) in args {
        command.args([flag, value.as_str()]);
    }
    let output = command
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
        score: v[score_key].as_f64().unwrap_or(f64::NAN),
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

/// The results table (times relative to gradink, the first row) and every
/// epoch's seconds. `score` formats a row's score given gradink's, to fill a
/// column `width` wide headed `header`.
pub fn print_results(rows: &[Row], header: &str, width: usize, score: impl Fn(f64, f64) -> String) {
    let ours = median(&rows[0].seconds);
    let our_score = rows[0].score;
    println!();
    println!(
        "{:<12} {:>14} {:>11} {:>12} {header:>width$}  notes",
        "loop", "median s/epoch", "min s/epoch", "gradink is"
    );
    for row in rows {
        let m = median(&row.seconds);
        println!(
            "{:<12} {:>14.4} {:>11.4} {:>11.2}× {}  {}",
            row.name,
            m,
            min(&row.seconds),
            m / ours,
            score(row.score, our_score),
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
