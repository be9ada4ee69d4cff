//! What the kubelet does for the sidecar's `userVolume`/`userVolumeMount` annotations: each Secret
//! key becomes a file under its mount path, behind a `..data` symlink swapped atomically on update.
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use k8s_openapi::api::apps::v1::Deployment;

use super::app::{USER_VOLUME, USER_VOLUME_MOUNT, UserVolume, UserVolumeMount};
use super::secret::Secret;
use crate::fsx::{FileMode, write_atomic};

/// Why the annotations cannot be turned into mounts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VolumeError {
    #[error("annotation {annotation} is not valid JSON: {reason}")]
    BadAnnotation {
        annotation: &'static str,
        reason: String,
    },
    #[error("{USER_VOLUME_MOUNT} mounts volume {0:?}, which {USER_VOLUME} does not define")]
    UnknownVolume(String),
    #[error(
        "secret {namespace}/{name} (volume {volume}) is not in the input and is not optional: the pod would not start; add the Secret (meshtls render secrets) or mark the volume optional"
    )]
    MissingSecret {
        namespace: String,
        name: String,
        volume: String,
    },
}

/// One secret volume mounted into istio-proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub volume: String,
    pub secret_name: String,
    pub optional: bool,
    /// The pod path, e.g. `/etc/istio/tls-certs/`.
    pub mount_path: String,
}

fn annotation<'a>(deployment: &'a Deployment, key: &str) -> Option<&'a String> {
    deployment
        .spec
        .as_ref()
        .and_then(|s| s.template.metadata.as_ref())
        .and_then(|m| m.annotations.as_ref())
        .and_then(|a| a.get(key))
}

/// The secret mounts the Deployment's annotations ask for (none without the annotations).
pub fn mounts(deployment: &Deployment) -> Result<Vec<Mount>, VolumeError> {
    let parse_error = |annotation: &'static str| {
        move |e: serde_json::Error| VolumeError::BadAnnotation {
            annotation,
            reason: e.to_string(),
        }
    };
    let volumes: BTreeMap<String, UserVolume> = match annotation(deployment, USER_VOLUME) {
        Some(text) => serde_json::from_str(text).map_err(parse_error(USER_VOLUME))?,
        None => BTreeMap::new(),
    };
    let volume_mounts: BTreeMap<String, UserVolumeMount> =
        match annotation(deployment, USER_VOLUME_MOUNT) {
            Some(text) => serde_json::from_str(text).map_err(parse_error(USER_VOLUME_MOUNT))?,
            None => BTreeMap::new(),
        };
    volume_mounts
        .into_iter()
        .map(|(name, mount)| {
            let volume = volumes
                .get(&name)
                .ok_or_else(|| VolumeError::UnknownVolume(name.clone()))?;
            Ok(Mount {
                volume: name,
                secret_name: volume.secret.secret_name.clone(),
                optional: volume.secret.optional.unwrap_or(false),
                mount_path: mount.mount_path,
            })
        })
        .collect()
}

/// The files a mount shows: each Secret key under the mount path. An optional Secret that is
/// missing mounts as an empty folder, as the kubelet does.
pub fn project<'s>(
    mounts: &[Mount],
    namespace: &str,
    secrets: &[&'s Secret],
) -> Result<Vec<(Mount, Option<&'s Secret>)>, VolumeError> {
    mounts
        .iter()
        .map(|mount| {
            let secret = secrets.iter().copied().find(|s| {
                s.name == mount.secret_name
                    && s.namespace.as_deref().unwrap_or(namespace) == namespace
            });
            match (secret, mount.optional) {
                (None, false) => Err(VolumeError::MissingSecret {
                    namespace: namespace.to_string(),
                    name: mount.secret_name.clone(),
                    volume: mount.volume.clone(),
                }),
                (secret, _) => Ok((mount.clone(), secret)),
            }
        })
        .collect()
}

/// Writes one mount under `root` the kubelet's way: `..<generation>/` holds the keys, `..data`
/// points at it, and each key is a symlink through `..data`. A second call swaps `..data`
/// atomically, so a reader sees the old set or the new set, never a mix.
pub fn materialize(
    root: &Path,
    mount_path: &str,
    data: &BTreeMap<String, Vec<u8>>,
    generation: u64,
) -> io::Result<PathBuf> {
    let dir = root.join(mount_path.trim_start_matches('/'));
    fs::create_dir_all(&dir)?;
    let stamp = format!("..{generation:020}");
    let versioned = dir.join(&stamp);
    fs::create_dir_all(&versioned)?;
    for (key, value) in data {
        write_atomic(&versioned.join(key), value, FileMode::Private)?;
    }
    let staging = dir.join("..data_tmp");
    let _ = fs::remove_file(&staging);
    symlink(&stamp, &staging)?;
    fs::rename(&staging, dir.join("..data"))?;
    for key in data.keys() {
        let visible = dir.join(key);
        if fs::symlink_metadata(&visible).is_err() {
            symlink(format!("..data/{key}"), &visible)?;
        }
    }
    // Older generations are no longer reachable through `..data`.
    for entry in fs::read_dir(&dir)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("..0") && name != stamp {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_generation_swaps_the_files_behind_the_same_paths() {
        let root = tempfile::tempdir().unwrap();
        let first = BTreeMap::from([("tls.crt".to_string(), b"one".to_vec())]);
        materialize(root.path(), "/etc/istio/tls-certs/", &first, 1).unwrap();
        let visible = root.path().join("etc/istio/tls-certs/tls.crt");
        assert_eq!(fs::read(&visible).unwrap(), b"one");
        let second = BTreeMap::from([("tls.crt".to_string(), b"two".to_vec())]);
        materialize(root.path(), "/etc/istio/tls-certs/", &second, 2).unwrap();
        assert_eq!(fs::read(&visible).unwrap(), b"two");
        assert!(
            !root
                .path()
                .join("etc/istio/tls-certs/..00000000000000000001")
                .exists()
        );
    }
}
