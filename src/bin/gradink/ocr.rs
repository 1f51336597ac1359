//! `gradink ocr`: read handwritten text out of photos, optionally as JSON and
//! with figures showing the boxes and the crops the classifier saw
//! (`gradink::runs::ocr`).

use anyhow::Result;
use gradink::ocr::{reading_json, ReadOptions};
use gradink::runs::ocr::{ocr, OcrConfig, PhotoRead};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Photos to read (JPEG, PNG, GIF, WebP, BMP or TIFF; the format is read from the content).
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
    /// Classifier to use (a `gradink train` safetensors file, MLP or CNN, or a `gradink ensemble` file); default: the shipped reader, models/classifier_cnn.safetensors (two CNNs).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Write <name>_boxes.png (boxes coloured by line) and <name>_crops.png (the 32×32 crops) here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object per image and line: {"image", "lines", "boxes": [[y1,x1,y2,x2],..]}.
    #[arg(long)]
    pub json: bool,
    /// Never split a wide box into touching characters (by default the shipped reader splits what it reads as several characters; docs/ocr-photos.md).
    #[arg(long)]
    pub no_split: bool,
    /// Read every letter as the network reads it alone (by default a word's doubtful letters are read as the likelier English spelling; docs/ocr-photos.md).
    #[arg(long)]
    pub no_spelling: bool,
}

pub fn run(args: Args) -> Result<()> {
    let several = args.images.len() > 1;
    let cfg = OcrConfig {
        model: args.model.unwrap_or(OcrConfig::default().model),
        images: args.images,
        out: args.out,
        options: ReadOptions {
            split_touching: ReadOptions::split_from_flags(false, args.no_split),
            no_spelling: args.no_spelling,
            ..ReadOptions::default()
        },
    };
    let mut printed = Ok(());
    let failed = ocr(&cfg, &mut |photo: PhotoRead| {
        let path = photo.path.display();
        if let Some(name) = photo.renamed {
            eprintln!("note: {path}'s figures are written as {name}_boxes.png and {name}_crops.png (another image has the same name)");
        }
        let reading = match photo.reading {
            Ok(reading) => reading,
            Err(e) => return eprintln!("error: {e}"),
        };
        let text = if args.json {
            reading_json(&path.to_string(), &reading) + "\n"
        } else {
            let heading = if several {
                format!("== {path}\n")
            } else {
                String::new()
            };
            heading
                + &reading
                    .lines
                    .iter()
                    .map(|l| format!("{l}\n"))
                    .collect::<String>()
        };
        if printed.is_ok() {
            let mut out = std::io::stdout().lock();
            printed = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        }
    })?;
    printed?;
    if failed > 0 {
        // Each failure has had its own line naming the file; just fail the exit code.
        std::process::exit(1);
    }
    Ok(())
}
