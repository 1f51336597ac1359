//! Helpers for the `gradink serve` tests: start the server binary on a free
//! port, a minimal HTTP/1.1 client over `TcpStream`, and a drawn "A".
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The repository root (the tests read images/ and models/ from it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A running `gradink serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    /// `127.0.0.1:PORT`, as the server printed it.
    pub addr: String,
}

impl Server {
    /// Starts the binary (`GRADINK_BIN` overrides the one cargo built, e.g.
    /// target/release/gradink for the load figures) on 127.0.0.1:0 and waits
    /// for the address it prints.
    pub fn start(extra: &[&str]) -> Server {
        let bin =
            std::env::var("GRADINK_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_gradink").into());
        let mut child = Command::new(bin)
            .current_dir(root())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start gradink serve");
        let stdout = child.stdout.take().expect("piped");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the server printed its address before exiting")
                .expect("stdout is UTF-8");
            if let Some(rest) = line.split("listening on http://").nth(1) {
                break rest.split('/').next().expect("an address").to_string();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Server { child, addr }
    }

    pub fn get(&self, path: &str) -> Reply {
        request(&self.addr, "GET", path, &[], b"").expect("GET answered")
    }

    pub fn post(&self, path: &str, content_type: &str, body: &[u8]) -> Reply {
        request(
            &self.addr,
            "POST",
            path,
            &[("Content-Type", content_type)],
            body,
        )
        .expect("POST answered")
    }

    /// Whether the server process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Peak resident memory of the server so far, in MB (Linux /proc).
    pub fn peak_rss_mb(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request on its own connection (`Connection: close`); `path` is sent
/// as it is, so tests can send paths a browser would normalise.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" || method == "PUT" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    // A server may answer (413) before reading a large body and close: the
    // answer is still there to read.
    let _ = stream.write_all(body);
    // Read up to the end of the body the headers announce (some servers,
    // chromedriver among them, keep the connection open after it).
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        if complete(&raw) {
            break;
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    parse(&raw)
}

/// Whether `raw` holds a whole answer: headers, then Content-Length bytes or
/// a last chunk.
fn complete(raw: &[u8]) -> bool {
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let body = &raw[end + 4..];
    if head.contains("transfer-encoding: chunked") || head.contains("transfer-encoding:chunked") {
        return body.ends_with(b"0\r\n\r\n");
    }
    let length = head.lines().find_map(|l| {
        l.strip_prefix("content-length:")
            .and_then(|v| v.trim().parse::<usize>().ok())
    });
    length.is_some_and(|n| body.len() >= n)
}

fn parse(raw: &[u8]) -> std::io::Result<Reply> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body).ok_or_else(|| bad("bad chunked body"))?;
    } else if let Some(n) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(n);
    }
    Ok(Reply {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// An "A" drawn like on the page's 280×280 canvas (black, 16 px pen, on
/// white), as PNG bytes.
pub fn drawn_a_png() -> Vec<u8> {
    let strokes: [&[(f32, f32)]; 2] = [
        &[(70.0, 240.0), (140.0, 35.0), (210.0, 240.0)],
        &[(102.0, 160.0), (178.0, 160.0)],
    ];
    drawing_png(&strokes)
}

/// Strokes (polylines in a 280×280 canvas) drawn with a round 16 px pen, as PNG.
pub fn drawing_png(strokes: &[&[(f32, f32)]]) -> Vec<u8> {
    let mut img = image::GrayImage::from_pixel(280, 280, image::Luma([255]));
    let radius = 8.0f32;
    for stroke in strokes {
        for pair in stroke.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            let steps = ((x1 - x0).hypot(y1 - y0) as usize).max(1);
            for s in 0..=steps {
                let t = s as f32 / steps as f32;
                let (cx, cy) = (x0 + t * (x1 - x0), y0 + t * (y1 - y0));
                for y in (cy - radius) as i32..=(cy + radius) as i32 {
                    for x in (cx - radius) as i32..=(cx + radius) as i32 {
                        let inside = (x as f32 - cx).hypot(y as f32 - cy) <= radius;
                        if inside && (0..280).contains(&x) && (0..280).contains(&y) {
                            img.put_pixel(x as u32, y as u32, image::Luma([0]));
                        }
                    }
                }
            }
        }
    }
    png_bytes(&image::DynamicImage::ImageLuma8(img))
}

pub fn png_bytes(image: &image::DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode PNG");
    out
}

/// A valid PNG header claiming `width × height` pixels with a few bytes of
/// data: a decompression bomb's opening, which must be refused from its header.
pub fn bomb_png(width: u32, height: u32) -> Vec<u8> {
    let mut png = png_bytes(&image::DynamicImage::ImageLuma8(image::GrayImage::new(
        8, 8,
    )));
    // Signature (8) + IHDR length (4) + "IHDR" (4): width and height follow.
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&png[12..29]);
    png[29..33].copy_from_slice(&crc.sum().to_be_bytes());
    png
}
