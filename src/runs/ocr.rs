//! `gradink ocr`: read photos with one classifier and, with an output
//! folder, write each one's boxes and crops figures.

use crate::error::{Error, Result};
use crate::ocr::{
    find_letters, load_classifier, open_image, read_letters_with, write_figures, ReadOptions,
    Reading,
};
use std::path::{Path, PathBuf};

/// What to read, with what, and where the figures go.
#[derive(Clone, Debug)]
pub struct OcrConfig {
    /// The photos (JPEG, PNG, GIF, WebP, BMP or TIFF, by content).
    pub images: Vec<PathBuf>,
    /// The classifier, MLP, CNN or ensemble; default: the shipped reader.
    pub model: PathBuf,
    /// Where `<name>_boxes.png` and `<name>_crops.png` go; none: no figures.
    pub out: Option<PathBuf>,
    /// The reader's optional steps (default: as measured best).
    pub options: ReadOptions,
}

impl Default for OcrConfig {
    fn default() -> Self {
        OcrConfig {
            images: Vec::new(),
            model: crate::repository::default_model(),
            out: None,
            options: ReadOptions::default(),
        }
    }
}

/// One photo's outcome, handed over as soon as it is read.
pub struct PhotoRead<'a> {
    pub path: &'a Path,
    /// The name its figures were written under, when that is not the photo's
    /// own file stem (another photo already took it).
    pub renamed: Option<&'a str>,
    pub reading: Result<Reading>,
}

/// Reads every photo of `cfg` in order, handing each outcome to `each`; a
/// photo that cannot be read does not stop the others. Fails only when the
/// classifier or the output folder cannot be had. Returns how many photos
/// failed.
pub fn ocr(cfg: &OcrConfig, each: &mut dyn FnMut(PhotoRead)) -> Result<usize> {
    let model = load_classifier(&cfg.model).map_err(|e| e.during("cannot load the classifier"))?;
    if let Some(out) = &cfg.out {
        std::fs::create_dir_all(out).map_err(|error| Error::Files {
            what: format!("cannot create the output folder {}", out.display()),
            error,
        })?;
        crate::keep_better::tidy(out);
    }
    let mut failed = 0;
    for (path, name) in cfg.images.iter().zip(output_names(&cfg.images)) {
        let reading = open_image(path).and_then(|image| {
            let reading = read_letters_with(&find_letters(&image), &model, &cfg.options);
            if let Some(out) = &cfg.out {
                write_figures(&image, &reading, out, &name)?;
            }
            Ok(reading)
        });
        failed += usize::from(reading.is_err());
        let renamed =
            (cfg.out.is_some() && Some(&name) != file_stem(path).as_ref()).then_some(name.as_str());
        each(PhotoRead {
            path,
            renamed,
            reading,
        });
    }
    Ok(failed)
}

fn file_stem(path: &Path) -> Option<String> {
    path.file_stem().map(|s| s.to_string_lossy().into_owned())
}

/// A distinct name for each image's figures: its file stem, or, when an
/// earlier image has taken that stem (`a/x.jpg b/x.png`), the stem with the
/// first free `_2`, `_3`, … appended, so no output overwrites another.
pub fn output_names(images: &[PathBuf]) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    images
        .iter()
        .map(|path| {
            let stem = file_stem(path).unwrap_or_else(|| "image".into());
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
