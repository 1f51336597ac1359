//! The main crate's NIST36 classifier, 1024-64-36 with a sigmoid hidden
//! layer, written in tch (softmax is folded into the cross-entropy loss).

use tch::nn;

pub fn nist_fc(p: &nn::Path, inputs: i64, hidden: i64, classes: i64) -> nn::SequentialT {
    nn::seq_t()
        .add(nn::linear(p / "fc1", inputs, hidden, Default::default()))
        .add_fn(|x| x.sigmoid())
        .add(nn::linear(p / "fc2", hidden, classes, Default::default()))
}
