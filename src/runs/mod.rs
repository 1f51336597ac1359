//! The whole job of one `gradink` command, callable from Rust: choose and
//! load the data, run, write the files (models, summaries, figures) and
//! return what the command prints. The binary only turns its arguments into
//! these configs (each has the command's defaults as `Default`), calls one
//! function and prints the outcome; progress comes back as [`event::Event`]s
//! or through a callback. Nothing here prints to stdout.

pub mod autoencoder;
pub mod evaluate;
pub mod event;
pub mod gradcheck;
pub mod ocr;
pub mod report;
pub mod sweep;
pub mod synth_pages;
pub mod train;
