//! Central-difference gradient checking, with PyTorch gradcheck's tolerances.
//!
//! For every scalar of every input: numeric = (f(x + ε) − f(x − ε)) / 2ε,
//! computed in f64, and the analytic gradient passes when
//! |analytic − numeric| ≤ atol + rtol·|numeric|.

use crate::{Tape, Var};
use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD};

/// What the checker needs from a model: its parameters by name, to read and
/// to nudge. `nn` implements it for everything that has a `ParamStore`
/// (`HasParams<f64>`), so the engine knows nothing about layers.
pub trait Parameters {
    /// Every parameter's name, in a fixed order.
    fn parameter_names(&self) -> Vec<String>;
    /// The parameter called `name`.
    fn parameter(&self, name: &str) -> Option<ArrayViewD<'_, f64>>;
    /// The parameter called `name`, to change in place.
    fn parameter_mut(&mut self, name: &str) -> Option<ArrayViewMutD<'_, f64>>;
}

/// Step and tolerances (PyTorch's gradcheck defaults).
#[derive(Clone, Copy, Debug)]
pub struct Tolerance {
    pub eps: f64,
    pub atol: f64,
    pub rtol: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
        }
    }
}

/// The outcome for one input.
#[derive(Clone, Debug, serde::Serialize)]
pub struct InputCheck {
    pub name: String,
    /// Number of scalars checked.
    pub checked: usize,
    /// Largest |analytic − numeric|.
    pub max_abs_err: f64,
    /// Largest |analytic − numeric| / max(|analytic|, |numeric|) (0 where both are 0).
    pub max_rel_err: f64,
    /// Scalars outside the tolerance.
    pub failures: usize,
}

impl InputCheck {
    pub fn passed(&self) -> bool {
        self.failures == 0
    }
}

/// Checks ∂f/∂p for every scalar of every parameter of `model`.
///
/// `f` computes a 1×1 value from the model on a fresh tape, taking its
/// parameters with `ParamStore::var` (as the model's own forward pass does),
/// so the check exercises the real model code. It is evaluated
/// 2·(number of scalars) + 1 times; parameters are restored afterwards.
pub fn gradcheck<M, F>(model: &mut M, tol: Tolerance, f: F) -> Vec<InputCheck>
where
    M: Parameters,
    F: for<'t> Fn(&'t Tape<f64>, &M) -> Var<'t, f64>,
{
    let grads = {
        let tape = Tape::new();
        f(&tape, model).backward()
    };
    let names = model.parameter_names();
    let analytic: Vec<ArrayD<f64>> = names
        .iter()
        .map(|n| {
            let shape = model
                .parameter(n)
                .map_or(ndarray::IxDyn(&[0]), |p| p.raw_dim());
            grads
                .named(n)
                .cloned()
                .unwrap_or_else(|| ArrayD::zeros(shape))
        })
        .collect();
    drop(grads);

    let evaluate = |model: &M| {
        let tape = Tape::new();
        f(&tape, model).item()
    };

    let mut report = Vec::with_capacity(names.len());
    for (name, exact) in names.iter().zip(&analytic) {
        let mut check = InputCheck {
            name: name.clone(),
            checked: 0,
            max_abs_err: 0.0,
            max_rel_err: 0.0,
            failures: 0,
        };
        for (at, &exact) in exact.indexed_iter() {
            let nudge = |model: &mut M, value: f64| {
                if let Some(mut p) = model.parameter_mut(name) {
                    p[&at] = value;
                }
            };
            let original = model.parameter(name).map_or(0.0, |p| p[&at]);
            nudge(model, original + tol.eps);
            let plus = evaluate(model);
            nudge(model, original - tol.eps);
            let minus = evaluate(model);
            nudge(model, original);

            let numeric = (plus - minus) / (2.0 * tol.eps);
            let abs_err = (exact - numeric).abs();
            let scale = exact.abs().max(numeric.abs());
            check.checked += 1;
            check.max_abs_err = check.max_abs_err.max(abs_err);
            check.max_rel_err =
                check
                    .max_rel_err
                    .max(if scale > 0.0 { abs_err / scale } else { 0.0 });
            // Written so that a NaN error counts as a failure.
            let within = abs_err <= tol.atol + tol.rtol * numeric.abs();
            if !within {
                check.failures += 1;
            }
        }
        report.push(check);
    }
    report
}
