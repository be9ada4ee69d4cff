//! Where a pod path of a Sidecar's `tls` block comes from: the userVolumeMount it falls under,
//! and the Secret key behind it (what the kubelet would show istio-proxy at that path).
use crate::k8s::secret::Secret;
use crate::k8s::volumes::Mount;
use crate::mesh::sidecar::ServerTlsSettings;

use super::Origin;

/// The tls fields that name files, with the Secret key each usually reads.
pub fn tls_paths(tls: &ServerTlsSettings) -> Vec<(&'static str, &str)> {
    [
        ("serverCertificate", tls.server_certificate.as_deref()),
        ("privateKey", tls.private_key.as_deref()),
        ("caCertificates", tls.ca_certificates.as_deref()),
    ]
    .into_iter()
    .filter_map(|(field, path)| path.filter(|p| !p.is_empty()).map(|p| (field, p)))
    .collect()
}

/// Where a pod path leads.
pub enum Resolved<'a> {
    /// Under no mount.
    NotMounted,
    /// Under `mount`, whose Secret is not in the input.
    NoSecret(&'a Mount),
    /// Under `mount`; the Secret has no such key.
    NoKey(&'a Mount, &'a Secret, &'a Origin, String),
    /// The Secret's bytes for the path.
    Found(&'a Secret, &'a Origin, String, &'a [u8]),
}

/// Resolves `path` through `mounts` to a Secret key in `namespace`.
pub fn resolve<'a>(
    path: &str,
    mounts: &'a [Mount],
    namespace: &str,
    secrets: &[(&'a Secret, &'a Origin)],
) -> Resolved<'a> {
    let Some((mount, rest)) = mounts.iter().find_map(|m| {
        let dir = m.mount_path.trim_end_matches('/');
        path.strip_prefix(dir)
            .and_then(|rest| rest.strip_prefix('/'))
            .map(|rest| (m, rest))
    }) else {
        return Resolved::NotMounted;
    };
    let Some((secret, origin)) = secrets
        .iter()
        .find(|(s, _)| s.name == mount.secret_name && s.namespace.as_deref() == Some(namespace))
    else {
        return Resolved::NoSecret(mount);
    };
    match secret.data.get(rest) {
        Some(bytes) => Resolved::Found(secret, origin, rest.to_string(), bytes),
        None => Resolved::NoKey(mount, secret, origin, rest.to_string()),
    }
}
