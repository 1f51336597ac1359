//! Makes `data/nist36_standin/`, the NIST36-format data shipped in the
//! repository, from the full stand-in (`../shared/data/nist36_standin`):
//!
//! ```sh
//! cargo run --release --example make_standin_subset -- \
//!     ../shared/data/nist36_standin data/nist36_standin 220 50 30
//! ```
//!
//! (source folder, output folder, then rows per class for train, valid and
//! test; the values shown are the defaults). Within each split the source rows
//! are sorted by class and, within a class, already in a random order (seeded
//! by the stand-in's maker), so the first N rows of each class are a random
//! sample: no seed is needed here and the same source gives the same files.
//!
//! To stay small in git, each pixel is rounded to the nearest multiple of
//! 1/256 (at most 0.002 away; an 8-bit image holds no more). The files stay
//! in the NIST36 format (`{split}_data` N×1024 float64, column-major rows,
//! `{split}_labels` N×36 one-hot uint8, zlib-compressed MATLAB v5): a double
//! that is a multiple of 1/256 has six zero bytes, which zlib all but removes.
//! `source_indices.csv` is copied for the chosen rows, with the row each came
//! from, so every image traces back to its EMNIST original.

use anyhow::{bail, Context, Result};
use flate2::write::ZlibEncoder;
use flate2::Compression;
use gradink::data::load_split;
use std::io::Write;
use std::path::{Path, PathBuf};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or(default.to_string());
    let source = PathBuf::from(arg(0, "../shared/data/nist36_standin"));
    let out = PathBuf::from(arg(1, "data/nist36_standin"));
    let mut per_class = [0usize; 3];
    for (k, default) in ["220", "50", "30"].iter().enumerate() {
        per_class[k] = arg(k + 2, default)
            .parse()
            .with_context(|| format!("argument {}: a count of rows per class", k + 3))?;
    }

    let csv_path = source.join("source_indices.csv");
    let csv = std::fs::read_to_string(&csv_path)
        .with_context(|| format!("cannot read {}", csv_path.display()))?;
    let provenance: Vec<&str> = csv.lines().skip(1).collect();
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut indices = String::from("split,class,emnist_byclass_test_index,standin_row\n");

    for (split, &n) in ["train", "valid", "test"].iter().zip(&per_class) {
        let path = source.join(format!("nist36_{split}.mat"));
        let data = load_split(&path, split)?;
        let lines: Vec<&&str> = provenance
            .iter()
            .filter(|l| l.starts_with(&format!("{split},")))
            .collect();
        if lines.len() != data.len() {
            bail!(
                "{}: {} rows but {} {split} lines in {}",
                path.display(),
                data.len(),
                lines.len(),
                csv_path.display()
            );
        }
        // The first n rows of every class, in file order.
        let mut taken = vec![0usize; data.classes];
        let rows: Vec<usize> = (0..data.len())
            .filter(|&r| {
                let c = data.labels[r];
                taken[c] += 1;
                taken[c] <= n
            })
            .collect();
        for &r in &rows {
            indices.push_str(&format!("{},{r}\n", lines[r]));
        }

        // Column-major (MATLAB order): entry (r, c) at r + c·rows.
        let m = rows.len();
        let mut pixels = vec![0f64; m * 1024];
        let mut labels = vec![0u8; m * data.classes];
        for (i, &r) in rows.iter().enumerate() {
            for c in 0..1024 {
                pixels[i + c * m] = (data.images[[r, c]] as f64 * 256.0).round() / 256.0;
            }
            labels[i + data.labels[r] * m] = 1;
        }
        let file = out.join(format!("nist36_{split}.mat"));
        let mut bytes = mat_header();
        compressed_matrix(
            &mut bytes,
            &format!("{split}_data"),
            m,
            1024,
            Values::Double(&pixels),
        )?;
        compressed_matrix(
            &mut bytes,
            &format!("{split}_labels"),
            m,
            data.classes,
            Values::UInt8(&labels),
        )?;
        std::fs::write(&file, &bytes)
            .with_context(|| format!("cannot write {}", file.display()))?;
        println!(
            "{}: {m} rows ({n} per class at most), {} bytes",
            file.display(),
            bytes.len()
        );
    }
    let csv_out = out.join("source_indices.csv");
    std::fs::write(&csv_out, indices)
        .with_context(|| format!("cannot write {}", csv_out.display()))?;
    check_readable(&out)
}

/// What the loader sees must be what was written.
fn check_readable(out: &Path) -> Result<()> {
    let data = gradink::data::Nist36::load(out)?;
    println!(
        "read back: train {}, valid {}, test {} rows",
        data.train.len(),
        data.valid.len(),
        data.test.len()
    );
    Ok(())
}

/// The 128-byte MATLAB 5.0 header (little-endian, version 0x0100).
fn mat_header() -> Vec<u8> {
    let mut header =
        b"MATLAB 5.0 MAT-file, written by gradink examples/make_standin_subset.rs".to_vec();
    header.resize(116, b' ');
    header.extend_from_slice(&[0; 8]);
    header.extend_from_slice(&0x0100u16.to_le_bytes());
    header.extend_from_slice(b"IM");
    header
}

enum Values<'a> {
    Double(&'a [f64]),
    UInt8(&'a [u8]),
}

/// One data element: tag (type, byte count), payload, padding to 8 bytes.
fn element(out: &mut Vec<u8>, kind: u32, payload: &[u8]) {
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
    while !out.len().is_multiple_of(8) {
        out.push(0);
    }
}

/// A 2-D numeric array as a zlib-compressed miMATRIX element (what
/// `scipy.io.savemat(..., do_compression=True)` writes).
fn compressed_matrix(
    out: &mut Vec<u8>,
    name: &str,
    rows: usize,
    cols: usize,
    values: Values,
) -> Result<()> {
    const MI_INT8: u32 = 1;
    const MI_UINT8: u32 = 2;
    const MI_INT32: u32 = 5;
    const MI_UINT32: u32 = 6;
    const MI_DOUBLE: u32 = 9;
    const MI_MATRIX: u32 = 14;
    const MI_COMPRESSED: u32 = 15;
    const MX_DOUBLE: u8 = 6;
    const MX_UINT8: u8 = 9;
    let (class, kind, payload): (u8, u32, Vec<u8>) = match values {
        Values::Double(v) => (
            MX_DOUBLE,
            MI_DOUBLE,
            v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        ),
        Values::UInt8(v) => (MX_UINT8, MI_UINT8, v.to_vec()),
    };
    let mut body = Vec::new();
    element(&mut body, MI_UINT32, &[class, 0, 0, 0, 0, 0, 0, 0]);
    let dims: Vec<u8> = [rows as i32, cols as i32]
        .iter()
        .flat_map(|d| d.to_le_bytes())
        .collect();
    element(&mut body, MI_INT32, &dims);
    element(&mut body, MI_INT8, name.as_bytes());
    element(&mut body, kind, &payload);
    let mut matrix = Vec::new();
    element(&mut matrix, MI_MATRIX, &body);

    let mut zlib = ZlibEncoder::new(Vec::new(), Compression::best());
    zlib.write_all(&matrix)?;
    let packed = zlib.finish()?;
    out.extend_from_slice(&MI_COMPRESSED.to_le_bytes());
    out.extend_from_slice(&(packed.len() as u32).to_le_bytes());
    out.extend_from_slice(&packed); // compressed elements are not padded
    Ok(())
}
