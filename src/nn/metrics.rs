//! Accuracy and confusion counts.

use serde::Serialize;

/// Fraction of predictions equal to the labels (0 for no samples).
pub fn accuracy(predicted: &[usize], labels: &[usize]) -> f64 {
    let correct = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
    correct as f64 / labels.len().max(1) as f64
}

/// `m[true][predicted]` counts.
pub fn confusion_matrix(predicted: &[usize], labels: &[usize], classes: usize) -> Vec<Vec<usize>> {
    let mut m = vec![vec![0; classes]; classes];
    for (&p, &l) in predicted.iter().zip(labels) {
        if p < classes && l < classes {
            m[l][p] += 1;
        }
    }
    m
}

/// One off-diagonal cell of a confusion matrix: `truth` read as `predicted`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Confusion {
    pub truth: String,
    pub predicted: String,
    pub count: usize,
}

/// The `k` largest off-diagonal counts, largest first (ties by class order).
pub fn top_confusions(matrix: &[Vec<usize>], names: &[String], k: usize) -> Vec<Confusion> {
    let mut cells: Vec<(usize, usize, usize)> = Vec::new();
    for (t, row) in matrix.iter().enumerate() {
        for (p, &count) in row.iter().enumerate() {
            if t != p && count > 0 {
                cells.push((count, t, p));
            }
        }
    }
    cells.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    cells
        .into_iter()
        .take(k)
        .map(|(count, t, p)| Confusion {
            truth: names[t].clone(),
            predicted: names[p].clone(),
            count,
        })
        .collect()
}
