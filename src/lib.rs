//! gradink: a small reverse-mode autodiff engine (a define-by-run tape over
//! ndarray tensors) and the handwriting recogniser built on it.
//!
//! ```
//! use gradink::Tape;
//! use ndarray::array;
//!
//! let tape = Tape::<f64>::new();
//! let x = tape.leaf(array![[2.0]]);
//! let y = (x * x + x).sum(); // y = x² + x
//! let grads = y.backward();
//! assert_eq!(grads.wrt(x).unwrap()[[0, 0]], 5.0); // dy/dx = 2x + 1
//! ```

pub mod engine;
pub mod error;
pub mod kernels;

pub use engine::{conv, functional, gradcheck};
pub(crate) use engine::{op, scalar, tape, var};
pub use error::Error;
pub use kernels::{fast_exp, subnormals};
/// A shared array of any rank: what every value on the tape is.
pub type ArcArrayD<T> = ndarray::ArcArray<T, ndarray::IxDyn>;
pub use scalar::Scalar;
pub use tape::{Gradients, IntoValue, Tape};
pub use var::{Target, Var};
pub mod ae_recipe;
pub mod autoencoder_figures;
pub mod classifier_figures;
pub mod data;
pub mod fsutil;
pub mod interrupt;
pub mod keep_better;
pub mod memory;
pub mod models;
pub mod nn;
pub mod ocr;
pub mod options;
pub mod plot;
pub mod report;
pub mod repository;
pub mod runs;
#[cfg(feature = "serve")]
pub mod serve;
pub mod train;
pub mod train_autoencoder;
pub mod train_cnn;
