//! The whole job of one `gradink` command, callable from Rust: choosing and
//! loading the data, training, scoring, and writing the model, summary and
//! figures into the output folder. The binary only turns its arguments into
//! these configs, calls one function and prints; a run reports what it is
//! doing through a callback ([`Event`]) and prints nothing to stdout.

pub mod autoencoder;
pub mod data_choice;

use crate::error::Result;
use crate::train::Progress;
use std::path::{Path, PathBuf};

/// What a run reports while it works (the binary draws progress bars from it).
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// The data folder the run reads, and why that one.
    Data { dir: &'a Path, why: &'a str },
    /// A model starts training: `epochs` epochs of `batches` batches each.
    Training {
        label: &'a str,
        epochs: usize,
        batches: usize,
    },
    /// One batch of the model in training is done.
    Batch(Progress),
    /// The model in training has finished (or stopped).
    Trained,
}

/// The NIST36 folder to read ([`data_choice::nist36_dir`]), reported as an
/// [`Event::Data`].
pub(crate) fn nist36_dir(given: Option<&Path>, on_event: &mut dyn FnMut(Event)) -> Result<PathBuf> {
    let choice = data_choice::nist36_dir(given)?;
    on_event(Event::Data {
        dir: &choice.dir,
        why: choice.why,
    });
    Ok(choice.dir)
}
