//! Runs checks from this machine with meshtls's curl-like client: the client material (page CA,
//! client certificate, throwaway CA, expired certificate, mesh identity) and where each listener is.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use time::OffsetDateTime;

use super::checks::{Check, Client, ClientCert, CurlFiles, Listener, Outcome, Target};
use super::client::{ServerCheck, TlsOptions, get};
use super::{Runner, VerifyError};
use crate::page;
use crate::pki::issue::{Issued, Signer, generate_keys, issue_leaf, new_ca};
use crate::pki::key::load_key_pair;
use crate::pki::mesh_ca::{MeshCa, ROOT_CERT_FILE};
use crate::pki::pem::certificates;
use crate::pki::spec::{KeyType, LeafRole, LeafSpec, Subject};

/// A certificate chain and its key, ready for rustls. `Debug` never shows the key.
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Identity({} certificates, key [redacted])",
            self.chain.len()
        )
    }
}

impl Identity {
    fn from_issued(issued: &Issued) -> Result<Identity, VerifyError> {
        let key = PrivateKeyDer::from_pem_slice(issued.key.expose())
            .map_err(|e| VerifyError::Material(format!("an in-memory key: {e}")))?;
        Ok(Identity {
            chain: vec![issued.cert_der.clone()],
            key,
        })
    }

    fn clone_key(&self) -> Identity {
        Identity {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

/// The in-mesh client's identity and the mesh root it trusts.
#[derive(Debug)]
pub struct MeshClient {
    pub identity: Identity,
    pub roots: Vec<CertificateDer<'static>>,
}

/// Something a check needs but could not have, with the reason (the check is skipped).
type Maybe<T> = Result<T, String>;

/// Everything the local client presents or trusts.
#[derive(Debug)]
pub struct Materials {
    /// The page's CA (`--cacert`): what the external client trusts.
    pub ca: Vec<CertificateDer<'static>>,
    /// The page's client certificate (`--cert`/`--key`).
    pub client: Maybe<Identity>,
    /// A client certificate from a CA made in memory for this run.
    pub other_ca: Maybe<Identity>,
    /// A client certificate from the page's CA that expired 30 days ago.
    pub expired: Maybe<Identity>,
    pub mesh: Maybe<MeshClient>,
}

/// Where the material comes from (paths resolved by the command).
#[derive(Debug, Clone)]
pub struct MaterialFiles {
    pub cacert: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    /// The CA's key, needed to make an expired client certificate.
    pub ca_key: Option<PathBuf>,
    pub mesh_dir: Option<PathBuf>,
}

fn read(path: &Path) -> Result<Vec<u8>, VerifyError> {
    std::fs::read(path).map_err(|source| VerifyError::Read {
        path: path.to_path_buf(),
        source,
    })
}

impl Materials {
    /// Loads the files and makes the in-memory certificates the negative checks use.
    pub fn load(
        files: &MaterialFiles,
        target: &Target,
        now: OffsetDateTime,
    ) -> Result<Materials, VerifyError> {
        let ca_bytes = read(&files.cacert)?;
        let ca = certificates(&files.cacert, &ca_bytes)?;
        let client = load_identity(&files.cert, &files.key);
        let other_ca = throwaway_client(target, now);
        let expired = match &files.ca_key {
            Some(key_path) if key_path.exists() => expired_client(&ca, key_path, target, now),
            Some(key_path) => Err(format!("{} does not exist", key_path.display())),
            None => Err("needs the CA's key (example.com.key in --certs, or --ca-key)".to_string()),
        };
        let mesh = match &files.mesh_dir {
            Some(dir) => mesh_identity(dir, target, now),
            None => Err("needs the mesh CA folder the proxy uses (--mesh-dir)".to_string()),
        };
        Ok(Materials {
            ca,
            client,
            other_ca,
            expired,
            mesh,
        })
    }
}

fn load_identity(cert: &Path, key: &Path) -> Maybe<Identity> {
    let load = || -> Result<Identity, VerifyError> {
        let bytes = read(cert)?;
        let chain = certificates(cert, &bytes)?;
        let key = PrivateKeyDer::from_pem_slice(&read(key)?).map_err(|e| {
            VerifyError::Material(format!("{}: no usable private key: {e}", key.display()))
        })?;
        Ok(Identity { chain, key })
    };
    load().map_err(|e| e.to_string())
}

fn client_spec(target: &Target, stem: &str) -> LeafSpec {
    let host = page::client_host(&target.namespace, &target.cluster_domain);
    LeafSpec {
        stem: stem.to_string(),
        subject: Subject::leaf(&host, "client organization"),
        dns_names: vec![host],
        role: LeafRole::Client,
    }
}

/// A client certificate that looks like the page's but comes from a CA nobody trusts.
fn throwaway_client(target: &Target, now: OffsetDateTime) -> Maybe<Identity> {
    let make = || -> Result<Identity, VerifyError> {
        let mut keys = generate_keys(KeyType::EcdsaP256, 2)?;
        let (ca_key, leaf_key) = match (keys.pop(), keys.pop()) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err(VerifyError::Material("no key was generated".to_string())),
        };
        let subject = Subject::parse("/O=meshtls throwaway/CN=not-the-page-ca.invalid")?;
        let (_, signer) = new_ca(&subject, ca_key, now, 1)?;
        let issued = issue_leaf(
            &client_spec(target, "other-ca-client"),
            leaf_key,
            &signer,
            now,
            1,
            false,
        )?;
        Identity::from_issued(&issued)
    };
    make().map_err(|e| e.to_string())
}

/// A client certificate from the page's CA, valid from 60 to 30 days ago.
fn expired_client(
    ca: &[CertificateDer<'static>],
    ca_key: &Path,
    target: &Target,
    now: OffsetDateTime,
) -> Maybe<Identity> {
    let make = || -> Result<Identity, VerifyError> {
        let ca_cert = ca
            .first()
            .cloned()
            .ok_or_else(|| VerifyError::Material("the CA file holds no certificate".into()))?;
        let key = load_key_pair(ca_key, &read(ca_key)?)?;
        let signer = Signer::new(ca_cert, key);
        let leaf_key = generate_keys(KeyType::EcdsaP256, 1)?
            .pop()
            .ok_or_else(|| VerifyError::Material("no key was generated".to_string()))?;
        let then = now - time::Duration::days(60);
        let issued = issue_leaf(
            &client_spec(target, "expired-client"),
            leaf_key,
            &signer,
            then,
            30,
            false,
        )?;
        Identity::from_issued(&issued)
    };
    make().map_err(|e| e.to_string())
}

/// The in-mesh `sleep` identity from the mesh CA the proxy uses (never creates a new root).
fn mesh_identity(dir: &Path, target: &Target, now: OffsetDateTime) -> Maybe<MeshClient> {
    if !dir.join(ROOT_CERT_FILE).exists() {
        return Err(format!(
            "no mesh CA in {} (it holds {ROOT_CERT_FILE} once a proxy has run with it; pass the proxy's --mesh-dir)",
            dir.display()
        ));
    }
    let make = || -> Result<MeshClient, VerifyError> {
        let ca = MeshCa::load_or_create(dir, now)?;
        let issued =
            ca.issue_workload(&target.client_spiffe_id(), Duration::from_secs(3600), now)?;
        let roots = certificates(&dir.join(ROOT_CERT_FILE), ca.root_pem.as_bytes())?;
        Ok(MeshClient {
            identity: Identity::from_issued(&issued)?,
            roots,
        })
    };
    make().map_err(|e| e.to_string())
}

/// Runs checks with the local client against listener addresses.
/// The listeners whose address refuses a TCP connection (nothing listens there); a timeout or
/// any other error does not count, the checks then say what happened.
pub fn refusing(
    addresses: &HashMap<Listener, SocketAddr>,
    timeout: Duration,
) -> Vec<(Listener, SocketAddr)> {
    let mut out: Vec<(Listener, SocketAddr)> = addresses
        .iter()
        .filter(|(_, address)| {
            std::net::TcpStream::connect_timeout(address, timeout)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused)
        })
        .map(|(listener, address)| (*listener, *address))
        .collect();
    out.sort_by_key(|(listener, _)| *listener != Listener::Tls);
    out
}

pub struct LocalRunner {
    pub target: Target,
    pub addresses: HashMap<Listener, SocketAddr>,
    pub materials: Materials,
    pub timeout: Duration,
    runtime: tokio::runtime::Runtime,
}

impl LocalRunner {
    pub fn new(
        target: Target,
        addresses: HashMap<Listener, SocketAddr>,
        materials: Materials,
        timeout: Duration,
    ) -> Result<LocalRunner, VerifyError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| VerifyError::Material(format!("starting a runtime: {e}")))?;
        Ok(LocalRunner {
            target,
            addresses,
            materials,
            timeout,
            runtime,
        })
    }

    fn tls_options(&self, check: &Check) -> Result<Option<TlsOptions>, String> {
        let external = |identity: Option<Identity>| TlsOptions {
            check: ServerCheck::Hostname {
                roots: self.materials.ca.clone(),
                name: check.host.clone(),
            },
            identity: identity.map(|i| (i.chain, i.key)),
            sni: check.host.clone(),
            alpn: vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        };
        let pick = |m: &Maybe<Identity>| m.as_ref().map(Identity::clone_key).map_err(Clone::clone);
        Ok(match check.client {
            Client::Plaintext => None,
            Client::External(ClientCert::Missing) => Some(external(None)),
            Client::External(ClientCert::Page) => {
                Some(external(Some(pick(&self.materials.client)?)))
            }
            Client::External(ClientCert::OtherCa) => {
                Some(external(Some(pick(&self.materials.other_ca)?)))
            }
            Client::External(ClientCert::Expired) => {
                Some(external(Some(pick(&self.materials.expired)?)))
            }
            Client::Mesh => {
                let mesh = self.materials.mesh.as_ref().map_err(Clone::clone)?;
                Some(TlsOptions {
                    check: ServerCheck::Spiffe {
                        roots: mesh.roots.clone(),
                        id: self.target.server_spiffe_id(),
                    },
                    identity: Some((mesh.identity.chain.clone(), mesh.identity.key.clone_key())),
                    sni: self.target.mesh_sni(),
                    alpn: vec![b"istio-http/1.1".to_vec(), b"istio".to_vec()],
                })
            }
        })
    }
}

impl Runner for LocalRunner {
    fn run(&mut self, check: &Check) -> (Outcome, Duration) {
        let started = Instant::now();
        let Some(address) = self.addresses.get(&check.listener).copied() else {
            return (
                Outcome::Skipped(format!("no address for the {:?} listener", check.listener)),
                started.elapsed(),
            );
        };
        let tls = match self.tls_options(check) {
            Ok(tls) => tls,
            Err(reason) => return (Outcome::Skipped(reason), started.elapsed()),
        };
        let host = format!(
            "{}:{}",
            check.host,
            self.target.ports(check.listener).service
        );
        let started = Instant::now();
        let result = self
            .runtime
            .block_on(get(address, &host, &check.path, tls, self.timeout));
        let outcome = match result {
            Ok((head, cn_fallback)) => Outcome::Response { head, cn_fallback },
            Err(error) => Outcome::Failed(error),
        };
        (outcome, started.elapsed())
    }
}

impl MaterialFiles {
    /// The page's file names in `--certs` (default `.`), each overridable by its own flag.
    #[allow(clippy::too_many_arguments)]
    pub fn resolve(
        target: &Target,
        certs: Option<PathBuf>,
        cacert: Option<PathBuf>,
        cert: Option<PathBuf>,
        key: Option<PathBuf>,
        ca_key: Option<PathBuf>,
        mesh_dir: Option<PathBuf>,
    ) -> MaterialFiles {
        let dir = certs.unwrap_or_else(|| PathBuf::from("."));
        let client = page::client_host(&target.namespace, &target.cluster_domain);
        let in_dir = |name: String| dir.join(name);
        let ca_key = ca_key.or_else(|| {
            // The CA key is only implied when the CA itself comes from the folder.
            cacert
                .is_none()
                .then(|| in_dir(format!("{}.key", page::CA_FILE)))
        });
        MaterialFiles {
            cacert: cacert.unwrap_or_else(|| in_dir(format!("{}.crt", page::CA_FILE))),
            cert: cert.unwrap_or_else(|| in_dir(format!("{client}.crt"))),
            key: key.unwrap_or_else(|| in_dir(format!("{client}.key"))),
            ca_key,
            mesh_dir: mesh_dir.or_else(page::mesh_dir),
        }
    }

    /// The page's certificate folder layout (as `certgen --out DIR` writes it).
    pub fn in_dir(dir: &Path, target: &Target, mesh_dir: &Path) -> MaterialFiles {
        MaterialFiles::resolve(
            target,
            Some(dir.to_path_buf()),
            None,
            None,
            None,
            None,
            Some(mesh_dir.to_path_buf()),
        )
    }

    /// The files, as curl arguments.
    pub fn curl_files(&self) -> CurlFiles {
        let text = |p: &Path| p.display().to_string();
        CurlFiles {
            cacert: text(&self.cacert),
            cert: text(&self.cert),
            key: text(&self.key),
        }
    }
}
