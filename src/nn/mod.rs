//! Building blocks for models: initialisation, layers, named parameters,
//! optimisers and metrics.

mod adam;
mod dtype;
mod gradient_sum;
mod init;
mod linear;
mod metrics;
mod momentum;
mod optim;
mod param_store;

pub use adam::Adam;
pub use gradient_sum::sum_by_name;
pub use init::xavier_uniform;
pub use linear::Linear;
pub use metrics::{accuracy, confusion_matrix, top_confusions, Confusion};
pub use momentum::Momentum;
pub use optim::{Optimizer, Sgd};
pub use param_store::{HasParams, ParamStore, ARCHITECTURE_KEY};
