//! The shipped classifier on real NIST handwriting it never saw: the 130
//! samples of tests/fixtures/nist26_valid_small.mat (26 letters, 5 each).
//! Prints the accuracy (run with `--nocapture`) and fails below a floor.

use gradink::data::load_split;
use gradink::functional as F;
use gradink::ocr::load_classifier;
use ndarray::s;
use std::path::Path;

#[test]
fn shipped_classifier_reads_real_nist_letters() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // OCR_MODEL=FILE measures another classifier (the floors still apply).
    let model_path = std::env::var_os("OCR_MODEL")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("models/classifier.safetensors"));
    let model = load_classifier(&model_path).expect("the classifier loads");
    let nist = load_split(root.join("tests/fixtures/nist26_valid_small.mat"), "valid")
        .expect("the NIST26 fixture loads");
    let probs = model.predict_proba(nist.images.view());
    let all_36 = F::argmax_rows(probs.view());
    let letters_only = F::argmax_rows(probs.slice(s![.., ..26]));
    let hits = |p: &[usize]| p.iter().zip(&nist.labels).filter(|(a, b)| a == b).count();
    let (h36, h26) = (hits(&all_36), hits(&letters_only));
    let n = nist.len();
    println!(
        "NIST26 fixture ({n} real samples): {h36}/{n} = {:.1}% over all 36 classes, \
         {h26}/{n} = {:.1}% when only letters may be answered",
        100.0 * h36 as f64 / n as f64,
        100.0 * h26 as f64 / n as f64
    );
    assert!(
        h36 as f64 >= 0.75 * n as f64,
        "only {h36}/{n} real NIST letters right"
    );
}
