//! One training step of every model on one random batch: the loss is finite
//! and the step changes the weights.

use extra_credit::models::{mlp, squeezenet};
use extra_credit::tasks::{cifar10, image_pair, nist36};
use extra_credit::train::{train_step, TrainConfig};
use tch::nn::{self, ModuleT};
use tch::{Device, Kind, Tensor};

fn one_step(vs: &nn::VarStore, model: &impl ModuleT, cfg: &TrainConfig, x: Tensor, classes: i64) {
    tch::manual_seed(0);
    let y = Tensor::randint(classes, [x.size()[0]], (Kind::Int64, Device::Cpu));
    let before: f64 = vs
        .trainable_variables()
        .iter()
        .map(|t| t.abs().sum(Kind::Float).double_value(&[]))
        .sum();
    let mut opt = cfg.optimizer(vs).unwrap();
    let (loss, logits) = train_step(model, &mut opt, &x, &y);
    assert!(loss.is_finite(), "loss {loss}");
    assert_eq!(logits.size(), [x.size()[0], classes]);
    let after: f64 = vs
        .trainable_variables()
        .iter()
        .map(|t| t.abs().sum(Kind::Float).double_value(&[]))
        .sum();
    assert_ne!(before, after, "the step moved the weights");
}

#[test]
fn nist36_fc_step() {
    let vs = nn::VarStore::new(Device::Cpu);
    let m = mlp::nist_fc(&vs.root(), 1024, 64, 36);
    one_step(
        &vs,
        &m,
        &nist36::fc_config(1),
        Tensor::rand([8, 1024], (Kind::Float, Device::Cpu)),
        36,
    );
}

#[test]
fn nist36_cnn_step() {
    let vs = nn::VarStore::new(Device::Cpu);
    let m = nist36::cnn_model(&vs.root());
    one_step(
        &vs,
        &m,
        &nist36::cnn_config(1),
        Tensor::rand([8, 1, 32, 32], (Kind::Float, Device::Cpu)),
        36,
    );
}

#[test]
fn cifar10_cnn_step() {
    let vs = nn::VarStore::new(Device::Cpu);
    let m = cifar10::model(&vs.root());
    one_step(
        &vs,
        &m,
        &cifar10::config(1),
        Tensor::rand([8, 3, 32, 32], (Kind::Float, Device::Cpu)),
        10,
    );
}

#[test]
fn scratch_cnn_step() {
    let vs = nn::VarStore::new(Device::Cpu);
    let m = image_pair::scratch_model(&vs.root(), 17);
    let s = image_pair::SCRATCH_SIZE as i64;
    let x = Tensor::randn([4, 3, s, s], (Kind::Float, Device::Cpu));
    one_step(&vs, &m, &image_pair::scratch_config(1), x, 17);
}

#[test]
fn squeezenet_head_step() {
    let vs = nn::VarStore::new(Device::Cpu);
    let m = image_pair::head_model(&vs.root(), 8);
    let x = Tensor::rand([16, squeezenet::FEATURES], (Kind::Float, Device::Cpu)) * 20.0;
    one_step(&vs, &m, &image_pair::head_config(1), x, 8);
}
