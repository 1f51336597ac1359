//! HTTP helpers: bounded bodies, JSON answers, one-sentence JSON errors,
//! query strings.

use std::io::{Cursor, Read};
use tiny_http::{Header, Request, Response};

/// The largest body a request may carry.
pub const MAX_BODY: u64 = 40 * 1024 * 1024;

pub type Reply = Response<Cursor<Vec<u8>>>;

/// A request that cannot be answered: an HTTP status and one sentence.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header")
}

/// `data` with its content type; never cached, never sniffed.
pub fn bytes(status: u16, content_type: &str, data: Vec<u8>) -> Reply {
    Response::from_data(data)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
}

/// A JSON body.
pub fn json(status: u16, body: String) -> Reply {
    bytes(status, "application/json", body.into_bytes())
}

/// `{"error": "..."}`, the sentence ending with a full stop.
pub fn error(e: &ApiError) -> Reply {
    let mut message = e.message.trim().to_string();
    if !message.ends_with('.') {
        message.push('.');
    }
    json(
        e.status,
        serde_json::json!({ "error": message }).to_string(),
    )
}

/// The body, refused (413) past [`MAX_BODY`] whether or not it said its length.
pub fn read_body(request: &mut Request) -> Result<Vec<u8>, ApiError> {
    let too_big = || {
        ApiError::new(
            413,
            format!("the body is larger than the {} MB limit", MAX_BODY >> 20),
        )
    };
    if request.body_length().is_some_and(|n| n as u64 > MAX_BODY) {
        return Err(too_big());
    }
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body)
        .map_err(|e| ApiError::new(400, format!("cannot read the body ({e})")))?;
    if body.len() as u64 > MAX_BODY {
        return Err(too_big());
    }
    Ok(body)
}

/// The request's Content-Type (without parameters), lower case.
pub fn content_type(request: &Request) -> String {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Content-Type"))
        .map(|h| {
            let v = h.value.as_str();
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// The value of `key` in a query string `a=1&b=2`, percent-decoded.
pub fn query_value(query: &str, key: &str) -> Result<Option<String>, ApiError> {
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if percent_decode(k)? == key {
            return percent_decode(v).map(Some);
        }
    }
    Ok(None)
}

/// `%2F` → `/`, `+` → space; malformed escapes or non-UTF-8 are a 400.
pub fn percent_decode(s: &str) -> Result<String, ApiError> {
    let bad = || ApiError::new(400, "the URL has a malformed percent escape");
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b.get(i + 1..i + 3).ok_or_else(bad)?;
                let hex = std::str::from_utf8(hex).map_err(|_| bad())?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| ApiError::new(400, "the URL is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_refuses_broken_ones() {
        assert_eq!(percent_decode("..%2F..%2Fetc").unwrap(), "../../etc");
        assert_eq!(
            query_value("x=1&name=images%2F04.jpg", "name").unwrap(),
            Some("images/04.jpg".into())
        );
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%4").is_err());
    }
}
