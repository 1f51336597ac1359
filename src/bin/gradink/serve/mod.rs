//! `gradink serve`: a local web page to draw a character and see the
//! classifier read it, or drop a photo and see the OCR's boxes and text, and
//! the small JSON API behind it. The server only translates HTTP to library
//! calls (`gradink::ocr`); a fixed pool of worker threads answers requests,
//! so at most `--threads` requests are read and decoded at once.

mod assets;
mod http;
mod routes;

use anyhow::{anyhow, Context, Result};
use gradink::ocr::load_classifier;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

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
    let model_path = args.model.clone().unwrap_or_else(super::ocr::default_model);
    let model = load_classifier(&model_path).context("cannot load the classifier")?;
    let images = args.images.clone().unwrap_or_else(default_images);
    let threads = args.threads.clamp(1, 64);
    let state = Arc::new(routes::State {
        model,
        model_file: model_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        images,
    });
    let server = tiny_http::Server::http(&args.addr)
        .map_err(|e| anyhow!("cannot listen on {}: {e}", args.addr))?;
    let server = Arc::new(server);
    let addr = server
        .server_addr()
        .to_ip()
        .context("the server is not on an IP address")?;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))
            .context("cannot install the Ctrl-C handler")?;
    }
    println!(
        "gradink serve: reading with {} ({}), {threads} threads",
        model_path.display(),
        state.model.architecture()
    );
    println!("gradink serve: listening on http://{addr}/ (Ctrl-C stops it)");
    std::io::stdout().flush()?;

    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (server, state, stop) =
                (Arc::clone(&server), Arc::clone(&state), Arc::clone(&stop));
            std::thread::spawn(move || worker(&server, &state, &stop))
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    println!("gradink serve: stopped");
    Ok(())
}

/// Answers requests until `stop` is set; a panic in one request is caught
/// (that request gets tiny_http's 500) and the worker goes on.
fn worker(server: &tiny_http::Server, state: &routes::State, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        match server.recv_timeout(Duration::from_millis(200)) {
            Ok(Some(request)) => {
                let answered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    routes::handle(state, request)
                }));
                if answered.is_err() {
                    eprintln!("gradink serve: a request panicked; still serving");
                }
            }
            Ok(None) => {}
            Err(e) => {
                eprintln!("gradink serve: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// The sample photos: images/ in the working folder, else beside the crate.
fn default_images() -> PathBuf {
    gradink::data::choice::in_repository("images")
}
