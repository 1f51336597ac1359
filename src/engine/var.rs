//! `Var`: a small copyable handle to a node on a tape, with the operators
//! that let models read like maths: `(x.matmul(w1) + b1).sigmoid()`, or
//! `x.conv2d(w, 1, 1).relu().max_pool2d(2, 2)`.

use crate::conv;
use crate::functional as F;
use crate::op::{image, matrix, Op};
use crate::tape::{Gradients, Node, Tape};
use crate::{ArcArrayD, Scalar};
use ndarray::{arr2, ArcArray2, Array, ArrayD, ArrayViewD, Axis, Dimension, IxDyn};
use rand::{Rng, SeedableRng};
use std::ops::{Add, Mul, Neg, Sub};

/// A value on a tape. Copying a `Var` copies the handle, not the array.
pub struct Var<'t, T: Scalar> {
    tape: &'t Tape<T>,
    id: usize,
}

impl<T: Scalar> Clone for Var<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Scalar> Copy for Var<'_, T> {}

impl<'t, T: Scalar> Var<'t, T> {
    pub(crate) fn new(tape: &'t Tape<T>, id: usize) -> Self {
        Var { tape, id }
    }

    /// Position on the tape (creation order).
    pub fn id(self) -> usize {
        self.id
    }

    /// The tape this value lives on.
    pub fn tape(self) -> &'t Tape<T> {
        self.tape
    }

    /// The value, of any rank (shared, not copied).
    pub fn value(self) -> ArcArrayD<T> {
        self.tape.value(self.id)
    }

    /// The value of a 2-D node as a matrix (shared, not copied); panics
    /// naming the shape otherwise.
    pub fn matrix(self) -> ArcArray2<T> {
        let v = self.value();
        let shape = v.shape().to_vec();
        v.into_dimensionality()
            .unwrap_or_else(|_| panic!("matrix: value has shape {shape:?}, not 2-D"))
    }

    /// The sizes of every axis.
    pub fn shape(self) -> Vec<usize> {
        self.tape.shape(self.id)
    }

    /// The single entry of a one-element value (a loss).
    pub fn item(self) -> T {
        let v = self.value();
        assert_eq!(
            v.len(),
            1,
            "item: value has shape {:?}, not a single number",
            v.shape()
        );
        v.iter().next().copied().unwrap_or_else(T::zero)
    }

    /// Gradients of this one-element value with respect to every leaf that needs one.
    pub fn backward(self) -> Gradients<T> {
        self.tape.backward(self.id)
    }

    fn same_tape(self, other: Self, op: &str) {
        assert!(
            std::ptr::eq(self.tape, other.tape),
            "{op}: the two values live on different tapes"
        );
    }

    fn unary(self, op: Op<T>, f: impl FnOnce(ArrayViewD<T>) -> ArrayD<T>) -> Self {
        let id = self.id;
        self.tape.record(op, |n| f(n[id].value.view()))
    }

    fn binary(
        self,
        other: Self,
        name: &str,
        op: Op<T>,
        f: impl FnOnce(ArrayViewD<T>, ArrayViewD<T>) -> ArrayD<T>,
    ) -> Self {
        self.same_tape(other, name);
        let (a, b) = (self.id, other.id);
        self.tape
            .record(op, |n: &[Node<T>]| f(n[a].value.view(), n[b].value.view()))
    }

    /// Matrix product (N×K)·(K×M) of two 2-D values.
    pub fn matmul(self, other: Self) -> Self {
        self.binary(other, "matmul", Op::MatMul(self.id, other.id), |a, b| {
            F::matmul(matrix(a, "matmul"), matrix(b, "matmul")).into_dyn()
        })
    }

    /// Multiplies every entry by the constant `k`.
    pub fn scale(self, k: f64) -> Self {
        let k = T::of(k);
        self.unary(Op::Scale(self.id, k), |a| a.mapv(|x| x * k))
    }

    pub fn sigmoid(self) -> Self {
        self.unary(Op::Sigmoid(self.id), F::sigmoid)
    }

    pub fn tanh(self) -> Self {
        self.unary(Op::Tanh(self.id), |a| a.mapv(T::tanh))
    }

    pub fn relu(self) -> Self {
        self.unary(Op::Relu(self.id), F::relu)
    }

    pub fn exp(self) -> Self {
        self.unary(Op::Exp(self.id), |a| a.mapv(T::exp))
    }

    pub fn log(self) -> Self {
        self.unary(Op::Log(self.id), |a| a.mapv(T::ln))
    }

    /// Sum of every entry, as a 1×1 value.
    pub fn sum(self) -> Self {
        self.unary(Op::Sum(self.id), |a| arr2(&[[a.sum()]]).into_dyn())
    }

    /// Mean of every entry, as a 1×1 value.
    pub fn mean(self) -> Self {
        self.unary(Op::Mean(self.id), |a| {
            arr2(&[[a.sum() / T::of(a.len().max(1) as f64)]]).into_dyn()
        })
    }

    fn check_axis(self, axis: usize, op: &str) {
        let shape = self.shape();
        assert!(
            axis < shape.len(),
            "{op}: axis {axis} does not exist in shape {shape:?}"
        );
    }

    /// Sum over `axis`, which the result no longer has (as NumPy's `sum(axis=…)`).
    pub fn sum_axis(self, axis: usize) -> Self {
        self.check_axis(axis, "sum_axis");
        self.unary(Op::SumAxis(self.id, axis), |a| a.sum_axis(Axis(axis)))
    }

    /// Mean over `axis`, which the result no longer has.
    pub fn mean_axis(self, axis: usize) -> Self {
        self.check_axis(axis, "mean_axis");
        self.unary(Op::MeanAxis(self.id, axis), |a| {
            let n = T::of(a.len_of(Axis(axis)).max(1) as f64);
            a.sum_axis(Axis(axis)).mapv(|x| x / n)
        })
    }

    /// The same entries (row-major order) in `shape`; no copy when the value
    /// is contiguous. Panics naming both shapes when the counts differ.
    pub fn reshape(self, shape: &[usize]) -> Self {
        let from = self.shape();
        assert_eq!(
            from.iter().product::<usize>(),
            shape.iter().product::<usize>(),
            "reshape: shape {from:?} cannot become {shape:?} (different number of entries)"
        );
        let id = self.id;
        self.tape.record_shared(Op::Reshape(id), |n| {
            let v = &n[id].value;
            let v = if v.is_standard_layout() {
                v.clone()
            } else {
                v.as_standard_layout().into_owned().into_shared()
            };
            v.into_shape_with_order(IxDyn(shape))
                .expect("counts checked above")
        })
    }

    /// (N, everything else): an NCHW batch as the rows of a matrix.
    pub fn flatten(self) -> Self {
        let shape = self.shape();
        let n = shape.first().copied().unwrap_or(1);
        let rest = shape.iter().skip(1).product();
        self.reshape(&[n, rest])
    }

    /// Row-wise softmax of a 2-D value (row maximum subtracted first, so
    /// ±1000 stays finite).
    pub fn softmax(self) -> Self {
        self.unary(Op::Softmax(self.id), |a| {
            F::softmax(matrix(a, "softmax")).into_dyn()
        })
    }

    /// Mean over rows of the cross-entropy between softmax(self) and the
    /// one-hot (or probability) rows of `targets`, as a 1×1 value.
    /// Fused: the gradient is simply (softmax − targets) / rows.
    pub fn softmax_cross_entropy(self, targets: impl Target<T>) -> Self {
        let logits = self.id;
        let targets: ArcArray2<T> = {
            let t = targets.into_shared();
            let shape = t.shape().to_vec();
            t.into_dimensionality().unwrap_or_else(|_| {
                panic!("softmax_cross_entropy: targets of shape {shape:?} are not 2-D")
            })
        };
        let value = self.value();
        let (loss, probs) = F::softmax_cross_entropy(
            matrix(value.view(), "softmax_cross_entropy"),
            targets.view(),
        );
        let op = Op::SoftmaxCrossEntropy {
            logits,
            probs,
            targets,
        };
        self.tape.record(op, |_| arr2(&[[loss]]).into_dyn())
    }

    /// Total squared error Σ (self − target)², as a 1×1 value.
    pub fn squared_error(self, target: impl Target<T>) -> Self {
        let pred = self.id;
        let target = target.into_shared();
        let loss = F::squared_error(self.value().view(), target.view());
        let op = Op::SquaredError { pred, target };
        self.tape.record(op, |_| arr2(&[[loss]]).into_dyn())
    }

    /// Convolution (cross-correlation) of an NCHW batch with OIHW weights,
    /// every `stride` pixels, with `padding` zeros on each side: (N, O, Ho, Wo).
    pub fn conv2d(self, weight: Self, stride: usize, padding: usize) -> Self {
        let op = Op::Conv2d {
            input: self.id,
            weight: weight.id,
            stride,
            padding,
        };
        self.binary(weight, "conv2d", op, |x, w| {
            conv::conv2d(image(x, "conv2d"), image(w, "conv2d"), stride, padding).into_dyn()
        })
    }

    /// The maximum of every `kernel`×`kernel` window, every `stride` pixels,
    /// of an NCHW batch (a last partial window is dropped, as in PyTorch).
    pub fn max_pool2d(self, kernel: usize, stride: usize) -> Self {
        let value = self.value();
        let (out, from) = conv::max_pool2d(image(value.view(), "max_pool2d"), kernel, stride);
        let op = Op::MaxPool2d {
            input: self.id,
            from,
        };
        self.tape.record(op, |_| out.into_dyn())
    }

    /// Nearest-neighbour upsampling of an NCHW batch by an integer `factor`:
    /// (N, C, H, W) → (N, C, H·factor, W·factor), every pixel repeated as a
    /// factor×factor block. Backward sums each block's gradient.
    pub fn upsample2d(self, factor: usize) -> Self {
        self.unary(
            Op::Upsample2d {
                input: self.id,
                factor,
            },
            |x| conv::upsample2d(image(x, "upsample2d"), factor).into_dyn(),
        )
    }

    /// Inverted dropout: while `training`, each entry is zeroed with
    /// probability `p` and the others scaled by 1/(1 − p), drawn from `seed`;
    /// otherwise the value itself. Backward is the product with the same mask.
    pub fn dropout(self, p: f64, seed: u64, training: bool) -> Self {
        assert!(
            (0.0..1.0).contains(&p),
            "dropout: the probability {p} is not in [0, 1)"
        );
        if !training || p == 0.0 {
            return self;
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let keep = T::of(1.0 / (1.0 - p));
        let mask = ArrayD::from_shape_simple_fn(IxDyn(&self.shape()), || {
            if rng.random::<f64>() < p {
                T::zero()
            } else {
                keep
            }
        });
        self * self.tape.constant(mask)
    }
}

/// What a loss compares against: a borrowed array, copied onto the tape, or
/// a value already shared, such as an autoencoder's input (`x.value()`),
/// which costs no copy.
pub trait Target<T> {
    fn into_shared(self) -> ArcArrayD<T>;
}

impl<T: Scalar, D: Dimension> Target<T> for &Array<T, D> {
    fn into_shared(self) -> ArcArrayD<T> {
        self.clone().into_dyn().into_shared()
    }
}

impl<T: Scalar, D: Dimension> Target<T> for ndarray::ArcArray<T, D> {
    fn into_shared(self) -> ArcArrayD<T> {
        self.into_dyn()
    }
}

/// `a + b` with NumPy broadcasting (a bias row over a batch, a per-channel
/// bias (1, C, 1, 1) over NCHW images).
impl<'t, T: Scalar> Add for Var<'t, T> {
    type Output = Var<'t, T>;
    fn add(self, rhs: Self) -> Self {
        self.binary(rhs, "add", Op::Add(self.id, rhs.id), |x, y| {
            F::broadcast_zip(x, y, "add", |a, b| a + b)
        })
    }
}

/// `a − b` with NumPy broadcasting.
impl<'t, T: Scalar> Sub for Var<'t, T> {
    type Output = Var<'t, T>;
    fn sub(self, rhs: Self) -> Self {
        self.binary(rhs, "sub", Op::Sub(self.id, rhs.id), |x, y| {
            F::broadcast_zip(x, y, "sub", |a, b| a - b)
        })
    }
}

/// Elementwise product with NumPy broadcasting.
impl<'t, T: Scalar> Mul for Var<'t, T> {
    type Output = Var<'t, T>;
    fn mul(self, rhs: Self) -> Self {
        self.binary(rhs, "mul", Op::Mul(self.id, rhs.id), |x, y| {
            F::broadcast_zip(x, y, "mul", |a, b| a * b)
        })
    }
}

impl<'t, T: Scalar> Neg for Var<'t, T> {
    type Output = Var<'t, T>;
    fn neg(self) -> Self {
        self.unary(Op::Neg(self.id), |a| a.mapv(|x| -x))
    }
}
