//! Atomic writes (temp file + rename), so an interrupted run never leaves a
//! half-written checkpoint or summary behind.

use crate::{Error, Result};
use std::path::{Path, PathBuf};
use tch::nn::VarStore;

/// A sibling temp path that keeps the extension (VarStore::save picks the
/// format from it).
fn temp_beside(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".tmp-{}", name.unwrap_or_default()))
}

/// Saves every variable of `vs` to `path` (safetensors when the name ends in
/// `.safetensors`).
pub fn save_var_store(vs: &VarStore, path: &Path) -> Result<()> {
    let tmp = temp_beside(path);
    vs.save(&tmp)?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(format!("renaming to {}", path.display()), e))
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_beside(path);
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(format!("renaming to {}", path.display()), e))
}

/// Writes a pretty-printed JSON summary atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).expect("summaries serialise");
    write_atomic(path, (text + "\n").as_bytes())
}

/// Creates the output folder.
pub fn create_out_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))
}
