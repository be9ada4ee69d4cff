//! File writes that never leave a half-written file: a temporary sibling, fsync, then rename.
//! Private keys are created 0600 from their first byte.
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
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

/// A file staged next to its destination; `commit` renames it into place, `Drop` removes it.
pub struct StagedFile {
    temp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl StagedFile {
    /// Writes `bytes` to a temporary file beside `dest` with `mode`, and syncs it.
    pub fn write(dest: &Path, bytes: &[u8], mode: FileMode) -> io::Result<StagedFile> {
        StagedFile::write_with(dest, bytes, mode, true)
    }

    fn write_with(dest: &Path, bytes: &[u8], mode: FileMode, sync: bool) -> io::Result<StagedFile> {
        let dir = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = dest
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".tmp-{}", std::process::id()));
        let temp = dir.join(temp_name);
        let staged = StagedFile {
            temp,
            dest: dest.to_path_buf(),
            committed: false,
        };
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode.bits())
            .open(&staged.temp)?;
        file.write_all(bytes)?;
        if sync {
            file.sync_all()?;
        }
        // The umask may have narrowed the mode; set it exactly (never wider than asked).
        fs::set_permissions(
            &staged.temp,
            std::os::unix::fs::PermissionsExt::from_mode(mode.bits()),
        )?;
        Ok(staged)
    }

    /// Links the staged file in only if the destination does not exist yet
    /// (`AlreadyExists` otherwise); the temporary name is removed either way.
    pub fn link_new(self) -> io::Result<()> {
        fs::hard_link(&self.temp, &self.dest)
    }

    /// Moves the staged file over its destination in one rename.
    pub fn commit(mut self) -> io::Result<()> {
        fs::rename(&self.temp, &self.dest)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.temp);
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
