//! The autodiff engine: the tape, `Var`, the op enum with its backward rules,
//! the forward maths (`functional`) and the gradient check. It knows nothing
//! of layers, models or data; the speed code it calls lives in `crate::kernels`.

pub mod conv;
pub mod functional;
pub mod gradcheck;
pub(crate) mod op;
pub(crate) mod scalar;
pub(crate) mod tape;
pub(crate) mod var;
