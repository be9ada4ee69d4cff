//! Checks 4 and 5: the Sidecar's tls paths against the Deployment's `userVolumeMount`s, and each
//! mounted Secret against the input (present, and holding the key a path reads).
use crate::k8s::secret::Secret;
use crate::k8s::volumes::{Mount, mounts};

use super::{Code, Finding, Input, Origin};
use crate::task::mounts::{Resolved, resolve, tls_paths};
use crate::task::select::Selected;

fn mount_list(mounts: &[Mount]) -> String {
    if mounts.is_empty() {
        return "it has no sidecar.istio.io/userVolumeMount".to_string();
    }
    let paths: Vec<&str> = mounts.iter().map(|m| m.mount_path.as_str()).collect();
    format!("its mounts: {}", paths.join(", "))
}

pub fn check(input: &Input, findings: &mut Vec<Finding>) {
    let secrets = input.task.secrets();
    // Annotations and Secrets of every Deployment: a pod that cannot start serves nothing.
    for (deployment, origin) in input.task.deployments() {
        let list = match mounts(deployment) {
            Ok(list) => list,
            Err(e) => {
                findings.push(Finding::new(
                    Code::BadVolumeAnnotation,
                    origin,
                    format!("{e}: the sidecar injector rejects the pod; fix the annotation"),
                ));
                continue;
            }
        };
        for mount in &list {
            let present = secrets.iter().any(|(s, _)| {
                s.name == mount.secret_name && s.namespace.as_deref() == Some(&origin.namespace)
            });
            if present {
                continue;
            }
            let (code, why) = if mount.optional {
                (
                    Code::OptionalSecretMissing,
                    format!(
                        "volume {} is `optional: true`, which hides that: the pod starts, {} stays an empty folder, and the certificates there stay warming, so every TLS handshake fails",
                        mount.volume, mount.mount_path
                    ),
                )
            } else {
                (
                    Code::SecretNotFound,
                    format!(
                        "volume {} needs it, so the pod would not start",
                        mount.volume
                    ),
                )
            };
            findings.push(Finding::new(
                code,
                origin,
                format!(
                    "Secret {}/{} is not in the input: {why}; add it (`meshtls render secrets --certs DIR`) or fix secretName",
                    origin.namespace, mount.secret_name
                ),
            ));
        }
    }
    for applied in input.task.applied() {
        paths(&applied, &secrets, findings);
    }
}

/// Check 4 and the key half of check 5 for one workload's tls listeners.
fn paths(applied: &Selected<'_>, secrets: &[(&Secret, &Origin)], findings: &mut Vec<Finding>) {
    let Ok(list) = mounts(applied.workload.deployment) else {
        return;
    };
    let w = &applied.workload;
    for listener in &applied.sidecar.spec.ingress {
        let Some(tls) = &listener.tls else { continue };
        let port = listener.port.as_ref().map_or(0, |p| p.number);
        for (field, path) in tls_paths(tls) {
            match resolve(path, &list, &w.namespace, secrets) {
                Resolved::NotMounted => findings.push(Finding::new(
                    Code::CertPathNotMounted,
                    applied.sidecar_origin,
                    format!(
                        "ingress port {port} tls.{field} {path} is under no userVolumeMount of Deployment {}/{} ({}): istio-proxy cannot read it, so the listener stays warming; mount the Secret there with sidecar.istio.io/userVolumeMount, or fix the path",
                        w.namespace,
                        w.name,
                        mount_list(&list)
                    ),
                )),
                Resolved::NoKey(mount, secret, origin, key) => {
                    let keys: Vec<&str> = secret.data.keys().map(String::as_str).collect();
                    findings.push(Finding::new(
                        Code::SecretKeyMissing,
                        origin,
                        format!(
                            "has no key {key}, which Sidecar {}/{} reads as {path} (port {port} tls.{field}, volume {}); its keys: {}; add the key or fix the path",
                            applied.sidecar_origin.namespace,
                            applied.sidecar_origin.name,
                            mount.volume,
                            if keys.is_empty() { "none".to_string() } else { keys.join(", ") }
                        ),
                    ));
                }
                Resolved::NoSecret(_) | Resolved::Found(..) => {}
            }
        }
    }
}
