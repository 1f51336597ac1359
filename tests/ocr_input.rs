//! Bad and awkward input to the reader: files that are not images, empty
//! files, missing paths, a blank page, a tiny image and a photo of more than
//! 20 megapixels. Nothing may panic; each bad file gets one error line naming
//! it, and the other images on the command line are still read.

use gradink::ocr::{find_letters, load_classifier, read_page};
use image::{DynamicImage, GrayImage, Luma, RgbImage};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradink-ocr-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn ocr(args: &[&Path]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gradink"))
        .arg("ocr")
        .args(args)
        .current_dir(root())
        .output()
        .expect("gradink runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_files_get_one_error_line_each_and_good_ones_are_still_read() {
    let dir = scratch("bad");
    let text = dir.join("notes.jpg");
    std::fs::write(&text, "this is not a picture\n").unwrap();
    let empty = dir.join("empty.png");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.join("missing.jpg");
    let truncated = dir.join("truncated.jpg");
    let jpeg = std::fs::read(root().join("images/02_letters.jpg")).unwrap();
    std::fs::write(&truncated, &jpeg[..jpeg.len() / 3]).unwrap();
    let good = root().join("images/02_letters.jpg");

    let (code, stdout, stderr) = ocr(&[&text, &empty, &missing, &dir, &good, &truncated]);
    assert_ne!(code, 0, "a bad file makes the exit code non-zero");
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    for bad in [&text, &empty, &missing, &dir] {
        let name = format!("{}:", bad.display());
        let lines = errors.iter().filter(|l| l.contains(&name)).count();
        assert_eq!(lines, 1, "one error line names {name}: {stderr}");
    }
    assert!(errors.len() <= 5, "one line per bad file: {stderr}");
    assert!(
        stdout.contains("ABCDEFG"),
        "the good image is still read: {stdout}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_blank_page_has_no_boxes_and_no_text() {
    // Paper with a gentle shadow and sensor noise, but no writing.
    let page = GrayImage::from_fn(1200, 900, |x, y| {
        let shade = 200.0 - 40.0 * x as f32 / 1200.0;
        let noise = ((x * 7919 + y * 104_729) % 13) as f32 - 6.0;
        Luma([(shade + noise) as u8])
    });
    let letters = find_letters(&DynamicImage::ImageLuma8(page.clone()));
    assert!(letters.boxes.is_empty(), "{:?}", letters.boxes);
    assert_eq!(letters.bw.dim(), (900, 1200));

    let model = load_classifier(root().join(gradink::ocr::DEFAULT_MODEL)).unwrap();
    let reading = read_page(&DynamicImage::ImageLuma8(page.clone()), &model);
    assert!(reading.lines.is_empty() && reading.boxes.is_empty());

    let dir = scratch("blank");
    let path = dir.join("blank.png");
    page.save(&path).unwrap();
    let (code, stdout, stderr) = ocr(&[&path]);
    assert_eq!(code, 0, "a blank page is not an error: {stderr}");
    assert!(stdout.trim().is_empty(), "no text: {stdout:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn tiny_and_odd_images_do_not_panic() {
    for (w, h) in [(1, 1), (2, 7), (40, 3), (31, 31)] {
        let img = DynamicImage::ImageRgb8(RgbImage::from_pixel(w, h, image::Rgb([10, 10, 10])));
        let letters = find_letters(&img);
        assert!(letters.boxes.len() <= 1, "{w}×{h}");
    }
    let rgba = DynamicImage::ImageRgba16(image::ImageBuffer::from_pixel(
        50,
        50,
        image::Rgba([0u16, 0, 0, 0]),
    ));
    assert!(find_letters(&rgba).boxes.is_empty(), "transparent = paper");
}

#[test]
fn a_photo_over_20_megapixels_is_read_at_working_size() {
    // 02_letters enlarged 2× onto a 6000 × 3600 (21.6 MP) sheet.
    let letters = image::open(root().join("images/02_letters.jpg")).unwrap();
    let big = letters.resize(
        letters.width() * 2,
        letters.height() * 2,
        image::imageops::FilterType::Nearest,
    );
    let mut sheet = RgbImage::from_pixel(6000, 3600, image::Rgb([190, 185, 180]));
    image::imageops::overlay(&mut sheet, &big.to_rgb8(), 200, 100);
    let sheet = DynamicImage::ImageRgb8(sheet);
    assert!(sheet.width() as u64 * sheet.height() as u64 > 20_000_000);

    let model = load_classifier(root().join(gradink::ocr::DEFAULT_MODEL)).unwrap();
    let reading = read_page(&sheet, &model);
    assert!(reading.factor >= 2, "worked on a reduced page");
    assert_eq!(reading.lines.len(), 5, "{:?}", reading.lines);
    assert_eq!(reading.boxes.len(), 36, "{:?}", reading.lines);
    // Boxes are in the big photo's coordinates.
    let right = reading.boxes.iter().map(|b| b[3]).max().unwrap();
    assert!(right > 4000 && right <= 6000, "{right}");
}

#[test]
fn truncated_photos_are_reported_as_truncated_or_corrupt() {
    // The image crate's JPEG decoder fills a cut file with grey and says
    // nothing; `decode_image` walks the JPEG to its end marker first.
    let dir = scratch("truncated");
    let jpeg = std::fs::read(root().join("images/04_deep.jpg")).unwrap();
    for percent in [10, 50, 99] {
        let cut = dir.join(format!("deep_{percent}.jpg"));
        std::fs::write(&cut, &jpeg[..jpeg.len() * percent / 100]).unwrap();
        let (code, stdout, stderr) = ocr(&[&cut]);
        assert_ne!(code, 0, "{percent}%: {stdout}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            stderr.contains(&format!("truncated or corrupt image {}", cut.display())),
            "{percent}%: {stderr}"
        );
        assert!(stdout.trim().is_empty(), "nothing read: {stdout}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// An EXIF block (big-endian TIFF) holding only the orientation tag.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&value.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]); // padding of the value field
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    tiff
}

fn jpeg_bytes(image: &DynamicImage, exif: Option<Vec<u8>>) -> Vec<u8> {
    use image::ImageEncoder;
    let mut bytes = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 95);
    if let Some(exif) = exif {
        encoder.set_exif_metadata(exif).unwrap();
    }
    let grey = image.to_luma8();
    encoder
        .write_image(
            grey.as_raw(),
            grey.width(),
            grey.height(),
            image::ExtendedColorType::L8,
        )
        .unwrap();
    bytes
}

#[test]
fn a_photo_stored_rotated_with_an_orientation_tag_reads_as_the_original() {
    // 03_haiku at half size, as a phone stores a portrait shot: the pixels
    // turned a quarter to the left and EXIF orientation 6 ("turn 90°
    // clockwise to show").
    let photo = image::open(root().join("images/03_haiku.jpg")).unwrap();
    let (w, h) = (photo.width() / 2 / 16 * 16, photo.height() / 2 / 16 * 16);
    let small = photo.resize_exact(w, h, image::imageops::FilterType::Triangle);
    let dir = scratch("orientation");
    let upright = dir.join("upright.jpg");
    let rotated = dir.join("rotated.jpg");
    std::fs::write(&upright, jpeg_bytes(&small, None)).unwrap();
    std::fs::write(
        &rotated,
        jpeg_bytes(&small.rotate270(), Some(exif_orientation(6))),
    )
    .unwrap();
    // The fixture really is stored rotated...
    let raw = image::load_from_memory(&std::fs::read(&rotated).unwrap()).unwrap();
    assert_eq!((raw.width(), raw.height()), (h, w));
    // ...and is read upright.
    let opened = gradink::ocr::open_image(&rotated).unwrap();
    assert_eq!((opened.width(), opened.height()), (w, h));
    let (code, want, stderr) = ocr(&[&upright]);
    assert_eq!(code, 0, "{stderr}");
    assert!(want.contains("HAIKU"), "the original reads: {want}");
    let (code, got, stderr) = ocr(&[&rotated]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(got, want, "the rotated copy reads as the original");
    std::fs::remove_dir_all(&dir).ok();
}
