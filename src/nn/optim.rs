//! Optimisers: they turn gradients into parameter updates.
//!
//! Every optimiser walks the gradients by parameter name the same way, and a
//! stateful one (momentum's velocity, Adam's two moments) keeps its arrays in
//! `ParamStore`s keyed by those names. [`update_with_state`] is that walk, so
//! each optimiser's file states only its update rule.

use crate::kernels::simd::widest;
use crate::nn::{sum_by_name, ParamStore};
use crate::{ArcArrayD, Gradients, Scalar};
use ndarray::ArrayD;

/// Anything that updates a `ParamStore` from one step's gradients.
///
/// The gradients come by name (`&mut dyn Iterator` rather than a generic, so
/// a training loop can pick its optimiser at run time as a
/// `Box<dyn Optimizer<T>>`).
pub trait Optimizer<T: Scalar> {
    /// One step from gradients given by name. Each name should appear once:
    /// a stateful optimiser would advance a parameter's state twice.
    fn update(
        &mut self,
        params: &mut ParamStore<T>,
        grads: &mut dyn Iterator<Item = (&str, &ArrayD<T>)>,
    );

    /// One step from the gradients of several tapes (a batch split over
    /// threads), summed by name first so `update` sees each name once.
    fn step_all(&mut self, params: &mut ParamStore<T>, parts: &[Gradients<T>]) {
        let summed = sum_by_name(parts);
        self.update(params, &mut summed.iter().map(|(n, g)| (*n, &**g)));
    }

    /// One step from one tape's gradients (a parameter put on the tape twice
    /// has two entries there, which `step_all` adds up).
    fn step(&mut self, params: &mut ParamStore<T>, grads: &Gradients<T>) {
        self.step_all(params, std::slice::from_ref(grads));
    }

    /// The current learning rate (schedules change it between epochs).
    fn learning_rate(&self) -> f64;
    fn set_learning_rate(&mut self, lr: f64);
}

/// The walk every optimiser shares: for each gradient whose parameter is in
/// `params`, hands `rule` the parameter, its array in each of the `N` state
/// stores, and the gradient. A state array starts at zero the first time its
/// parameter is seen (or when the parameter's shape changed), which is where
/// momentum and Adam both start.
pub(crate) fn update_with_state<'n, 'g, T: Scalar + 'g, const N: usize>(
    params: &mut ParamStore<T>,
    mut state: [&mut ParamStore<T>; N],
    grads: impl IntoIterator<Item = (&'n str, &'g ArrayD<T>)>,
    mut rule: impl FnMut(&mut ArcArrayD<T>, [&mut ArcArrayD<T>; N], &ArrayD<T>),
) {
    for (name, grad) in grads {
        let Some(w) = params.get_mut(name) else {
            continue;
        };
        for store in state.iter_mut() {
            if store.get(name).map(|s| s.shape()) != Some(w.shape()) {
                store.insert(name, ArrayD::zeros(w.raw_dim()));
            }
        }
        let arrays = state
            .each_mut()
            .map(|s| s.get_mut(name).expect("state array inserted just above"));
        rule(w, arrays, grad);
    }
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
    fn update(
        &mut self,
        params: &mut ParamStore<T>,
        grads: &mut dyn Iterator<Item = (&str, &ArrayD<T>)>,
    ) {
        let step = T::of(-self.lr);
        update_with_state(params, [], grads, |p, [], grad| {
            match (p.as_slice_mut(), grad.as_slice()) {
                (Some(p), Some(g)) if p.len() == g.len() => add_scaled(p, step, g),
                _ => p.scaled_add(step, grad),
            }
        });
    }
    /// The step is linear in the gradient, so a parameter's entries can be
    /// applied one after another without summing them into a copy first.
    fn step(&mut self, params: &mut ParamStore<T>, grads: &Gradients<T>) {
        self.update(params, &mut grads.iter_named());
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
