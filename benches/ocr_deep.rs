//! End-to-end reading time (decode, segment, crop, classify) of
//! images/04_deep.jpg (12 MP) with the shipped reader (the CNN), against the
//! same pipeline written with scikit-image (benches/reference/ocr_skimage.py,
//! which classifies with the course's MLP, models/classifier.safetensors:
//! the course's method), in the same run.
//!
//!     bash benches/reference/setup_ocr.sh      # once: numpy + scikit-image venv
//!     cargo bench --bench ocr_deep             # release build
//!
//! Without the Python venv it times the Rust side only and says so.
//! OCR_BENCH_RUNS sets the number of timed runs (default 5, after one warm-up).

use gradink::ocr::{load_classifier, open_image, read_page};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let image = root.join("images/04_deep.jpg");
    let model_path = root.join(gradink::ocr::DEFAULT_MODEL);
    let runs: usize = std::env::var("OCR_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let model = load_classifier(&model_path).expect("the shipped classifier loads");

    let read_once = || {
        let started = Instant::now();
        let photo = open_image(&image).expect("04_deep.jpg decodes");
        let decoded = started.elapsed().as_secs_f64();
        let reading = read_page(&photo, &model);
        (started.elapsed().as_secs_f64(), decoded, reading)
    };
    let (_, _, reading) = read_once(); // warm-up
    let mut totals = Vec::new();
    let mut decodes = Vec::new();
    for _ in 0..runs {
        let (total, decode, _) = read_once();
        totals.push(total);
        decodes.push(decode);
    }
    let rust = median(&mut totals);
    println!(
        "gradink (Rust)  04_deep.jpg: median {:.3} s, best {:.3} s over {runs} runs (decoding {:.3} s of it); {} boxes",
        rust,
        totals.iter().copied().fold(f64::INFINITY, f64::min),
        median(&mut decodes),
        reading.boxes.len()
    );
    println!("    {}", reading.lines.join(" / "));

    let Some(python) = reference_python(root) else {
        println!(
            "scikit-image reference skipped: no Python venv; run `bash benches/reference/setup_ocr.sh` first"
        );
        return;
    };
    let script = root.join("benches/reference/ocr_skimage.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(&image)
        .arg("--model")
        .arg(root.join(gradink::ocr::COURSE_MODEL))
        .arg("--runs")
        .arg((runs + 1).to_string())
        .arg("--json")
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            println!(
                "scikit-image reference failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return;
        }
        Err(e) => {
            println!("scikit-image reference could not start: {e}");
            return;
        }
    };
    let record: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("the reference prints JSON");
    // Drop the first (warm-up) run, as on the Rust side.
    let mut seconds: Vec<f64> = record["seconds"]
        .as_array()
        .map(|a| a.iter().skip(1).filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default();
    let reference = median(&mut seconds);
    let lines: Vec<String> = record["lines"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    println!(
        "scikit-image    04_deep.jpg: median {:.3} s, best {:.3} s over {} runs",
        reference,
        seconds.iter().copied().fold(f64::INFINITY, f64::min),
        seconds.len()
    );
    println!("    {}", lines.join(" / "));
    println!(
        "speed-up: {:.1}× (median scikit-image with the course's MLP / median gradink with the shipped reader; target ≥ 5×)",
        reference / rust
    );
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The OCR venv, or the shared benchmark venv, if either exists.
fn reference_python(root: &Path) -> Option<PathBuf> {
    [
        "benches/reference/.venv-ocr/bin/python",
        "benches/reference/.venv/bin/python",
    ]
    .iter()
    .map(|p| root.join(p))
    .find(|p| p.exists())
}
