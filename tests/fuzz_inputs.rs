//! Seeded fuzzing of the file loaders: byte-flipped and truncated mutants of
//! the real-NIST `.mat` fixture (compressed as shipped, and uncompressed),
//! of the shipped model files (the course's MLP and the reader) and of a
//! small JPEG photo (decoded as `gradink ocr` does, then segmented). Every mutant must give `Ok` or `Err` —
//! never a panic — within a bounded time. `cargo test` runs a few hundred;
//! `scripts/fuzz-inputs.sh` runs more (`GRADINK_FUZZ_MUTANTS`, per input).

mod common;

use gradink::models::{AnyClassifier, Autoencoder};
use gradink::nn::ParamStore;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use std::time::{Duration, Instant};

/// Mutants per input in `cargo test`; the environment variable overrides it.
const DEFAULT_MUTANTS: usize = 150;
/// No single load may take longer than this.
const SLOWEST: Duration = Duration::from_secs(10);

fn mutants() -> usize {
    std::env::var("GRADINK_FUZZ_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_MUTANTS)
}

/// One mutant of `good`: a truncation, a few flipped bytes anywhere, or a
/// few flipped bytes in the first `header` bytes (where the sizes are).
fn mutate(good: &[u8], header: usize, rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut bytes = good.to_vec();
    match rng.random_range(0..4) {
        0 => bytes.truncate(rng.random_range(0..good.len())),
        1 => {
            for _ in 0..rng.random_range(1..9) {
                let i = rng.random_range(0..bytes.len());
                bytes[i] = rng.random();
            }
        }
        _ => {
            for _ in 0..rng.random_range(1..4) {
                let i = rng.random_range(0..header.min(bytes.len()));
                // Half the time a single bit, half a whole byte (e.g. a size's high byte).
                if rng.random() {
                    bytes[i] ^= 1 << rng.random_range(0..8);
                } else {
                    bytes[i] = rng.random();
                }
            }
        }
    }
    bytes
}

/// Writes `count` mutants of `good` one after another to `path` and calls
/// `load` on each; fails naming the mutant on a panic or a slow load.
fn fuzz(name: &str, good: &[u8], header: usize, seed: u64, load: impl Fn(&Path)) {
    let dir = common::scratch(&format!("fuzz_{name}"));
    let path = dir.join(name);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut slowest, count) = (Duration::ZERO, mutants());
    for k in 0..count {
        let bytes = mutate(good, header, &mut rng);
        std::fs::write(&path, &bytes).expect("write mutant");
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| load(&path)));
        let took = started.elapsed();
        if outcome.is_err() {
            let keep = dir.join(format!("panic_{k}_{name}"));
            let _ = std::fs::write(&keep, &bytes);
            panic!(
                "{name}: mutant {k} (seed {seed}) panicked; kept as {}",
                keep.display()
            );
        }
        assert!(took < SLOWEST, "{name}: mutant {k} took {took:?}");
        slowest = slowest.max(took);
    }
    eprintln!("{name}: {count} mutants, no panic, slowest load {slowest:?}");
}

#[test]
fn mat_mutants_never_panic() {
    let good = std::fs::read(common::fixture()).unwrap();
    fuzz("compressed.mat", &good, 256, 1, |p| {
        let _ = gradink::data::load_split(p, "valid");
    });
}

#[test]
fn uncompressed_mat_mutants_never_panic() {
    let dir = common::fixture_dir("fuzz_uncompressed_source");
    let good = std::fs::read(dir.join("nist36_valid.mat")).unwrap();
    fuzz("plain.mat", &good, 256, 2, |p| {
        let _ = gradink::data::load_split(p, "valid");
    });
}

#[test]
fn model_mutants_never_panic() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/classifier.safetensors");
    let good = std::fs::read(model).unwrap();
    fuzz("classifier.safetensors", &good, 400, 3, |p| {
        let _ = ParamStore::<f32>::load(p);
        if let Ok(m) = AnyClassifier::load(p) {
            // A model that loads must also run (its shapes agree).
            let x = ndarray::Array2::<f32>::ones((2, m.inputs()));
            let _ = m.predict(x.view());
        }
        let _ = Autoencoder::<f32>::load(p);
    });
}

/// The shipped reader, several CNNs in one file (`cnn-ensemble`): its
/// member count and every member's tensors are checked before it reads.
#[test]
fn reader_mutants_never_panic() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join(gradink::ocr::DEFAULT_MODEL);
    let good = std::fs::read(model).unwrap();
    fuzz("classifier_cnn.safetensors", &good, 1600, 4, |p| {
        if let Ok(m) = AnyClassifier::load(p) {
            let x = ndarray::Array2::<f32>::ones((2, m.inputs()));
            let _ = m.predict(x.view());
        }
    });
}

/// A small JPEG made from `images/04_deep.jpg` (400 px wide, colour), with
/// an EXIF block holding an orientation tag, as phones write them.
fn small_jpeg() -> Vec<u8> {
    use image::ImageEncoder;
    let photo = image::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("images/04_deep.jpg"))
        .unwrap()
        .resize(400, 400, image::imageops::FilterType::Triangle)
        .to_rgb8();
    // Big-endian TIFF: one IFD entry, Orientation (0x0112) = 6.
    let mut exif = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0".to_vec();
    exif.extend_from_slice(&[0; 4]);
    let mut bytes = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85);
    encoder.set_exif_metadata(exif).unwrap();
    encoder
        .write_image(
            photo.as_raw(),
            photo.width(),
            photo.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    bytes
}

#[test]
fn jpeg_mutants_never_panic() {
    let good = small_jpeg();
    eprintln!("photo.jpg: {} bytes", good.len());
    let image = gradink::ocr::decode_image(&good, "small.jpg").expect("the unmutated JPEG decodes");
    assert_eq!(image.height(), 400, "its orientation tag is applied");
    // The first 700 bytes hold the EXIF block and the quantisation,
    // frame and Huffman tables.
    fuzz("photo.jpg", &good, 700, 4, |p| {
        if let Ok(img) = gradink::ocr::open_image(p) {
            let _ = gradink::ocr::find_letters(&img);
        }
    });
}
