//! Adding up gradients by parameter name.
//!
//! A stateful optimiser must see one gradient per parameter: a parameter put
//! on a tape twice has two entries in one `Gradients`, and a batch split over
//! several tapes (one per thread) has one entry in each. Their sum is the
//! gradient of the whole loss.

use crate::{Gradients, Scalar};
use ndarray::ArrayD;
use std::borrow::Cow;

/// One gradient per parameter name, in the order the names first appear,
/// summed over every entry of every part. A name with a single entry is
/// borrowed, not copied.
pub fn sum_by_name<'g, T: Scalar>(parts: &'g [Gradients<T>]) -> Vec<(&'g str, Cow<'g, ArrayD<T>>)> {
    let mut out: Vec<(&str, Cow<'_, ArrayD<T>>)> = Vec::new();
    for grads in parts {
        for (name, grad) in grads.iter_named() {
            match out.iter_mut().find(|(n, _)| *n == name) {
                Some((_, sum)) => *sum.to_mut() += grad,
                None => out.push((name, Cow::Borrowed(grad))),
            }
        }
    }
    out
}
