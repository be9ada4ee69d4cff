//! Keeping secrets current: file certificates are re-read on an interval (Kubernetes swaps a
//! `..data` symlink, so contents are compared, not paths), the mesh identity is rotated before
//! it expires. A bad new file keeps the old certificate; verification is never loosened.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwapOption;
use rustls::ServerConfig;
use rustls::pki_types::CertificateRevocationListDer;
use time::OffsetDateTime;

use super::config::{ProxyConfig, Security, TlsTermination};
use super::secrets::{DEFAULT, ROOTCA, SecretKind, SecretStore, file_cert_name, file_root_name};
use super::tls::material::{
    CertAndKey, TrustBundle, load_bundle, load_cert_and_key, load_crls, signing_key,
};
use super::tls::server::{mesh_config, termination_config};
use crate::pki::mesh_ca::MeshCa;
use crate::pki::pem::certificates;

/// A terminating listener's files and what was last read from them.
pub struct WatchedTermination {
    pub port: u16,
    settings: TlsTermination,
    cert_path: PathBuf,
    key_path: PathBuf,
    ca_path: Option<PathBuf>,
    crl_path: Option<PathBuf>,
    cert_name: String,
    root_name: Option<String>,
    /// The bytes last read, per secret, and what was loaded from them (kept when a new file is bad).
    cert_seen: Option<Vec<u8>>,
    ca_seen: Option<Vec<u8>>,
    crl_seen: Option<Vec<u8>>,
    cert: Option<CertAndKey>,
    ca: Option<TrustBundle>,
    /// None until the CRL file (when there is one) has loaded.
    crls: Option<Vec<CertificateRevocationListDer<'static>>>,
    slot: Arc<ArcSwapOption<ServerConfig>>,
}

/// The mesh identity (`default`) and root (`ROOTCA`) serving Istio mTLS listeners.
pub struct WorkloadIdentity {
    ca: MeshCa,
    spiffe_id: String,
    /// `spiffe://<trust domain>/`: what a peer's identity must start with.
    spiffe_prefix: String,
    ttl: Duration,
    renew_at: OffsetDateTime,
    slots: Vec<Arc<ArcSwapOption<ServerConfig>>>,
}

/// Everything the control thread keeps current.
pub struct Reloader {
    pub terminations: Vec<WatchedTermination>,
    pub mesh: Option<WorkloadIdentity>,
    pub store: Arc<SecretStore>,
}

impl Reloader {
    /// Registers every secret and builds the initial state; `slots[i]` is listener i's TLS slot.
    pub fn new(
        config: &ProxyConfig,
        slots: &[Arc<ArcSwapOption<ServerConfig>>],
        store: Arc<SecretStore>,
    ) -> Result<Reloader, String> {
        let mut terminations = Vec::new();
        let mut mesh_slots = Vec::new();
        for (listener, slot) in config.listeners.iter().zip(slots) {
            match &listener.security {
                Security::Terminate(tls) => {
                    let cert_name = file_cert_name(&tls.server_certificate, &tls.private_key);
                    store.register(&cert_name, SecretKind::TlsCertificate);
                    let root_name = tls.client_auth.ca_certificates().map(file_root_name);
                    if let Some(name) = &root_name {
                        store.register(name, SecretKind::ValidationContext);
                    }
                    terminations.push(WatchedTermination {
                        port: listener.port,
                        settings: tls.clone(),
                        cert_path: config.local_path(&tls.server_certificate),
                        key_path: config.local_path(&tls.private_key),
                        ca_path: tls
                            .client_auth
                            .ca_certificates()
                            .map(|p| config.local_path(p)),
                        crl_path: tls
                            .client_auth
                            .roots()
                            .and_then(|r| r.ca_crl.as_deref())
                            .map(|p| config.local_path(p)),
                        cert_name,
                        root_name,
                        cert_seen: None,
                        ca_seen: None,
                        crl_seen: None,
                        cert: None,
                        ca: None,
                        crls: None,
                        slot: Arc::clone(slot),
                    });
                }
                Security::IstioMutual | Security::Permissive => mesh_slots.push(Arc::clone(slot)),
                Security::Plaintext => {}
            }
        }
        let mesh = if mesh_slots.is_empty() {
            None
        } else {
            store.register(DEFAULT, SecretKind::TlsCertificate);
            store.register(ROOTCA, SecretKind::ValidationContext);
            let dir = config.mesh_dir.clone().ok_or_else(|| {
                "a port uses Istio mTLS (STRICT or PERMISSIVE), which needs the local mesh CA: pass --mesh-dir DIR".to_string()
            })?;
            let ca = MeshCa::load_or_create(&dir, OffsetDateTime::now_utc())
                .map_err(|e| format!("loading the mesh CA in {}: {e}", dir.display()))?;
            Some(WorkloadIdentity {
                ca,
                spiffe_id: config.workload.spiffe_id(&config.trust_domain),
                spiffe_prefix: format!("spiffe://{}/", config.trust_domain),
                ttl: config.workload_cert_ttl,
                renew_at: OffsetDateTime::UNIX_EPOCH,
                slots: mesh_slots,
            })
        };
        let mut reloader = Reloader {
            terminations,
            mesh,
            store,
        };
        reloader.poll(OffsetDateTime::now_utc());
        Ok(reloader)
    }

    /// Re-reads what changed; called on an interval by the control thread.
    pub fn poll(&mut self, now: OffsetDateTime) {
        for watched in &mut self.terminations {
            watched.refresh(&self.store, now);
        }
        if let Some(mesh) = self.mesh.as_mut().filter(|m| now >= m.renew_at) {
            mesh.rotate(&self.store, now);
        }
    }
}

fn read_files(paths: &[&PathBuf]) -> Vec<u8> {
    let mut seen = Vec::new();
    for path in paths {
        seen.extend(std::fs::read(path).unwrap_or_default());
        seen.push(0);
    }
    seen
}

impl WatchedTermination {
    /// Re-reads each secret's files; a secret whose bytes changed is loaded on its own
    /// (`file-cert` and `file-root` warm or go active independently, as SDS secrets do).
    fn refresh(&mut self, store: &SecretStore, now: OffsetDateTime) {
        let mut changed = false;
        let cert_bytes = read_files(&[&self.cert_path, &self.key_path]);
        if self.cert_seen.as_ref() != Some(&cert_bytes) {
            self.cert_seen = Some(cert_bytes);
            match load_cert_and_key(&self.cert_path, &self.key_path) {
                Ok(cert) => {
                    store.loaded(&self.cert_name, cert.chain_pem.clone(), now);
                    self.cert = Some(cert);
                    changed = true;
                }
                Err(reason) => {
                    store.failed(&self.cert_name, reason.clone());
                    self.report_rejected(&reason);
                }
            }
        }
        if let (Some(ca_path), Some(root_name)) = (&self.ca_path, &self.root_name) {
            let ca_bytes = read_files(&[ca_path]);
            if self.ca_seen.as_ref() != Some(&ca_bytes) {
                self.ca_seen = Some(ca_bytes);
                match load_bundle(ca_path) {
                    Ok(ca) => {
                        store.loaded(root_name, ca.pem.clone(), now);
                        self.ca = Some(ca);
                        changed = true;
                    }
                    Err(reason) => {
                        store.failed(root_name, reason.clone());
                        self.report_rejected(&reason);
                    }
                }
            }
        }
        if let Some(crl_path) = &self.crl_path {
            let crl_bytes = read_files(&[crl_path]);
            if self.crl_seen.as_ref() != Some(&crl_bytes) {
                self.crl_seen = Some(crl_bytes);
                match load_crls(crl_path) {
                    Ok(crls) => {
                        if self.crls.is_some() {
                            log::info!(
                                "port {}: reloaded the CRL {}",
                                self.port,
                                crl_path.display()
                            );
                        }
                        self.crls = Some(crls);
                        changed = true;
                    }
                    // The old CRL stays: a bad new file never loosens verification.
                    Err(reason) => self.report_rejected(&reason),
                }
            }
        }
        if changed {
            self.rebuild();
        }
    }

    /// Serves the current certificate and CA once every secret the mode needs has loaded.
    fn rebuild(&self) {
        let Some(cert) = &self.cert else { return };
        if self.ca_path.is_some() && self.ca.is_none() {
            return;
        }
        // With a caCrl, nothing is served until the CRL has loaded (fail closed).
        let crls = match (&self.crl_path, &self.crls) {
            (Some(_), None) => return,
            (_, crls) => crls.as_deref().unwrap_or_default(),
        };
        match termination_config(&self.settings, cert, self.ca.as_ref(), crls) {
            Ok(server_config) => {
                let reload = self.slot.load().is_some();
                self.slot.store(Some(server_config));
                if reload {
                    log::info!(
                        "port {}: reloaded TLS certificates from {}",
                        self.port,
                        self.cert_path.display()
                    );
                }
            }
            Err(e) => self.report_rejected(&e.to_string()),
        }
    }

    fn report_rejected(&self, reason: &str) {
        if self.slot.load().is_some() {
            log::warn!(
                "port {}: new certificate files rejected, still serving the previous ones: {reason}",
                self.port
            );
        } else {
            log::warn!(
                "port {}: TLS secret warming, connections are refused until it loads: {reason}",
                self.port
            );
        }
    }
}

impl WorkloadIdentity {
    /// The SPIFFE ID this workload serves as.
    pub fn spiffe_id(&self) -> &str {
        &self.spiffe_id
    }

    fn rotate(&mut self, store: &SecretStore, now: OffsetDateTime) {
        let issued = match self.ca.issue_workload(&self.spiffe_id, self.ttl, now) {
            Ok(issued) => issued,
            Err(e) => {
                log::warn!(
                    "issuing the workload certificate for {}: {e}",
                    self.spiffe_id
                );
                self.renew_at = now + time::Duration::seconds(30);
                return;
            }
        };
        let root = TrustBundle {
            roots: certificates(std::path::Path::new("ROOTCA"), self.ca.root_pem.as_bytes())
                .unwrap_or_default(),
            pem: self.ca.root_pem.as_bytes().to_vec(),
        };
        let key = match signing_key(std::path::Path::new("default"), issued.key.expose()) {
            Ok(key) => key,
            Err(e) => {
                log::warn!("the new workload key could not be read back: {e}");
                return;
            }
        };
        let identity = CertAndKey {
            chain: vec![issued.cert_der.clone()],
            key,
            chain_pem: issued.cert_pem.as_bytes().to_vec(),
        };
        match mesh_config(&identity, &root, &self.spiffe_prefix) {
            Ok(server_config) => {
                for slot in &self.slots {
                    slot.store(Some(Arc::clone(&server_config)));
                }
                store.loaded(DEFAULT, identity.chain_pem, now);
                if store
                    .snapshot()
                    .iter()
                    .any(|e| e.name == ROOTCA && e.loaded.is_none())
                {
                    store.loaded(ROOTCA, root.pem, now);
                }
                // Renew at 80% of the lifetime, as istio-agent does by default.
                let ttl = time::Duration::try_from(self.ttl).unwrap_or(time::Duration::DAY);
                self.renew_at = now + ttl * 0.8;
            }
            Err(e) => {
                log::warn!("building the mesh TLS config: {e}");
                self.renew_at = now + time::Duration::seconds(30);
            }
        }
    }
}
