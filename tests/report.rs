//! `gradink report` end to end on the fixture with a tiny budget: every
//! section and figure is written, every link in REPORT.md resolves, the same
//! seed gives the same numbers, and missing data skips what needs it.

mod common;

use common::{fixture_dir, gradink, scratch};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// A budget small enough for a test: two classifier epochs, one per sweep
/// run, one autoencoder epoch, a 4-unit classifier for the gradient check,
/// one generated page per strength.
const TINY: &[&str] = &[
    "--synth-pages",
    "1",
    "--epochs",
    "2",
    "--sweep-epochs",
    "1",
    "--ae-epochs",
    "1",
    "--gradcheck-hidden",
    "4",
];

/// The sample photos shipped with the repository.
fn sample_photos() -> String {
    format!("{}/images", env!("CARGO_MANIFEST_DIR"))
}

/// `gradink report` on `data` into `out`, reading the photos in `images`,
/// with the tiny budget and then `extra` options.
fn report(data: &Path, out: &Path, images: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "report",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--images",
        images,
    ];
    args.extend_from_slice(TINY);
    args.extend_from_slice(extra);
    gradink(&args)
}

/// The targets of every Markdown link and image, `[text](target)`, read
/// independently of the writer.
fn link_targets(markdown: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = markdown;
    while let Some(start) = rest.find("](") {
        let after = &rest[start + 2..];
        let end = after.find(')').expect("a link is closed");
        targets.push(after[..end].to_string());
        rest = &after[end..];
    }
    targets
}

/// Every relative link resolves to a non-empty file under `out`.
fn assert_links_resolve(out: &Path, markdown: &str) -> Vec<String> {
    let targets = link_targets(markdown);
    for t in &targets {
        assert!(
            !t.starts_with('/') && !t.contains("://"),
            "link {t} is not relative to the report"
        );
        let path = out.join(t.replace("%20", " "));
        let meta = std::fs::metadata(&path).unwrap_or_else(|_| panic!("link {t} does not resolve"));
        assert!(meta.len() > 100, "{t} is empty");
    }
    targets
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("report.json exists")).expect("valid JSON")
}

/// The JSON without wall-clock measurements (`seconds…`, `timings`).
fn without_timings(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !k.contains("seconds") && k.as_str() != "timings")
                .map(|(k, v)| (k.clone(), without_timings(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_timings).collect()),
        other => other.clone(),
    }
}

#[test]
fn report_on_the_fixture_has_every_section_figure_and_link() {
    let data = fixture_dir("report_data");
    let out = scratch("report_out");
    let o = report(&data, &out, &sample_photos(), &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let md = std::fs::read_to_string(out.join("REPORT.md")).expect("REPORT.md written");
    for heading in [
        "## 1. Gradient check",
        "## 2. Classifier training",
        "## 3. Learning-rate sweep",
        "## 4. Weights and confusion",
        "## 5. Reading the photos (OCR)",
        "## 6. Reading generated photo-like pages",
        "## 7. Autoencoder",
        "## Timings",
    ] {
        assert!(md.contains(heading), "REPORT.md lacks {heading:?}");
    }
    assert!(!md.contains("Skipped") && !md.contains("Failed"), "{md}");
    assert!(
        md.contains("--seed 0"),
        "the exact command and seed are shown"
    );

    let targets = assert_links_resolve(&out, &md);
    for figure in [
        "classifier/accuracy.png",
        "classifier/loss.png",
        "classifier/weights_init.png",
        "classifier/weights_trained.png",
        "classifier/confusion_test.png",
        "sweep/sweep.png",
        "ocr/01_list_boxes.png",
        "ocr/01_list_crops.png",
        "ocr/02_letters_boxes.png",
        "ocr/03_haiku_boxes.png",
        "ocr/04_deep_crops.png",
        "synth_pages/mild/page_000_boxes.png",
        "synth_pages/medium/page_000_boxes.png",
        "synth_pages/strong/page_000_boxes.png",
        "autoencoder/ae_loss.png",
        "autoencoder/reconstructions.png",
    ] {
        assert!(
            targets.iter().any(|t| t == figure),
            "REPORT.md does not embed {figure}"
        );
    }

    let json = read_json(&out.join("report.json"));
    for section in [
        "gradcheck",
        "classifier",
        "sweep",
        "ocr",
        "synth_pages",
        "autoencoder",
    ] {
        assert_eq!(
            json[section]["status"], "ok",
            "{section}: {}",
            json[section]
        );
    }
    assert_eq!(json["seed"], 0);
    assert_eq!(json["gradcheck"]["all_passed"], true);
    assert_eq!(json["classifier"]["summary"]["epochs"], 2);
    assert_eq!(json["sweep"]["runs"].as_array().unwrap().len(), 3);
    assert_eq!(json["autoencoder"]["summary"]["epochs"], 1);
    let photos = json["ocr"]["images"].as_array().unwrap();
    assert_eq!(photos.len(), 4, "every photo in images/ is read");
    for p in photos {
        // Each photo's truth is beside it, so each gets a character accuracy,
        // and its recognised text is in REPORT.md beside the true text.
        let acc = p["character_accuracy"]
            .as_f64()
            .expect("a measured accuracy");
        assert!((0.0..=1.0).contains(&acc), "{p}");
        let first = p["lines"][0].as_str().unwrap();
        let truth = p["truth"][0].as_str().unwrap();
        assert!(
            md.contains(&format!("| 1 | `{first}` | `{truth}` |")),
            "{first}"
        );
    }
    // Each generated page's reading is in REPORT.md beside its truth, and its
    // score is the one in report.json.
    let strengths = json["synth_pages"]["strengths"].as_array().unwrap();
    assert_eq!(strengths.len(), 3, "mild, medium, strong");
    for s in strengths {
        let page = &s["readings"][0];
        let (read, truth) = (
            page["read"][0].as_str().unwrap(),
            page["truth"][0].as_str().unwrap(),
        );
        assert!(
            md.contains(&format!("| 1 | `{read}` | `{truth}` |")),
            "{page}"
        );
        let score = &s["score"];
        let characters = score["characters"].as_f64().unwrap();
        let accuracy = 1.0 - score["errors"].as_f64().unwrap() / characters;
        let row = format!(
            "| {} | 1 | {characters} | {:.2}% |",
            s["strength"].as_str().unwrap(),
            100.0 * accuracy
        );
        assert!(md.contains(&row), "{row}");
        assert_eq!(score["lines_invented"], 0, "{s}");
    }
    let ae_psnr = json["autoencoder"]["summary"]["valid_psnr_mean"]
        .as_f64()
        .unwrap();
    assert!(md.contains(&format!("| mean validation PSNR | {ae_psnr:.2} dB |")));
    // The numbers in REPORT.md are the ones in report.json.
    let test_acc = json["classifier"]["summary"]["test_acc"].as_f64().unwrap();
    assert!(md.contains(&format!("| test | {:.2}% |", 100.0 * test_acc)));

    // Same seed, same command: the same numbers (only timings differ).
    let again = report(&data, &out, &sample_photos(), &[]);
    assert!(again.status.success());
    assert_eq!(
        without_timings(&json),
        without_timings(&read_json(&out.join("report.json")))
    );
}

/// Without data the training sections are skipped (exit 0 for that); the
/// unreadable photo alone makes the command exit 1, as `gradink ocr` does.
#[test]
fn missing_data_skips_what_needs_it_and_only_the_broken_photo_fails() {
    let out = scratch("report_missing_out");
    let missing = out.join("no_such_folder");
    // A blank page (no text) and a file that is not an image.
    let photos = scratch("report_missing_photos");
    image::GrayImage::from_pixel(300, 200, image::Luma([250u8]))
        .save(photos.join("blank.png"))
        .unwrap();
    std::fs::write(photos.join("broken.jpg"), b"not a jpeg").unwrap();
    let no_glyphs = out.join("no_glyphs.png");
    let o = report(
        &missing,
        &out,
        photos.to_str().unwrap(),
        &["--synth-glyphs", no_glyphs.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    let last = stderr.trim().lines().last().unwrap_or_default();
    assert!(
        last.contains("1 photo(s) could not be read: broken.jpg"),
        "{stderr}"
    );
    assert!(
        stderr.contains("data/get-data.sh") && stderr.contains("nist36_standin"),
        "says how to get the data: {stderr}"
    );

    let md = std::fs::read_to_string(out.join("REPORT.md")).expect("REPORT.md written");
    assert!(md.contains("get-data.sh"), "{md}");
    assert_links_resolve(&out, &md);
    let json = read_json(&out.join("report.json"));
    assert_eq!(json["gradcheck"]["status"], "ok", "needs no training data");
    assert_eq!(json["ocr"]["status"], "ok", "reads with the shipped model");
    for section in ["classifier", "sweep", "autoencoder", "synth_pages"] {
        assert_eq!(json[section]["status"], "skipped", "{section}");
    }
    assert!(
        json["synth_pages"]["reason"]
            .as_str()
            .unwrap()
            .contains("no_glyphs.png not found"),
        "names the missing glyph sheet: {}",
        json["synth_pages"]
    );
    let ocr = &json["ocr"];
    assert_eq!(ocr["images"][0]["image"], "blank.png");
    assert_eq!(
        ocr["images"][0]["boxes"], 0,
        "a blank page has no characters"
    );
    assert_eq!(ocr["unreadable"][0]["image"], "broken.jpg");
    assert!(md.contains("broken.jpg could not be read"), "{md}");
    assert!(json["missing_data"]
        .as_str()
        .unwrap()
        .contains("get-data.sh"));
}
