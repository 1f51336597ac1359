//! Every op's backward rule against central differences (f64, PyTorch's
//! gradcheck tolerances), on random shapes.

mod common;

use common::random;
use gradink::gradcheck::{gradcheck, InputCheck, Tolerance};
use gradink::nn::ParamStore;
use gradink::{Tape, Var};
use ndarray::Array2;

/// Builds a store from named arrays and checks `f` against it.
fn check<F>(inputs: &[(&str, Array2<f64>)], f: F) -> Vec<InputCheck>
where
    F: for<'t> Fn(&'t Tape<f64>, &ParamStore<f64>) -> Var<'t, f64>,
{
    let mut store = ParamStore::new();
    for (name, value) in inputs {
        store.insert(name, value.clone());
    }
    let report = gradcheck(&mut store, Tolerance::default(), f);
    assert_eq!(report.len(), inputs.len());
    for c in &report {
        assert!(c.checked > 0);
        assert!(
            c.passed(),
            "{}: {} of {} scalars outside tolerance (max abs err {:.3e})",
            c.name,
            c.failures,
            c.checked,
            c.max_abs_err
        );
    }
    report
}

/// Shapes that vary per test, from a seed.
fn dims(seed: u64) -> (usize, usize, usize) {
    let d = random(1, 3, 2.0, 7.0, seed);
    (d[[0, 0]] as usize, d[[0, 1]] as usize, d[[0, 2]] as usize)
}

#[test]
fn matmul() {
    for seed in 0..3 {
        let (n, k, m) = dims(seed);
        check(
            &[
                ("a", random(n, k, -1., 1., 1 + seed)),
                ("b", random(k, m, -1., 1., 2 + seed)),
            ],
            |t, p| {
                let y = p.var(t, "a").matmul(p.var(t, "b"));
                (y * y).sum() // a non-linear reduction, so every entry's gradient differs
            },
        );
    }
}

#[test]
fn add_sub_mul_neg_scale() {
    let (n, m, _) = dims(7);
    let inputs = [
        ("a", random(n, m, -1., 1., 3)),
        ("b", random(n, m, -1., 1., 4)),
    ];
    check(&inputs, |t, p| {
        let (a, b) = (p.var(t, "a"), p.var(t, "b"));
        ((a + b) * (a - b) + (-a).scale(2.5) * b).sum()
    });
}

#[test]
fn broadcast_bias_gradient_is_the_column_sum() {
    let (n, m, _) = dims(11);
    let inputs = [
        ("x", random(n, m, -1., 1., 5)),
        ("b", random(1, m, -1., 1., 6)),
    ];
    check(&inputs, |t, p| {
        let y = p.var(t, "x") + p.var(t, "b");
        (y * y).sum()
    });
    // Bias on the left broadcasts the same way.
    check(&inputs, |t, p| {
        let y = p.var(t, "b") + p.var(t, "x");
        (y * y).sum()
    });
}

#[test]
fn reused_node_accumulates() {
    let inputs = [("x", random(3, 4, -1., 1., 8))];
    check(&inputs, |t, p| {
        let x = p.var(t, "x");
        let h = x.tanh();
        (h * h + h + x * x).sum() // h used three times, x three times
    });
    // a + a: gradient exactly 2.
    let tape = Tape::<f64>::new();
    let a = tape.leaf(random(2, 2, -1., 1., 9));
    let g = (a + a).sum().backward();
    assert!(g.wrt(a).unwrap().iter().all(|&v| v == 2.0));
}

#[test]
fn activations() {
    let (n, m, _) = dims(13);
    let x = random(n, m, -3., 3., 10);
    check(&[("x", x.clone())], |t, p| p.var(t, "x").sigmoid().sum());
    check(&[("x", x.clone())], |t, p| {
        let y = p.var(t, "x").tanh();
        (y * y).sum()
    });
    check(&[("x", x)], |t, p| p.var(t, "x").exp().mean());
}

#[test]
fn relu_away_from_zero() {
    // |x| ≥ 0.1 so that ±ε never crosses the kink.
    let x = random(4, 5, 0.1, 2.0, 12) * &random(4, 5, -1., 1., 13).mapv(f64::signum);
    check(&[("x", x)], |t, p| {
        let y = p.var(t, "x").relu();
        (y * y).sum()
    });
}

#[test]
fn log_on_positive_inputs() {
    check(&[("x", random(3, 3, 0.5, 3.0, 14))], |t, p| {
        p.var(t, "x").log().sum()
    });
}

#[test]
fn softmax_and_fused_cross_entropy() {
    let (n, c, _) = dims(17);
    let logits = random(n, c, -2., 2., 15);
    let weights = random(n, c, -1., 1., 16);
    check(&[("z", logits.clone())], |t, p| {
        let w = t.constant(weights.clone());
        (p.var(t, "z").softmax() * w).sum()
    });
    let mut y = Array2::zeros((n, c));
    for r in 0..n {
        y[[r, r % c]] = 1.0;
    }
    check(&[("z", logits)], |t, p| {
        p.var(t, "z").softmax_cross_entropy(&y)
    });
}

#[test]
fn squared_error() {
    let target = random(3, 6, 0., 1., 18);
    check(&[("x", random(3, 6, 0., 1., 19))], |t, p| {
        p.var(t, "x").squared_error(&target)
    });
}

#[test]
fn a_wrong_gradient_is_caught() {
    // Scaling the loss after backward is not visible to the checker, so test the
    // checker itself: compare against a function whose numeric gradient differs.
    let mut store = ParamStore::new();
    store.insert("x", random(2, 2, 0.5, 1.0, 20));
    let calls = std::cell::Cell::new(0);
    let report = gradcheck(&mut store, Tolerance::default(), |t, p| {
        calls.set(calls.get() + 1);
        let x = p.var(t, "x");
        // The first (analytic) call computes x²; later (numeric) calls 3x²,
        // so analytic and numeric disagree and the check must fail.
        if calls.get() == 1 {
            (x * x).sum()
        } else {
            (x * x).sum().scale(3.0)
        }
    });
    assert!(!report[0].passed());
    assert_eq!(report[0].failures, 4);
}

#[test]
fn constants_get_no_gradient() {
    let tape = Tape::<f64>::new();
    let c = tape.constant(random(2, 3, -1., 1., 21));
    let w = tape.leaf(random(3, 2, -1., 1., 22));
    let g = c.matmul(w).sum().backward();
    assert!(g.wrt(c).is_none());
    assert!(g.wrt(w).is_some());
}

#[test]
#[should_panic(expected = "matmul: shapes [2, 3] and [2, 3] do not fit")]
fn shape_mistakes_name_the_op_and_shapes() {
    let tape = Tape::<f32>::new();
    let a = tape.constant(Array2::zeros((2, 3)));
    let _ = a.matmul(a);
}

#[test]
fn works_in_f32() {
    let tape = Tape::<f32>::new();
    let x = tape.leaf(ndarray::array![[1.0f32, -2.0]]);
    let g = (x * x).sum().backward();
    assert_eq!(
        g.wrt(x).unwrap(),
        ndarray::array![[2.0f32, -4.0]].into_dyn()
    );
}
