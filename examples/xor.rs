//! XOR with one tanh hidden layer, written as tensor expressions.
//!
//! `cargo run --example xor`

use gradink::nn::{xavier_uniform, HasParams, Optimizer, ParamStore, Sgd};
use gradink::Tape;
use ndarray::{array, Array2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn main() {
    let x = array![[0.0f64, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
    let y = array![[0.0f64], [1.0], [1.0], [0.0]];

    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut params = ParamStore::new();
    params.insert("w1", xavier_uniform(2, 4, &mut rng));
    params.insert("b1", Array2::zeros((1, 4)));
    params.insert("w2", xavier_uniform(4, 1, &mut rng));
    params.insert("b2", Array2::zeros((1, 1)));
    let mut opt = Sgd::new(0.1);

    for step in 0..=2000 {
        let (loss, prediction, grads) = {
            let tape = Tape::new();
            let p = |name| params.params().var(&tape, name);
            let h = (tape.constant(x.clone()).matmul(p("w1")) + p("b1")).tanh();
            let out = (h.matmul(p("w2")) + p("b2")).sigmoid();
            let loss = out.squared_error(&y);
            (loss.item(), out.value(), loss.backward())
        };
        opt.step(&mut params, &grads);
        if step % 500 == 0 {
            let shown: Vec<String> = prediction.iter().map(|v| format!("{v:.2}")).collect();
            println!(
                "step {step:>4}  loss {loss:.4}  predictions {}",
                shown.join(" ")
            );
        }
    }
}
