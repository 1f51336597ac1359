//! File helpers shared by everything that writes results.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to a temporary file beside `path`, syncs it, then renames it
/// over `path`: readers see the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        file_name.unwrap_or_else(|| "out".into()),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Writes `value` as pretty-printed JSON, atomically ([`write_atomic`]).
pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    // Serialising plain structs of numbers and strings cannot fail.
    let text = serde_json::to_string_pretty(value).expect("a summary serialises");
    write_atomic(path, text.as_bytes())
}

/// Reads a whole file that must be a regular file of at most `max` bytes:
/// a folder, a device (`/dev/zero`), a FIFO or a socket is refused at once
/// instead of being read without end.
pub fn read_regular_file(path: &Path, max: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let refuse = |reason: String| Error::NotRegular {
        path: path.to_path_buf(),
        reason,
    };
    if meta.is_dir() {
        return Err(refuse("is a folder, not a file".into()));
    }
    if !meta.is_file() {
        return Err(refuse(
            "is not a regular file (a device, FIFO or socket); only regular files are read".into(),
        ));
    }
    if meta.len() > max {
        return Err(refuse(format!(
            "is {} bytes, more than the {max} read at most",
            meta.len()
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

/// Whether the process `pid` is still running, as far as this system can
/// tell: on Linux, whether `/proc/PID` exists; where there is no `/proc`,
/// every process counts as alive (so nothing of another run is removed).
pub fn pid_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return true;
    }
    proc.join(pid.to_string()).exists()
}

/// The process id in one of this project's temporary names, if `name` is
/// one: `.NAME.tmpPID` (a [`write_atomic`] in progress) or `.staging-PID`
/// (a training run being written, `src/bin/gradink/keep_better.rs`).
pub fn temporary_owner(name: &str) -> Option<u32> {
    let digits = if let Some(rest) = name.strip_prefix(".staging-") {
        rest
    } else if name.starts_with('.') {
        let (_, pid) = name.rsplit_once(".tmp")?;
        pid
    } else {
        return None;
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Removes the `.NAME.tmpPID` files in `dir` left by processes that are no
/// longer running (a write killed between creating its temporary file and
/// renaming it), and returns their names. Staging folders are the training
/// runs' business (`keep_better.rs`); they are not touched here.
pub fn remove_stale_temporaries(dir: &Path) -> Vec<String> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return removed;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".staging-") {
            continue;
        }
        let stale = temporary_owner(&name).is_some_and(|pid| !pid_alive(pid));
        if stale
            && e.file_type().is_ok_and(|t| t.is_file())
            && std::fs::remove_file(e.path()).is_ok()
        {
            removed.push(name);
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_temporary_names_are_recognised_and_others_are_not() {
        assert_eq!(temporary_owner(".summary.json.tmp4242"), Some(4242));
        assert_eq!(temporary_owner(".staging-17"), Some(17));
        assert_eq!(temporary_owner(".a.tmp.tmp9"), Some(9));
        for other in [
            "summary.json",
            ".staging-",
            ".x.tmp",
            ".x.tmp12a",
            "a.tmp12",
            ".hidden",
        ] {
            assert_eq!(temporary_owner(other), None, "{other}");
        }
    }

    #[test]
    fn stale_temporaries_are_removed_and_live_ones_kept() {
        let dir = std::env::temp_dir().join(format!("gradink-stale-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A pid beyond Linux's maximum (2^22) is never alive.
        let dead = dir.join(".model.safetensors.tmp4999999");
        let live = dir.join(format!(".summary.json.tmp{}", std::process::id()));
        let user = dir.join("notes.tmp1");
        for f in [&dead, &live, &user] {
            std::fs::write(f, b"x").unwrap();
        }
        let removed = remove_stale_temporaries(&dir);
        if Path::new("/proc/self").exists() {
            assert_eq!(removed, vec![".model.safetensors.tmp4999999".to_string()]);
            assert!(!dead.exists());
        }
        assert!(live.exists() && user.exists());
        std::fs::remove_dir_all(&dir).ok();
    }
}
