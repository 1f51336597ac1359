//! `Var`: a small copyable handle to a node on a tape, with the operators
//! that let models read like maths: `(x.matmul(w1) + b1).sigmoid()`.

use crate::functional as F;
use crate::op::Op;
use crate::tape::{Gradients, Tape};
use crate::Scalar;
use ndarray::{arr2, ArcArray2, Array2};
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

    /// The value (shared, not copied).
    pub fn value(self) -> ArcArray2<T> {
        self.tape.value(self.id)
    }

    /// (rows, columns).
    pub fn shape(self) -> (usize, usize) {
        self.tape.shape(self.id)
    }

    /// The single entry of a 1×1 value (a loss).
    pub fn item(self) -> T {
        let v = self.value();
        assert_eq!(
            v.dim(),
            (1, 1),
            "item: value has shape {:?}, not 1×1",
            v.shape()
        );
        v[[0, 0]]
    }

    /// Gradients of this 1×1 value with respect to every leaf that needs one.
    pub fn backward(self) -> Gradients<T> {
        self.tape.backward(self.id)
    }

    fn same_tape(self, other: Self, op: &str) {
        assert!(
            std::ptr::eq(self.tape, other.tape),
            "{op}: the two values live on different tapes"
        );
    }

    fn unary(self, op: Op<T>, f: impl FnOnce(ndarray::ArrayView2<T>) -> Array2<T>) -> Self {
        let id = self.id;
        self.tape.record(op, |n| f(n[id].value.view()))
    }

    fn binary(
        self,
        other: Self,
        name: &str,
        op: Op<T>,
        f: impl FnOnce(ndarray::ArrayView2<T>, ndarray::ArrayView2<T>) -> Array2<T>,
    ) -> Self {
        self.same_tape(other, name);
        let (a, b) = (self.id, other.id);
        self.tape
            .record(op, |n| f(n[a].value.view(), n[b].value.view()))
    }

    fn assert_same_shape(self, other: Self, op: &str) {
        assert_eq!(
            self.shape(),
            other.shape(),
            "{op}: shapes {:?} and {:?} differ",
            self.shape(),
            other.shape()
        );
    }

    /// Matrix product (N×K)·(K×M).
    pub fn matmul(self, other: Self) -> Self {
        self.binary(other, "matmul", Op::MatMul(self.id, other.id), |a, b| {
            F::matmul(a, b)
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
        self.unary(Op::Sum(self.id), |a| arr2(&[[a.sum()]]))
    }

    /// Mean of every entry, as a 1×1 value.
    pub fn mean(self) -> Self {
        self.unary(Op::Mean(self.id), |a| {
            arr2(&[[a.sum() / T::of(a.len().max(1) as f64)]])
        })
    }

    /// Row-wise softmax (row maximum subtracted first, so ±1000 stays finite).
    pub fn softmax(self) -> Self {
        self.unary(Op::Softmax(self.id), F::softmax)
    }

    /// Mean over rows of the cross-entropy between softmax(self) and the
    /// one-hot (or probability) rows of `targets`, as a 1×1 value.
    /// Fused: the gradient is simply (softmax − targets) / rows.
    pub fn softmax_cross_entropy(self, targets: impl Target<T>) -> Self {
        let logits = self.id;
        let targets = targets.into_shared();
        let (loss, probs) = F::softmax_cross_entropy(self.value().view(), targets.view());
        let op = Op::SoftmaxCrossEntropy {
            logits,
            probs,
            targets,
        };
        self.tape.record(op, |_| arr2(&[[loss]]))
    }

    /// Total squared error Σ (self − target)², as a 1×1 value.
    pub fn squared_error(self, target: impl Target<T>) -> Self {
        let pred = self.id;
        let target = target.into_shared();
        let loss = F::squared_error(self.value().view(), target.view());
        let op = Op::SquaredError { pred, target };
        self.tape.record(op, |_| arr2(&[[loss]]))
    }
}

/// What a loss compares against: a borrowed array, copied onto the tape, or
/// a value already shared, such as an autoencoder's input (`x.value()`),
/// which costs no copy.
pub trait Target<T> {
    fn into_shared(self) -> ArcArray2<T>;
}

impl<T: Scalar> Target<T> for &Array2<T> {
    fn into_shared(self) -> ArcArray2<T> {
        self.clone().into_shared()
    }
}

impl<T: Scalar> Target<T> for ArcArray2<T> {
    fn into_shared(self) -> ArcArray2<T> {
        self
    }
}

/// `a + b` for equal shapes, or with a 1×D row (a bias) broadcast over N×D.
impl<'t, T: Scalar> Add for Var<'t, T> {
    type Output = Var<'t, T>;
    fn add(self, rhs: Self) -> Self {
        let (a, b) = (self.shape(), rhs.shape());
        if a == b {
            self.binary(rhs, "add", Op::Add(self.id, rhs.id), |x, y| &x + &y)
        } else if a.0 == 1 && b.0 != 1 {
            rhs + self // put the broadcast row on the right
        } else {
            self.binary(rhs, "add", Op::AddRow(self.id, rhs.id), F::add_row)
        }
    }
}

impl<'t, T: Scalar> Sub for Var<'t, T> {
    type Output = Var<'t, T>;
    fn sub(self, rhs: Self) -> Self {
        self.assert_same_shape(rhs, "sub");
        self.binary(rhs, "sub", Op::Sub(self.id, rhs.id), |x, y| &x - &y)
    }
}

/// Elementwise product of two values of the same shape.
impl<'t, T: Scalar> Mul for Var<'t, T> {
    type Output = Var<'t, T>;
    fn mul(self, rhs: Self) -> Self {
        self.assert_same_shape(rhs, "mul");
        self.binary(rhs, "mul", Op::Mul(self.id, rhs.id), |x, y| &x * &y)
    }
}

impl<'t, T: Scalar> Neg for Var<'t, T> {
    type Output = Var<'t, T>;
    fn neg(self) -> Self {
        self.unary(Op::Neg(self.id), |a| a.mapv(|x| -x))
    }
}
