//! `gradink serve`: the local web page and its JSON API
//! (`gradink::serve`), until Ctrl-C.

use anyhow::{Context, Result};
use gradink::serve::{serve, Listening, ServeConfig};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Classifier to read with (an MLP or a CNN model file); default: the shipped reader, as `gradink ocr` uses.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port). Only this machine can connect unless you name another interface.
    #[arg(long, default_value = "127.0.0.1:8000")]
    pub addr: String,
    /// Requests served at once (worker threads).
    #[arg(long, default_value_t = 4)]
    pub threads: usize,
    /// Folder of sample photos the page offers; default: images/ (in the working folder, or beside the crate).
    #[arg(long)]
    pub images: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let defaults = ServeConfig::default();
    let cfg = ServeConfig {
        model: args.model.unwrap_or(defaults.model),
        addr: args.addr,
        threads: args.threads,
        images: args.images.unwrap_or(defaults.images),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let on_ctrl_c = Arc::clone(&stop);
    ctrlc::set_handler(move || on_ctrl_c.store(true, Ordering::SeqCst))
        .context("cannot install the Ctrl-C handler")?;
    serve(&cfg, &stop, &mut |l: &Listening| {
        println!(
            "gradink serve: reading with {} ({}), {} threads",
            cfg.model.display(),
            l.architecture,
            l.threads
        );
        println!(
            "gradink serve: listening on http://{}/ (Ctrl-C stops it)",
            l.addr
        );
        let _ = std::io::stdout().flush();
    })?;
    println!("gradink serve: stopped");
    Ok(())
}
