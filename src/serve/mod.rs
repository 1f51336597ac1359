//! `gradink serve`: a local web page to draw a character and see the
//! classifier read it, or drop a photo and see the OCR's boxes and text, and
//! the small JSON API behind it (cargo feature `serve`). The server only
//! translates HTTP to library calls (`crate::ocr`); a fixed pool of worker
//! threads answers requests, so at most `threads` requests are read and
//! decoded at once.

mod assets;
mod http;
mod routes;

use crate::error::{Error, Result};
use crate::ocr::load_classifier;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The model, the address and the sample photos of one server.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// The classifier to read with (MLP, CNN or ensemble); default: the shipped reader.
    pub model: PathBuf,
    /// Where to listen (port 0 picks a free port).
    pub addr: String,
    /// Requests served at once (worker threads), clamped to 1–64.
    pub threads: usize,
    /// The folder of sample photos the page offers.
    pub images: PathBuf,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            model: crate::repository::default_model(),
            addr: "127.0.0.1:8000".into(),
            threads: 4,
            images: crate::data::choice::in_repository(crate::repository::SAMPLE_PHOTOS),
        }
    }
}

/// A server ready for requests: where it listens and what it reads with.
#[derive(Clone, Debug)]
pub struct Listening {
    pub addr: SocketAddr,
    /// The model's architecture ("mlp", "cnn" or "cnn-ensemble").
    pub architecture: &'static str,
    pub threads: usize,
}

/// Serves until `stop` is set (e.g. by a Ctrl-C handler), calling
/// `listening` once the socket is bound.
pub fn serve(
    cfg: &ServeConfig,
    stop: &AtomicBool,
    listening: &mut dyn FnMut(&Listening),
) -> Result<()> {
    let model = load_classifier(&cfg.model).map_err(|e| e.during("cannot load the classifier"))?;
    let threads = cfg.threads.clamp(1, 64);
    let state = routes::State {
        model,
        model_file: cfg
            .model
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        images: cfg.images.clone(),
    };
    let server = tiny_http::Server::http(&cfg.addr)
        .map_err(|e| Error::Server(format!("cannot listen on {}: {e}", cfg.addr)))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Error::Server("the server is not on an IP address".into()))?;
    listening(&Listening {
        addr,
        architecture: state.model.architecture(),
        threads,
    });
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| worker(&server, &state, stop));
        }
    });
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
