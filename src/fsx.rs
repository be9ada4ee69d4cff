//! File writes that never leave a half-written file, nor a stray copy of a key: the bytes go to
//! an unnamed file in the destination's folder (`O_TMPFILE`), are synced, and only then get a
//! name. Private keys are 0600 from their first byte.
//!
//! Why unnamed: a process killed while staging (SIGKILL, or SIGTERM with its default action)
//! runs no cleanup, so a named temporary file would stay behind with a key in it. An unnamed
//! file is freed by the kernel when its last descriptor closes, however the process ends. It
//! is linked in only when complete: straight to its destination when that is new (`linkat`,
//! which also refuses to replace), or, to replace a file, to `.NAME.tmp-PID` and renamed over
//! it at once, so a name exists only between two system calls. Where a filesystem has no
//! `O_TMPFILE` (or `/proc` is not mounted) the bytes go to `.NAME.tmp-PID` as before. Either
//! way, such a file left by a process that no longer runs is removed by the next write to the
//! same destination, with a warning naming it.
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Permission bits for what we write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    /// Certificates, CSRs and other public material: 0644.
    Public,
    /// Private keys: 0600, never wider at any moment.
    Private,
}

impl FileMode {
    fn bits(self) -> u32 {
        match self {
            FileMode::Public => 0o644,
            FileMode::Private => 0o600,
        }
    }
}

/// A file staged next to its destination; `commit` or `link_new` give it its name, and
/// dropping it uncommitted leaves nothing on disk.
pub struct StagedFile {
    file: File,
    /// `None`: an `O_TMPFILE` file, with no name until it is linked in. `Some`: the named
    /// sibling `.NAME.tmp-PID` (no `O_TMPFILE` here), removed on drop unless committed.
    named: Option<PathBuf>,
    dest: PathBuf,
    committed: bool,
}

impl StagedFile {
    /// Writes `bytes` to a file beside `dest` with `mode`, and syncs it.
    pub fn write(dest: &Path, bytes: &[u8], mode: FileMode) -> io::Result<StagedFile> {
        StagedFile::write_with(dest, bytes, mode, true)
    }

    fn write_with(dest: &Path, bytes: &[u8], mode: FileMode, sync: bool) -> io::Result<StagedFile> {
        let dir = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let temp = temp_path(dest)?;
        sweep_stale(dest);
        let mut staged = match open_unnamed(dir, mode) {
            Some(file) => StagedFile {
                file,
                named: None,
                dest: dest.to_path_buf(),
                committed: false,
            },
            None => StagedFile {
                file: OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(mode.bits())
                    .open(&temp)?,
                named: Some(temp),
                dest: dest.to_path_buf(),
                committed: false,
            },
        };
        staged.file.write_all(bytes)?;
        if sync {
            staged.file.sync_all()?;
        }
        // The umask may have narrowed the mode; set it exactly (never wider than asked).
        staged
            .file
            .set_permissions(fs::Permissions::from_mode(mode.bits()))?;
        Ok(staged)
    }

    /// Links the staged file in only if the destination does not exist yet
    /// (`AlreadyExists` otherwise); nothing else is left on disk either way.
    pub fn link_new(self) -> io::Result<()> {
        match &self.named {
            None => link_unnamed(&self.file, &self.dest),
            Some(temp) => fs::hard_link(temp, &self.dest),
        }
    }

    /// Moves the staged file over its destination in one step.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(temp) = &self.named {
            fs::rename(temp, &self.dest)?;
            self.committed = true;
            return Ok(());
        }
        // A new destination is linked straight in: a name exists only once the file is whole.
        match link_unnamed(&self.file, &self.dest) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            other => return other,
        }
        // Replacing one: a temporary name for the two system calls a rename over it takes.
        let temp = temp_path(&self.dest)?;
        let _ = fs::remove_file(&temp);
        link_unnamed(&self.file, &temp)?;
        fs::rename(&temp, &self.dest).inspect_err(|_| {
            let _ = fs::remove_file(&temp);
        })
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if let (Some(temp), false) = (&self.named, self.committed) {
            let _ = fs::remove_file(temp);
        }
    }
}

/// `.NAME.tmp-PID` beside `dest`: the one temporary name this process ever gives `dest`.
fn temp_path(dest: &Path) -> io::Result<PathBuf> {
    let name = dest
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".tmp-{}", std::process::id()));
    Ok(dest.with_file_name(temp_name))
}

/// An unnamed file in `dir`, or `None` where the filesystem (or a missing `/proc`, which
/// linking it in needs) does not allow one.
#[cfg(target_os = "linux")]
fn open_unnamed(dir: &Path, mode: FileMode) -> Option<File> {
    use rustix::fs::{Mode, OFlags};
    if !Path::new("/proc/self/fd").is_dir() {
        return None;
    }
    let flags = OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC;
    rustix::fs::open(dir, flags, Mode::from_raw_mode(mode.bits()))
        .ok()
        .map(File::from)
}

#[cfg(not(target_os = "linux"))]
fn open_unnamed(_dir: &Path, _mode: FileMode) -> Option<File> {
    None
}

/// Gives an unnamed file the name `dest` (`AlreadyExists` if it is taken), through its
/// `/proc/self/fd` link, as open(2) describes for `O_TMPFILE`.
#[cfg(target_os = "linux")]
fn link_unnamed(file: &File, dest: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
    rustix::fs::linkat(
        rustix::fs::CWD,
        proc_path.as_str(),
        rustix::fs::CWD,
        dest,
        rustix::fs::AtFlags::SYMLINK_FOLLOW,
    )
    .map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn link_unnamed(_file: &File, _dest: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// A temporary file of `dest` left by a process that no longer runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub path: PathBuf,
    pub pid: u32,
}

/// The `.NAME.tmp-PID` files beside `dest` whose process is gone (it was killed while writing):
/// they may hold a private key, and nothing else will ever remove them.
pub fn stale_temp_files(dest: &Path) -> Vec<Stale> {
    let (Some(dir), Some(name)) = (dest.parent(), dest.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    // Without /proc no process can be told dead; leave everything.
    if !Path::new("/proc/self").is_dir() {
        return Vec::new();
    }
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let own = std::process::id();
    let mut out: Vec<Stale> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let file_name = entry.file_name();
            let pid: u32 = file_name.to_str()?.strip_prefix(&prefix)?.parse().ok()?;
            let gone = pid != own && !Path::new(&format!("/proc/{pid}")).exists();
            gone.then(|| Stale {
                path: entry.path(),
                pid,
            })
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Whether a file name has the form of a temporary file of ours (`.NAME.tmp-PID`).
pub fn is_temporary_name(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|rest| rest.rsplit_once(".tmp-"))
        .is_some_and(|(stem, pid)| {
            !stem.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
        })
}

/// Removes `dest`'s stale temporary files, naming each in a warning.
fn sweep_stale(dest: &Path) {
    for stale in stale_temp_files(dest) {
        match fs::remove_file(&stale.path) {
            Ok(()) => log::warn!(
                "removed {}: a temporary file left by meshtls process {} that was killed while writing {}",
                stale.path.display(),
                stale.pid,
                dest.display()
            ),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => log::warn!(
                "{} was left by meshtls process {} that was killed while writing, and may hold a private key; remove it: {e}",
                stale.path.display(),
                stale.pid
            ),
        }
    }
}

/// Writes one file atomically.
pub fn write_atomic(dest: &Path, bytes: &[u8], mode: FileMode) -> io::Result<()> {
    StagedFile::write(dest, bytes, mode)?.commit()
}

/// Writes one file atomically (readers see the old or the new bytes, never half) but without
/// the fsync: for volatile copies that are made again from their source at every start, as the
/// kubelet writes Secret volumes (on tmpfs, unsynced). An fsync cost milliseconds each.
pub fn write_atomic_volatile(dest: &Path, bytes: &[u8], mode: FileMode) -> io::Result<()> {
    StagedFile::write_with(dest, bytes, mode, false)?.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_staged_file_has_no_name_until_committed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("k.key");
        let staged = StagedFile::write(&dest, b"secret", FileMode::Private).unwrap();
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
        staged.commit().unwrap();
        assert_eq!(names(dir.path()), ["k.key"]);
        let mode = fs::metadata(&dest).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // Replacing goes through the temporary name and leaves only the destination.
        write_atomic(&dest, b"again", FileMode::Private).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"again");
        assert_eq!(names(dir.path()), ["k.key"]);
        // Dropped uncommitted: nothing.
        drop(StagedFile::write(&dir.path().join("x"), b"x", FileMode::Public).unwrap());
        assert_eq!(names(dir.path()), ["k.key"]);
    }

    #[test]
    fn link_new_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("root-key.pem");
        fs::write(&dest, b"first").unwrap();
        let staged = StagedFile::write(&dest, b"second", FileMode::Private).unwrap();
        let err = staged.link_new().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&dest).unwrap(), b"first");
        assert_eq!(names(dir.path()), ["root-key.pem"]);
    }

    #[test]
    fn stale_temporary_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("ca.key");
        // PIDs above the kernel's limit (2^22) never run; our own PID always does.
        let dead = dir.path().join(".ca.key.tmp-4194399");
        let own = dir
            .path()
            .join(format!(".ca.key.tmp-{}", std::process::id()));
        let other = dir.path().join(".other.key.tmp-4194399");
        for path in [&dead, &own, &other] {
            fs::write(path, b"key").unwrap();
        }
        assert_eq!(
            stale_temp_files(&dest),
            [Stale {
                path: dead.clone(),
                pid: 4194399
            }]
        );
        write_atomic(&dest, b"new", FileMode::Private).unwrap();
        assert!(!dead.exists());
        assert!(own.exists() && other.exists());
        assert!(is_temporary_name(".ca.key.tmp-4194399"));
        assert!(!is_temporary_name(".tmp-1") && !is_temporary_name("ca.key.tmp-1"));
        assert!(!is_temporary_name(".ca.key.tmp-") && !is_temporary_name(".a.tmp-1x"));
    }
}
