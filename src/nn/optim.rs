//! Optimisers: they turn gradients into parameter updates.

use crate::kernels::simd::widest;
use crate::nn::ParamStore;
use crate::{Gradients, Scalar};

/// Anything that updates a `ParamStore` from one step's gradients.
pub trait Optimizer<T: Scalar> {
    fn step(&mut self, params: &mut ParamStore<T>, grads: &Gradients<T>);
    /// The current learning rate (schedules change it between epochs).
    fn learning_rate(&self) -> f64;
    fn set_learning_rate(&mut self, lr: f64);
}

/// Plain stochastic gradient descent: W ← W − α·∂J/∂W.
#[derive(Clone, Debug)]
pub struct Sgd {
    pub lr: f64,
}

impl Sgd {
    pub fn new(lr: f64) -> Self {
        Sgd { lr }
    }
}

impl<T: Scalar> Optimizer<T> for Sgd {
    fn step(&mut self, params: &mut ParamStore<T>, grads: &Gradients<T>) {
        let step = T::of(-self.lr);
        for (name, grad) in grads.iter_named() {
            if let Some(p) = params.get_mut(name) {
                match (p.as_slice_mut(), grad.as_slice()) {
                    (Some(p), Some(g)) if p.len() == g.len() => add_scaled(p, step, g),
                    _ => p.scaled_add(step, grad),
                }
            }
        }
    }
    fn learning_rate(&self) -> f64 {
        self.lr
    }
    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr;
    }
}

/// `p ← p + step·g`, elementwise. The update reads and writes every weight
/// each step, so it runs on the widest SIMD unit (`simd::widest`).
fn add_scaled<T: Scalar>(p: &mut [T], step: T, g: &[T]) {
    widest(|| add_scaled_loop(p, step, g));
}

#[inline(always)]
fn add_scaled_loop<T: Scalar>(p: &mut [T], step: T, g: &[T]) {
    for (w, &d) in p.iter_mut().zip(g) {
        *w += step * d;
    }
}
