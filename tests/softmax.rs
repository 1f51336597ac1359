//! Softmax and cross-entropy stay finite on extreme logits.

use gradink::functional as F;
use gradink::Tape;
use ndarray::array;

#[test]
fn softmax_of_plus_minus_1000_is_finite() {
    let z = array![[1000.0f32, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]];
    let p = F::softmax(z.view());
    assert!(p.iter().all(|v| v.is_finite()));
    assert!((p[[0, 0]] - 1.0).abs() < 1e-6);
    for row in p.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-6);
    }
    assert!((p[[1, 2]] - 1.0 / 3.0).abs() < 1e-6);
}

#[test]
fn cross_entropy_of_extreme_logits_is_finite_with_finite_gradient() {
    let tape = Tape::<f32>::new();
    let z = tape.leaf(array![[1000.0f32, -1000.0], [-1000.0, 1000.0]]);
    let y = array![[0.0f32, 1.0], [0.0, 1.0]];
    let loss = z.softmax_cross_entropy(&y);
    // Row 1 is confidently wrong: its loss is 2000; row 2 right: 0. Mean 1000.
    assert!((loss.item() - 1000.0).abs() < 1e-2, "loss {}", loss.item());
    let g = loss.backward();
    assert!(g.wrt(z).unwrap().iter().all(|v| v.is_finite()));
}

#[test]
fn softmax_is_invariant_to_shifts() {
    let z = array![[1.0f64, 2.0, 3.0]];
    let shifted = &z + 500.0;
    let (a, b) = (F::softmax(z.view()), F::softmax(shifted.view()));
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() < 1e-12);
    }
}
