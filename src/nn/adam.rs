//! Adam (Kingma & Ba, 2015): per-parameter step sizes from running averages
//! of the gradient and of its square.
//!
//! ```text
//! m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²
//! W ← W − α · m̂ / (√v̂ + ε)       m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
//! ```
//!
//! Its state is two `ParamStore`s keyed by the parameters' names plus the
//! step count; [`Adam::state`] packs them into one store for saving.

use crate::error::{Error, Result};
use crate::nn::optim::update_with_state;
use crate::nn::{Optimizer, ParamStore};
use crate::Scalar;
use ndarray::{Array2, ArrayD, Zip};
use std::path::Path;

/// The Adam optimiser with the paper's defaults for β₁, β₂ and ε.
#[derive(Clone, Debug)]
pub struct Adam<T> {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    steps: u64,
    first: ParamStore<T>,
    second: ParamStore<T>,
}

const FIRST: &str = "adam.m.";
const SECOND: &str = "adam.v.";
const STEPS: &str = "adam.steps";

impl<T: Scalar> Adam<T> {
    /// β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    pub fn new(lr: f64) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            steps: 0,
            first: ParamStore::new(),
            second: ParamStore::new(),
        }
    }

    /// Number of steps taken (t in the bias corrections).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Both moment estimates (`adam.m.NAME`, `adam.v.NAME`) and the step
    /// count (`adam.steps`, 1×1), in one store.
    pub fn state(&self) -> ParamStore<T> {
        let mut store = ParamStore::new();
        store.insert_prefixed(FIRST, &self.first);
        store.insert_prefixed(SECOND, &self.second);
        store.insert(STEPS, Array2::from_elem((1, 1), T::of(self.steps as f64)));
        store
    }

    /// Resumes from a store made by [`Adam::state`].
    pub fn with_state(lr: f64, state: &ParamStore<T>) -> Self {
        let steps = state.get(STEPS).and_then(|s| s.iter().next().copied());
        Adam {
            steps: steps.map_or(0, |s| Scalar::to_f64(s) as u64),
            first: state.sub_store(FIRST),
            second: state.sub_store(SECOND),
            ..Adam::new(lr)
        }
    }

    /// Writes the state as safetensors (atomically).
    pub fn save_state(&self, path: impl AsRef<Path>) -> Result<()> {
        self.state().save(path)
    }

    /// Reads a state written by [`Adam::save_state`].
    pub fn load_state(lr: f64, path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let state = ParamStore::load(path)?;
        if state.get(STEPS).is_none() {
            return Err(Error::ModelFile {
                path: path.to_path_buf(),
                reason: format!("no tensor named '{STEPS}' (is this an Adam state file?)"),
            });
        }
        Ok(Self::with_state(lr, &state))
    }
}

impl<T: Scalar> Optimizer<T> for Adam<T> {
    fn update(
        &mut self,
        params: &mut ParamStore<T>,
        grads: &mut dyn Iterator<Item = (&str, &ArrayD<T>)>,
    ) {
        self.steps += 1;
        let t = self.steps as i32;
        let (b1, b2) = (T::of(self.beta1), T::of(self.beta2));
        let (c1, c2) = (T::one() - b1, T::one() - b2);
        // The bias corrections folded into the step: α·√(1−β₂ᵗ)/(1−β₁ᵗ).
        let step = T::of(self.lr * (1.0 - self.beta2.powi(t)).sqrt() / (1.0 - self.beta1.powi(t)));
        let eps = T::of(self.eps * (1.0 - self.beta2.powi(t)).sqrt());
        let state = [&mut self.first, &mut self.second];
        update_with_state(params, state, grads, |w, [m, v], grad| {
            Zip::from(w)
                .and(m)
                .and(v)
                .and(grad)
                .for_each(|w, m, v, &g| {
                    *m = b1 * *m + c1 * g;
                    *v = b2 * *v + c2 * g * g;
                    *w -= step * *m / (v.sqrt() + eps);
                });
        });
    }
    fn learning_rate(&self) -> f64 {
        self.lr
    }
    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr;
    }
}
