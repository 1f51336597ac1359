//! Every operation the engine knows, and every backward rule, in one place.
//!
//! A node's gradient `g` (∂loss/∂output, same shape as the output) is turned
//! into contributions to its inputs' gradients. Contributions are *added*
//! (`+=`), so a value used twice (`x * x`, `a + a`) gets both.

use crate::tape::Node;
use crate::Scalar;
use ndarray::{linalg::general_mat_mul, Array2, ArrayView2, Axis, Zip};

/// How a node was computed: the inputs are indices of earlier nodes.
pub(crate) enum Op<T> {
    /// An input or a parameter: nothing to propagate to.
    Leaf,
    MatMul(usize, usize),
    Add(usize, usize),
    /// `a + row`, with `row` (1×D) broadcast over the rows of `a` (N×D).
    AddRow(usize, usize),
    Sub(usize, usize),
    Mul(usize, usize),
    Neg(usize),
    Scale(usize, T),
    Sigmoid(usize),
    Tanh(usize),
    Relu(usize),
    Exp(usize),
    Log(usize),
    Sum(usize),
    Mean(usize),
    Softmax(usize),
    /// Mean cross-entropy over rows; keeps the softmax and the targets for backward.
    SoftmaxCrossEntropy {
        logits: usize,
        probs: Array2<T>,
        targets: Array2<T>,
    },
    /// Total squared error against a constant target.
    SquaredError {
        pred: usize,
        target: Array2<T>,
    },
}

impl<T: Scalar> Op<T> {
    /// The nodes this one reads.
    pub(crate) fn inputs(&self) -> Vec<usize> {
        match *self {
            Op::Leaf => vec![],
            Op::MatMul(a, b) | Op::Add(a, b) | Op::AddRow(a, b) | Op::Sub(a, b) | Op::Mul(a, b) => {
                vec![a, b]
            }
            Op::Neg(a)
            | Op::Scale(a, _)
            | Op::Sigmoid(a)
            | Op::Tanh(a)
            | Op::Relu(a)
            | Op::Exp(a)
            | Op::Log(a)
            | Op::Sum(a)
            | Op::Mean(a)
            | Op::Softmax(a) => vec![a],
            Op::SoftmaxCrossEntropy { logits, .. } => vec![logits],
            Op::SquaredError { pred, .. } => vec![pred],
        }
    }

    /// Adds this node's contribution to the gradients of its inputs.
    /// `out` is the node's value and `g` the gradient of the loss with respect to it.
    pub(crate) fn backward(
        &self,
        out: ArrayView2<T>,
        g: ArrayView2<T>,
        nodes: &[Node<T>],
        grads: &mut [Option<Array2<T>>],
    ) {
        let value = |i: usize| nodes[i].value.view();
        let mut acc = |i: usize, add: &dyn Fn(&mut Array2<T>)| {
            if nodes[i].requires_grad {
                let (r, c) = nodes[i].value.dim();
                add(grads[i].get_or_insert_with(|| Array2::zeros((r, c))));
            }
        };
        // A scalar node's gradient, for reductions and losses.
        let g0 = g[[0, 0]];
        match self {
            Op::Leaf => {}
            // y = a·b:  ∂a = g·bᵀ,  ∂b = aᵀ·g  (accumulated straight into the buffers)
            &Op::MatMul(a, b) => {
                acc(a, &|da| {
                    general_mat_mul(T::one(), &g, &value(b).t(), T::one(), da)
                });
                acc(b, &|db| {
                    general_mat_mul(T::one(), &value(a).t(), &g, T::one(), db)
                });
            }
            &Op::Add(a, b) => {
                acc(a, &|da| *da += &g);
                acc(b, &|db| *db += &g);
            }
            // The broadcast row was used by every row: its gradient is the column sum.
            &Op::AddRow(a, row) => {
                acc(a, &|da| *da += &g);
                acc(row, &|dr| *dr += &g.sum_axis(Axis(0)).insert_axis(Axis(0)));
            }
            &Op::Sub(a, b) => {
                acc(a, &|da| *da += &g);
                acc(b, &|db| *db -= &g);
            }
            &Op::Mul(a, b) => {
                acc(a, &|da| *da += &(&g * &value(b)));
                acc(b, &|db| *db += &(&g * &value(a)));
            }
            &Op::Neg(a) => acc(a, &|da| *da -= &g),
            &Op::Scale(a, k) => acc(a, &|da| da.scaled_add(k, &g)),
            // σ'(x) = σ(x)(1 − σ(x)), read from the output.
            &Op::Sigmoid(a) => acc(a, &|da| {
                Zip::from(da)
                    .and(&g)
                    .and(&out)
                    .for_each(|d, &g, &y| *d += g * y * (T::one() - y))
            }),
            // tanh'(x) = 1 − tanh²(x)
            &Op::Tanh(a) => acc(a, &|da| {
                Zip::from(da)
                    .and(&g)
                    .and(&out)
                    .for_each(|d, &g, &y| *d += g * (T::one() - y * y))
            }),
            &Op::Relu(a) => acc(a, &|da| {
                Zip::from(da).and(&g).and(&out).for_each(|d, &g, &y| {
                    if y > T::zero() {
                        *d += g
                    }
                })
            }),
            &Op::Exp(a) => acc(a, &|da| *da += &(&g * &out)),
            &Op::Log(a) => acc(a, &|da| *da += &(&g / &value(a))),
            &Op::Sum(a) => acc(a, &|da| da.mapv_inplace(|d| d + g0)),
            &Op::Mean(a) => {
                let n = T::of(nodes[a].value.len() as f64);
                acc(a, &|da| da.mapv_inplace(|d| d + g0 / n))
            }
            // ∂x = p ⊙ (g − Σ_row g⊙p)
            &Op::Softmax(a) => acc(a, &|da| {
                let dot = (&g * &out).sum_axis(Axis(1)).insert_axis(Axis(1));
                *da += &(&out * &(&g - &dot));
            }),
            // ∂logits = (softmax − onehot) / rows
            Op::SoftmaxCrossEntropy {
                logits,
                probs,
                targets,
            } => {
                let k = g0 / T::of(probs.nrows().max(1) as f64);
                acc(*logits, &|dl| {
                    Zip::from(dl)
                        .and(probs)
                        .and(targets)
                        .for_each(|d, &p, &y| *d += k * (p - y))
                })
            }
            // ∂pred = 2 (pred − target)
            Op::SquaredError { pred, target } => {
                let k = g0 + g0;
                acc(*pred, &|dp| {
                    Zip::from(dp)
                        .and(&value(*pred))
                        .and(target)
                        .for_each(|d, &x, &y| *d += k * (x - y))
                })
            }
        }
    }
}
