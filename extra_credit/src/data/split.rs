//! Seeded, stratified splits: every class is shuffled on its own and cut in
//! the same proportions, so small classes are represented in every split.

use rand::seq::SliceRandom;
use rand::Rng;

/// Splits sample indices into (train, valid, test) with about `valid` and
/// `test` fractions of each class (rounded), the rest to train.
pub fn stratified(
    labels: &[i64],
    valid: f64,
    test: f64,
    rng: &mut impl Rng,
) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let classes = labels.iter().copied().max().map_or(0, |m| m + 1);
    let (mut tr, mut va, mut te) = (vec![], vec![], vec![]);
    for c in 0..classes {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c).collect();
        idx.shuffle(rng);
        let n = idx.len() as f64;
        let n_test = (n * test).round() as usize;
        let n_valid = (n * valid).round() as usize;
        te.extend_from_slice(&idx[..n_test]);
        va.extend_from_slice(&idx[n_test..n_test + n_valid]);
        tr.extend_from_slice(&idx[n_test + n_valid..]);
    }
    tr.sort_unstable();
    va.sort_unstable();
    te.sort_unstable();
    (tr, va, te)
}
