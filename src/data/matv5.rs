//! Reading a MATLAB v5 `.mat` file safely before the `matfile` crate parses
//! it. The crate trusts every size in the file: a flipped byte in a header
//! can make it index out of bounds, and a compressed element is inflated
//! without limit. Here every size read from the file is checked against the
//! bytes actually present, compressed elements are inflated with a cap
//! relative to the file's size, only regular files are read, and what is
//! handed to the crate is a plain (uncompressed) stream of numeric arrays
//! whose sizes are known to agree. The crate still runs under
//! `catch_unwind` as a last resort.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// The most a file's compressed elements may inflate to, as a multiple of
/// the file's size (plus [`INFLATE_SLACK`]). Real NIST36 files inflate
/// 2.5–12× (docs/robustness.md); zlib itself cannot exceed about 1032×.
pub const INFLATE_RATIO: u64 = 128;
/// Allowance on top of [`INFLATE_RATIO`] for tiny files.
pub const INFLATE_SLACK: u64 = 16 << 20;
/// The largest `.mat` file read at all (the full NIST36 train split is 19 MB).
pub const MAX_FILE_BYTES: u64 = 4 << 30;

const HEADER: usize = 128;
const MI_MATRIX: u32 = 14;
const MI_COMPRESSED: u32 = 15;

/// Reads `path` (a regular file, at most [`MAX_FILE_BYTES`]), with "not
/// found" carrying `missing_hint`.
pub(crate) fn read_regular_file(path: &Path, missing_hint: &str) -> Result<Vec<u8>> {
    crate::fsutil::read_regular_file(path, MAX_FILE_BYTES).map_err(|e| match e {
        Error::NotFound { path, .. } => Error::NotFound {
            path,
            hint: missing_hint.to_string(),
        },
        other => other,
    })
}

/// Parses the bytes of a v5 `.mat` file into the `matfile` crate's form,
/// after checking every size (see the module's doc).
pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<matfile::MatFile> {
    const HDF5_SIGNATURE: &[u8] = b"\x89HDF\r\n\x1a\n";
    let header = String::from_utf8_lossy(&bytes[..bytes.len().min(116)]);
    if header.contains("MATLAB 7.3")
        || bytes.get(512..520) == Some(HDF5_SIGNATURE)
        || bytes.starts_with(HDF5_SIGNATURE)
    {
        return Err(Error::Hdf5 {
            path: path.to_path_buf(),
        });
    }
    if bytes.is_empty() {
        return Err(malformed(path, "the file is empty".into()));
    }
    if bytes.len() < HEADER || !header.starts_with("MATLAB 5.0 MAT-file") {
        return Err(malformed(
            path,
            "no 'MATLAB 5.0 MAT-file' header (is this a .mat file?)".into(),
        ));
    }
    let little = match (bytes[126], bytes[127]) {
        (b'I', b'M') => true,
        (b'M', b'I') => false,
        _ => return Err(malformed(path, "bad byte-order mark at byte 126".into())),
    };
    let limit = (bytes.len() as u64)
        .saturating_mul(INFLATE_RATIO)
        .saturating_add(INFLATE_SLACK);
    let mut walker = Walker {
        path,
        little,
        out: bytes[..HEADER].to_vec(),
        inflated: 0,
        limit,
    };
    walker.elements(&bytes[HEADER..], HEADER, None)?;
    let plain = walker.out;
    // Every size now agrees with the bytes present; the crate should not
    // panic, but a bad file must be an error whatever it does.
    let parsed = std::panic::catch_unwind(|| matfile::MatFile::parse(plain.as_slice()))
        .map_err(|_| malformed(path, "the MATLAB parser gave up on this file".into()))?;
    parsed.map_err(|_| {
        malformed(
            path,
            "an array's layout is not one the MATLAB parser understands".into(),
        )
    })
}

fn malformed(path: &Path, reason: String) -> Error {
    Error::Malformed {
        path: path.to_path_buf(),
        reason,
    }
}

/// One data element's tag: its type, its payload and where the next starts.
struct Tag<'a> {
    kind: u32,
    data: &'a [u8],
    next: usize,
}

struct Walker<'p> {
    path: &'p Path,
    little: bool,
    /// The plain stream handed to `matfile`: the header, then numeric arrays.
    out: Vec<u8>,
    inflated: u64,
    limit: u64,
}

impl Walker<'_> {
    fn u32(&self, b: &[u8]) -> u32 {
        let b: [u8; 4] = b[..4].try_into().expect("four bytes");
        if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    }

    fn i32(&self, b: &[u8]) -> i32 {
        self.u32(b) as i32
    }

    /// A position for messages: a byte offset in the file, or in the
    /// inflated data of the compressed element at byte `inside`.
    fn at(&self, offset: usize, inside: Option<usize>) -> String {
        match inside {
            Some(c) => format!("byte {offset} of the compressed element at byte {c}"),
            None => format!("byte {offset}"),
        }
    }

    /// The tag at `o` in `bytes` (either the 8-byte or the small 4-byte form).
    fn tag<'a>(
        &self,
        bytes: &'a [u8],
        o: usize,
        base: usize,
        inside: Option<usize>,
        what: &str,
    ) -> Result<Tag<'a>> {
        let truncated = |need: u64| {
            malformed(
                self.path,
                format!(
                    "truncated or corrupt at {}: {what} needs {need} bytes but only {} remain",
                    self.at(base + o, inside),
                    bytes.len().saturating_sub(o)
                ),
            )
        };
        if bytes.len() < o + 8 {
            return Err(truncated(8));
        }
        let first = self.u32(&bytes[o..]);
        if first >> 16 != 0 {
            // Small element: type in the low half, byte count (≤ 4) in the high half.
            let n = (first >> 16) as usize;
            if n > 4 {
                return Err(malformed(
                    self.path,
                    format!(
                        "corrupt at {}: {what} declares {n} bytes in a 4-byte slot",
                        self.at(base + o, inside)
                    ),
                ));
            }
            return Ok(Tag {
                kind: first & 0xFFFF,
                data: &bytes[o + 4..o + 4 + n],
                next: o + 8,
            });
        }
        let n = self.u32(&bytes[o + 4..]) as u64;
        if n > (bytes.len() - o - 8) as u64 {
            return Err(truncated(n + 8));
        }
        let n = n as usize;
        Ok(Tag {
            kind: first,
            data: &bytes[o + 8..o + 8 + n],
            next: o + 8 + n.div_ceil(8) * 8,
        })
    }

    /// Walks a sequence of top-level elements starting at file offset `base`.
    fn elements(&mut self, bytes: &[u8], base: usize, inside: Option<usize>) -> Result<()> {
        let mut o = 0;
        while o < bytes.len() {
            if bytes[o..].iter().all(|&b| b == 0) && bytes.len() - o < 8 {
                break; // trailing padding
            }
            let tag = self.tag(bytes, o, base, inside, "an element")?;
            match tag.kind {
                MI_COMPRESSED if inside.is_none() => {
                    let plain = self.inflate(tag.data, base + o)?;
                    self.elements(&plain, 0, Some(base + o))?;
                    // Compressed elements are not padded.
                    o += 8 + tag.data.len();
                    continue;
                }
                MI_MATRIX => {
                    if let Some(array) = self.numeric_array(tag.data, base + o + 8, inside)? {
                        self.push_matrix(array);
                    }
                }
                _ => {} // other top-level elements are not arrays we read
            }
            o = tag.next;
        }
        Ok(())
    }

    /// Inflates one compressed element, within the file's budget.
    fn inflate(&mut self, data: &[u8], at: usize) -> Result<Vec<u8>> {
        let budget = self.limit.saturating_sub(self.inflated);
        let mut out = Vec::new();
        let read = flate2::read::ZlibDecoder::new(data)
            .take(budget + 1)
            .read_to_end(&mut out);
        if let Err(e) = read {
            return Err(malformed(
                self.path,
                format!("the compressed element at byte {at} is corrupt ({e})"),
            ));
        }
        if out.len() as u64 > budget {
            return Err(malformed(
                self.path,
                format!(
                    "the compressed elements inflate to more than {} bytes ({INFLATE_RATIO}× the file's size plus 16 MiB); refusing a likely zip bomb",
                    self.limit
                ),
            ));
        }
        self.inflated += out.len() as u64;
        Ok(out)
    }

    /// Checks one miMATRIX payload. `None` for arrays that are not numeric
    /// (cells, structs, chars, sparse), which are skipped.
    fn numeric_array<'a>(
        &self,
        m: &'a [u8],
        base: usize,
        inside: Option<usize>,
    ) -> Result<Option<&'a [u8]>> {
        let flags = self.tag(m, 0, base, inside, "an array's flags")?;
        if flags.kind != 6 || flags.data.len() != 8 {
            return Err(malformed(
                self.path,
                format!("corrupt array flags at {}", self.at(base, inside)),
            ));
        }
        let word = self.u32(flags.data);
        let class = word & 0xFF;
        let complex = word & 0x0800 != 0;
        if !(6..=15).contains(&class) {
            return Ok(None);
        }
        let dims = self.tag(m, flags.next, base, inside, "an array's dimensions")?;
        if dims.kind != 5 || dims.data.len() < 8 || dims.data.len() % 4 != 0 {
            return Err(malformed(
                self.path,
                format!(
                    "corrupt array dimensions at {}",
                    self.at(base + flags.next, inside)
                ),
            ));
        }
        let name_tag = self.tag(m, dims.next, base, inside, "an array's name")?;
        let name = std::str::from_utf8(name_tag.data)
            .ok()
            .filter(|n| name_tag.kind == 1 && !n.is_empty());
        let Some(name) = name else {
            return Err(malformed(
                self.path,
                format!(
                    "corrupt array name at {}",
                    self.at(base + dims.next, inside)
                ),
            ));
        };
        let mut sizes = Vec::new();
        let mut count: u64 = 1;
        for d in dims.data.chunks_exact(4) {
            let d = self.i32(d);
            if d < 0 {
                return Err(malformed(
                    self.path,
                    format!("'{name}' declares a negative size ({d})"),
                ));
            }
            sizes.push(d.to_string());
            count = count.saturating_mul(d as u64);
        }
        let mut o = name_tag.next;
        for part in ["values", "imaginary values"]
            .into_iter()
            .take(1 + complex as usize)
        {
            let what = format!("the {part} of '{name}'");
            let t = self.tag(m, o, base, inside, &what)?;
            let width = match t.kind {
                1 | 2 => 1,
                3 | 4 => 2,
                5..=7 => 4,
                9 | 12 | 13 => 8,
                other => {
                    return Err(malformed(
                        self.path,
                        format!("{what} have an unknown storage type {other}"),
                    ))
                }
            };
            let held = (t.data.len() / width) as u64;
            if t.data.len() % width != 0 || held != count {
                return Err(malformed(
                    self.path,
                    format!(
                        "'{name}' declares {} = {count} values but holds {held} ({} bytes); truncated or corrupt",
                        sizes.join("×"),
                        t.data.len()
                    ),
                ));
            }
            o = t.next;
        }
        Ok(Some(m))
    }

    /// Appends a checked miMATRIX element to the plain stream, padded to 8 bytes.
    fn push_matrix(&mut self, payload: &[u8]) {
        let word = |x: u32, little: bool| {
            if little {
                x.to_le_bytes()
            } else {
                x.to_be_bytes()
            }
        };
        self.out.extend_from_slice(&word(MI_MATRIX, self.little));
        self.out
            .extend_from_slice(&word(payload.len() as u32, self.little));
        self.out.extend_from_slice(payload);
        while !self.out.len().is_multiple_of(8) {
            self.out.push(0);
        }
    }
}
