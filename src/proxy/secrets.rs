//! The proxy's SDS view: every secret a listener uses, active or warming, in Envoy's order,
//! with Istio-agent style `version_info`. The admin `config_dump` is rendered from a snapshot.
use std::sync::Arc;

use arc_swap::ArcSwap;
use time::OffsetDateTime;

/// Whether a secret holds a certificate and key, or a CA bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    TlsCertificate,
    ValidationContext,
}

/// One SDS secret as the proxy currently holds it.
#[derive(Debug, Clone)]
pub struct SecretEntry {
    pub name: String,
    pub kind: SecretKind,
    /// `None` while warming (never loaded); the reason is then in `warming_reason`.
    pub loaded: Option<LoadedSecret>,
    pub warming_reason: Option<String>,
}

/// A loaded secret: the PEM shown in dumps (certificate chain or CA, never a key).
#[derive(Debug, Clone)]
pub struct LoadedSecret {
    pub pem: Vec<u8>,
    pub version: u64,
    pub last_updated: OffsetDateTime,
}

/// Where a secret stands in the dump, as the page's `istioctl proxy-config secret` shows:
/// `file-cert:…`, `default`, `ROOTCA`, `file-root:…` (providers, then validation contexts).
fn dump_rank(name: &str, kind: SecretKind) -> u8 {
    match (kind, name) {
        (SecretKind::TlsCertificate, DEFAULT) => 1,
        (SecretKind::TlsCertificate, _) => 0,
        (SecretKind::ValidationContext, ROOTCA) => 2,
        (SecretKind::ValidationContext, _) => 3,
    }
}

/// `file-cert:<cert>~<key>`, as Istio names file-mounted certificates.
pub fn file_cert_name(cert: &str, key: &str) -> String {
    format!("file-cert:{cert}~{key}")
}

/// `file-root:<ca>`.
pub fn file_root_name(ca: &str) -> String {
    format!("file-root:{ca}")
}

pub const DEFAULT: &str = "default";
pub const ROOTCA: &str = "ROOTCA";

/// All secrets, swapped whole on change so readers never lock.
#[derive(Debug, Default)]
pub struct SecretStore {
    entries: ArcSwap<Vec<SecretEntry>>,
}

impl SecretStore {
    /// Registers a secret (warming until loaded). Order of registration is dump order
    /// within each kind: certificate providers first, then validation contexts.
    pub fn register(&self, name: &str, kind: SecretKind) {
        let mut next = (**self.entries.load()).clone();
        if next.iter().any(|e| e.name == name) {
            return;
        }
        next.push(SecretEntry {
            name: name.to_string(),
            kind,
            loaded: None,
            warming_reason: Some("not loaded yet".to_string()),
        });
        next.sort_by_key(|e| dump_rank(&e.name, e.kind));
        self.entries.store(Arc::new(next));
    }

    /// Records a successful (re)load: a new version and time.
    pub fn loaded(&self, name: &str, pem: Vec<u8>, now: OffsetDateTime) {
        self.update(name, |entry| {
            let version = entry.loaded.as_ref().map_or(1, |l| l.version + 1);
            entry.loaded = Some(LoadedSecret {
                pem,
                version,
                last_updated: now,
            });
            entry.warming_reason = None;
        });
    }

    /// Records a failed load: a secret never loaded stays warming; a loaded one keeps serving.
    pub fn failed(&self, name: &str, reason: String) {
        self.update(name, |entry| {
            if entry.loaded.is_none() {
                entry.warming_reason = Some(reason);
            }
        });
    }

    fn update(&self, name: &str, change: impl FnOnce(&mut SecretEntry)) {
        let mut next = (**self.entries.load()).clone();
        if let Some(entry) = next.iter_mut().find(|e| e.name == name) {
            change(entry);
            self.entries.store(Arc::new(next));
        }
    }

    pub fn snapshot(&self) -> Arc<Vec<SecretEntry>> {
        self.entries.load_full()
    }
}
