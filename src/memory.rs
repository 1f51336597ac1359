//! Refusing work that cannot fit in memory before allocating it, with an
//! estimate the user can act on ("… would need about 41 GB; 23 GB is
//! available"), instead of an abort part-way.

use crate::error::{Error, Result};

/// Memory the kernel says is available to a new allocation
/// (`MemAvailable` in /proc/meminfo); `None` where that cannot be read.
pub fn available_bytes() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb.saturating_mul(1024))
}

/// `Error::TooBig` when `bytes` exceeds the memory available now (checked
/// only where that can be read). `what` names the option responsible.
pub fn check_fits(what: &str, bytes: u64) -> Result<()> {
    match available_bytes() {
        Some(have) if bytes > have => Err(Error::TooBig {
            what: what.to_string(),
            need: gigabytes(bytes),
            have: gigabytes(have),
        }),
        _ => Ok(()),
    }
}

/// "41 GB", "0.3 GB".
pub fn gigabytes(bytes: u64) -> String {
    let gb = bytes as f64 / 1e9;
    if gb >= 10.0 {
        format!("{gb:.0} GB")
    } else {
        format!("{gb:.1} GB")
    }
}
