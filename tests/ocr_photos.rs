//! The four sample photos read with the shipped reader (the CNN): every line
//! found, box counts within 2 % of the truth, overall character accuracy
//! ≥ 98 % (the network alone, before the word rule, ≥ 95 %; ≥ 90 % for
//! another model given as `OCR_MODEL`), and
//! words split where the truth splits them on at least 18 of the 19 lines.
//! Prints a per-image table (run with `--nocapture` to see it).

use gradink::ocr::{character_accuracy, load_classifier, read_file, without_spaces};
use std::path::Path;

/// Ground truth from the issue (full stops are not among the 36 classes).
const TRUTH: [(&str, &[&str]); 4] = [
    (
        "01_list",
        &[
            "TO DO LIST",
            "1 MAKE A TO DO LIST",
            "2 CHECK OFF THE FIRST",
            "THING ON TO DO LIST",
            "3 REALIZE YOU HAVE ALREADY",
            "COMPLETED 2 THINGS",
            "4 REWARD YOURSELF WITH",
            "A NAP",
        ],
    ),
    (
        "02_letters",
        &["ABCDEFG", "HIJKLMN", "OPQRSTU", "VWXYZ", "1234567890"],
    ),
    (
        "03_haiku",
        &[
            "HAIKUS ARE EASY",
            "BUT SOMETIMES THEY DONT MAKE SENSE",
            "REFRIGERATOR",
        ],
    ),
    (
        "04_deep",
        &["DEEP LEARNING", "DEEPER LEARNING", "DEEPEST LEARNING"],
    ),
];

#[test]
fn sample_photos_are_read_to_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // OCR_MODEL=FILE measures another classifier (the floors still apply).
    let other_model = std::env::var_os("OCR_MODEL").map(std::path::PathBuf::from);
    let alone_floor = if other_model.is_some() { 0.90 } else { 0.95 };
    let model_path = other_model.unwrap_or_else(|| root.join(gradink::ocr::DEFAULT_MODEL));
    let model = load_classifier(&model_path).expect("the classifier loads");
    let (mut errors, mut chars, mut boxes) = (0.0, 0usize, 0usize);
    let mut raw_errors = 0.0;
    let (mut lines_split_right, mut lines_true) = (0, 0);
    let mut failures = Vec::new();
    println!("model: {}", model_path.display());
    println!("| image | lines found / true | boxes / true characters | character accuracy | classifier alone |");
    println!("| --- | --- | --- | --- | --- |");
    for (name, truth) in TRUTH {
        let reading = read_file(root.join(format!("images/{name}.jpg")), &model)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = reading.lines.join("\n");
        let truth_text = truth.join("\n");
        let n_true = without_spaces(&truth_text).len();
        let accuracy = character_accuracy(&text, &truth_text);
        // The network's own argmax, before the one-kind-per-word rule.
        let raw: String = reading.classifier_chars.iter().collect();
        let raw_accuracy = character_accuracy(&raw, &truth_text);
        raw_errors += (1.0 - raw_accuracy) * n_true as f64;
        println!(
            "| {name} | {} / {} | {} / {} | {:.1}% | {:.1}% |",
            reading.lines.len(),
            truth.len(),
            reading.boxes.len(),
            n_true,
            100.0 * accuracy,
            100.0 * raw_accuracy
        );
        let word_lengths = |line: &str| -> Vec<usize> {
            line.split_whitespace().map(|w| w.chars().count()).collect()
        };
        for (got, want) in reading.lines.iter().zip(truth.iter()) {
            println!("    {got:<36} | {want}");
            lines_split_right += usize::from(word_lengths(got) == word_lengths(want));
        }
        lines_true += truth.len();
        if reading.lines.len() != truth.len() {
            failures.push(format!(
                "{name}: {} lines found, {} true",
                reading.lines.len(),
                truth.len()
            ));
        }
        let off = (reading.boxes.len() as f64 - n_true as f64).abs() / n_true as f64;
        if off > 0.02 {
            failures.push(format!(
                "{name}: {} boxes for {n_true} characters ({:.1}% off)",
                reading.boxes.len(),
                100.0 * off
            ));
        }
        errors += (1.0 - accuracy) * n_true as f64;
        chars += n_true;
        boxes += reading.boxes.len();
    }
    let overall = 1.0 - errors / chars as f64;
    println!(
        "| overall | | {boxes} / {chars} | {:.1}% | {:.1}% |",
        100.0 * overall,
        100.0 * (1.0 - raw_errors / chars as f64)
    );
    println!("lines whose words are split as in the truth: {lines_split_right} / {lines_true}");
    // The known miss: 02_letters' evenly but widely spaced "1 234567890".
    if lines_split_right + 1 < lines_true {
        failures.push(format!(
            "words split right on only {lines_split_right} of {lines_true} lines"
        ));
    }
    // The shipped CNN, read averaged over shifts: 99.2 % (target ≥ 98 %),
    // 98.4 % for the network alone (target ≥ 95 %; the reader before the
    // page crops: 92.7 %; docs/cnn.md). The course's MLP: 98.0 % and 90.2 %.
    if overall < 0.98 {
        failures.push(format!(
            "overall character accuracy {:.1}% < 98%",
            100.0 * overall
        ));
    }
    let raw_overall = 1.0 - raw_errors / chars as f64;
    if raw_overall < alone_floor {
        failures.push(format!(
            "the network alone reads {:.1}% < {:.0}%",
            100.0 * raw_overall,
            100.0 * alone_floor
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("; "));
}

/// The sample photos are written with a pen thin for their letters: no
/// component is thick for its size (`ocr::stroke_core::THICK`), so every
/// crop is drawn from all of its ink, as before thick ink was drawn from
/// its strokes' cores.
#[test]
fn sample_photos_are_drawn_from_all_their_ink() {
    for (name, _) in TRUTH {
        let letters = gradink::ocr::find_letters(&image::DynamicImage::ImageRgb8(photo(name)));
        assert!(!letters.faint, "{name}: dark ink");
        assert!(
            letters.strokes.is_none(),
            "{name}: some ink is thick for its size"
        );
    }
}

/// Notebook paper: the haiku photo with blue-grey ruled lines printed under
/// the ink (every twelfth of the height, the sheet tilted by 0.6°, each
/// rule as dark as a pale pen). Before rules were erased
/// (`ocr::rules`), they joined every letter on them into one page-wide
/// component and the page read as three lines of stray letters.
#[test]
fn a_ruled_sheet_reads_as_the_plain_one() {
    let thickness = (haiku().height() / 700).max(2);
    reads_as_the_haiku(ruled_haiku(thickness));
}

/// The haiku under 6-pixel rules photographed turned by 8°: its rules
/// slope by 8.6°, beyond the ±4° the rules were searched in around level,
/// and they joined every letter again (the page read "M / T"). They are
/// now searched around the page's dominant slope (`ocr::rules`).
#[test]
fn a_ruled_sheet_photographed_askew_reads_as_the_plain_one() {
    reads_as_the_haiku(turned(&ruled_haiku(6), -8.0));
}

/// The haiku photo with blue-grey notebook rules `thickness` pixels thick
/// every twelfth of its height.
fn ruled_haiku(thickness: u32) -> image::RgbImage {
    let mut rgb = haiku();
    let (w, h) = rgb.dimensions();
    for k in 1..12 {
        for x in 0..w {
            let y0 = k * h / 12 + x / 100;
            for y in y0..(y0 + thickness).min(h) {
                darken(&mut rgb, x, y, [110.0, 130.0, 170.0]);
            }
        }
    }
    rgb
}

/// A notebook's margin line, red and 9 pixels wide (0.5 mm on the sheet at
/// the photo's full resolution), drawn down the haiku photo through the
/// first letter of every line, under thick blue-grey rules (6 pixels).
/// Before margins were erased (`ocr::rules`, on the transposed page) and a
/// rule's thickness was measured, the line joined the H to itself and was
/// lost with it, and what was left of it between the lines read as a "1"
/// on a line of its own.
#[test]
fn a_margin_line_through_the_letters_is_erased() {
    let mut rgb = haiku();
    let (w, h) = rgb.dimensions();
    for k in [4, 8] {
        for x in 0..w {
            for y in k * h / 12..k * h / 12 + 6 {
                darken(&mut rgb, x, y, [110.0, 130.0, 170.0]);
            }
        }
    }
    for x in 102..111 {
        for y in 0..h {
            darken(&mut rgb, x, y, [200.0, 90.0, 90.0]);
        }
    }
    reads_as_the_haiku(rgb);
}

/// The letters photo turned by 5° on a brown desk (RGB 90, 70, 50) that
/// shows all round it: a desk lighter than 0.4 of the sheet, which
/// `ocr::border` does not take for desk, so the sheet's edge came out of the
/// binariser as thin strips, read as "I"s that pulled the digits' line
/// apart ("I 567890 / I 234 / I I"). They have the desk on one side and are
/// dropped (`border::is_sheet_edge`).
#[test]
fn a_sheet_turned_on_a_light_desk_loses_no_line_to_its_edge() {
    let photo = photo("02_letters");
    let (w, h) = photo.dimensions();
    let desk = image::Rgb([90u8, 70, 50]);
    let pad = w.max(h) / 10;
    let mut canvas = image::RgbImage::from_pixel(w + 2 * pad, h + 2 * pad, desk);
    image::imageops::replace(&mut canvas, &photo, pad as i64, pad as i64);
    let turned = imageproc::geometric_transformations::rotate_about_center(
        &canvas,
        5f32.to_radians(),
        imageproc::geometric_transformations::Interpolation::Bilinear,
        desk,
    );
    // Upright, this photo reads 97.2 % (its 1 as I, a space after it).
    reads_as("02_letters", turned, 0.97);
}

/// The four photos turned by −8°, 8° and 12° on a dark desk, as a photo
/// taken with the phone held askew: every line found in each, and ≥ 97 % of
/// the characters over the twelve. Before the page's tilt was found and
/// undone (`ocr::tilt`), the haiku at 12° read as six lines (53.7 %), the
/// letters at −8° as six, and the twelve 92.0 % (98.5 % since).
#[test]
fn photos_taken_askew_read_as_upright_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model =
        load_classifier(root.join(gradink::ocr::DEFAULT_MODEL)).expect("the classifier loads");
    let (mut distance, mut characters) = (0.0, 0.0);
    println!("| photo | turned | lines found / true | character accuracy |");
    println!("| --- | --- | --- | --- |");
    for (name, truth) in TRUTH {
        let upright = photo(name);
        for degrees in [-8.0f32, 8.0, 12.0] {
            let askew = turned(&upright, degrees);
            let reading = gradink::ocr::read_page(&image::DynamicImage::ImageRgb8(askew), &model);
            let truth = truth.join("\n");
            let accuracy = character_accuracy(&reading.lines.join("\n"), &truth);
            let n = without_spaces(&truth).len() as f64;
            distance += (1.0 - accuracy) * n;
            characters += n;
            println!(
                "| {name} | {degrees}° | {} / {} | {:.1} % |",
                reading.lines.len(),
                truth.lines().count(),
                100.0 * accuracy
            );
            assert_eq!(
                reading.lines.len(),
                truth.lines().count(),
                "{name} turned by {degrees}°: {:?}",
                reading.lines
            );
        }
    }
    let overall = 1.0 - distance / characters;
    println!(
        "overall: {:.1} % of {characters} characters",
        100.0 * overall
    );
    assert!(overall >= 0.97, "{overall}");
}

/// `rgb` turned by `degrees` on a dark desk (RGB 60, 50, 40) that shows all
/// round it, as a photo taken with the phone held askew.
fn turned(rgb: &image::RgbImage, degrees: f32) -> image::RgbImage {
    let desk = image::Rgb([60u8, 50, 40]);
    let (w, h) = rgb.dimensions();
    let pad = w.max(h) / 8;
    let mut canvas = image::RgbImage::from_pixel(w + 2 * pad, h + 2 * pad, desk);
    image::imageops::replace(&mut canvas, rgb, pad as i64, pad as i64);
    imageproc::geometric_transformations::rotate_about_center(
        &canvas,
        degrees.to_radians(),
        imageproc::geometric_transformations::Interpolation::Bilinear,
        desk,
    )
}

/// The haiku photo's pixels, to draw on.
fn haiku() -> image::RgbImage {
    photo("03_haiku")
}

/// A sample photo's pixels.
fn photo(name: &str) -> image::RgbImage {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join(format!("images/{name}.jpg"));
    gradink::ocr::open_image(path)
        .expect("the photo opens")
        .to_rgb8()
}

/// Ink of colour `ink` (RGB, 0–255) printed under pixel (x, y): multiplied in.
fn darken(rgb: &mut image::RgbImage, x: u32, y: u32, ink: [f32; 3]) {
    let p = rgb.get_pixel_mut(x, y);
    for c in 0..3 {
        p[c] = (p[c] as f32 * ink[c] / 255.0) as u8;
    }
}

/// Reads an altered haiku photo with the shipped reader: its three lines,
/// ≥ 98 % of the characters.
fn reads_as_the_haiku(rgb: image::RgbImage) {
    reads_as("03_haiku", rgb, 0.98);
}

/// Reads an altered sample photo with the shipped reader: as many lines as
/// its truth, at least `least` of the characters.
fn reads_as(name: &str, rgb: image::RgbImage, least: f64) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model =
        load_classifier(root.join(gradink::ocr::DEFAULT_MODEL)).expect("the classifier loads");
    let reading = gradink::ocr::read_page(&image::DynamicImage::ImageRgb8(rgb), &model);
    let truth = TRUTH
        .iter()
        .find(|(photo, _)| *photo == name)
        .expect("a sample photo")
        .1;
    println!("{:?}", reading.lines);
    assert_eq!(reading.lines.len(), truth.len(), "{:?}", reading.lines);
    let accuracy = character_accuracy(&reading.lines.join("\n"), &truth.join("\n"));
    assert!(accuracy >= least, "{accuracy}: {:?}", reading.lines);
}
