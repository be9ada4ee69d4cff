//! The embedded sidecar over loopback, checked with real curl: the page's checks, rejections,
//! the app down, hot reload, and the admin API.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use meshtls::httpbin::{self, RunningHttpbin};
use meshtls::proxy::config::{
    AccessLog, ClientAuth, ClientRoots, DownstreamLimits, Endpoint, H2Engine, Http1Engine,
    ListenerConfig, Protocol, ProxiedWorkload, ProxyConfig, Security, TlsMode, TlsTermination,
    TlsVersion, UpstreamLimits,
};
use meshtls::proxy::run::{RunningProxy, start};

use crate::common::{certgen, page_openssl_certs, require_tool, tempdir};

pub const FQDN: &str = "httpbin.test.svc.cluster.local";
const TLS_CERT: &str = "/etc/istio/tls-certs/tls.crt";
const TLS_KEY: &str = "/etc/istio/tls-certs/tls.key";
const CA_CERT: &str = "/etc/istio/tls-ca-certs/ca.crt";

/// A sidecar set up as the page sets it up: 9080 MUTUAL TLS, 9081 STRICT mTLS, httpbin behind.
pub struct Fixture {
    pub certs: tempfile::TempDir,
    pub root: tempfile::TempDir,
    pub mesh: tempfile::TempDir,
    pub app: Option<RunningHttpbin>,
    pub proxy: Option<RunningProxy>,
}

impl Fixture {
    pub fn external(&self) -> SocketAddr {
        self.proxy
            .as_ref()
            .and_then(|p| p.address_of(9080))
            .expect("9080 bound")
    }

    pub fn internal(&self) -> SocketAddr {
        self.proxy
            .as_ref()
            .and_then(|p| p.address_of(9081))
            .expect("9081 bound")
    }

    pub fn admin(&self) -> SocketAddr {
        self.proxy.as_ref().map(|p| p.admin).expect("proxy running")
    }

    pub fn cert(&self, name: &str) -> PathBuf {
        self.certs.path().join(name)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(proxy) = self.proxy.take() {
            proxy.shutdown();
        }
        if let Some(app) = self.app.take() {
            app.shutdown();
        }
    }
}

/// Copies the server and CA files to where the Sidecar's pod paths point, under `root`.
pub fn mount(certs: &Path, root: &Path) {
    let put = |pod_path: &str, file: &str| {
        let dest = root.join(pod_path.trim_start_matches('/'));
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(certs.join(file), dest).unwrap();
    };
    put(TLS_CERT, &format!("{FQDN}.crt"));
    put(TLS_KEY, &format!("{FQDN}.key"));
    put(CA_CERT, "example.com.crt");
}

/// The page's client roots: its CA, no CRL.
pub fn page_roots() -> ClientRoots {
    ClientRoots {
        ca_certificates: CA_CERT.to_string(),
        ca_crl: None,
    }
}

pub fn page_config(root: &Path, mesh: &Path, app: SocketAddr, mode: TlsMode) -> ProxyConfig {
    let loopback = |port| SocketAddr::from(([127, 0, 0, 1], port));
    let termination = TlsTermination {
        client_auth: ClientAuth::new(mode, Some(page_roots())).expect("a CA is given"),
        server_certificate: TLS_CERT.to_string(),
        private_key: TLS_KEY.to_string(),
        min_version: TlsVersion::V1_2,
        max_version: TlsVersion::V1_3,
        cipher_suites: Vec::new(),
    };
    ProxyConfig {
        workload: ProxiedWorkload {
            namespace: "test".to_string(),
            service_account: "httpbin".to_string(),
            sidecar_name: "ingress-sidecar".to_string(),
            names: Default::default(),
        },
        listeners: vec![
            ListenerConfig {
                port: 9080,
                name: "external".to_string(),
                bind: loopback(0),
                security: Security::Terminate(termination),
                protocol: Protocol::Http,
                endpoint: Endpoint::Tcp(app),
                service: None,
            },
            ListenerConfig {
                port: 9081,
                name: "internal".to_string(),
                bind: loopback(0),
                security: Security::IstioMutual,
                protocol: Protocol::Http,
                endpoint: Endpoint::Tcp(app),
                service: None,
            },
        ],
        admin: loopback(0),
        concurrency: 1,
        upstream: UpstreamLimits {
            connect_timeout: Duration::from_secs(2),
            ..UpstreamLimits::default()
        },
        downstream: DownstreamLimits::default(),
        root: root.to_path_buf(),
        mesh_dir: Some(mesh.to_path_buf()),
        trust_domain: "cluster.local".to_string(),
        drain_timeout: Duration::from_secs(2),
        access_log: AccessLog::Off,
        reload_interval: Duration::from_millis(200),
        workload_cert_ttl: Duration::from_secs(24 * 3600),
        http1: Http1Engine::default(),
        h2: H2Engine::default(),
    }
}

pub fn fixture_with(mode: TlsMode, page_certs: bool) -> Fixture {
    fixture_from(page_certs, |config| {
        if let Security::Terminate(tls) = &mut config.listeners[0].security {
            tls.client_auth = ClientAuth::new(mode, Some(page_roots())).expect("a CA is given");
        }
    })
}

/// The page's set-up (certificates from certgen or the page's openssl commands), changed by `adjust`.
pub fn fixture_from(page_certs: bool, adjust: impl FnOnce(&mut ProxyConfig)) -> Fixture {
    let certs = tempdir();
    if page_certs {
        page_openssl_certs(certs.path());
    } else {
        certgen(certs.path(), &[]);
    }
    let root = tempdir();
    mount(certs.path(), root.path());
    let mesh = tempdir();
    let app = httpbin::start(SocketAddr::from(([127, 0, 0, 1], 0))).expect("httpbin starts");
    let mut config = page_config(root.path(), mesh.path(), app.address, TlsMode::Mutual);
    adjust(&mut config);
    let proxy = start(config).expect("proxy starts");
    Fixture {
        certs,
        root,
        mesh,
        app: Some(app),
        proxy: Some(proxy),
    }
}

/// `curl -sS -I` to the external port with the page's flags; `extra` adds or replaces some.
pub fn curl_external(f: &Fixture, extra: &[&str], with_client_cert: bool) -> Output {
    let mut args = vec!["-I"];
    args.extend_from_slice(extra);
    curl_to(f, &args, with_client_cert)
}

/// curl to the external port's `/status/200` with the page's flags plus `extra`.
pub fn curl_to(f: &Fixture, extra: &[&str], with_client_cert: bool) -> Output {
    let port = f.external().port();
    let resolve = format!("{FQDN}:{port}:127.0.0.1");
    let url = format!("https://{FQDN}:{port}/status/200");
    let ca = f.cert("example.com.crt");
    let cert = f.cert("client.test.svc.cluster.local.crt");
    let key = f.cert("client.test.svc.cluster.local.key");
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "10", "--resolve", &resolve, "--cacert"])
        .arg(&ca);
    if with_client_cert {
        cmd.arg("--cert").arg(&cert).arg("--key").arg(&key);
    }
    cmd.args(extra).arg(&url);
    cmd.output().expect("curl runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub(crate) fn page_check_b_external_mtls_gets_200_over_h2_with_envoy_headers() {
    if !require_tool("curl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    let out = curl_external(&f, &[], true);
    let head = text(&out);
    assert!(out.status.success(), "{head}");
    assert!(head.starts_with("HTTP/2 200"), "{head}");
    assert!(head.contains("server: istio-envoy"), "{head}");
    assert!(head.contains("x-envoy-upstream-service-time: "), "{head}");
    assert!(
        head.contains("x-envoy-decorator-operation: ingress-sidecar.test:9080/*"),
        "{head}"
    );
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    let out = curl_external(&f, &["--http1.1"], true);
    assert!(text(&out).starts_with("HTTP/1.1 200 OK"), "{}", text(&out));
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn read_certs(path: &Path) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    let bytes = std::fs::read(path).unwrap();
    meshtls::pki::pem::certificates(path, &bytes).unwrap()
}

fn read_key(path: &Path) -> rustls::pki_types::PrivateKeyDer<'static> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::PrivateKeyDer::from_pem_file(path).unwrap()
}

/// An in-mesh client: a `sleep` workload certificate from the fixture's mesh CA.
fn mesh_tls(f: &Fixture, server_id: &str) -> meshtls::verify::client::TlsOptions {
    use meshtls::pki::mesh_ca::MeshCa;
    use meshtls::verify::client::{ServerCheck, TlsOptions};
    let now = time::OffsetDateTime::now_utc();
    let ca = MeshCa::load_or_create(f.mesh.path(), now).unwrap();
    let issued = ca
        .issue_workload(
            "spiffe://cluster.local/ns/test/sa/sleep",
            Duration::from_secs(3600),
            now,
        )
        .unwrap();
    let key = {
        use rustls::pki_types::pem::PemObject;
        rustls::pki_types::PrivateKeyDer::from_pem_slice(issued.key.expose()).unwrap()
    };
    let roots =
        meshtls::pki::pem::certificates(Path::new("ROOTCA"), ca.root_pem.as_bytes()).unwrap();
    TlsOptions {
        check: ServerCheck::Spiffe {
            roots,
            id: server_id.to_string(),
        },
        identity: Some((vec![issued.cert_der.clone()], key)),
        sni: "outbound_.8080_._.httpbin.test.svc.cluster.local".to_string(),
        alpn: vec![b"istio-http/1.1".to_vec()],
    }
}

/// A GET of `path` from inside the mesh (`sa/sleep`, Istio's ALPN) to the STRICT port.
pub fn mesh_get(f: &Fixture, path: &str) -> meshtls::verify::client::Head {
    let tls = mesh_tls(f, "spiffe://cluster.local/ns/test/sa/httpbin");
    let (head, _) = runtime()
        .block_on(meshtls::verify::client::get(
            f.internal(),
            "httpbin:8080",
            path,
            Some(tls),
            Duration::from_secs(5),
        ))
        .expect("mesh request succeeds");
    head
}

pub(crate) fn page_check_a_in_mesh_client_gets_200_on_the_strict_port() {
    let f = fixture_with(TlsMode::Mutual, false);
    let head = mesh_get(&f, "/status/200");
    assert_eq!(head.status, 200);
    assert_eq!(head.headers["server"], "istio-envoy");
    // A client that expects another identity refuses the server.
    let wrong = mesh_tls(&f, "spiffe://cluster.local/ns/test/sa/other");
    let err = runtime()
        .block_on(meshtls::verify::client::get(
            f.internal(),
            "httpbin:8080",
            "/status/200",
            Some(wrong),
            Duration::from_secs(5),
        ))
        .unwrap_err();
    assert!(
        matches!(
            err,
            meshtls::verify::client::RequestError::ServerCertificate(_)
        ),
        "{err:?}"
    );
}

pub(crate) fn page_check_c_plaintext_to_the_strict_port_is_reset() {
    if !require_tool("curl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    let url = format!("http://127.0.0.1:{}/status/200", f.internal().port());
    let out = Command::new("curl")
        .args(["-sS", "-I", "--max-time", "10", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(56), "{}", text(&out));
    assert!(
        text(&out).contains("Connection reset by peer"),
        "{}",
        text(&out)
    );
}

pub(crate) fn clients_without_a_valid_certificate_are_rejected() {
    if !require_tool("curl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    // No client certificate.
    let out = curl_external(&f, &[], false);
    assert!(
        !out.status.success() && !text(&out).contains("HTTP/"),
        "{}",
        text(&out)
    );
    // A client certificate from another CA.
    assert_rejected(&curl_with_another_cas_client(&f));
    // An expired client certificate from the right CA.
    let (expired_cert, expired_key) = expired_client(&f);
    let out = curl_external(
        &f,
        &[
            "--cert",
            expired_cert.to_str().unwrap(),
            "--key",
            expired_key.to_str().unwrap(),
        ],
        false,
    );
    assert!(
        !out.status.success() && !text(&out).contains("HTTP/"),
        "{}",
        text(&out)
    );
    // Each rejection is counted as Envoy 1.40 counts it: no certificate apart, the other CA's
    // and the expired one both under fail_verify_error.
    let stats = admin_get(&f, "/stats");
    assert!(
        stats.contains("listener.0.0.0.0_9080.ssl.fail_verify_no_cert: 1"),
        "{stats}"
    );
    assert!(
        stats.contains("listener.0.0.0.0_9080.ssl.fail_verify_error: 2"),
        "{stats}"
    );
}

/// A client certificate signed by the fixture's CA whose validity ended a month ago.
fn expired_client(f: &Fixture) -> (PathBuf, PathBuf) {
    use meshtls::pki::issue::{Signer, generate_keys, issue_leaf};
    use meshtls::pki::spec::{LeafRole, LeafSpec, Subject};
    let ca_path = f.cert("example.com.crt");
    let ca_der = read_certs(&ca_path).remove(0);
    let ca_key_bytes = std::fs::read(f.cert("example.com.key")).unwrap();
    let ca_key =
        meshtls::pki::key::load_key_pair(&f.cert("example.com.key"), &ca_key_bytes).unwrap();
    let signer = Signer::new(ca_der, ca_key);
    let spec = LeafSpec {
        stem: "expired".to_string(),
        subject: Subject::leaf("client.test.svc.cluster.local", "client organization"),
        dns_names: vec!["client.test.svc.cluster.local".to_string()],
        role: LeafRole::Client,
    };
    let key = generate_keys(meshtls::pki::spec::KeyType::EcdsaP256, 1)
        .unwrap()
        .remove(0);
    let then = time::OffsetDateTime::now_utc() - time::Duration::days(60);
    let issued = issue_leaf(&spec, key, &signer, then, 30, false).unwrap();
    let cert = f.certs.path().join("expired.crt");
    let key = f.certs.path().join("expired.key");
    std::fs::write(&cert, &issued.cert_pem).unwrap();
    std::fs::write(&key, issued.key.expose()).unwrap();
    (cert, key)
}

pub(crate) fn the_page_openssl_v1_certificates_are_accepted() {
    if !require_tool("curl") || !require_tool("openssl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, true);
    let out = curl_external(&f, &[], true);
    assert!(text(&out).starts_with("HTTP/2 200"), "{}", text(&out));
    // The XFCC header reaches the app with the v1 client certificate's hash and subject.
    let port = f.external().port();
    let resolve = format!("{FQDN}:{port}:127.0.0.1");
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10", "--resolve", &resolve, "--cacert"])
        .arg(f.cert("example.com.crt"))
        .arg("--cert")
        .arg(f.cert("client.test.svc.cluster.local.crt"))
        .arg("--key")
        .arg(f.cert("client.test.svc.cluster.local.key"))
        .args(["-H", "X-Forwarded-Client-Cert: Hash=forged"])
        .arg(format!("https://{FQDN}:{port}/headers"))
        .output()
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).expect("httpbin JSON");
    let xfcc = body["headers"]["X-Forwarded-Client-Cert"]
        .as_str()
        .unwrap_or_default();
    assert!(xfcc.starts_with("Hash="), "{xfcc}");
    assert!(
        xfcc.contains(";Subject=\"O=client organization,CN=client.test.svc.cluster.local\";URI="),
        "{xfcc}"
    );
    assert!(
        !xfcc.contains("forged"),
        "a client-sent XFCC must be replaced: {xfcc}"
    );
    assert_eq!(body["headers"]["X-Forwarded-Proto"], "https");
    assert_eq!(
        body["headers"]["X-Request-Id"]
            .as_str()
            .unwrap_or_default()
            .len(),
        36
    );
}

pub(crate) fn plaintext_to_the_tls_port_fails() {
    if !require_tool("curl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    let url = format!("http://127.0.0.1:{}/status/200", f.external().port());
    let out = Command::new("curl")
        .args(["-sS", "-I", "--max-time", "10", &url])
        .output()
        .unwrap();
    assert!(
        !out.status.success() && !text(&out).contains("HTTP/"),
        "{}",
        text(&out)
    );
}

pub(crate) fn the_app_down_gives_envoys_503_and_recovers() {
    if !require_tool("curl") {
        return;
    }
    let mut f = fixture_with(TlsMode::Mutual, false);
    let app = f.app.take().unwrap();
    let app_address = app.address;
    app.shutdown();
    let out = curl_to(&f, &["-i"], true);
    let reply = text(&out);
    assert!(reply.starts_with("HTTP/2 503"), "{reply}");
    assert!(reply.contains("server: istio-envoy"), "{reply}");
    assert!(
        reply.ends_with("upstream connect error or disconnect/reset before headers. reset reason: remote connection failure"),
        "{reply}"
    );
    f.app = Some(httpbin::start(app_address).expect("httpbin restarts on the same port"));
    let out = curl_external(&f, &[], true);
    assert!(text(&out).starts_with("HTTP/2 200"), "{}", text(&out));
}

/// curl to the external port with a client certificate from a CA the proxy does not trust.
fn curl_with_another_cas_client(f: &Fixture) -> Output {
    let other = tempdir();
    certgen(other.path(), &[]);
    let cert = other.path().join("client.test.svc.cluster.local.crt");
    let key = other.path().join("client.test.svc.cluster.local.key");
    curl_external(
        f,
        &[
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
        false,
    )
}

/// The request got no HTTP response at all (the TLS handshake was refused).
fn assert_rejected(out: &Output) {
    assert!(
        !out.status.success() && !text(out).contains("HTTP/"),
        "{}",
        text(out)
    );
}

pub fn admin_get(f: &Fixture, path: &str) -> String {
    let url = format!("http://{}{path}", f.admin());
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "5", &url])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn config_dump_has_envoys_shape_names_and_order() {
    if !require_tool("curl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    let dump: serde_json::Value = serde_json::from_str(&admin_get(
        &f,
        "/config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets",
    ))
    .unwrap();
    let config = &dump["configs"][0];
    assert_eq!(
        config["@type"],
        "type.googleapis.com/envoy.admin.v3.SecretsConfigDump"
    );
    assert!(config.get("dynamic_warming_secrets").is_none());
    let names: Vec<&str> = config["dynamic_active_secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "file-cert:/etc/istio/tls-certs/tls.crt~/etc/istio/tls-certs/tls.key",
            "default",
            "ROOTCA",
            "file-root:/etc/istio/tls-ca-certs/ca.crt"
        ]
    );
    let first = &config["dynamic_active_secrets"][0];
    assert_eq!(
        first["secret"]["@type"],
        "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret"
    );
    assert_eq!(
        first["secret"]["tls_certificate"]["private_key"]["inline_bytes"],
        "W3JlZGFjdGVkXQ=="
    );
    let chain = first["secret"]["tls_certificate"]["certificate_chain"]["inline_bytes"]
        .as_str()
        .unwrap();
    use base64::Engine;
    let pem = base64::engine::general_purpose::STANDARD
        .decode(chain)
        .unwrap();
    assert_eq!(pem, std::fs::read(f.cert(&format!("{FQDN}.crt"))).unwrap());
    assert!(first["version_info"].as_str().unwrap().ends_with("Z/1"));
    assert_eq!(first["last_updated"].as_str().unwrap().len(), 24);
    // Key material never appears anywhere in the dump.
    let full = admin_get(&f, "/config_dump");
    assert!(
        !full.contains("PRIVATE") && !full.contains("LS0tLS1CRUdJTiBQUklW"),
        "{full}"
    );
    // A mask that fits nothing is Envoy's 400.
    let bad = admin_get(&f, "/config_dump?mask=nonsense");
    assert!(
        bad.contains("could not be successfully applied to any configs"),
        "{bad}"
    );
    // resource= lists each secret on its own.
    let per: serde_json::Value = serde_json::from_str(&admin_get(
        &f,
        "/config_dump?resource=dynamic_active_secrets&mask=name",
    ))
    .unwrap();
    assert_eq!(per["configs"][1]["name"], "default");
    assert!(per["configs"][1].get("secret").is_none());
}

/// Replaces the mounted server certificate the way the kubelet does: a new timestamped folder,
/// then an atomic swap of the `..data` symlink the visible files point through.
fn kubelet_swap(root: &Path, generation: u32, cert: &Path, key: &Path) {
    let dir = root.join("etc/istio/tls-certs");
    let stamp = format!("..2026_11_28_{generation:04}");
    std::fs::create_dir_all(dir.join(&stamp)).unwrap();
    std::fs::copy(cert, dir.join(&stamp).join("tls.crt")).unwrap();
    std::fs::copy(key, dir.join(&stamp).join("tls.key")).unwrap();
    let tmp = dir.join("..data_tmp");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(&stamp, &tmp).unwrap();
    std::fs::rename(&tmp, dir.join("..data")).unwrap();
    for name in ["tls.crt", "tls.key"] {
        let visible = dir.join(name);
        if !visible.is_symlink() {
            let _ = std::fs::remove_file(&visible);
            std::os::unix::fs::symlink(format!("..data/{name}"), &visible).unwrap();
        }
    }
}

pub(crate) fn certificate_rotation_under_load_loses_no_request() {
    // The load is curl's (issue 17: it ran curl without asking for it).
    if !require_tool("curl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    let next = tempdir();
    // A new server certificate from the same CA: copy the CA in, let certgen reuse it.
    std::fs::copy(
        f.cert("example.com.crt"),
        next.path().join("example.com.crt"),
    )
    .unwrap();
    std::fs::copy(
        f.cert("example.com.key"),
        next.path().join("example.com.key"),
    )
    .unwrap();
    certgen(next.path(), &[]);
    let new_cert = next.path().join(format!("{FQDN}.crt"));
    kubelet_swap(
        f.root.path(),
        1,
        &f.cert(&format!("{FQDN}.crt")),
        &f.cert(&format!("{FQDN}.key")),
    );

    let external = f.external();
    let ca = read_certs(&f.cert("example.com.crt"));
    let client_chain = read_certs(&f.cert("client.test.svc.cluster.local.crt"));
    let client_key = f.cert("client.test.svc.cluster.local.key");
    let options = || meshtls::verify::client::TlsOptions {
        check: meshtls::verify::client::ServerCheck::Hostname {
            roots: ca.clone(),
            name: FQDN.to_string(),
        },
        identity: Some((client_chain.clone(), read_key(&client_key))),
        sni: FQDN.to_string(),
        alpn: vec![b"h2".to_vec(), b"http/1.1".to_vec()],
    };
    let root = f.root.path().to_path_buf();
    let new_key = next.path().join(format!("{FQDN}.key"));
    let swapper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        kubelet_swap(&root, 2, &new_cert, &new_key);
    });
    // Bounded load: at most 400 requests or 4 seconds, each on a new TLS connection.
    let rt = runtime();
    let deadline = std::time::Instant::now() + Duration::from_secs(4);
    let (mut ok, mut failed) = (0, Vec::new());
    for _ in 0..400 {
        if std::time::Instant::now() > deadline {
            break;
        }
        match rt.block_on(meshtls::verify::client::get(
            external,
            FQDN,
            "/status/200",
            Some(options()),
            Duration::from_secs(5),
        )) {
            Ok((head, _)) if head.status == 200 => ok += 1,
            other => failed.push(format!("{other:?}")),
        }
    }
    swapper.join().unwrap();
    assert!(
        failed.is_empty(),
        "{} requests failed during rotation: {:?}",
        failed.len(),
        &failed[..failed.len().min(3)]
    );
    assert!(ok >= 20, "too few requests ran: {ok}");
    // Within 2 s the new certificate is served (the dump shows it, version 2 or later).
    let expected = std::fs::read(next.path().join(format!("{FQDN}.crt"))).unwrap();
    let mut served = false;
    for _ in 0..20 {
        let dump: serde_json::Value = serde_json::from_str(&admin_get(&f, "/config_dump")).unwrap();
        let chain = dump["configs"][0]["dynamic_active_secrets"][0]["secret"]["tls_certificate"]["certificate_chain"]
            ["inline_bytes"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        use base64::Engine;
        if base64::engine::general_purpose::STANDARD
            .decode(chain)
            .unwrap_or_default()
            == expected
        {
            served = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(served, "the new certificate was not picked up within 2 s");
}

pub(crate) fn a_bad_new_certificate_keeps_the_old_one_and_a_missing_ca_warms() {
    if !require_tool("curl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    let cert_path = f.root.path().join("etc/istio/tls-certs/tls.crt");
    std::fs::write(&cert_path, "garbage\n").unwrap();
    std::thread::sleep(Duration::from_millis(600));
    let out = curl_external(&f, &[], true);
    assert!(
        text(&out).starts_with("HTTP/2 200"),
        "old certificate still served: {}",
        text(&out)
    );

    // A proxy whose CA file is missing: file-root warms and handshakes are refused.
    let certs = tempdir();
    certgen(certs.path(), &[]);
    let root = tempdir();
    mount(certs.path(), root.path());
    let ca_file = root.path().join("etc/istio/tls-ca-certs/ca.crt");
    std::fs::remove_file(&ca_file).unwrap();
    let mesh = tempdir();
    let app = httpbin::start(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
    let proxy = start(page_config(
        root.path(),
        mesh.path(),
        app.address,
        TlsMode::Mutual,
    ))
    .unwrap();
    let dump: serde_json::Value = serde_json::from_str(&{
        let url = format!("http://{}/config_dump", proxy.admin);
        String::from_utf8_lossy(
            &Command::new("curl")
                .args(["-sS", &url])
                .output()
                .unwrap()
                .stdout,
        )
        .into_owned()
    })
    .unwrap();
    let warming = &dump["configs"][0]["dynamic_warming_secrets"];
    assert_eq!(
        warming[0]["name"], "file-root:/etc/istio/tls-ca-certs/ca.crt",
        "{dump}"
    );
    assert_eq!(
        warming[0].as_object().unwrap().len(),
        1,
        "a warming secret shows only its name"
    );
    // The CA appears: the secret turns active and requests succeed within 2 s.
    std::fs::copy(certs.path().join("example.com.crt"), &ca_file).unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let port = proxy.address_of(9080).unwrap().port();
    let resolve = format!("{FQDN}:{port}:127.0.0.1");
    let out = Command::new("curl")
        .args([
            "-sS",
            "-I",
            "--max-time",
            "10",
            "--resolve",
            &resolve,
            "--cacert",
        ])
        .arg(certs.path().join("example.com.crt"))
        .arg("--cert")
        .arg(certs.path().join("client.test.svc.cluster.local.crt"))
        .arg("--key")
        .arg(certs.path().join("client.test.svc.cluster.local.key"))
        .arg(format!("https://{FQDN}:{port}/status/200"))
        .output()
        .unwrap();
    assert!(text(&out).starts_with("HTTP/2 200"), "{}", text(&out));
    proxy.shutdown();
    app.shutdown();
}

/// Every key path of a JSON value, with list elements under `[]`.
fn key_paths(
    value: &serde_json::Value,
    prefix: &str,
    out: &mut std::collections::BTreeSet<String>,
) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                let path = format!("{prefix}/{key}");
                out.insert(path.clone());
                key_paths(child, &path, out);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                key_paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

pub(crate) fn config_dump_has_the_shape_of_a_real_envoy_dump() {
    use crate::common::{free_port, start_envoy};
    use base64::Engine;
    if !require_tool("envoy") || !require_tool("curl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    // A real Envoy holding the same two file secrets, served inline by path-based SDS as
    // istio-agent serves them.
    let dir = tempdir();
    let b64 = |file: &str| {
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(f.cert(file)).unwrap())
    };
    let secret_type = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
    let cert_name = format!("file-cert:{TLS_CERT}~{TLS_KEY}");
    let root_name = format!("file-root:{CA_CERT}");
    let sds = |stem: &str, secret: serde_json::Value| {
        let path = dir.path().join(format!("{stem}.sds.json"));
        std::fs::write(
            &path,
            serde_json::to_vec(&serde_json::json!({"resources": [secret]})).unwrap(),
        )
        .unwrap();
        serde_json::json!({"path_config_source": {"path": path.to_str().unwrap()}, "resource_api_version": "V3"})
    };
    let cert_sds = sds(
        "cert",
        serde_json::json!({"@type": secret_type, "name": cert_name, "tls_certificate": {
        "certificate_chain": {"inline_bytes": b64(&format!("{FQDN}.crt"))},
        "private_key": {"inline_bytes": b64(&format!("{FQDN}.key"))}}}),
    );
    let root_sds = sds(
        "root",
        serde_json::json!({"@type": secret_type, "name": root_name,
        "validation_context": {"trusted_ca": {"inline_bytes": b64("example.com.crt")}}}),
    );
    let admin_port = free_port();
    let config = serde_json::json!({
        "node": {"id": "sidecar~127.0.0.1~httpbin.test~test.svc.cluster.local", "cluster": "httpbin.test"},
        "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": admin_port}}},
        "static_resources": {"listeners": [{"name": "external", "address": {"socket_address": {"address": "127.0.0.1", "port_value": free_port()}},
            "filter_chains": [{"filters": [{"name": "envoy.filters.network.tcp_proxy", "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", "stat_prefix": "x", "cluster": "app"}}],
                "transport_socket": {"name": "envoy.transport_sockets.tls", "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
                    "require_client_certificate": true, "common_tls_context": {
                        "tls_certificate_sds_secret_configs": [{"name": cert_name, "sds_config": cert_sds}],
                        "validation_context_sds_secret_config": {"name": root_name, "sds_config": root_sds}}}}}]}],
            "clusters": [{"name": "app", "type": "STATIC", "load_assignment": {"cluster_name": "app", "endpoints": [{"lb_endpoints": [
                {"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": free_port()}}}}]}]}}]},
    });
    let _envoy = start_envoy(dir.path(), &config, admin_port);
    let envoy_get = |path: &str| {
        let url = format!("http://127.0.0.1:{admin_port}{path}");
        let out = Command::new("curl")
            .args(["-sS", "-w", "\n%{http_code}", "--max-time", "5", &url])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let ours_get = |path: &str| {
        let url = format!("http://{}{path}", f.admin());
        let out = Command::new("curl")
            .args(["-sS", "-w", "\n%{http_code}", "--max-time", "5", &url])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let mask = "/config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets";
    let parse = |text: String| -> serde_json::Value {
        let body = text
            .rsplit_once('\n')
            .map(|(b, _)| b.to_string())
            .unwrap_or(text);
        serde_json::from_str(&body).unwrap()
    };
    let theirs = parse(envoy_get(mask));
    let ours = parse(ours_get(mask));
    // Same secrets: compare each of Envoy's with ours of the same name, key path by key path.
    let find = |dump: &serde_json::Value, name: &str| {
        dump["configs"][0]["dynamic_active_secrets"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["name"] == name).cloned())
            .unwrap_or_else(|| panic!("{name} missing in {dump}"))
    };
    assert_eq!(theirs["configs"][0]["@type"], ours["configs"][0]["@type"]);
    for name in [&cert_name, &root_name] {
        let (envoy_secret, our_secret) = (find(&theirs, name), find(&ours, name));
        let (mut envoy_paths, mut our_paths) = (Default::default(), Default::default());
        key_paths(&envoy_secret, "", &mut envoy_paths);
        key_paths(&our_secret, "", &mut our_paths);
        // istio-agent adds version_info, which path-based SDS in plain Envoy leaves out.
        our_paths.remove("/version_info");
        assert_eq!(our_paths, envoy_paths, "{name}");
        assert_eq!(
            our_secret["secret"], envoy_secret["secret"],
            "{name}: same certificates, same redaction"
        );
        assert_eq!(
            our_secret["last_updated"].as_str().unwrap().len(),
            envoy_secret["last_updated"].as_str().unwrap().len()
        );
    }
    // The admin's own answers, byte for byte: indentation, error texts, status codes.
    for path in [
        "/config_dump?mask=nonsense",
        "/config_dump?resource=foo",
        "/ready",
    ] {
        assert_eq!(ours_get(path), envoy_get(path), "{path}");
    }
    let envoy_resource = envoy_get("/config_dump?resource=dynamic_active_secrets&mask=name");
    let ours_resource = ours_get("/config_dump?resource=dynamic_active_secrets&mask=name");
    assert!(ours_resource.contains(&format!("{{\n   \"@type\": \"type.googleapis.com/envoy.admin.v3.SecretsConfigDump.DynamicSecret\",\n   \"name\": \"{cert_name}\"\n  }}")), "{ours_resource}");
    assert!(envoy_resource.contains(&format!("{{\n   \"@type\": \"type.googleapis.com/envoy.admin.v3.SecretsConfigDump.DynamicSecret\",\n   \"name\": \"{cert_name}\"\n  }}")), "{envoy_resource}");
}

/// A fixture whose TLS port takes only what `adjust` leaves of the page's settings.
fn fixture_adjusted(adjust: impl FnOnce(&mut TlsTermination)) -> Fixture {
    fixture_from(false, |config| {
        if let Security::Terminate(tls) = &mut config.listeners[0].security {
            adjust(tls);
        }
    })
}

pub(crate) fn protocol_versions_and_cipher_suites_are_enforced() {
    if !require_tool("curl") {
        return;
    }
    // TLS 1.3 only: a TLS 1.2 client fails, and the failure is counted with its reason.
    let f = fixture_adjusted(|tls| tls.min_version = TlsVersion::V1_3);
    assert!(text(&curl_external(&f, &["--tls-max", "1.3"], true)).starts_with("HTTP/2 200"));
    let out = curl_external(&f, &["--tls-max", "1.2"], true);
    assert!(
        !out.status.success() && !text(&out).contains("HTTP/"),
        "{}",
        text(&out)
    );
    assert!(admin_get(&f, "/stats").contains("listener.0.0.0.0_9080.ssl.connection_error: 1"));
    drop(f);
    // TLS 1.2 with one suite: only that suite negotiates.
    let f = fixture_adjusted(|tls| {
        tls.max_version = TlsVersion::V1_2;
        tls.cipher_suites = vec!["ECDHE-RSA-AES256-GCM-SHA384".to_string()];
    });
    let ok = curl_external(&f, &["--ciphers", "ECDHE-RSA-AES256-GCM-SHA384"], true);
    assert!(text(&ok).starts_with("HTTP/2 200"), "{}", text(&ok));
    let refused = curl_external(&f, &["--ciphers", "ECDHE-RSA-AES128-GCM-SHA256"], true);
    assert!(
        !refused.status.success() && !text(&refused).contains("HTTP/"),
        "{}",
        text(&refused)
    );
}

pub(crate) fn optional_mutual_serves_clients_with_or_without_a_certificate_but_never_a_bad_one() {
    if !require_tool("curl") {
        return;
    }
    let f = fixture_with(TlsMode::OptionalMutual, false);
    assert!(text(&curl_external(&f, &[], false)).starts_with("HTTP/2 200"));
    assert!(text(&curl_external(&f, &[], true)).starts_with("HTTP/2 200"));
    assert_rejected(&curl_with_another_cas_client(&f));
}

pub(crate) fn a_new_ca_bundle_is_enforced_at_once_reload_never_loosens_verification() {
    if !require_tool("curl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    assert!(text(&curl_external(&f, &[], true)).starts_with("HTTP/2 200"));
    // Replace the trusted CA with another one: the old client certificate must now fail.
    let other = tempdir();
    certgen(other.path(), &[]);
    let ca_file = f.root.path().join("etc/istio/tls-ca-certs/ca.crt");
    std::fs::copy(other.path().join("example.com.crt"), &ca_file).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    loop {
        let out = curl_external(&f, &[], true);
        if !out.status.success() && !text(&out).contains("HTTP/") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the old CA was still trusted 2 s after it was replaced"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // A client certificate from the new CA is accepted.
    let cert = other.path().join("client.test.svc.cluster.local.crt");
    let key = other.path().join("client.test.svc.cluster.local.key");
    let out = curl_external(
        &f,
        &[
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
        false,
    );
    assert!(text(&out).starts_with("HTTP/2 200"), "{}", text(&out));
}

pub(crate) fn proxy_config_secret_reads_our_proxys_dump_live_and_saved() {
    if !require_tool("curl") {
        return;
    }
    let f = fixture_with(TlsMode::Mutual, false);
    let now = "--now";
    let at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let admin = f.admin().to_string();
    let live = crate::common::run(&["pc", "secret", "--admin", &admin, now, &at]);
    assert!(live.status.success(), "{}", crate::common::stderr(&live));
    let table = String::from_utf8_lossy(&live.stdout).into_owned();
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 5, "{table}");
    assert!(rows[1].starts_with("file-cert:/etc/istio/tls-certs/tls.crt~/etc/istio/tls-certs/tls.key     Cert Chain     ACTIVE     true"), "{table}");
    assert!(
        rows[3].starts_with("ROOTCA ") && rows[3].contains("     CA     "),
        "{table}"
    );
    // The full dump saved to a file renders the same table.
    let dump = f.certs.path().join("dump.json");
    std::fs::write(&dump, admin_get(&f, "/config_dump")).unwrap();
    let saved = crate::common::run(&["pc", "secret", "-f", dump.to_str().unwrap(), now, &at]);
    assert_eq!(String::from_utf8_lossy(&saved.stdout), table);
    // And -o json keeps the keys redacted.
    let json = crate::common::run(&["pc", "secret", "-f", dump.to_str().unwrap(), "-o", "json"]);
    let text = String::from_utf8_lossy(&json.stdout);
    assert!(
        text.contains("W3JlZGFjdGVkXQ==") && !text.contains("LS0tLS1CRUdJTiBQUklW"),
        "{text}"
    );
}

pub(crate) fn httpbin_answers_head_on_its_get_routes_without_a_body() {
    use std::io::{Read, Write};
    let app = httpbin::start(SocketAddr::from(([127, 0, 0, 1], 0))).expect("httpbin starts");
    let mut stream = std::net::TcpStream::connect(app.address).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("a timeout");
    stream
        .write_all(b"HEAD /get HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        .expect("sends");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("reads to the end");
    app.shutdown();
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(head.contains("content-length: "), "{answer}");
    assert_eq!(body, "", "HEAD has no body");
}

/// curl to the external port's `path` over mutual TLS with the page's flags plus `extra`.
fn curl_path(f: &Fixture, path: &str, extra: &[&str]) -> Output {
    let port = f.external().port();
    let resolve = format!("{FQDN}:{port}:127.0.0.1");
    let url = format!("https://{FQDN}:{port}{path}");
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "20", "--resolve", &resolve, "--cacert"])
        .arg(f.cert("example.com.crt"))
        .arg("--cert")
        .arg(f.cert("client.test.svc.cluster.local.crt"))
        .arg("--key")
        .arg(f.cert("client.test.svc.cluster.local.key"));
    cmd.args(extra).arg(&url);
    cmd.output().expect("curl runs")
}

/// Bodies of several MiB both ways over MUTUAL TLS, on HTTP/1.1 (the lean path, which writes
/// large bodies straight from the app's buffer and reads the socket ahead under TLS, and hyper)
/// and h2: every byte arrives, and the app's `/fixed` and `/discard` count what they should.
pub(crate) fn large_bodies_cross_mutual_tls_whole_on_both_engines_and_h2() {
    if !require_tool("curl") {
        return;
    }
    let size = 3 * 1024 * 1024 + 17;
    for engine in [Http1Engine::Lean, Http1Engine::Hyper] {
        let f = fixture_from(false, |config| config.http1 = engine);
        let upload = f.root.path().join("upload.bin");
        let pattern: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        std::fs::write(&upload, &pattern).expect("writes the upload");
        let data = format!("@{}", upload.display());
        for protocol in ["--http1.1", "--http2"] {
            let what = format!("{engine:?} {protocol}");
            // `Expect:` off, so that the lean path (not hyper's 100-continue) takes the body.
            let post = [
                "-H",
                "Expect:",
                "-H",
                "Content-Type: application/octet-stream",
            ];
            let mut args = vec![protocol, "--data-binary", &data];
            args.extend_from_slice(&post);
            let out = curl_path(&f, "/discard", &args);
            assert!(out.status.success(), "{what}: {}", text(&out));
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                format!("{{\"bytes\": {size}}}\n"),
                "{what}: the app got the whole body"
            );
            let out = curl_path(&f, &format!("/fixed/{size}"), &[protocol]);
            assert!(out.status.success(), "{what}: {}", text(&out));
            assert_eq!(out.stdout.len(), size, "{what}: the whole body came back");
            assert!(out.stdout.iter().all(|&b| b == b'x'), "{what}: as sent");
        }
    }
}
