//! The OCR stage: every photo in a folder read with the shipped classifier
//! (and with the one the report just trained, and the course's MLP when
//! the shipped reader is the CNN), each beside its true text
//! (`NAME.txt` next to `NAME.jpg`), with the figures `gradink ocr --out` draws
//! and measurements of how far the photo bends the letter finder's assumptions.

use super::sections::{OcrFailure, OcrImage, OcrSection, Section};
use crate::error::{Error, Result};
use crate::models::{AnyClassifier, Classifier};
use crate::ocr::{
    find_letters, load_classifier, open_image, read_letters, AssumptionChecks, TextScore,
};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Reads every photo in `folder` with the classifier at `model_path` (and with
/// `trained`, if any), writing `<name>_boxes.png` and `<name>_crops.png` into `out`.
pub fn read_all(
    folder: &Path,
    model_path: &Path,
    trained: Option<&Classifier<f32>>,
    out: &Path,
) -> Section<OcrSection> {
    let model = match load_classifier(model_path) {
        Ok(m) => m,
        Err(Error::NotFound { path, .. }) => {
            return Section::Skipped {
                reason: format!(
                    "no classifier at {} (pass --ocr-model FILE, e.g. a `gradink train` model).",
                    path.display()
                ),
            }
        }
        Err(e) => {
            return Section::Failed {
                error: e.to_string(),
            }
        }
    };
    // The course's MLP beside the shipped reader, when that is another network.
    let course_path = crate::repository::course_model();
    let course = match (&model, load_classifier(&course_path)) {
        (AnyClassifier::Mlp(_), _) | (_, Err(_)) => None,
        (_, Ok(mlp)) => Some(mlp),
    };
    let photos = match photos_in(folder) {
        Ok(p) if !p.is_empty() => p,
        Ok(_) => {
            return Section::Skipped {
                reason: format!("no photos in {}.", folder.display()),
            }
        }
        Err(e) => {
            return Section::Skipped {
                reason: format!(
                    "cannot list the photos in {} ({e}); pass --images DIR.",
                    folder.display()
                ),
            }
        }
    };
    if let Err(e) = std::fs::create_dir_all(out) {
        return Section::Failed {
            error: format!("cannot create {}: {e}", out.display()),
        };
    }
    let (mut images, mut unreadable) = (Vec::new(), Vec::new());
    for path in photos {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match read_photo(&path, &model, trained, course.as_ref(), out) {
            Ok(read) => images.push(read),
            Err(e) => unreadable.push(OcrFailure {
                image: name,
                error: e.to_string(),
            }),
        }
    }
    let overall = |distance: &dyn Fn(&OcrImage) -> Option<usize>| {
        let judged: Vec<(usize, usize)> = images
            .iter()
            .filter_map(|i| Some((distance(i)?, i.true_characters?)))
            .collect();
        let chars: usize = judged.iter().map(|&(_, c)| c).sum();
        (chars > 0)
            .then(|| 1.0 - judged.iter().map(|&(d, _)| d).sum::<usize>() as f64 / chars as f64)
    };
    let character_accuracy = overall(&|i| i.edit_distance);
    let character_accuracy_trained = overall(&|i| i.edit_distance_trained);
    let character_accuracy_course = overall(&|i| i.edit_distance_course);
    Section::Ok(OcrSection {
        model: model_path.to_path_buf(),
        images_folder: folder.to_path_buf(),
        images,
        unreadable,
        character_accuracy,
        character_accuracy_trained,
        course_model: course.is_some().then_some(course_path),
        character_accuracy_course,
    })
}

/// The image files of a folder (by extension), sorted by name.
fn photos_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    const EXTENSIONS: [&str; 8] = ["jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff"];
    let mut photos: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    photos.sort();
    Ok(photos)
}

/// The true text of `photo`: the lines of `NAME.txt` beside it, if present.
fn truth_of(photo: &Path) -> Result<Option<Vec<String>>> {
    let path = photo.with_extension("txt");
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|error| Error::Files {
        what: format!("cannot read the true text {}", path.display()),
        error,
    })?;
    Ok(Some(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
    ))
}

fn read_photo(
    path: &Path,
    model: &AnyClassifier,
    trained: Option<&Classifier<f32>>,
    course: Option<&AnyClassifier>,
    out: &Path,
) -> Result<OcrImage> {
    let started = Instant::now();
    let image = open_image(path)?;
    let letters = find_letters(&image);
    let reading = read_letters(&letters, model);
    let seconds = started.elapsed().as_secs_f64();

    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "image".into());
    crate::ocr::write_figures(&image, &reading, out, &stem)?;

    let truth = truth_of(path)?;
    let text = reading.lines.join("\n");
    let truth_text = truth.as_ref().map(|t| t.join("\n"));
    let score = truth_text.as_deref().map(|t| TextScore::of(&text, t));
    let score_trained = match (trained, &truth_text) {
        (Some(m), Some(t)) => Some(TextScore::of(
            &read_letters(&letters, m).lines.join("\n"),
            t,
        )),
        _ => None,
    };
    let score_course = match (course, &truth_text) {
        (Some(m), Some(t)) => Some(TextScore::of(
            &read_letters(&letters, m).lines.join("\n"),
            t,
        )),
        _ => None,
    };
    let edit = |s: Option<TextScore>| s.map(|s| s.edit_distance);
    let accuracy = |s: Option<TextScore>| s.map(|s| s.character_accuracy());
    let confidence = &reading.confidence;
    let assumptions = AssumptionChecks::of(&letters, &reading);
    Ok(OcrImage {
        image: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        boxes: reading.boxes.len(),
        true_characters: score.map(|s| s.true_characters),
        edit_distance: edit(score),
        character_accuracy: accuracy(score),
        edit_distance_trained: edit(score_trained),
        character_accuracy_trained: accuracy(score_trained),
        edit_distance_course: edit(score_course),
        character_accuracy_course: accuracy(score_course),
        mean_confidence: confidence.iter().map(|&c| c as f64).sum::<f64>()
            / confidence.len().max(1) as f64,
        assumptions,
        lines: reading.lines,
        truth,
        boxes_figure: format!("ocr/{stem}_boxes.png"),
        crops_figure: format!("ocr/{stem}_crops.png"),
        seconds,
    })
}
