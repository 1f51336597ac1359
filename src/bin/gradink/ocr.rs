//! `gradink ocr`: read handwritten text out of photos, optionally as JSON and
//! with figures showing the boxes and the crops the classifier saw.

use anyhow::{Context, Result};
use gradink::models::AnyClassifier;
use gradink::ocr::{
    draw_boxes, draw_crops, load_classifier, open_image, read_page, reading_json, COURSE_MODEL,
    DEFAULT_MODEL,
};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Photos to read (JPEG, PNG, GIF, WebP, BMP or TIFF; the format is read from the content).
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
    /// Classifier to use (a `gradink train` safetensors file, MLP or CNN); default: the shipped CNN, models/classifier_cnn.safetensors.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Write <name>_boxes.png (boxes coloured by line) and <name>_crops.png (the 32×32 crops) here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object per image and line: {"image", "lines", "boxes": [[y1,x1,y2,x2],..]}.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<()> {
    let model_path = args.model.clone().unwrap_or_else(default_model);
    let model = load_classifier(&model_path).context("cannot load the classifier")?;
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out)
            .with_context(|| format!("cannot create the output folder {}", out.display()))?;
        gradink::keep_better::tidy(out);
    }
    let mut failed = 0;
    let stdout = std::io::stdout();
    let names = output_names(&args.images);
    for (path, name) in args.images.iter().zip(&names) {
        let renamed = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        if args.out.is_some() && renamed.as_deref() != Some(name.as_str()) {
            eprintln!(
                "note: {}'s figures are written as {name}_boxes.png and {name}_crops.png (another image has the same name)",
                path.display()
            );
        }
        match read_one(path, name, &model, &args) {
            Ok(text) => {
                let mut lock = stdout.lock();
                lock.write_all(text.as_bytes())?;
                lock.flush()?;
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        // Each failure has had its own line naming the file; just fail the exit code.
        std::process::exit(1);
    }
    Ok(())
}

/// The shipped model: in the working folder, else beside this crate's manifest.
pub fn default_model() -> PathBuf {
    gradink::data::choice::in_repository(DEFAULT_MODEL)
}

/// The course's MLP reader, found like [`default_model`].
pub fn course_model() -> PathBuf {
    gradink::data::choice::in_repository(COURSE_MODEL)
}

/// A distinct name for each image's figures in `--out`: its file stem, or,
/// when an earlier image has taken that stem (`a/x.jpg b/x.png`), the stem
/// with the first free `_2`, `_3`, … appended, so no output overwrites another.
pub fn output_names(images: &[PathBuf]) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    images
        .iter()
        .map(|path| {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "image".into());
            let mut name = stem.clone();
            let mut k = 2;
            while taken.contains(&name) {
                name = format!("{stem}_{k}");
                k += 1;
            }
            taken.insert(name.clone());
            name
        })
        .collect()
}

/// Reads one image and returns what to print for it; its figures are
/// written as `{name}_boxes.png` and `{name}_crops.png` in `--out`.
fn read_one(path: &Path, name: &str, model: &AnyClassifier, args: &Args) -> Result<String> {
    let image = open_image(path)?;
    let reading = read_page(&image, model);
    if let Some(out) = &args.out {
        let boxes_png = out.join(format!("{name}_boxes.png"));
        draw_boxes(&image, &reading)
            .save(&boxes_png)
            .with_context(|| format!("cannot write {}", boxes_png.display()))?;
        let crops_png = out.join(format!("{name}_crops.png"));
        draw_crops(&reading, &crops_png)
            .with_context(|| format!("cannot write {}", crops_png.display()))?;
    }
    if args.json {
        return Ok(reading_json(&path.display().to_string(), &reading) + "\n");
    }
    let mut text = String::new();
    if args.images.len() > 1 {
        text.push_str(&format!("== {}\n", path.display()));
    }
    for line in &reading.lines {
        text.push_str(line);
        text.push('\n');
    }
    Ok(text)
}
