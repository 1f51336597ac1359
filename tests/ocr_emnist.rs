//! The EMNIST loader renders tiles exactly as the NIST36 stand-in did: the
//! same EMNIST images, fetched by the indices in the stand-in's
//! source_indices.csv, must match its test rows (orientation, polarity,
//! size), up to the small difference between two bicubic resamplers.
//! Reads ../shared/data (skipped where it is absent, never in CI).

mod common;

use gradink::data::emnist::load_emnist_rows;
use gradink::data::load_split;

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs ../shared/data/nist36_standin and ../shared/data/emnist_byclass_test"
)]
fn emnist_rows_match_the_standin_rows_they_became() {
    let Some(standin) = common::shared_data("nist36_standin") else {
        return;
    };
    let Some(emnist) = common::shared_data("emnist_byclass_test") else {
        return;
    };
    let csv = std::fs::read_to_string(standin.join("source_indices.csv"))
        .expect("source_indices.csv is readable");
    let test_indices: Vec<usize> = csv
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("test,"))
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    let test = load_split(standin.join("nist36_test.mat"), "test").unwrap();
    assert_eq!(test_indices.len(), test.len());

    // Eight rows spread over the classes.
    let rows: Vec<usize> = (0..8).map(|k| k * test.len() / 8 + 3).collect();
    let wanted: Vec<usize> = rows.iter().map(|&r| test_indices[r]).collect();
    let rendered = load_emnist_rows(&emnist, &wanted).unwrap();
    for (k, &r) in rows.iter().enumerate() {
        let ours = rendered.row(k);
        let theirs = test.images.row(r);
        let mean_diff = ours
            .iter()
            .zip(theirs.iter())
            .map(|(a, b)| (a - b).abs())
            .sum::<f32>()
            / 1024.0;
        // The transposed picture would differ by far more than this.
        let transposed_diff = (0..32)
            .flat_map(|x| (0..32).map(move |y| (x, y)))
            .map(|(x, y)| (ours[x * 32 + y] - theirs[y * 32 + x]).abs())
            .sum::<f32>()
            / 1024.0;
        assert!(
            mean_diff < 0.02,
            "row {r}: mean |difference| {mean_diff:.4} (transposed {transposed_diff:.4})"
        );
        assert!(transposed_diff > 5.0 * mean_diff, "row {r} orientation");
    }
}
