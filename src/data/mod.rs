//! Data: the NIST36 `.mat` files and shuffled mini-batches, gathered ahead
//! of training.

pub mod augment;
mod batches;
pub mod choice;
pub mod emnist;
mod loader;
mod matv5;
mod nist36;

pub use matv5::{INFLATE_RATIO, INFLATE_SLACK, MAX_FILE_BYTES};

pub use batches::{gather_rows, one_hot, shuffled_batches};
pub use loader::for_each_batch;
pub use nist36::{
    class_name, class_names, load_split, same_classes, upright, Nist36, Split, IMAGE_SIDE,
    MISSING_DATA_HINT, PIXEL_RANGE,
};
