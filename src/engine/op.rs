//! Every operation the engine knows, and every backward rule, in one place.
//!
//! A node's gradient `g` (∂loss/∂output, same shape as the output) is turned
//! into contributions to its inputs' gradients. Contributions are *added*
//! (`+=`), so a value used twice (`x * x`, `a + a`) gets both. An input that
//! was broadcast (a bias) receives `g` summed over the broadcast axes.

use crate::conv;
use crate::functional as F;
use crate::Scalar;
use ndarray::{ArcArray2, Array2, ArrayD, ArrayViewD, Axis, Ix2, Ix4, IxDyn, Zip};

/// How a node was computed: the inputs are indices of earlier nodes.
pub(crate) enum Op<T> {
    /// An input or a parameter: nothing to propagate to.
    Leaf,
    /// Matrix product of two 2-D values.
    MatMul(usize, usize),
    /// `a + b`, `a − b`, `a ⊙ b` with NumPy broadcasting.
    Add(usize, usize),
    Sub(usize, usize),
    Mul(usize, usize),
    Neg(usize),
    Scale(usize, T),
    Sigmoid(usize),
    Tanh(usize),
    Relu(usize),
    Exp(usize),
    Log(usize),
    /// Of every entry, as a 1×1 value.
    Sum(usize),
    Mean(usize),
    /// Over one axis, which the result no longer has.
    SumAxis(usize, usize),
    MeanAxis(usize, usize),
    /// The same entries in another shape.
    Reshape(usize),
    /// Row-wise softmax of a 2-D value.
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
        target: ArcArrayD<T>,
    },
    /// NCHW input, OIHW weights (`conv::conv2d`).
    Conv2d {
        input: usize,
        weight: usize,
        stride: usize,
        padding: usize,
    },
    /// Keeps, for every output, the flat index of the input that was the
    /// window's maximum: the one that receives its gradient.
    MaxPool2d {
        input: usize,
        from: Vec<u32>,
    },
    /// Nearest-neighbour upsampling of an NCHW batch by an integer factor
    /// (`conv::upsample2d`): every pixel becomes a factor×factor block.
    Upsample2d {
        input: usize,
        factor: usize,
    },
}

use crate::ArcArrayD;

/// What a backward rule reads of the nodes recorded before it: their values
/// and whether they need a gradient. The tape implements it for its nodes, so
/// this file never names the tape's types and the two files do not import
/// each other: `tape.rs` uses `op.rs`, not the other way round.
pub(crate) trait Recorded<T> {
    /// The value of node `i`.
    fn value(&self, i: usize) -> ArrayViewD<'_, T>;
    /// The shape of node `i`'s value.
    fn shape(&self, i: usize) -> &[usize];
    /// Whether node `i` needs a gradient (false for constants and whatever
    /// was computed only from constants).
    fn wants(&self, i: usize) -> bool;
}

impl<T: Scalar> Op<T> {
    /// The nodes this one reads (at most two; no allocation).
    pub(crate) fn inputs(&self) -> Inputs {
        match *self {
            Op::Leaf => Inputs::none(),
            Op::MatMul(a, b) | Op::Add(a, b) | Op::Sub(a, b) | Op::Mul(a, b) => Inputs::two(a, b),
            Op::Conv2d { input, weight, .. } => Inputs::two(input, weight),
            Op::Neg(a)
            | Op::Scale(a, _)
            | Op::Sigmoid(a)
            | Op::Tanh(a)
            | Op::Relu(a)
            | Op::Exp(a)
            | Op::Log(a)
            | Op::Sum(a)
            | Op::Mean(a)
            | Op::SumAxis(a, _)
            | Op::MeanAxis(a, _)
            | Op::Reshape(a)
            | Op::Softmax(a) => Inputs::one(a),
            Op::SoftmaxCrossEntropy { logits, .. } => Inputs::one(logits),
            Op::SquaredError { pred, .. } => Inputs::one(pred),
            Op::MaxPool2d { input, .. } | Op::Upsample2d { input, .. } => Inputs::one(input),
        }
    }

    /// Adds this node's contribution to the gradients of its inputs.
    /// `out` is the node's value and `g` the gradient of the loss with respect
    /// to it, handed over so that its buffer can become an input's gradient.
    ///
    /// An input's first contribution is written into a new buffer (or into
    /// `g` itself) rather than added to a zero-filled one; later ones are
    /// added. Both give the same numbers as `0 + contribution`.
    pub(crate) fn backward<N: Recorded<T> + ?Sized>(
        &self,
        out: ArrayViewD<T>,
        mut g: ArrayD<T>,
        nodes: &N,
        grads: &mut [Option<ArrayD<T>>],
    ) {
        let value = |i: usize| nodes.value(i);
        let wants = |i: usize| nodes.wants(i);
        // A scalar node's gradient, for reductions and losses.
        let g0 = g.iter().next().copied().unwrap_or_else(T::zero);
        match self {
            Op::Leaf => {}
            // y = a·b:  ∂a = g·bᵀ,  ∂b = aᵀ·g  (written straight into the buffers)
            &Op::MatMul(a, b) => {
                let g2 = matrix(g.view(), "matmul");
                if wants(a) {
                    let bt = matrix(value(b), "matmul").reversed_axes();
                    add_or_set(
                        &mut grads[a],
                        || F::matmul(g2, bt).into_dyn(),
                        |da| F::matmul_into(g2, bt, matrix_mut(da), true),
                    );
                }
                if wants(b) {
                    let at = matrix(value(a), "matmul").reversed_axes();
                    add_or_set(
                        &mut grads[b],
                        || F::matmul(at, g2).into_dyn(),
                        |db| F::matmul_into(at, g2, matrix_mut(db), true),
                    );
                }
            }
            &Op::Add(a, b) => spread(a, b, g, nodes, grads, false),
            &Op::Sub(a, b) => spread(a, b, g, nodes, grads, true),
            &Op::Mul(a, b) => {
                if wants(a) {
                    let part = F::broadcast_zip(g.view(), value(b), "mul", |g, y| g * y);
                    add_reduced(&mut grads[a], part, nodes.shape(a));
                }
                if wants(b) {
                    let part = F::broadcast_zip(g.view(), value(a), "mul", |g, x| g * x);
                    add_reduced(&mut grads[b], part, nodes.shape(b));
                }
            }
            &Op::Neg(a) => {
                if wants(a) {
                    match &mut grads[a] {
                        Some(da) => *da -= &g,
                        slot @ None => {
                            g.mapv_inplace(|x| -x);
                            *slot = Some(g);
                        }
                    }
                }
            }
            &Op::Scale(a, k) => {
                if wants(a) {
                    match &mut grads[a] {
                        Some(da) => da.scaled_add(k, &g),
                        slot @ None => {
                            g.mapv_inplace(|x| k * x);
                            *slot = Some(g);
                        }
                    }
                }
            }
            // σ'(x) = σ(x)(1 − σ(x)), read from the output.
            &Op::Sigmoid(a) => {
                if wants(a) {
                    elementwise(&mut grads[a], g, out, |g, y| g * y * (T::one() - y))
                }
            }
            // tanh'(x) = 1 − tanh²(x)
            &Op::Tanh(a) => {
                if wants(a) {
                    elementwise(&mut grads[a], g, out, |g, y| g * (T::one() - y * y))
                }
            }
            &Op::Relu(a) => {
                if wants(a) {
                    elementwise(&mut grads[a], g, out, |g, y| {
                        if y > T::zero() {
                            g
                        } else {
                            T::zero()
                        }
                    })
                }
            }
            &Op::Exp(a) => {
                if wants(a) {
                    elementwise(&mut grads[a], g, out, |g, y| g * y)
                }
            }
            &Op::Log(a) => {
                if wants(a) {
                    elementwise(&mut grads[a], g, value(a), |g, x| g / x)
                }
            }
            &Op::Sum(a) => {
                if wants(a) {
                    let shape = IxDyn(nodes.shape(a));
                    add_or_set(
                        &mut grads[a],
                        || ArrayD::from_elem(shape, g0),
                        |da| da.mapv_inplace(|d| d + g0),
                    )
                }
            }
            &Op::Mean(a) => {
                if wants(a) {
                    let shape = IxDyn(nodes.shape(a));
                    let n = T::of(nodes.value(a).len() as f64);
                    add_or_set(
                        &mut grads[a],
                        || ArrayD::from_elem(shape, g0 / n),
                        |da| da.mapv_inplace(|d| d + g0 / n),
                    )
                }
            }
            // Every entry along the axis received the sum's gradient (or 1/n of it).
            &Op::SumAxis(a, axis) | &Op::MeanAxis(a, axis) => {
                if wants(a) {
                    let shape = nodes.shape(a);
                    let k = match self {
                        Op::MeanAxis(..) => T::one() / T::of(shape[axis] as f64),
                        _ => T::one(),
                    };
                    let spread = g.insert_axis(Axis(axis));
                    let spread = spread
                        .broadcast(IxDyn(shape))
                        .expect("the reduced axis broadcasts back");
                    add_or_set(
                        &mut grads[a],
                        || spread.mapv(|x| k * x),
                        |da| da.scaled_add(k, &spread),
                    )
                }
            }
            &Op::Reshape(a) => {
                if wants(a) {
                    pass_on(&mut grads[a], reshaped(g, nodes.shape(a)))
                }
            }
            // ∂x = p ⊙ (g − Σ_row g⊙p)
            &Op::Softmax(a) => {
                if wants(a) {
                    let (g2, p) = (matrix(g.view(), "softmax"), matrix(out, "softmax"));
                    let dot = (&g2 * &p).sum_axis(Axis(1)).insert_axis(Axis(1));
                    let part = (&p * &(&g2 - &dot)).into_dyn();
                    add_or_set(&mut grads[a], || part.clone(), |da| *da += &part);
                }
            }
            // ∂logits = (softmax − onehot) / rows
            Op::SoftmaxCrossEntropy {
                logits,
                probs,
                targets,
            } => {
                if wants(*logits) {
                    let k = g0 / T::of(probs.nrows().max(1) as f64);
                    add_or_set(
                        &mut grads[*logits],
                        || {
                            Zip::from(probs)
                                .and(targets)
                                .map_collect(|&p, &y| k * (p - y))
                                .into_dyn()
                        },
                        |dl| {
                            Zip::from(matrix_mut(dl))
                                .and(probs)
                                .and(targets)
                                .for_each(|d, &p, &y| *d += k * (p - y))
                        },
                    )
                }
            }
            // ∂pred = 2 (pred − target)
            Op::SquaredError { pred, target } => {
                if wants(*pred) {
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
            }
            // ∂w = Σₙ gₙ·colsₙᵀ,  ∂x = col2im(Wᵀ·gₙ)  (conv::conv2d_backward)
            &Op::Conv2d {
                input,
                weight,
                stride,
                padding,
            } => {
                let (x, w) = (
                    image(value(input), "conv2d"),
                    image(value(weight), "conv2d"),
                );
                let s = conv::ConvShape::new(x.shape(), w.shape(), stride, padding);
                let mut dx = wants(input).then(|| ArrayD::zeros(IxDyn(x.shape())));
                let mut dw = wants(weight).then(|| ArrayD::zeros(IxDyn(w.shape())));
                conv::conv2d_backward(
                    x,
                    w,
                    image(g.view(), "conv2d"),
                    &s,
                    dx.as_mut().map(|d| image_mut(d)),
                    dw.as_mut().map(|d| image_mut(d)),
                );
                if let Some(dx) = dx {
                    pass_on(&mut grads[input], dx);
                }
                if let Some(dw) = dw {
                    pass_on(&mut grads[weight], dw);
                }
            }
            // Each output's gradient goes to the input that was its window's maximum.
            Op::MaxPool2d { input, from } => {
                if wants(*input) {
                    let g = g.as_standard_layout();
                    let g = g.as_slice().expect("standard layout");
                    match &mut grads[*input] {
                        Some(dx) if dx.is_standard_layout() => conv::max_pool2d_backward(
                            g,
                            from,
                            dx.as_slice_mut().expect("standard layout"),
                        ),
                        slot => {
                            let mut dx = ArrayD::zeros(IxDyn(nodes.shape(*input)));
                            conv::max_pool2d_backward(g, from, dx.as_slice_mut().expect("fresh"));
                            pass_on(slot, dx);
                        }
                    }
                }
            }
            // Each input pixel was copied to a factor×factor block: it gets the block's summed gradient.
            &Op::Upsample2d { input, factor } => {
                if wants(input) {
                    let g = image(g.view(), "upsample2d");
                    match &mut grads[input] {
                        Some(dx) if dx.is_standard_layout() => conv::upsample2d_backward(
                            g,
                            factor,
                            dx.as_slice_mut().expect("standard layout"),
                        ),
                        slot => {
                            let mut dx = ArrayD::zeros(IxDyn(nodes.shape(input)));
                            conv::upsample2d_backward(g, factor, dx.as_slice_mut().expect("fresh"));
                            pass_on(slot, dx);
                        }
                    }
                }
            }
        }
    }
}

/// The 2-D view of a value an op needs as a matrix; panics naming the op.
pub(crate) fn matrix<'a, T: Scalar>(v: ArrayViewD<'a, T>, op: &str) -> ndarray::ArrayView2<'a, T> {
    let shape = v.shape().to_vec();
    v.into_dimensionality::<Ix2>()
        .unwrap_or_else(|_| panic!("{op}: needs 2-D values, got shape {shape:?}"))
}

fn matrix_mut<T: Scalar>(v: &mut ArrayD<T>) -> ndarray::ArrayViewMut2<'_, T> {
    v.view_mut()
        .into_dimensionality::<Ix2>()
        .expect("a gradient has its value's shape")
}

/// The 4-D view of an NCHW batch or OIHW weights; panics naming the op.
pub(crate) fn image<'a, T: Scalar>(v: ArrayViewD<'a, T>, op: &str) -> ndarray::ArrayView4<'a, T> {
    let shape = v.shape().to_vec();
    v.into_dimensionality::<Ix4>()
        .unwrap_or_else(|_| panic!("{op}: needs 4-D values, got shape {shape:?}"))
}

fn image_mut<T: Scalar>(v: &mut ArrayD<T>) -> ndarray::ArrayViewMut4<'_, T> {
    v.view_mut()
        .into_dimensionality::<Ix4>()
        .expect("a gradient has its value's shape")
}

/// `g` in `shape` (the same entries in row-major order).
fn reshaped<T: Scalar>(g: ArrayD<T>, shape: &[usize]) -> ArrayD<T> {
    let g = if g.is_standard_layout() {
        g
    } else {
        g.as_standard_layout().into_owned()
    };
    g.into_shape_with_order(IxDyn(shape))
        .expect("a reshape keeps the number of entries")
}

/// The gradient of `a ± b`: `g` to each (negated for `b` when `subtract`),
/// summed over the axes along which that input was broadcast. When both need
/// it unreduced, `a` gets a copy and `b` the buffer itself.
fn spread<T: Scalar, N: Recorded<T> + ?Sized>(
    a: usize,
    b: usize,
    mut g: ArrayD<T>,
    nodes: &N,
    grads: &mut [Option<ArrayD<T>>],
    subtract: bool,
) {
    let wants = |i: usize| nodes.wants(i);
    let full_a = nodes.shape(a) == g.shape();
    let full_b = nodes.shape(b) == g.shape();
    let sign = |mut d: ArrayD<T>| {
        if subtract {
            d.mapv_inplace(|x| -x);
        }
        d
    };
    // Broadcast inputs first: they only read g.
    if wants(b) && !full_b {
        let part = sign(F::sum_to(g.view(), nodes.shape(b)));
        pass_on(&mut grads[b], part);
    }
    if wants(a) && !full_a {
        let part = F::sum_to(g.view(), nodes.shape(a));
        pass_on(&mut grads[a], part);
    }
    let (to_a, to_b) = (wants(a) && full_a, wants(b) && full_b);
    if to_a && to_b {
        add_or_set(&mut grads[a], || g.clone(), |da| *da += &g);
    } else if to_a {
        pass_on(&mut grads[a], g);
        return;
    }
    if to_b {
        if subtract {
            match &mut grads[b] {
                Some(db) => *db -= &g,
                slot @ None => {
                    g.mapv_inplace(|x| -x);
                    *slot = Some(g);
                }
            }
        } else {
            pass_on(&mut grads[b], g);
        }
    }
}

/// Adds `part` (the output's shape) to an input of `shape`, summed over the
/// axes along which the input was broadcast.
fn add_reduced<T: Scalar>(slot: &mut Option<ArrayD<T>>, part: ArrayD<T>, shape: &[usize]) {
    let part = if part.shape() == shape {
        part
    } else {
        F::sum_to(part.view(), shape)
    };
    pass_on(slot, part);
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
    slot: &mut Option<ArrayD<T>>,
    set: impl FnOnce() -> ArrayD<T>,
    add: impl FnOnce(&mut ArrayD<T>),
) {
    match slot {
        Some(d) => add(d),
        None => *slot = Some(set()),
    }
}

/// ∂input = g: the node's gradient buffer itself becomes the input's when it has none yet.
fn pass_on<T: Scalar>(slot: &mut Option<ArrayD<T>>, g: ArrayD<T>) {
    match slot {
        Some(d) => *d += &g,
        None => *slot = Some(g),
    }
}

/// ∂input = f(g, y) elementwise (y: the node's output or input); computed in
/// g's own buffer when the input has no gradient yet.
fn elementwise<T: Scalar>(
    slot: &mut Option<ArrayD<T>>,
    mut g: ArrayD<T>,
    y: ArrayViewD<T>,
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
