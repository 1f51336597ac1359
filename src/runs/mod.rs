//! The whole job of one command, callable from Rust: each file takes a
//! config (`Default` gives the command's defaults), does what its `gradink`
//! subcommand does (loading, the run, the files it writes) and returns what
//! the subcommand prints, so a program can do it without the binary. Nothing
//! here prints to stdout; progress comes back through callbacks.

pub mod ocr;
pub mod synth_pages;
