//! A two-hidden-layer classifier (1024 → 128 → 64 → classes, ReLU then
//! sigmoid) trained on the real-NIST fixture, written as tensor expressions.
//!
//! `cargo run --release --example two_hidden_layers [FILE.mat]`

use gradink::data::{gather_rows, load_split, one_hot, shuffled_batches};
use gradink::functional as F;
use gradink::nn::{accuracy, Linear, Optimizer, ParamStore, Sgd};
use gradink::Tape;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/fixtures/nist26_valid_small.mat".into());
    let data = load_split(&path, "valid")?;

    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut params = ParamStore::<f32>::new();
    let l1 = Linear::new(&mut params, "l1", 1024, 128, &mut rng);
    let l2 = Linear::new(&mut params, "l2", 128, 64, &mut rng);
    let l3 = Linear::new(&mut params, "l3", 64, data.classes, &mut rng);
    let mut opt = Sgd::new(0.2);

    for epoch in 1..=60 {
        let mut total = 0.0;
        for idx in shuffled_batches(data.len(), 8, &mut rng) {
            let x = gather_rows::<f32>(&data.images, &idx);
            let y = one_hot::<f32>(&data.labels, &idx, data.classes);
            let (loss, grads) = {
                let tape = Tape::new();
                let h1 = l1.forward(&params, tape.constant(x)).relu();
                let h2 = l2.forward(&params, h1).sigmoid();
                let loss = l3.forward(&params, h2).softmax_cross_entropy(&y);
                (loss.item(), loss.backward())
            };
            opt.step(&mut params, &grads);
            total += loss * idx.len() as f32;
        }
        if epoch % 10 == 0 {
            // Inference: the same layers, no tape.
            let h1 = F::relu(l1.apply(&params, data.images.view()).view());
            let h2 = F::sigmoid(l2.apply(&params, h1.view()).view());
            let predicted = F::argmax_rows(l3.apply(&params, h2.view()).view());
            println!(
                "epoch {epoch:>2}  loss {:.3}  accuracy {:.1}% (on the {} training samples)",
                total / data.len() as f32,
                100.0 * accuracy(&predicted, &data.labels),
                data.len()
            );
        }
    }
    Ok(())
}
