//! The data folder of the subcommands not yet moved into `gradink::runs`
//! (which report it through `runs::Event::Data` instead): the library's
//! choice, named on stdout.

pub use gradink::runs::data_choice::in_repository;
use std::path::{Path, PathBuf};

/// The folder to read (`given`, else the default), after printing one line
/// to stdout naming it and why it was chosen.
pub fn nist36_dir(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let choice = gradink::runs::data_choice::nist36_dir(given)?;
    println!("data: {} ({})", choice.dir.display(), choice.why);
    Ok(choice.dir)
}
