//! Data: the NIST36 `.mat` files and shuffled mini-batches.

pub mod augment;
mod batches;
pub mod emnist;
mod nist36;

pub use batches::{gather_rows, one_hot, shuffled_batches};
pub use nist36::{
    class_name, class_names, load_split, upright, Nist36, Split, IMAGE_SIDE, MISSING_DATA_HINT,
};
