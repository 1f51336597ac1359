//! The networks: the NIST36 fully connected net, one configurable small CNN
//! (NIST36, CIFAR-10, SUN/flowers from scratch) and SqueezeNet 1.1 features.

pub mod cnn;
pub mod mlp;
pub mod squeezenet;
