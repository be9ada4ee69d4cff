//! The kubelet's part of the pod: each Secret the Deployment's annotations mount is written
//! under the pod root (`k8s::volumes`), and mounted again when the input files change.
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::watch;

use super::inbound::{Inbound, Placement, resolve};
use crate::k8s::volumes::materialize;
use crate::task::read::{expand, read};

/// A Secret that could not be written where istio-proxy reads it.
#[derive(Debug, thiserror::Error)]
#[error("mounting secret {secret} at {mount_path}: {source}")]
pub struct MountError {
    pub secret: String,
    pub mount_path: String,
    pub source: std::io::Error,
}

/// Mounts every Secret of `inbound` under `pod_root` (also `demo`'s step 4).
pub fn mount_all(inbound: &Inbound, pod_root: &Path, generation: u64) -> Result<(), MountError> {
    for (mount, secret) in &inbound.mounts {
        let data = secret.as_ref().map(|s| s.data.clone()).unwrap_or_default();
        materialize(pod_root, &mount.mount_path, &data, generation).map_err(|source| {
            MountError {
                secret: mount.secret_name.clone(),
                mount_path: mount.mount_path.clone(),
                source,
            }
        })?;
    }
    Ok(())
}

/// Re-mounts the Secrets when the input files change, as the kubelet updates a mounted Secret.
pub fn watch_secrets(
    files: Vec<PathBuf>,
    recursive: bool,
    namespace: String,
    placement: Placement,
    pod_root: PathBuf,
    mut stopping: watch::Receiver<bool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        // What the inputs hold now: every file behind them (folders expanded), byte for byte.
        let read_all = |files: &[PathBuf]| {
            expand(files, recursive)
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .map(|f| std::fs::read(f).unwrap_or_default())
                .collect::<Vec<_>>()
        };
        let mut seen = read_all(&files);
        let mut generation = 1;
        while !*stopping.borrow_and_update() {
            std::thread::sleep(Duration::from_millis(500));
            let now = read_all(&files);
            if now == seen {
                continue;
            }
            seen = now;
            let remounted = read(&files, recursive, &namespace)
                .map_err(|e| e.to_string())
                .and_then(|input| input.into_task().map_err(|e| e.to_string()))
                .and_then(|task| resolve(&task, &placement).map_err(|e| e.to_string()))
                .and_then(|inbound| {
                    generation += 1;
                    mount_all(&inbound, &pod_root, generation).map_err(|e| e.to_string())
                });
            match remounted {
                Ok(()) => log::info!(
                    "input changed: Secrets re-mounted (listener changes need a restart)"
                ),
                Err(e) => {
                    log::warn!("input changed but cannot be used, keeping the mounted Secrets: {e}")
                }
            }
        }
    })
}
