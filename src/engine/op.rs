//! Every operation the engine knows, and every backward rule, in one place.
//!
//! A node's gradient `g` (∂loss/∂output, same shape as the output) is turned
//! into contributions to its inputs' gradients. Contributions are *added*
//! (`+=`), so a value used twice (`x * x`, `a + a`) gets both.

use crate::functional as F;
use crate::tape::Node;
use crate::Scalar;
use ndarray::{ArcArray2, Array2, ArrayView2, Axis, Zip};

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
        targets: ArcArray2<T>,
    },
    /// Total squared error against a constant target.
    SquaredError {
        pred: usize,
        target: ArcArray2<T>,
    },
}

impl<T: Scalar> Op<T> {
    /// The nodes this one reads (at most two; no allocation).
    pub(crate) fn inputs(&self) -> Inputs {
        match *self {
            Op::Leaf => Inputs::none(),
            Op::MatMul(a, b) | Op::Add(a, b) | Op::AddRow(a, b) | Op::Sub(a, b) | Op::Mul(a, b) => {
                Inputs::two(a, b)
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
            | Op::Softmax(a) => Inputs::one(a),
            Op::SoftmaxCrossEntropy { logits, .. } => Inputs::one(logits),
            Op::SquaredError { pred, .. } => Inputs::one(pred),
        }
    }

    /// Adds this node's contribution to the gradients of its inputs.
    /// `out` is the node's value and `g` the gradient of the loss with respect
    /// to it, handed over so that its buffer can become an input's gradient.
    ///
    /// An input's first contribution is written into a new buffer (or into
    /// `g` itself) rather than added to a zero-filled one; later ones are
    /// added. Both give the same numbers as `0 + contribution`.
    pub(crate) fn backward(
        &self,
        out: ArrayView2<T>,
        mut g: Array2<T>,
        nodes: &[Node<T>],
        grads: &mut [Option<Array2<T>>],
    ) {
        let value = |i: usize| nodes[i].value.view();
        let wants = |i: usize| nodes[i].requires_grad;
        // A scalar node's gradient, for reductions and losses.
        let g0 = g[[0, 0]];
        match self {
            Op::Leaf => {}
            // y = a·b:  ∂a = g·bᵀ,  ∂b = aᵀ·g  (written straight into the buffers)
            &Op::MatMul(a, b) => {
                if wants(a) {
                    let bt = value(b).reversed_axes();
                    add_or_set(
                        &mut grads[a],
                        || F::matmul(g.view(), bt),
                        |da| F::matmul_add(g.view(), bt, da),
                    );
                }
                if wants(b) {
                    let at = value(a).reversed_axes();
                    add_or_set(
                        &mut grads[b],
                        || F::matmul(at, g.view()),
                        |db| F::matmul_add(at, g.view(), db),
                    );
                }
            }
            &Op::Add(a, b) => {
                if wants(a) {
                    add_or_set(&mut grads[a], || g.clone(), |da| *da += &g);
                }
                if wants(b) {
                    pass_on(&mut grads[b], g);
                }
            }
            // The broadcast row was used by every row: its gradient is the column sum.
            &Op::AddRow(a, row) => {
                if wants(row) {
                    let sum = || g.sum_axis(Axis(0)).insert_axis(Axis(0));
                    add_or_set(&mut grads[row], sum, |dr| *dr += &sum());
                }
                if wants(a) {
                    pass_on(&mut grads[a], g);
                }
            }
            &Op::Sub(a, b) => {
                if wants(a) {
                    add_or_set(&mut grads[a], || g.clone(), |da| *da += &g);
                }
                if wants(b) {
                    match &mut grads[b] {
                        Some(db) => *db -= &g,
                        slot @ None => {
                            g.mapv_inplace(|x| -x);
                            *slot = Some(g);
                        }
                    }
                }
            }
            &Op::Mul(a, b) => {
                if wants(a) {
                    let y = value(b);
                    add_or_set(&mut grads[a], || &g * &y, |da| *da += &(&g * &y));
                }
                if wants(b) {
                    let x = value(a);
                    add_or_set(&mut grads[b], || &g * &x, |db| *db += &(&g * &x));
                }
            }
            &Op::Neg(a) if wants(a) => match &mut grads[a] {
                Some(da) => *da -= &g,
                slot @ None => {
                    g.mapv_inplace(|x| -x);
                    *slot = Some(g);
                }
            },
            &Op::Scale(a, k) if wants(a) => match &mut grads[a] {
                Some(da) => da.scaled_add(k, &g),
                slot @ None => {
                    g.mapv_inplace(|x| k * x);
                    *slot = Some(g);
                }
            },
            // σ'(x) = σ(x)(1 − σ(x)), read from the output.
            &Op::Sigmoid(a) if wants(a) => {
                elementwise(&mut grads[a], g, out, |g, y| g * y * (T::one() - y))
            }
            // tanh'(x) = 1 − tanh²(x)
            &Op::Tanh(a) if wants(a) => {
                elementwise(&mut grads[a], g, out, |g, y| g * (T::one() - y * y))
            }
            &Op::Relu(a) if wants(a) => elementwise(&mut grads[a], g, out, |g, y| {
                if y > T::zero() {
                    g
                } else {
                    T::zero()
                }
            }),
            &Op::Exp(a) if wants(a) => elementwise(&mut grads[a], g, out, |g, y| g * y),
            &Op::Log(a) if wants(a) => elementwise(&mut grads[a], g, value(a), |g, x| g / x),
            &Op::Sum(a) if wants(a) => {
                let shape = nodes[a].value.dim();
                add_or_set(
                    &mut grads[a],
                    || Array2::from_elem(shape, g0),
                    |da| da.mapv_inplace(|d| d + g0),
                )
            }
            &Op::Mean(a) if wants(a) => {
                let shape = nodes[a].value.dim();
                let n = T::of(nodes[a].value.len() as f64);
                add_or_set(
                    &mut grads[a],
                    || Array2::from_elem(shape, g0 / n),
                    |da| da.mapv_inplace(|d| d + g0 / n),
                )
            }
            // ∂x = p ⊙ (g − Σ_row g⊙p)
            &Op::Softmax(a) if wants(a) => {
                let dot = (&g * &out).sum_axis(Axis(1)).insert_axis(Axis(1));
                let part = &out * &(&g - &dot);
                add_or_set(&mut grads[a], || part.clone(), |da| *da += &part);
            }
            // ∂logits = (softmax − onehot) / rows
            Op::SoftmaxCrossEntropy {
                logits,
                probs,
                targets,
            } if wants(*logits) => {
                let k = g0 / T::of(probs.nrows().max(1) as f64);
                add_or_set(
                    &mut grads[*logits],
                    || {
                        Zip::from(probs)
                            .and(targets)
                            .map_collect(|&p, &y| k * (p - y))
                    },
                    |dl| {
                        Zip::from(dl)
                            .and(probs)
                            .and(targets)
                            .for_each(|d, &p, &y| *d += k * (p - y))
                    },
                )
            }
            // ∂pred = 2 (pred − target)
            Op::SquaredError { pred, target } if wants(*pred) => {
                let k = g0 + g0;
                let x = value(*pred);
                add_or_set(
                    &mut grads[*pred],
                    || Zip::from(&x).and(target).map_collect(|&x, &y| k * (x - y)),
                    |dp| {
                        Zip::from(dp)
                            .and(&x)
                            .and(target)
                            .for_each(|d, &x, &y| *d += k * (x - y))
                    },
                )
            }
            // An input that needs no gradient.
            _ => {}
        }
    }
}

/// The (at most two) inputs of a node, without a heap allocation.
pub(crate) struct Inputs {
    ids: [usize; 2],
    len: usize,
}

impl Inputs {
    fn none() -> Self {
        Inputs {
            ids: [0; 2],
            len: 0,
        }
    }
    fn one(a: usize) -> Self {
        Inputs {
            ids: [a, 0],
            len: 1,
        }
    }
    fn two(a: usize, b: usize) -> Self {
        Inputs {
            ids: [a, b],
            len: 2,
        }
    }
    pub(crate) fn as_slice(&self) -> &[usize] {
        &self.ids[..self.len]
    }
}

/// The first contribution to a gradient makes its buffer (`set`); later ones
/// are added into it (`add`).
fn add_or_set<T>(
    slot: &mut Option<Array2<T>>,
    set: impl FnOnce() -> Array2<T>,
    add: impl FnOnce(&mut Array2<T>),
) {
    match slot {
        Some(d) => add(d),
        None => *slot = Some(set()),
    }
}

/// ∂input = g: the node's gradient buffer itself becomes the input's when it has none yet.
fn pass_on<T: Scalar>(slot: &mut Option<Array2<T>>, g: Array2<T>) {
    match slot {
        Some(d) => *d += &g,
        None => *slot = Some(g),
    }
}

/// ∂input = f(g, y) elementwise (y: the node's output or input); computed in
/// g's own buffer when the input has no gradient yet.
fn elementwise<T: Scalar>(
    slot: &mut Option<Array2<T>>,
    mut g: Array2<T>,
    y: ArrayView2<T>,
    f: impl Fn(T, T) -> T,
) {
    match slot {
        Some(d) => Zip::from(d)
            .and(&g)
            .and(&y)
            .for_each(|d, &g, &y| *d += f(g, y)),
        None => {
            Zip::from(&mut g).and(&y).for_each(|g, &y| *g = f(*g, y));
            *slot = Some(g);
        }
    }
}
