//! A small CNN written as tensor expressions: it learns to tell horizontal
//! from vertical bars in noisy 12×12 images.
//!
//!     cargo run --release --example cnn

use gradink::nn::{Adam, Optimizer, ParamStore};
use gradink::Tape;
use ndarray::{Array2, ArrayD, IxDyn};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let (x, y) = bars(64, &mut rng);
    let mut params = ParamStore::<f32>::new();
    let mut uniform = |shape: &[usize], a: f32| {
        ArrayD::from_shape_simple_fn(IxDyn(shape), || rng.random_range(-a..a))
    };
    params.insert("conv.weight", uniform(&[8, 1, 3, 3], 0.8));
    params.insert("conv.bias", uniform(&[1, 8, 1, 1], 0.0001));
    params.insert("fc.weight", uniform(&[8 * 6 * 6, 2], 0.1));
    params.insert("fc.bias", uniform(&[1, 2], 0.0001));
    let mut opt = Adam::new(0.01);
    for step in 0..=60 {
        let tape = Tape::new();
        let p = |name: &str| params.var(&tape, name);
        let image = tape.constant(x.clone()); // (N, 1, 12, 12)
        let h = (image.conv2d(p("conv.weight"), 1, 1) + p("conv.bias")).relu();
        let logits = h.max_pool2d(2, 2).flatten().matmul(p("fc.weight")) + p("fc.bias");
        let loss = logits.softmax_cross_entropy(&y);
        if step % 20 == 0 {
            let right = gradink::functional::argmax_rows(logits.matrix().view())
                .iter()
                .zip(y.rows())
                .filter(|(&k, row)| row[k] == 1.0)
                .count();
            println!("step {step:2}: loss {:.4}, {right}/64 right", loss.item());
        }
        let grads = loss.backward();
        opt.step(&mut params, &grads);
    }
}

/// `n` noisy images (N, 1, 12, 12), each with one bright bar, and one-hot
/// labels: [1, 0] for a horizontal bar, [0, 1] for a vertical one.
fn bars(n: usize, rng: &mut ChaCha8Rng) -> (ArrayD<f32>, Array2<f32>) {
    let mut x = ArrayD::from_shape_simple_fn(IxDyn(&[n, 1, 12, 12]), || rng.random_range(0.0..0.3));
    let mut y = Array2::zeros((n, 2));
    for i in 0..n {
        let (vertical, at) = (rng.random_bool(0.5), rng.random_range(1..11));
        for k in 0..12 {
            let (r, c) = if vertical { (k, at) } else { (at, k) };
            x[[i, 0, r, c]] = 1.0;
        }
        y[[i, usize::from(vertical)]] = 1.0;
    }
    (x, y)
}
