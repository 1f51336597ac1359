//! Load test for `gradink serve`: 200 requests from 8 concurrent clients,
//! mixing drawn characters, reads of images/04_deep.jpg and bad uploads,
//! against a server on 127.0.0.1. Every request must be answered as
//! expected and the server must stay up; it prints the median and 95th
//! percentile latency of a character read and of a 04_deep read, and the
//! server's peak RSS (docs/serve.md). Ignored by plain `cargo test`; CI runs
//!
//! ```sh
//! cargo test --test serve_load -- --ignored --nocapture
//! ```
//!
//! (`GRADINK_BIN=target/release/gradink` in front measures a release server.)
#![cfg(feature = "serve")]

mod serve_common;

use serve_common::{bomb_png, drawn_a_png, request, root, Server};
use std::sync::Arc;
use std::time::Instant;

const CLIENTS: usize = 8;
const PER_CLIENT: usize = 25;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Char,
    Photo,
    Bad,
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}

#[test]
#[ignore = "load test (about 30 s): cargo test --test serve_load -- --ignored --nocapture"]
fn two_hundred_mixed_requests_from_eight_clients() {
    let mut server = Server::start(&["--threads", "4"]);
    let photo = Arc::new(std::fs::read(root().join("images/04_deep.jpg")).unwrap());
    let char_png = Arc::new(drawn_a_png());
    let bad: Arc<Vec<(&str, Vec<u8>, u16)>> = Arc::new(vec![
        ("text/plain", b"not an image at all".to_vec(), 415),
        ("image/jpeg", photo[..2000].to_vec(), 0),
        ("image/png", bomb_png(30_000, 30_000), 422),
        ("image/png", char_png[..char_png.len() / 2].to_vec(), 422),
    ]);
    let addr = server.addr.clone();
    let start = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (addr, photo, char_png, bad) =
                (addr.clone(), photo.clone(), char_png.clone(), bad.clone());
            std::thread::spawn(move || {
                let mut timings = Vec::new();
                for i in 0..PER_CLIENT {
                    let n = c * PER_CLIENT + i;
                    // Of every 8 requests: 4 characters, 2 photos, 2 bad uploads.
                    let kind = match n % 8 {
                        0 | 2 | 4 | 6 => Kind::Char,
                        1 | 5 => Kind::Photo,
                        _ => Kind::Bad,
                    };
                    let t = Instant::now();
                    let (reply, want) = match kind {
                        Kind::Char => (
                            request(
                                &addr,
                                "POST",
                                "/api/classify",
                                &[("Content-Type", "image/png")],
                                &char_png,
                            ),
                            200,
                        ),
                        Kind::Photo => (
                            request(
                                &addr,
                                "POST",
                                "/api/ocr",
                                &[("Content-Type", "image/jpeg")],
                                &photo,
                            ),
                            200,
                        ),
                        Kind::Bad => {
                            let (kind, body, status) = &bad[n % bad.len()];
                            (
                                request(&addr, "POST", "/api/ocr", &[("Content-Type", kind)], body),
                                *status,
                            )
                        }
                    };
                    let seconds = t.elapsed().as_secs_f64();
                    let reply = reply
                        .unwrap_or_else(|e| panic!("request {n} ({kind:?}) not answered: {e}"));
                    if want == 0 {
                        // A JPEG cut short: read as far as it goes, or refused.
                        assert!(reply.status == 200 || (400..500).contains(&reply.status));
                    } else {
                        assert_eq!(
                            reply.status,
                            want,
                            "request {n} ({kind:?}): {}",
                            reply.text()
                        );
                    }
                    match kind {
                        Kind::Char => assert_eq!(reply.json()["top"][0]["class"], "A"),
                        Kind::Photo => {
                            assert_eq!(reply.json()["boxes"].as_array().unwrap().len(), 41)
                        }
                        Kind::Bad => {
                            assert!(reply.status == 200 || reply.json()["error"].is_string())
                        }
                    }
                    timings.push((kind, seconds));
                }
                timings
            })
        })
        .collect();
    let mut timings = Vec::new();
    for c in clients {
        timings.extend(c.join().expect("a client failed"));
    }
    let wall = start.elapsed().as_secs_f64();
    assert_eq!(timings.len(), CLIENTS * PER_CLIENT);
    assert!(server.alive(), "the server died under load");
    assert_eq!(
        server.get("/api/model").status,
        200,
        "still serving afterwards"
    );
    let peak = server.peak_rss_mb().unwrap_or(f64::NAN);
    let stats = |k: Kind| {
        let mut v: Vec<f64> = timings
            .iter()
            .filter(|t| t.0 == k)
            .map(|t| 1000.0 * t.1)
            .collect();
        v.sort_by(f64::total_cmp);
        (v.len(), percentile(&v, 0.5), percentile(&v, 0.95))
    };
    let (nc, cm, c95) = stats(Kind::Char);
    let (np, pm, p95) = stats(Kind::Photo);
    let (nb, bm, b95) = stats(Kind::Bad);
    println!(
        "serve load: {} requests from {CLIENTS} clients in {wall:.1} s, all answered; server --threads 4",
        timings.len()
    );
    println!("  character read (POST /api/classify): n={nc}, median {cm:.1} ms, p95 {c95:.1} ms");
    println!("  images/04_deep.jpg (POST /api/ocr):  n={np}, median {pm:.1} ms, p95 {p95:.1} ms");
    println!("  bad uploads:                          n={nb}, median {bm:.1} ms, p95 {b95:.1} ms");
    println!("  server peak RSS: {peak:.0} MB");
    assert!(wall < 300.0, "the load test took {wall:.0} s");
    assert!(peak.is_nan() || peak < 2048.0, "peak RSS {peak:.0} MB");
}
