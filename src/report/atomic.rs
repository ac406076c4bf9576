//! Files written whole or not at all: into a temporary file beside the target, then renamed
//! over it, so a failed write never leaves a truncated file nor destroys the file it replaces.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Error;

/// Writes `bytes` to `path` whole, or leaves `path` as it was (absent, or its old content).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    replace_atomically(path, |tmp| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(tmp)
            .map_err(|source| write_error(tmp, source))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|source| write_error(tmp, source))
    })
}

fn write_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    }
}

/// Lets `write` create a temporary file in `path`'s folder (its name ends in `path`'s name, so
/// an encoder that picks the format by extension still works), then renames it to `path`. On
/// failure the temporary file is removed and the error names `path`.
pub fn replace_atomically(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    let tmp = temp_path(path);
    let result = write(&tmp)
        .and_then(|()| fs::rename(&tmp, path).map_err(|source| write_error(path, source)));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|e| match e {
        Error::Io { action, source, .. } => Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        },
        other => other,
    })
}

/// `.tmp-{pid}-{n}.{name}` beside `path`: unique per process and per write.
fn temp_path(path: &Path) -> PathBuf {
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let n = WRITES.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".tmp-{}-{n}.{name}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("readable")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.csv");
        fs::write(&path, "old").expect("write");
        write_atomically(&path, b"new").expect("written");
        assert_eq!(fs::read_to_string(&path).expect("read"), "new");
        assert_eq!(names(dir.path()), ["out.csv"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_names_the_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("chart.png");
        fs::write(&path, "good").expect("write");
        let err = replace_atomically(&path, |tmp| {
            fs::write(tmp, "half").expect("write");
            Err(write_error(tmp, std::io::Error::other("disk full")))
        })
        .expect_err("fails");
        assert_eq!(fs::read_to_string(&path).expect("read"), "good");
        assert_eq!(names(dir.path()), ["chart.png"]);
        let text = err.to_string();
        assert!(
            text.contains("chart.png") && text.contains("disk full"),
            "{text}"
        );
        assert!(!text.contains(".tmp-"), "{text}");
    }
}
