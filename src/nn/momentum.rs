//! SGD with momentum: a velocity per parameter smooths the descent direction.
//!
//! ```text
//! M ← μ·M − α·∂J/∂W        W ← W + M        (M starts at zero)
//! ```
//!
//! The velocities live in a `ParamStore` keyed by the parameters' own names,
//! so the optimiser's state is saved and loaded exactly like a model.

use crate::error::Result;
use crate::kernels::simd::widest;
use crate::nn::optim::update_with_state;
use crate::nn::{Optimizer, ParamStore};
use crate::Scalar;
use ndarray::{ArrayD, Zip};
use std::path::Path;

/// Stochastic gradient descent with (heavy-ball) momentum.
#[derive(Clone, Debug)]
pub struct Momentum<T> {
    /// α, the step size.
    pub lr: f64,
    /// μ, the fraction of the previous velocity that is kept (0.9 is usual).
    pub momentum: f64,
    velocity: ParamStore<T>,
}

impl<T: Scalar> Momentum<T> {
    /// The usual momentum of 0.9.
    pub const DEFAULT_MOMENTUM: f64 = 0.9;

    /// Fresh state: every velocity starts at zero the first time its parameter is seen.
    pub fn new(lr: f64, momentum: f64) -> Self {
        Momentum {
            lr,
            momentum,
            velocity: ParamStore::new(),
        }
    }

    /// Resumes from velocities saved with [`Momentum::state`] / [`Momentum::save_state`].
    pub fn with_state(lr: f64, momentum: f64, velocity: ParamStore<T>) -> Self {
        Momentum {
            lr,
            momentum,
            velocity,
        }
    }

    /// The velocities, keyed by parameter name.
    pub fn state(&self) -> &ParamStore<T> {
        &self.velocity
    }

    /// Writes the velocities as safetensors (atomically), beside a model file.
    pub fn save_state(&self, path: impl AsRef<Path>) -> Result<()> {
        self.velocity.save(path)
    }

    /// Reads velocities written by [`Momentum::save_state`].
    pub fn load_state(lr: f64, momentum: f64, path: impl AsRef<Path>) -> Result<Self> {
        Ok(Self::with_state(lr, momentum, ParamStore::load(path)?))
    }
}

impl<T: Scalar> Optimizer<T> for Momentum<T> {
    fn update(
        &mut self,
        params: &mut ParamStore<T>,
        grads: &mut dyn Iterator<Item = (&str, &ArrayD<T>)>,
    ) {
        let (mu, step) = (T::of(self.momentum), T::of(-self.lr));
        update_with_state(params, [&mut self.velocity], grads, |w, [m], grad| {
            // One pass over contiguous weights on the widest SIMD unit.
            match (m.as_slice_mut(), w.as_slice_mut(), grad.as_slice()) {
                (Some(m), Some(w), Some(g)) if m.len() == g.len() => {
                    widest(|| momentum_loop(m, w, g, mu, step))
                }
                _ => Zip::from(m).and(w).and(grad).for_each(|m, w, &g| {
                    *m = mu * *m + step * g;
                    *w += *m;
                }),
            }
        });
    }
    fn learning_rate(&self) -> f64 {
        self.lr
    }
    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr;
    }
}

/// Updates the velocity and moves the weight by it: `m ← μ·m + step·g`,
/// `w ← w + m` (`step` = −α).
#[inline(always)]
fn momentum_loop<T: Scalar>(m: &mut [T], w: &mut [T], g: &[T], mu: T, step: T) {
    for ((m, w), &g) in m.iter_mut().zip(w).zip(g) {
        *m = mu * *m + step * g;
        *w += *m;
    }
}
