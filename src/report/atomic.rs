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

/// Fills a new `dir` through `write`, and puts it in place whole or not at all.
///
/// `write` fills a fresh hidden folder beside `dir`, `.NAME.tmp-PID`, in the same parent, and
/// returns the paths it wrote there. Then:
/// - without a `dir`, that folder is renamed to `dir` (one atomic rename);
/// - with one (`--force`), every entry of `dir` that `write` did not write is hard-linked into the
///   new folder, the two folders are swapped with one atomic rename (Linux `renameat2` with
///   `RENAME_EXCHANGE`), and the old one, now hidden, is deleted.
///
/// So an error, a signal or a kill at any moment leaves the old folder whole, or the new one whole
/// with the user's other files, or (without an old one) no folder; at most a hidden
/// `.NAME.tmp-PID` folder stays behind, holding only report files and links, and the next run
/// deletes it once process PID is gone (on Linux). A folder `dir` creates is removed again on
/// failure. Where the swap is impossible (not Linux, a file system without it, `dir` the working
/// folder or one above it, an entry that cannot be hard-linked), each file moves into `dir` by
/// its own atomic rename, in the order `write` returned them: each file is whole, but a kill
/// during those few renames can leave new files beside old ones. Returns the paths in `dir`.
///
/// `owned` names the files a run of `write` may write: those it did not write this time are
/// left out of the new folder (an earlier run's, now stale), while every other entry is kept.
pub fn replace_folder(
    dir: &Path,
    owned: &[String],
    write: impl FnOnce(&Path) -> Result<Vec<PathBuf>, Error>,
) -> Result<Vec<PathBuf>, Error> {
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    };
    // A symlink, `.` or `..` is resolved, so the real folder is replaced.
    let target = if dir.exists() {
        fs::canonicalize(dir).map_err(io("read folder", dir))?
    } else {
        dir.to_path_buf()
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Usage(format!("--out: `{}` names no folder", dir.display())))?;
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let created = missing_ancestors(&parent);
    fs::create_dir_all(&parent).map_err(io("create folder", &parent))?;
    remove_stale(&parent, &name);
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    let result = fs::create_dir(&tmp)
        .map_err(io("create folder", &tmp))
        .and_then(|()| write(&tmp))
        .and_then(|written| commit(&tmp, &target, &written, owned));
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
        for folder in created.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }
    result.map(|names| names.iter().map(|n| dir.join(n)).collect())
}

/// Puts the filled folder `tmp` in `target`'s place; returns the names of the files written.
fn commit(
    tmp: &Path,
    target: &Path,
    written: &[PathBuf],
    owned: &[String],
) -> Result<Vec<PathBuf>, Error> {
    let names: Vec<PathBuf> = written
        .iter()
        .filter_map(|p| p.file_name().map(PathBuf::from))
        .collect();
    let rename =
        |from: &Path, to: &Path| fs::rename(from, to).map_err(|source| write_error(to, source));
    if !target.exists() {
        rename(tmp, target)?;
        return Ok(names);
    }
    if let Ok(meta) = fs::metadata(target) {
        let _ = fs::set_permissions(tmp, meta.permissions());
    }
    let inside_cwd = std::env::current_dir()
        .ok()
        .and_then(|cwd| fs::canonicalize(cwd).ok())
        .is_some_and(|cwd| cwd.starts_with(target));
    if !inside_cwd && link_others(target, tmp, owned).is_ok() && exchange(tmp, target).is_ok() {
        // `tmp` now holds the old report and links to the user's files, which `target` keeps.
        let _ = fs::remove_dir_all(tmp);
        return Ok(names);
    }
    for name in &names {
        rename(&tmp.join(name), &target.join(name))?;
    }
    for stale in owned {
        let path = target.join(stale);
        if !names.iter().any(|n| n.as_os_str() == stale.as_str())
            && fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
        {
            let _ = fs::remove_file(path);
        }
    }
    let _ = fs::remove_dir_all(tmp);
    Ok(names)
}

/// Hard-links every entry of `from` that `to` lacks into `to`, but for the files named in
/// `owned` (folders recursively, where nothing is owned).
fn link_others(from: &Path, to: &Path, owned: &[String]) -> std::io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        let is_owned = owned.iter().any(|o| entry.file_name() == o.as_str())
            && entry.file_type().is_ok_and(|t| t.is_file());
        if !is_owned && fs::symlink_metadata(&dest).is_err() {
            link_tree(&entry.path(), &dest)?;
        }
    }
    Ok(())
}

fn link_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    if !meta.is_dir() {
        return fs::hard_link(from, to);
    }
    fs::create_dir(to)?;
    link_others(from, to, &[])?;
    fs::set_permissions(to, meta.permissions())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// The folders on `path` that do not exist yet, outermost first.
fn missing_ancestors(path: &Path) -> Vec<PathBuf> {
    let mut missing: Vec<PathBuf> = path
        .ancestors()
        .filter(|p| !p.as_os_str().is_empty() && !p.exists())
        .map(Path::to_path_buf)
        .collect();
    missing.reverse();
    missing
}

/// Deletes the `.NAME.tmp-PID` folders in `parent` that runs which are gone left behind.
fn remove_stale(parent: &Path, name: &str) {
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name
            .strip_prefix(&prefix)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Without `/proc`, a stale folder is left alone.
#[cfg(not(target_os = "linux"))]
fn process_alive(_: u32) -> bool {
    true
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

    /// Writes `files` (name, content) into the folder it is given; fails after `fail_after`.
    fn fill(
        files: &'static [(&'static str, &'static str)],
        fail_after: Option<usize>,
    ) -> impl FnOnce(&Path) -> Result<Vec<PathBuf>, Error> {
        move |dir| {
            let mut written = Vec::new();
            for (k, (name, text)) in files.iter().enumerate() {
                if fail_after == Some(k) {
                    return Err(write_error(dir, std::io::Error::other("disk full")));
                }
                let path = dir.join(name);
                write_atomically(&path, text.as_bytes())?;
                written.push(path);
            }
            Ok(written)
        }
    }

    const NEW: &[(&str, &str)] = &[("a.svg", "new a"), ("index.html", "new page")];

    fn contents(dir: &Path) -> Vec<(String, String)> {
        names(dir)
            .into_iter()
            .map(|n| {
                let text = fs::read_to_string(dir.join(&n)).unwrap_or_else(|_| "<dir>".into());
                (n, text)
            })
            .collect()
    }

    #[test]
    fn a_new_folder_appears_whole() {
        let parent = tempfile::tempdir().expect("tempdir");
        let dir = parent.path().join("deep").join("review");
        let files = replace_folder(&dir, &[], fill(NEW, None)).expect("written");
        assert_eq!(files, [dir.join("a.svg"), dir.join("index.html")]);
        assert_eq!(
            contents(&dir),
            [
                ("a.svg".into(), "new a".into()),
                ("index.html".into(), "new page".into())
            ]
        );
        assert_eq!(names(&parent.path().join("deep")), ["review"]);
    }

    #[test]
    fn a_failed_fill_leaves_no_folder_and_the_old_folder_whole() {
        let parent = tempfile::tempdir().expect("tempdir");
        let dir = parent.path().join("deep").join("review");
        replace_folder(&dir, &[], fill(NEW, Some(1))).expect_err("fails");
        assert!(
            names(parent.path()).is_empty(),
            "{:?}",
            names(parent.path())
        );

        let dir = parent.path().join("review");
        fs::create_dir(&dir).expect("mkdir");
        fs::write(dir.join("a.svg"), "old a").expect("write");
        fs::write(dir.join("index.html"), "old page").expect("write");
        let before = contents(&dir);
        replace_folder(&dir, &[], fill(NEW, Some(1))).expect_err("fails");
        assert_eq!(contents(&dir), before);
        assert_eq!(names(parent.path()), ["review"]);
    }

    #[test]
    fn replacing_drops_an_earlier_run_s_files_this_run_did_not_write() {
        let parent = tempfile::tempdir().expect("tempdir");
        let dir = parent.path().join("review");
        fs::create_dir(&dir).expect("mkdir");
        fs::write(dir.join("team.svg"), "stale chart").expect("write");
        fs::write(dir.join("mine.txt"), "mine").expect("write");
        let owned: Vec<String> = ["team.svg", "a.svg", "index.html"].map(String::from).into();
        replace_folder(&dir, &owned, fill(NEW, None)).expect("written");
        assert_eq!(
            contents(&dir),
            [
                ("a.svg".into(), "new a".into()),
                ("index.html".into(), "new page".into()),
                ("mine.txt".into(), "mine".into()),
            ]
        );
    }

    #[test]
    fn replacing_keeps_the_user_s_other_files_and_cleans_stale_folders() {
        let parent = tempfile::tempdir().expect("tempdir");
        let dir = parent.path().join("review");
        fs::create_dir_all(dir.join("notes")).expect("mkdir");
        fs::write(dir.join("notes").join("n.txt"), "mine").expect("write");
        fs::write(dir.join("README"), "mine too").expect("write");
        fs::write(dir.join("index.html"), "old page").expect("write");
        // Left by a run that was killed (no process has a PID this large).
        let stale = parent.path().join(".review.tmp-999999999");
        fs::create_dir(&stale).expect("mkdir");
        fs::write(stale.join("index.html"), "half").expect("write");
        #[cfg(target_os = "linux")]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            let ino = |p: &Path| fs::metadata(p).expect("metadata").ino();
            (ino(&dir), ino)
        };
        replace_folder(&dir, &[], fill(NEW, None)).expect("written");
        #[cfg(target_os = "linux")]
        assert_ne!(
            inode.0,
            (inode.1)(&dir),
            "the folders were swapped in one rename"
        );
        assert_eq!(
            contents(&dir),
            [
                ("README".into(), "mine too".into()),
                ("a.svg".into(), "new a".into()),
                ("index.html".into(), "new page".into()),
                ("notes".into(), "<dir>".into()),
            ]
        );
        assert_eq!(
            fs::read_to_string(dir.join("notes").join("n.txt")).expect("read"),
            "mine"
        );
        assert_eq!(names(parent.path()), ["review"], "no hidden folder is left");
    }
}
