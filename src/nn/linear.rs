//! A fully connected layer y = x·W + b, holding the names of its parameters.

use crate::functional as F;
use crate::nn::{xavier_uniform, ParamStore};
use crate::{Scalar, Var};
use ndarray::{Array2, ArrayView2};
use rand::Rng;

/// Weights (n_in × n_out) and a bias row (1 × n_out), stored in a `ParamStore`
/// under `"{name}.weight"` and `"{name}.bias"`.
#[derive(Clone, Debug)]
pub struct Linear {
    pub weight: String,
    pub bias: String,
}

impl Linear {
    /// Creates the parameters: Xavier-uniform weights, zero bias.
    pub fn new<T: Scalar>(
        store: &mut ParamStore<T>,
        name: &str,
        n_in: usize,
        n_out: usize,
        rng: &mut impl Rng,
    ) -> Self {
        let layer = Linear::named(name);
        store.insert(&layer.weight, xavier_uniform(n_in, n_out, rng));
        store.insert(&layer.bias, Array2::zeros((1, n_out)));
        layer
    }

    /// Refers to parameters that already exist (e.g. loaded from a file).
    pub fn named(name: &str) -> Self {
        Linear {
            weight: format!("{name}.weight"),
            bias: format!("{name}.bias"),
        }
    }

    /// On the tape: x·W + b.
    pub fn forward<'t, T: Scalar>(&self, store: &ParamStore<T>, x: Var<'t, T>) -> Var<'t, T> {
        let tape = x.tape();
        x.matmul(store.var(tape, &self.weight)) + store.var(tape, &self.bias)
    }

    /// Without a tape (inference): x·W + b.
    pub fn apply<T: Scalar>(&self, store: &ParamStore<T>, x: ArrayView2<T>) -> Array2<T> {
        let (w, b) = (
            self.param(store, &self.weight),
            self.param(store, &self.bias),
        );
        let mut y = F::matmul(x, w);
        y += &b;
        y
    }

    fn param<'s, T: Scalar>(&self, store: &'s ParamStore<T>, name: &str) -> ArrayView2<'s, T> {
        store
            .matrix(name)
            .unwrap_or_else(|| panic!("no 2-D parameter named '{name}' in the store"))
    }

    /// (n_in, n_out), read from the stored weight.
    pub fn dims<T: Scalar>(&self, store: &ParamStore<T>) -> Option<(usize, usize)> {
        store.matrix(&self.weight).map(|w| w.dim())
    }
}
