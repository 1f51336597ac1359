//! The tape: an arena of nodes in creation order.
//!
//! Every node is created after its inputs, so creation order is already a
//! topological order: backward is one loop from the loss down to the first
//! node, with no sort and no hash map.

use crate::op::{Op, Recorded};
use crate::{ArcArrayD, Scalar, Var};
use ndarray::{ArcArray, Array, ArrayD, ArrayViewD, Dimension, IxDyn};
use std::cell::RefCell;

/// One value on the tape and how it was made.
pub(crate) struct Node<T> {
    /// Any rank (a matrix, an NCHW batch of images); shared so that
    /// parameters go onto the tape without being copied.
    pub(crate) value: ArcArrayD<T>,
    pub(crate) op: Op<T>,
    /// False for constants and for everything computed only from constants,
    /// so that backward never computes a gradient nobody asked for.
    pub(crate) requires_grad: bool,
}

/// How the backward rules in `op.rs` read the nodes recorded before theirs.
impl<T: Scalar> Recorded<T> for [Node<T>] {
    fn value(&self, i: usize) -> ArrayViewD<'_, T> {
        self[i].value.view()
    }
    fn shape(&self, i: usize) -> &[usize] {
        self[i].value.shape()
    }
    fn wants(&self, i: usize) -> bool {
        self[i].requires_grad
    }
}

/// What can become a value on the tape: an owned or shared array of any
/// rank. Owned arrays move, shared ones are not copied.
pub trait IntoValue<T> {
    fn into_value(self) -> ArcArrayD<T>;
}

impl<T: Scalar, D: Dimension> IntoValue<T> for Array<T, D> {
    fn into_value(self) -> ArcArrayD<T> {
        self.into_dyn().into_shared()
    }
}

impl<T: Scalar, D: Dimension> IntoValue<T> for ArcArray<T, D> {
    fn into_value(self) -> ArcArrayD<T> {
        self.into_dyn()
    }
}

impl<T: Scalar, D: Dimension> IntoValue<T> for &ArcArray<T, D> {
    fn into_value(self) -> ArcArrayD<T> {
        self.clone().into_dyn()
    }
}

/// Records a computation as it runs (define-by-run). Make one per training
/// step, or `clear()` it, so that memory does not grow across steps.
pub struct Tape<T: Scalar> {
    nodes: RefCell<Vec<Node<T>>>,
    /// (node, name) of every named parameter, so gradients can be looked up by name.
    names: RefCell<Vec<(usize, String)>>,
}

impl<T: Scalar> Default for Tape<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Scalar> Tape<T> {
    pub fn new() -> Self {
        Tape {
            // Room for a small model's step without regrowing.
            nodes: RefCell::new(Vec::with_capacity(16)),
            names: RefCell::new(Vec::with_capacity(8)),
        }
    }

    /// A value that needs no gradient (an input batch, a target).
    pub fn constant(&self, value: impl IntoValue<T>) -> Var<'_, T> {
        self.push(Op::Leaf, value.into_value(), false)
    }

    /// A value whose gradient `backward` will compute.
    pub fn leaf(&self, value: impl IntoValue<T>) -> Var<'_, T> {
        self.push(Op::Leaf, value.into_value(), true)
    }

    /// A named trainable value; `Gradients::named(name)` finds its gradient.
    /// The array is shared, not copied.
    pub fn param(&self, name: &str, value: &ArcArrayD<T>) -> Var<'_, T> {
        let var = self.push(Op::Leaf, value.clone(), true);
        self.names.borrow_mut().push((var.id(), name.to_string()));
        var
    }

    /// Number of nodes recorded so far.
    pub fn len(&self) -> usize {
        self.nodes.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every node but keeps the allocation, for the next step.
    pub fn clear(&mut self) {
        self.nodes.get_mut().clear();
        self.names.get_mut().clear();
    }

    /// Runs `forward` on the current node values and records the result.
    pub(crate) fn record(
        &self,
        op: Op<T>,
        forward: impl FnOnce(&[Node<T>]) -> ArrayD<T>,
    ) -> Var<'_, T> {
        self.record_shared(op, |nodes| forward(nodes).into_shared())
    }

    /// As `record`, for a result that may share an input's array (a reshape).
    pub(crate) fn record_shared(
        &self,
        op: Op<T>,
        forward: impl FnOnce(&[Node<T>]) -> ArcArrayD<T>,
    ) -> Var<'_, T> {
        let (value, requires_grad) = {
            let nodes = self.nodes.borrow();
            let value = forward(&nodes);
            let requires_grad = op
                .inputs()
                .as_slice()
                .iter()
                .any(|&i| nodes[i].requires_grad);
            (value, requires_grad)
        };
        self.push(op, value, requires_grad)
    }

    fn push(&self, op: Op<T>, value: ArcArrayD<T>, requires_grad: bool) -> Var<'_, T> {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node {
            value,
            op,
            requires_grad,
        });
        Var::new(self, nodes.len() - 1)
    }

    pub(crate) fn value(&self, id: usize) -> ArcArrayD<T> {
        self.nodes.borrow()[id].value.clone()
    }

    pub(crate) fn shape(&self, id: usize) -> Vec<usize> {
        self.nodes.borrow()[id].value.shape().to_vec()
    }

    /// Reverse-mode sweep from the single-element node `root` (a loss).
    pub(crate) fn backward(&self, root: usize) -> Gradients<T> {
        let nodes = self.nodes.borrow();
        let shape = nodes[root].value.shape();
        assert_eq!(
            nodes[root].value.len(),
            1,
            "backward: the loss must be a single number, got shape {shape:?}"
        );
        let mut grads: Vec<Option<ArrayD<T>>> = (0..=root).map(|_| None).collect();
        grads[root] = Some(ArrayD::ones(IxDyn(shape)));
        for i in (0..=root).rev() {
            let node = &nodes[i];
            if matches!(node.op, Op::Leaf) || !node.requires_grad {
                continue; // leaves keep their gradient; constants never get one
            }
            if let Some(g) = grads[i].take() {
                node.op
                    .backward(node.value.view(), g, nodes.as_slice(), &mut grads);
            }
        }
        Gradients {
            grads,
            names: self.names.borrow().clone(),
        }
    }
}

/// The gradients of one `backward()` call, for every leaf that needs one;
/// each has its leaf's shape.
pub struct Gradients<T> {
    grads: Vec<Option<ArrayD<T>>>,
    names: Vec<(usize, String)>,
}

impl<T: Scalar> Gradients<T> {
    /// ∂loss/∂var, or `None` when `var` does not influence the loss or is a constant.
    pub fn wrt(&self, var: Var<'_, T>) -> Option<&ArrayD<T>> {
        self.grads.get(var.id()).and_then(Option::as_ref)
    }

    /// The gradient of the parameter registered under `name` with `Tape::param`.
    pub fn named(&self, name: &str) -> Option<&ArrayD<T>> {
        let &(id, _) = self.names.iter().find(|(_, n)| n == name)?;
        self.grads.get(id).and_then(Option::as_ref)
    }

    /// Every named parameter's gradient, in the order the parameters were used.
    pub fn iter_named(&self) -> impl Iterator<Item = (&str, &ArrayD<T>)> {
        self.names.iter().filter_map(|(id, name)| {
            let g = self.grads.get(*id)?.as_ref()?;
            Some((name.as_str(), g))
        })
    }
}
