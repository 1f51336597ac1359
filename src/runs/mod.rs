//! The whole job of one `gradink` command, callable from Rust: choose and
//! load the data, run, write the files (models, summaries, figures) and
//! return what the command prints. The binary only turns its arguments into
//! these configs (each has the command's defaults as `Default`), calls one
//! function and prints the outcome; progress comes back as [`event::Event`]s
//! or through a callback. Nothing here prints to stdout.

pub mod autoencoder;
pub mod event;
pub mod ocr;
pub mod synth_pages;

use crate::data::choice::{self, DataChoice};
use crate::error::Result;
use event::Event;
use std::path::{Path, PathBuf};

/// The NIST36 folder a run reads ([`choice::nist36_dir`]), told to the
/// caller as [`Event::Data`] before anything is loaded from it.
pub(crate) fn nist36_dir(given: Option<&Path>, on_event: &mut dyn FnMut(Event)) -> Result<PathBuf> {
    let choice: DataChoice = choice::nist36_dir(given)?;
    on_event(Event::Data(&choice));
    Ok(choice.dir)
}
