//! The parity task and the three servers it runs on: `meshtls render` of the page, extended
//! with a GRPC, a TCP, a TLS, a plaintext HTTP and a CRL-checking HTTPS port; certificates for
//! every bad client (another CA, expired, revoked); the embedded httpbin with its TCP echo;
//! meshtls from that YAML (`meshtls proxy -f`, once per HTTP/1.1 engine); and a real Envoy from
//! the listeners the same YAML resolves to.
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use meshtls::httpbin::{self, RunningHttpbin};
use meshtls::proxy::config::{Endpoint, ListenerConfig};
use meshtls::proxy::inbound::{Placement, resolve};
use rcgen::{
    CertificateParams, CertificateRevocationListParams, DnType, ExtendedKeyUsagePurpose, Issuer,
    KeyIdMethod, KeyPair, RevokedCertParams, SerialNumber,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use time::OffsetDateTime;

use super::client::Identities;
use super::corpus::{CRL, DOWN, GRPC, GRPC_DOWN, PAGE, PLAIN, PORTS, TCP, TLS};
use super::envoy::{MeshFiles, bootstrap};
use crate::common::{ChildGuard, certgen, free_port, meshtls, start_envoy};

const CA_CRL: &str = "/etc/istio/tls-ca-certs/ca.crl";

/// The extra Sidecar ingress ports (after the page's 9080 and 9081).
fn extra_ingress() -> String {
    let tls = |crl: bool| {
        format!(
            "    tls:\n      mode: MUTUAL\n      privateKey: /etc/istio/tls-certs/tls.key\n      serverCertificate: /etc/istio/tls-certs/tls.crt\n      caCertificates: /etc/istio/tls-ca-certs/ca.crt\n{}",
            if crl {
                format!("      caCrl: {CA_CRL}\n")
            } else {
                String::new()
            }
        )
    };
    let port = |number: u16, protocol: &str, name: &str, endpoint: u16| {
        format!(
            "  - port:\n      number: {number}\n      protocol: {protocol}\n      name: {name}\n    defaultEndpoint: 0.0.0.0:{endpoint}\n"
        )
    };
    [
        port(GRPC, "GRPC", "grpc", 80),
        port(TCP, "TCP", "tcp", 7),
        port(TLS, "TLS", "tls", 7) + &tls(false),
        port(PLAIN, "HTTP", "plain", 80),
        port(CRL, "HTTPS", "crl", 80) + &tls(true),
        port(DOWN, "HTTP", "down", 81),
        port(GRPC_DOWN, "GRPC", "grpc-down", 81),
    ]
    .concat()
}

/// `meshtls render` of the page with the parity ports, their PeerAuthentication DISABLE and
/// the CRL in the CA Secret.
fn task_yaml(certs: &Path, crl_pem: &str) -> String {
    let out = meshtls()
        .args(["render", "--certs"])
        .arg(certs)
        .output()
        .expect("render runs");
    assert!(
        out.status.success(),
        "render: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut yaml = String::from_utf8(out.stdout).expect("utf-8");
    let disable: String = [PAGE, GRPC, TCP, TLS, PLAIN, CRL, DOWN, GRPC_DOWN]
        .iter()
        .map(|p| format!("    {p}:\n      mode: DISABLE\n"))
        .collect();
    let page_disable = "  portLevelMtls:\n    9080:\n      mode: DISABLE\n";
    assert!(yaml.contains(page_disable), "the page's PeerAuthentication");
    yaml = yaml.replace(page_disable, &format!("  portLevelMtls:\n{disable}"));
    let ca_line = yaml
        .lines()
        .find(|l| l.starts_with("  ca.crt: "))
        .expect("the CA Secret")
        .to_string();
    let crl = base64::engine::general_purpose::STANDARD.encode(crl_pem);
    yaml = yaml.replace(&ca_line, &format!("{ca_line}\n  ca.crl: {crl}"));
    let internal = "      name: internal\n    defaultEndpoint: 0.0.0.0:80\n";
    assert!(yaml.contains(internal), "the page's Sidecar");
    yaml.replacen(internal, &format!("{internal}{}", extra_ingress()), 1)
}

fn page_issuer(certs: &Path) -> Issuer<'static, KeyPair> {
    let key = KeyPair::from_pem(&std::fs::read_to_string(certs.join("example.com.key")).unwrap())
        .unwrap();
    let ca = std::fs::read_to_string(certs.join("example.com.crt")).unwrap();
    Issuer::from_ca_cert_pem(&ca, key).unwrap()
}

/// A client certificate from the page's CA: (chain, key, serial).
fn client_cert(
    issuer: &Issuer<'_, KeyPair>,
    name: &str,
    not_after: OffsetDateTime,
) -> (
    Vec<CertificateDer<'static>>,
    PrivateKeyDer<'static>,
    Vec<u8>,
) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec![name.to_string()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.not_before = OffsetDateTime::now_utc() - time::Duration::days(30);
    params.not_after = not_after;
    let serial: Vec<u8> = (0..16).map(|_| rand_byte()).collect();
    let mut serial = serial;
    serial[0] &= 0x7f;
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    let cert = params.signed_by(&key, issuer).unwrap();
    let der = PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes()).unwrap();
    (vec![cert.der().clone()], der, serial)
}

fn rand_byte() -> u8 {
    let mut b = [0u8; 1];
    aws_lc_rs::rand::fill(&mut b).unwrap();
    b[0]
}

fn crl_pem(issuer: &Issuer<'_, KeyPair>, serial: &[u8]) -> String {
    let now = OffsetDateTime::now_utc();
    CertificateRevocationListParams {
        this_update: now - time::Duration::minutes(1),
        next_update: now + time::Duration::days(7),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![RevokedCertParams {
            serial_number: SerialNumber::from_slice(serial),
            revocation_time: now,
            reason_code: None,
            invalidity_date: None,
        }],
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(issuer)
    .unwrap()
    .pem()
    .unwrap()
}

fn pem_pair(cert: &Path, key: &Path) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let chain = CertificateDer::pem_file_iter(cert)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (chain, PrivateKeyDer::from_pem_file(key).unwrap())
}

/// Everything the suite runs on; dropping it stops the servers.
pub struct World {
    pub dir: tempfile::TempDir,
    pub task: PathBuf,
    pub ids: Identities,
    pub app: Option<RunningHttpbin>,
    /// Workload port → Envoy's local address.
    pub envoy: BTreeMap<u16, SocketAddr>,
    /// Where the app-down ports send: a loopback port nothing listens on.
    pub nowhere: SocketAddr,
    _envoy: ChildGuard,
}

impl Drop for World {
    fn drop(&mut self) {
        if let Some(app) = self.app.take() {
            app.shutdown();
        }
    }
}

fn overrides(app: &RunningHttpbin) -> (SocketAddr, SocketAddr) {
    (app.address, app.tcp_echo.expect("the TCP echo runs"))
}

pub fn world() -> World {
    let dir = crate::common::tempdir();
    let certs = dir.path().join("certs");
    certgen(&certs, &[]);
    let other = dir.path().join("other");
    certgen(&other, &["--ca-subject", "/O=other Inc./CN=other.example"]);
    let issuer = page_issuer(&certs);
    let now = OffsetDateTime::now_utc();
    let (expired_chain, expired_key, _) = client_cert(
        &issuer,
        "expired.test.svc.cluster.local",
        now - time::Duration::days(1),
    );
    let (revoked_chain, revoked_key, revoked_serial) = client_cert(
        &issuer,
        "revoked.test.svc.cluster.local",
        now + time::Duration::days(30),
    );
    let task = dir.path().join("task.yaml");
    std::fs::write(&task, task_yaml(&certs, &crl_pem(&issuer, &revoked_serial))).unwrap();

    // The mesh CA both sides share, and the workload identities of each end.
    let mesh_dir = dir.path().join("mesh");
    let ca = meshtls::pki::mesh_ca::MeshCa::load_or_create(&mesh_dir, now).unwrap();
    let issue = |id: &str| {
        ca.issue_workload(id, Duration::from_secs(3600), now)
            .unwrap()
    };
    let sleep = issue("spiffe://cluster.local/ns/test/sa/sleep");
    let ours = issue("spiffe://cluster.local/ns/test/sa/httpbin");
    let envoy_dir = dir.path().join("envoy");
    std::fs::create_dir_all(&envoy_dir).unwrap();
    let (mesh_cert, mesh_key, mesh_root) = (
        envoy_dir.join("mesh.crt"),
        envoy_dir.join("mesh.key"),
        envoy_dir.join("root.crt"),
    );
    std::fs::write(&mesh_cert, &ours.cert_pem).unwrap();
    std::fs::write(&mesh_key, ours.key.expose()).unwrap();
    std::fs::write(&mesh_root, &ca.root_pem).unwrap();
    let mesh_roots =
        meshtls::pki::pem::certificates(Path::new("ROOTCA"), ca.root_pem.as_bytes()).unwrap();

    let mut page_roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(certs.join("example.com.crt")).unwrap() {
        page_roots.add(cert.unwrap()).unwrap();
    }
    let client = "client.test.svc.cluster.local";
    let ids = Identities {
        page_roots,
        page: pem_pair(
            &certs.join(format!("{client}.crt")),
            &certs.join(format!("{client}.key")),
        ),
        other_ca: pem_pair(
            &other.join(format!("{client}.crt")),
            &other.join(format!("{client}.key")),
        ),
        expired: (expired_chain, expired_key),
        revoked: (revoked_chain, revoked_key),
        mesh: (
            vec![sleep.cert_der.clone()],
            PrivateKeyDer::from_pem_slice(sleep.key.expose()).unwrap(),
        ),
        mesh_roots,
    };

    let app = httpbin::start_with(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        Some(SocketAddr::from(([127, 0, 0, 1], 0))),
    )
    .expect("httpbin starts");
    let (app_address, echo) = overrides(&app);

    let nowhere = SocketAddr::from(([127, 0, 0, 1], free_port()));
    // Envoy, from the listeners the same YAML resolves to, with the Secrets mounted as the
    // kubelet mounts them.
    let text = std::fs::read_to_string(&task).unwrap();
    let input = meshtls::task::read::from_texts(
        &[meshtls::task::read::Text {
            name: task.display().to_string(),
            text,
        }],
        "default",
    )
    .expect("the task reads");
    let task_model = input.into_task().expect("a task");
    let placement = Placement {
        endpoint_overrides: [
            (80, Endpoint::Tcp(app_address)),
            (7, Endpoint::Tcp(echo)),
            (81, Endpoint::Tcp(nowhere)),
        ]
        .into_iter()
        .collect(),
        ..Placement::default()
    };
    let inbound = resolve(&task_model, &placement).expect("the task resolves");
    let root = envoy_dir.join("pod");
    meshtls::proxy::mount::mount_all(&inbound, &root, 1).expect("the Secrets mount");
    let envoy_admin = free_port();
    let mut envoy = BTreeMap::new();
    let listeners: Vec<(ListenerConfig, SocketAddr)> = inbound
        .listeners
        .iter()
        .map(|l| {
            let local = SocketAddr::from(([127, 0, 0, 1], free_port()));
            envoy.insert(l.port, local);
            (l.clone(), local)
        })
        .collect();
    let ported: Vec<u16> = listeners.iter().map(|(l, _)| l.port).collect();
    assert_eq!(ported, PORTS, "the parity task resolves to its ports");
    let mesh = MeshFiles {
        cert: &mesh_cert,
        key: &mesh_key,
        root: &mesh_root,
    };
    let config = bootstrap(
        &listeners,
        envoy_admin,
        &root,
        &mesh,
        "ingress-sidecar.test",
    );
    let envoy_guard = start_envoy(&envoy_dir, &config, envoy_admin);
    World {
        dir,
        task,
        ids,
        app: Some(app),
        envoy,
        nowhere,
        _envoy: envoy_guard,
    }
}

/// meshtls from the task, run as a user runs it (`meshtls proxy -f`), with one HTTP/1.1 engine.
pub struct Meshtls {
    pub ports: BTreeMap<u16, SocketAddr>,
    _child: ChildGuard,
}

pub fn meshtls_proxy(world: &World, engine: &str) -> Meshtls {
    let app = world.app.as_ref().expect("app");
    let (app_address, echo) = overrides(app);
    let admin = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let mut ports = BTreeMap::new();
    let mut command = meshtls();
    command.arg("proxy").arg("-f").arg(&world.task);
    for port in PORTS {
        let local = free_port();
        ports.insert(port, SocketAddr::from(([127, 0, 0, 1], local)));
        command.arg("--port-map").arg(format!("{port}={local}"));
    }
    command
        .arg("--endpoint-override")
        .arg(format!("80={app_address}"))
        .arg("--endpoint-override")
        .arg(format!("7={echo}"))
        .arg("--endpoint-override")
        .arg(format!("81={}", world.nowhere))
        .arg("--admin")
        .arg(admin.to_string())
        .arg("--mesh-dir")
        .arg(world.dir.path().join("mesh"))
        .arg("--access-log")
        .arg("off")
        .arg("--http1-engine")
        .arg(engine)
        .stdout(Stdio::null());
    let log_path = world.dir.path().join(format!("meshtls-{engine}.log"));
    command.stderr(std::fs::File::create(&log_path).expect("the proxy's log"));
    let child = ChildGuard(command.spawn().expect("meshtls proxy starts"));
    // Ready when every port accepts and the CRL port has its CRL.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = Command::new("curl")
            .args(["-s", "--max-time", "2", &format!("http://{admin}/ready")])
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"LIVE"));
        let bound = ports
            .values()
            .all(|a| std::net::TcpStream::connect(a).is_ok());
        if ready && bound {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "meshtls proxy ({engine}) did not come up:\n{}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Meshtls {
        ports,
        _child: child,
    }
}
