//! The house rules of docs/ARCHITECTURE.md that a compiler does not check:
//! the library names no command-line crate (clap, indicatif: the binary's
//! business), the engine uses nothing above it, and the backward rules
//! (`op.rs`) do not import the tape that calls them.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of `path` outside comments that mention `word`.
fn mentions(path: &Path, word: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//") && l.contains(word))
        .map(|l| format!("{}: {}", path.display(), l.trim()))
        .collect()
}

#[test]
fn the_library_names_no_command_line_crate() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let library: Vec<&PathBuf> = files
        .iter()
        .filter(|p| !p.starts_with(src.join("bin")))
        .collect();
    assert!(
        library.len() > 20,
        "found only {} library files",
        library.len()
    );
    let found: Vec<String> = library
        .iter()
        .flat_map(|p| ["clap::", "indicatif::"].map(|w| mentions(p, w)))
        .flatten()
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_engine_uses_nothing_above_it() {
    let engine = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
    let mut files = Vec::new();
    rust_files(&engine, &mut files);
    assert!(!files.is_empty());
    let above = [
        "crate::nn",
        "crate::models",
        "crate::data",
        "crate::ocr",
        "crate::train",
        "crate::plot",
        "crate::report",
    ];
    let found: Vec<String> = files
        .iter()
        .flat_map(|p| above.map(|w| mentions(p, w)))
        .flatten()
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// `tape.rs` records `Op`s and calls their backward rules; `op.rs` reads the
/// recorded nodes only through its own `Recorded` trait. Were `op.rs` to name
/// the tape's types again, the two files would import each other.
#[test]
fn the_backward_rules_do_not_import_the_tape() {
    let op = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine/op.rs");
    let found: Vec<String> = ["tape::", "Tape", "Gradients", "Node<"]
        .iter()
        .flat_map(|w| mentions(&op, w))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}
