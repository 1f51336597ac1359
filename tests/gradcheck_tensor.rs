//! The tensor ops — broadcasting, reshape, axis reductions, conv2d,
//! max_pool2d, upsample2d, dropout — against central differences (f64, PyTorch's
//! gradcheck tolerances), on random shapes: stride 2, padding 1, odd sizes,
//! a 1×1 kernel, a pooling window that does not divide the input.

use gradink::gradcheck::{gradcheck, Tolerance};
use gradink::nn::ParamStore;
use gradink::{Tape, Var};
use ndarray::{ArrayD, IxDyn};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded random array of any shape with entries in [lo, hi).
fn random(shape: &[usize], lo: f64, hi: f64, seed: u64) -> ArrayD<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    ArrayD::from_shape_simple_fn(IxDyn(shape), || rng.random_range(lo..hi))
}

/// Random sizes in [lo, hi] from a seed.
fn sizes<const N: usize>(lo: usize, hi: usize, seed: u64) -> [usize; N] {
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 1000);
    [0; N].map(|_| rng.random_range(lo..=hi))
}

/// Checks `f` against every input's central differences.
fn check<F>(inputs: &[(&str, ArrayD<f64>)], f: F)
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
}

/// A non-linear scalar of `y` with a different weight per entry, so that
/// every entry's gradient differs: Σ y ⊙ r + Σ y²/2.
fn probe<'t>(t: &'t Tape<f64>, y: Var<'t, f64>, seed: u64) -> Var<'t, f64> {
    let r = t.constant(random(&y.shape(), -1., 1., seed));
    (y * r + (y * y).scale(0.5)).sum()
}

#[test]
fn broadcasting_add_sub_mul_over_every_rank() {
    // (a, b) pairs that broadcast: a bias row, a column, a per-channel
    // NCHW bias, a lower rank aligned from the right, both sides stretched.
    let pairs: [(Vec<usize>, Vec<usize>); 6] = [
        (vec![5, 3], vec![1, 3]),
        (vec![4, 1], vec![1, 6]),
        (vec![2, 3, 4, 5], vec![1, 3, 1, 1]),
        (vec![2, 3, 5], vec![5]),
        (vec![3, 1, 4], vec![2, 1]),
        (vec![7], vec![1]),
    ];
    for (k, (sa, sb)) in pairs.into_iter().enumerate() {
        let k = k as u64;
        let inputs = [
            ("a", random(&sa, -1., 1., 10 + k)),
            ("b", random(&sb, -1., 1., 20 + k)),
        ];
        check(&inputs, |t, p| {
            let (a, b) = (p.var(t, "a"), p.var(t, "b"));
            let y = (a + b) * (a - b) + b * a + (b - a);
            probe(t, y, 30 + k)
        });
    }
}

#[test]
#[should_panic(expected = "add: shapes [2, 3] and [2, 4] do not broadcast")]
fn shapes_that_do_not_broadcast_name_both() {
    let t = Tape::<f64>::new();
    let _ = t.leaf(random(&[2, 3], 0., 1., 1)) + t.leaf(random(&[2, 4], 0., 1., 2));
}

#[test]
fn reshape_flatten_and_axis_reductions() {
    let [n, c, h, w] = sizes::<4>(1, 4, 3);
    let inputs = [("x", random(&[n, c, h, w], -1., 1., 4))];
    check(&inputs, |t, p| {
        let x = p.var(t, "x");
        let flat = x.flatten().tanh();
        let back = flat.reshape(&[n, c, h * w]);
        let y = back.sum_axis(2) + x.mean_axis(3).mean_axis(2);
        probe(t, y, 5) + probe(t, x.sum_axis(0), 6) + probe(t, flat.mean_axis(1), 7)
    });
}

#[test]
fn conv2d_on_random_shapes() {
    // (stride, padding, kernel): plain, stride 2 with padding 1, a 1×1
    // kernel, a wide kernel with stride 3.
    for (k, (stride, padding, kernel)) in [(1, 1, 3), (2, 1, 3), (1, 0, 1), (3, 2, 4)]
        .into_iter()
        .enumerate()
    {
        let k = k as u64;
        let [n, c, o] = sizes::<3>(1, 3, 40 + k);
        let [h, w] = sizes::<2>(kernel.max(3), 8, 50 + k); // odd sizes among them
        let inputs = [
            ("x", random(&[n, c, h, w], -1., 1., 60 + k)),
            ("w", random(&[o, c, kernel, kernel], -1., 1., 70 + k)),
            ("b", random(&[1, o, 1, 1], -1., 1., 80 + k)),
        ];
        check(&inputs, |t, p| {
            let y = p.var(t, "x").conv2d(p.var(t, "w"), stride, padding) + p.var(t, "b");
            probe(t, y, 90 + k)
        });
    }
}

#[test]
fn max_pool2d_on_random_shapes() {
    // Windows that tile, overlap, and do not divide the input (7 by 2, stride 2).
    for (k, (kernel, stride)) in [(2, 2), (3, 2), (2, 1), (3, 3)].into_iter().enumerate() {
        let k = k as u64;
        let [n, c] = sizes::<2>(1, 3, 100 + k);
        let [h, w] = sizes::<2>(kernel, 9, 110 + k);
        // Distinct values far apart: a nudge of ε never changes which is the maximum.
        let mut x = random(&[n, c, h, w], 0., 1., 120 + k);
        let count = x.len();
        let mut rng = ChaCha8Rng::seed_from_u64(130 + k);
        let mut order: Vec<usize> = (0..count).collect();
        for i in (1..count).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        for (v, &rank) in x.iter_mut().zip(&order) {
            *v = rank as f64 * 0.01 - 0.5 + *v * 1e-3;
        }
        check(&[("x", x)], |t, p| {
            probe(t, p.var(t, "x").max_pool2d(kernel, stride), 140 + k)
        });
    }
}

#[test]
fn a_small_cnn_end_to_end() {
    let inputs = [
        ("x", random(&[2, 1, 8, 7], -1., 1., 150)),
        ("w1", random(&[3, 1, 3, 3], -1., 1., 151)),
        ("b1", random(&[1, 3, 1, 1], -0.5, 0.5, 152)),
        ("w2", random(&[3 * 4 * 3, 4], -1., 1., 153)),
        ("b2", random(&[1, 4], -0.5, 0.5, 154)),
    ];
    let targets = ndarray::array![[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]];
    check(&inputs, |t, p| {
        let h = (p.var(t, "x").conv2d(p.var(t, "w1"), 1, 1) + p.var(t, "b1")).tanh();
        let h = h.max_pool2d(2, 2).flatten();
        let logits = h.matmul(p.var(t, "w2")) + p.var(t, "b2");
        logits.softmax_cross_entropy(&targets)
    });
}

#[test]
fn dropout_is_a_seeded_mask_while_training_and_nothing_in_evaluation() {
    let inputs = [("x", random(&[3, 4, 5], -1., 1., 160))];
    check(&inputs, |t, p| {
        probe(t, p.var(t, "x").dropout(0.4, 7, true), 161)
    });

    let t = Tape::<f64>::new();
    let x = t.leaf(random(&[50, 40], 1., 2., 162));
    let (a, b) = (
        x.dropout(0.4, 7, true).value(),
        x.dropout(0.4, 7, true).value(),
    );
    assert_eq!(a, b, "same seed, same mask");
    assert_ne!(
        a,
        x.dropout(0.4, 8, true).value(),
        "another seed, another mask"
    );
    let zeros = a.iter().filter(|&&v| v == 0.0).count() as f64 / a.len() as f64;
    assert!((zeros - 0.4).abs() < 0.05, "{zeros} of the entries dropped");
    for (&y, &v) in a.iter().zip(x.value().iter()) {
        assert!(y == 0.0 || (y - v / 0.6).abs() < 1e-12);
    }
    assert_eq!(
        x.dropout(0.4, 7, false).id(),
        x.id(),
        "evaluation: the value itself"
    );
}

#[test]
#[should_panic(
    expected = "conv2d: input [1, 2, 5, 5] (NCHW) and weights [3, 4, 3, 3] (OIHW) do not fit"
)]
fn conv2d_names_both_shapes_when_channels_differ() {
    let t = Tape::<f64>::new();
    let _ = t.leaf(random(&[1, 2, 5, 5], 0., 1., 1)).conv2d(
        t.leaf(random(&[3, 4, 3, 3], 0., 1., 2)),
        1,
        1,
    );
}

#[test]
fn upsample2d_on_random_shapes() {
    // Factors 1 (the identity), 2 and 3, on odd sizes; then a factor-2
    // upsampling followed by a convolution, as in a decoder, and used twice
    // (its gradient is added, not overwritten).
    for (k, factor) in [1usize, 2, 3].into_iter().enumerate() {
        let k = k as u64;
        let [n, c, h, w] = sizes::<4>(1, 4, 200 + k);
        check(&[("x", random(&[n, c, h, w], -1., 1., 210 + k))], |t, p| {
            let y = p.var(t, "x").upsample2d(factor);
            assert_eq!(y.shape(), [n, c, h * factor, w * factor]);
            probe(t, y, 220 + k)
        });
    }
    let inputs = [
        ("x", random(&[2, 3, 4, 5], -1., 1., 230)),
        ("w", random(&[2, 3, 3, 3], -1., 1., 231)),
        ("b", random(&[1, 2, 1, 1], -0.5, 0.5, 232)),
    ];
    check(&inputs, |t, p| {
        let x = p.var(t, "x");
        let up = x.upsample2d(2);
        let y = (up.conv2d(p.var(t, "w"), 1, 1) + p.var(t, "b")).tanh();
        probe(t, y, 233) + probe(t, up, 234)
    });
}

#[test]
fn upsample2d_repeats_every_pixel_as_a_block() {
    let t = Tape::<f64>::new();
    let x = ndarray::Array::from_shape_vec((1, 2, 2, 2), vec![1., 2., 3., 4., 5., 6., 7., 8.])
        .unwrap()
        .into_dyn();
    let y = t.leaf(x).upsample2d(2).value();
    assert_eq!(y.shape(), [1, 2, 4, 4]);
    let first: Vec<f64> = y.iter().take(16).copied().collect();
    assert_eq!(
        first,
        [1., 1., 2., 2., 1., 1., 2., 2., 3., 3., 4., 4., 3., 3., 4., 4.]
    );
    assert_eq!(y[[0, 1, 3, 0]], 7.0);
    // Backward: each pixel gets the sum of its block's gradients.
    let g = t.leaf(ndarray::ArrayD::from_elem(
        ndarray::IxDyn(&[1, 2, 2, 2]),
        1.0,
    ));
    let r = t.constant(random(&[1, 2, 4, 4], -1., 1., 240));
    let grads = (g.upsample2d(2) * r).sum().backward();
    let dg = grads.wrt(g).unwrap();
    let rv = r.value();
    let block: f64 = (0..2)
        .flat_map(|i| (0..2).map(move |j| (i, j)))
        .map(|(i, j)| rv[[0, 1, 2 + i, j]])
        .sum();
    assert!((dg[[0, 1, 1, 0]] - block).abs() < 1e-12);
}

#[test]
#[should_panic(expected = "upsample2d: needs 4-D values, got shape [3, 4]")]
fn upsample2d_names_a_shape_that_is_not_nchw() {
    let t = Tape::<f64>::new();
    let _ = t.leaf(random(&[3, 4], 0., 1., 1)).upsample2d(2);
}
