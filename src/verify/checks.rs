//! The page's three checks and the negative ones, as data: what to send to which listener with
//! which client, and what counts as a pass. Pure: runners (local client, or curl in a pod with
//! `--kube`) execute a `Check` and hand back an `Outcome`; `judge` turns that into a verdict.
use http::Version;
use serde::Serialize;

use super::client::{Head, RequestError};

/// A service port and the workload (Sidecar ingress) port behind it, e.g. 8443 → 9080.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PortPair {
    pub service: u16,
    pub workload: u16,
}

/// What the checks aim at, with the page's names and logical ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The Service's name (`httpbin`): the page's in-mesh URL host.
    pub service: String,
    pub namespace: String,
    pub cluster_domain: String,
    /// The Sidecar's name, for `x-envoy-decorator-operation`.
    pub sidecar_name: String,
    /// The workload's service account, for the server's SPIFFE ID.
    pub service_account: String,
    pub trust_domain: String,
    /// The TLS-terminating listener (8443 → 9080).
    pub tls: PortPair,
    /// The in-mesh HTTP listener (8080 → 9081).
    pub internal: PortPair,
}

impl Target {
    /// `httpbin.test.svc.cluster.local`: SNI and Host of the external checks.
    pub fn fqdn(&self) -> String {
        format!(
            "{}.{}.svc.{}",
            self.service, self.namespace, self.cluster_domain
        )
    }

    /// The identity the in-mesh client presents: the `sleep` workload in the app's namespace.
    pub fn client_spiffe_id(&self) -> String {
        format!(
            "spiffe://{}/ns/{}/sa/sleep",
            self.trust_domain, self.namespace
        )
    }

    /// The identity the server's sidecar must present on the mesh port.
    pub fn server_spiffe_id(&self) -> String {
        format!(
            "spiffe://{}/ns/{}/sa/{}",
            self.trust_domain, self.namespace, self.service_account
        )
    }

    /// The SNI an Istio client sidecar sends: `outbound_.8080_._.<fqdn>`.
    pub fn mesh_sni(&self) -> String {
        format!("outbound_.{}_._.{}", self.internal.service, self.fqdn())
    }

    pub fn ports(&self, listener: Listener) -> PortPair {
        match listener {
            Listener::Tls => self.tls,
            Listener::Internal => self.internal,
        }
    }
}

/// Which of the Sidecar's two ingress listeners a check talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Listener {
    Tls,
    Internal,
}

/// The client certificate an external check presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientCert {
    /// The page's `client.<ns>.svc.cluster.local` certificate.
    Page,
    /// None at all.
    Missing,
    /// One from a throwaway CA the server does not trust.
    OtherCa,
    /// One from the right CA whose validity has ended.
    Expired,
}

/// Who sends the request, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Client {
    /// The in-mesh `sleep` pod: plain HTTP carried as Istio mTLS with the mesh identity.
    Mesh,
    /// The outside `sleep` pod with curl's `--cacert` and maybe `--cert`/`--key`.
    External(ClientCert),
    /// The outside `sleep` pod with plain HTTP.
    Plaintext,
}

/// What must happen for a check to pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// A response with this status, maybe this HTTP version, and these header values.
    Response {
        status: u16,
        #[serde(skip)]
        version: Option<Version>,
        headers: Vec<(String, String)>,
    },
    /// The connection is reset (curl's `(56) Recv failure: Connection reset by peer`).
    Reset,
    /// The server refuses the client: no HTTP response comes back.
    ServerRejects,
    /// The client refuses the server's certificate (curl's `(60)`).
    ClientRejectsServer,
    /// Any failure: no HTTP response comes back.
    NoResponse,
}

/// Every check meshtls knows, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckId {
    Internal,
    ExternalMtls,
    ExternalPlaintext,
    NoClientCert,
    OtherCaClientCert,
    ExpiredClientCert,
    WrongServerName,
    PlaintextToTlsPort,
}

impl CheckId {
    pub fn name(self) -> &'static str {
        match self {
            CheckId::Internal => "internal",
            CheckId::ExternalMtls => "external-mtls",
            CheckId::ExternalPlaintext => "external-plaintext",
            CheckId::NoClientCert => "no-client-cert",
            CheckId::OtherCaClientCert => "other-ca-client-cert",
            CheckId::ExpiredClientCert => "expired-client-cert",
            CheckId::WrongServerName => "wrong-server-name",
            CheckId::PlaintextToTlsPort => "plaintext-to-tls-port",
        }
    }

    /// Whether the page runs it (the others are meshtls's negative checks).
    pub fn from_page(self) -> bool {
        matches!(
            self,
            CheckId::Internal | CheckId::ExternalMtls | CheckId::ExternalPlaintext
        )
    }
}

/// One check: a request and its expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub id: CheckId,
    pub listener: Listener,
    pub client: Client,
    /// The URL's host: the SNI and `Host` of external checks.
    pub host: String,
    pub path: String,
    pub expect: Expect,
}

/// The files a curl command names: the page's in-pod names by default, or local paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurlFiles {
    pub cacert: String,
    pub cert: String,
    pub key: String,
}

impl Default for CurlFiles {
    fn default() -> Self {
        CurlFiles {
            cacert: "ca.crt".to_string(),
            cert: "client.crt".to_string(),
            key: "client.key".to_string(),
        }
    }
}

/// The path every check asks for, as on the page.
pub const PATH: &str = "/status/200";

/// The page's checks, then (with `negative`) the ones that must fail.
pub fn plan(target: &Target, negative: bool) -> Vec<Check> {
    let fqdn = target.fqdn();
    let check = |id, listener, client, host: &str, expect| Check {
        id,
        listener,
        client,
        host: host.to_string(),
        path: PATH.to_string(),
        expect,
    };
    let external =
        |id, cert, expect| check(id, Listener::Tls, Client::External(cert), &fqdn, expect);
    let mut checks = vec![
        check(
            CheckId::Internal,
            Listener::Internal,
            Client::Mesh,
            &target.service,
            Expect::Response {
                status: 200,
                version: Some(Version::HTTP_11),
                headers: Vec::new(),
            },
        ),
        external(
            CheckId::ExternalMtls,
            ClientCert::Page,
            Expect::Response {
                status: 200,
                version: Some(Version::HTTP_2),
                headers: vec![
                    ("server".to_string(), "istio-envoy".to_string()),
                    (
                        "x-envoy-decorator-operation".to_string(),
                        format!(
                            "{}.{}:{}/*",
                            target.sidecar_name, target.namespace, target.tls.workload
                        ),
                    ),
                ],
            },
        ),
        check(
            CheckId::ExternalPlaintext,
            Listener::Internal,
            Client::Plaintext,
            &fqdn,
            Expect::Reset,
        ),
    ];
    if negative {
        checks.extend([
            external(
                CheckId::NoClientCert,
                ClientCert::Missing,
                Expect::ServerRejects,
            ),
            external(
                CheckId::OtherCaClientCert,
                ClientCert::OtherCa,
                Expect::ServerRejects,
            ),
            external(
                CheckId::ExpiredClientCert,
                ClientCert::Expired,
                Expect::ServerRejects,
            ),
            check(
                CheckId::WrongServerName,
                Listener::Tls,
                Client::External(ClientCert::Page),
                &wrong_name(target),
                Expect::ClientRejectsServer,
            ),
            check(
                CheckId::PlaintextToTlsPort,
                Listener::Tls,
                Client::Plaintext,
                &fqdn,
                Expect::NoResponse,
            ),
        ]);
    }
    checks
}

/// A name the server certificate does not carry: `not-<service>.<ns>.svc.<domain>`.
pub fn wrong_name(target: &Target) -> String {
    format!(
        "not-{}.{}.svc.{}",
        target.service, target.namespace, target.cluster_domain
    )
}

impl Check {
    /// The URL as the page writes it, with the service port.
    pub fn url(&self, target: &Target) -> String {
        let port = target.ports(self.listener).service;
        let scheme = match self.client {
            Client::External(_) => "https",
            Client::Mesh | Client::Plaintext => "http",
        };
        format!("{scheme}://{}:{port}{}", self.host, self.path)
    }

    /// The page's curl command for this check (what a runner in a pod would exec).
    pub fn curl_args(&self, target: &Target) -> Vec<String> {
        self.curl_args_with(target, &CurlFiles::default(), None)
    }

    /// The curl command with these files and, when `at` is given, the real address as curl's
    /// `--resolve` (the URL then carries the real port; the host stays the FQDN).
    pub fn curl_args_with(
        &self,
        target: &Target,
        files: &CurlFiles,
        at: Option<std::net::SocketAddr>,
    ) -> Vec<String> {
        let mut args = vec!["curl".to_string(), "-sS".to_string(), "-I".to_string()];
        let mut url = self.url(target);
        if let (Some(at), false) = (at, self.client == Client::Mesh) {
            let port = target.ports(self.listener).service;
            args.extend([
                "--resolve".to_string(),
                format!("{}:{}:{}", self.host, at.port(), at.ip()),
            ]);
            url = url.replacen(
                &format!("{}:{port}", self.host),
                &format!("{}:{}", self.host, at.port()),
                1,
            );
        }
        if let Client::External(cert) = self.client {
            args.extend(["--cacert".to_string(), files.cacert.clone()]);
            let pair = match cert {
                ClientCert::Page => Some((files.cert.clone(), files.key.clone())),
                ClientCert::Missing => None,
                ClientCert::OtherCa => Some((
                    "other-ca-client.crt".to_string(),
                    "other-ca-client.key".to_string(),
                )),
                ClientCert::Expired => Some((
                    "expired-client.crt".to_string(),
                    "expired-client.key".to_string(),
                )),
            };
            if let Some((crt, key)) = pair {
                args.extend(["--cert".to_string(), crt, "--key".to_string(), key]);
            }
        }
        args.push(url);
        args
    }

    /// The expectation in a few words, for the table's EXPECTED column.
    pub fn expected_text(&self) -> String {
        match &self.expect {
            Expect::Response {
                status,
                version,
                headers,
            } => {
                let mut text = match version {
                    Some(v) if *v == Version::HTTP_2 => format!("HTTP/2 {status}"),
                    Some(_) => format!("HTTP/1.1 {status}"),
                    None => format!("{status}"),
                };
                for (name, value) in headers {
                    text.push_str(&format!(", {name}: {value}"));
                }
                text
            }
            Expect::Reset => "connection reset (curl: (56))".to_string(),
            Expect::ServerRejects => "rejected by the server".to_string(),
            Expect::ClientRejectsServer => "client rejects the server certificate".to_string(),
            Expect::NoResponse => "no HTTP response".to_string(),
        }
    }
}

/// What running a check produced.
#[derive(Debug, Clone)]
pub enum Outcome {
    Response {
        head: Head,
        /// The server certificate had no SAN and its CN stood in for one (curl's rule).
        cn_fallback: bool,
    },
    Failed(RequestError),
    /// The check could not run (e.g. material missing); never a pass, never a failure.
    Skipped(String),
}

/// PASS, FAIL or SKIP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    Pass,
    Fail,
    Skip,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Skip => "SKIP",
        }
    }
}

/// The outcome in a few words, for the table's GOT column.
pub fn got_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Response { head, .. } => {
            let mut text = match head.version {
                Version::HTTP_2 => format!("HTTP/2 {}", head.status.as_u16()),
                _ => format!("HTTP/1.1 {}", head.status.as_u16()),
            };
            if let Some(server) = head.headers.get("server").and_then(|v| v.to_str().ok()) {
                text.push_str(&format!(", server: {server}"));
            }
            text
        }
        Outcome::Failed(error) => short_error(error),
        Outcome::Skipped(reason) => format!("skipped: {reason}"),
    }
}

fn short_error(error: &RequestError) -> String {
    let text = match error {
        RequestError::Reset => "connection reset (curl: (56))".to_string(),
        RequestError::TlsRejectedByServer(why) => format!("rejected by the server: {why}"),
        RequestError::ServerCertificate(why) => format!("client rejected the server: {why}"),
        other => other.to_string(),
    };
    // Whole: the table cuts it to the terminal's width, JSON never does.
    text
}

/// Whether `outcome` meets `expect`.
pub fn judge(expect: &Expect, outcome: &Outcome) -> Verdict {
    let pass = match (expect, outcome) {
        (_, Outcome::Skipped(_)) => return Verdict::Skip,
        (
            Expect::Response {
                status,
                version,
                headers,
            },
            Outcome::Response { head, .. },
        ) => {
            head.status.as_u16() == *status
                && version.is_none_or(|v| v == head.version)
                && headers.iter().all(|(name, value)| {
                    head.headers
                        .get(name.as_str())
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v == value)
                })
        }
        (Expect::Response { .. }, Outcome::Failed(_)) => false,
        (Expect::Reset, Outcome::Failed(e)) => *e == RequestError::Reset,
        // The server turned the client away: an alert, a reset or a close, never a response.
        // A client-side certificate rejection, a refused connection or a timeout proves nothing.
        (Expect::ServerRejects, Outcome::Failed(e)) => matches!(
            e,
            RequestError::Reset
                | RequestError::TlsRejectedByServer(_)
                | RequestError::Tls(_)
                | RequestError::Http(_)
        ),
        (Expect::ClientRejectsServer, Outcome::Failed(e)) => {
            matches!(e, RequestError::ServerCertificate(_))
        }
        (Expect::NoResponse, Outcome::Failed(e)) => !matches!(
            e,
            RequestError::Connect(_) | RequestError::Timeout(_) | RequestError::ClientSetup(_)
        ),
        (_, Outcome::Response { .. }) => false,
    };
    if pass { Verdict::Pass } else { Verdict::Fail }
}

/// Names and ports as the page has them; a starting point before manifests and flags.
pub fn page_target() -> Target {
    Target {
        service: crate::page::APP.into(),
        namespace: crate::page::NAMESPACE.into(),
        cluster_domain: crate::page::CLUSTER_DOMAIN.into(),
        sidecar_name: crate::page::SIDECAR.into(),
        service_account: crate::page::APP.into(),
        trust_domain: crate::page::TRUST_DOMAIN.into(),
        tls: PortPair {
            service: crate::page::SERVICE_TLS_PORT,
            workload: crate::page::TLS_PORT,
        },
        internal: PortPair {
            service: crate::page::SERVICE_HTTP_PORT,
            workload: crate::page::HTTP_PORT,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, HeaderValue, StatusCode};

    fn head(version: Version, headers: &[(&'static str, &'static str)]) -> Outcome {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, HeaderValue::from_static(v));
        }
        Outcome::Response {
            head: Head {
                version,
                status: StatusCode::OK,
                headers: map,
            },
            cn_fallback: false,
        }
    }

    #[test]
    fn the_plan_has_the_page_checks_then_the_negative_ones() {
        let target = page_target();
        let names: Vec<_> = plan(&target, true).iter().map(|c| c.id.name()).collect();
        assert_eq!(
            names,
            [
                "internal",
                "external-mtls",
                "external-plaintext",
                "no-client-cert",
                "other-ca-client-cert",
                "expired-client-cert",
                "wrong-server-name",
                "plaintext-to-tls-port"
            ]
        );
        assert_eq!(plan(&target, false).len(), 3);
        let checks = plan(&target, false);
        assert_eq!(
            checks[1].curl_args(&target).join(" "),
            "curl -sS -I --cacert ca.crt --cert client.crt --key client.key https://httpbin.test.svc.cluster.local:8443/status/200"
        );
        assert_eq!(checks[0].url(&target), "http://httpbin:8080/status/200");
        let local = checks[1].curl_args_with(
            &target,
            &CurlFiles::default(),
            Some("127.0.0.1:41000".parse().unwrap()),
        );
        assert_eq!(
            local.join(" "),
            "curl -sS -I --resolve httpbin.test.svc.cluster.local:41000:127.0.0.1 --cacert ca.crt --cert client.crt --key client.key https://httpbin.test.svc.cluster.local:41000/status/200"
        );
        assert_eq!(
            checks[1].expected_text(),
            "HTTP/2 200, server: istio-envoy, x-envoy-decorator-operation: ingress-sidecar.test:9080/*"
        );
        assert_eq!(
            target.mesh_sni(),
            "outbound_.8080_._.httpbin.test.svc.cluster.local"
        );
    }

    #[test]
    fn the_external_check_needs_h2_and_both_headers() {
        let checks = plan(&page_target(), false);
        let expect = &checks[1].expect;
        let good = head(
            Version::HTTP_2,
            &[
                ("server", "istio-envoy"),
                ("x-envoy-decorator-operation", "ingress-sidecar.test:9080/*"),
            ],
        );
        assert_eq!(judge(expect, &good), Verdict::Pass);
        let h1 = head(
            Version::HTTP_11,
            &[
                ("server", "istio-envoy"),
                ("x-envoy-decorator-operation", "ingress-sidecar.test:9080/*"),
            ],
        );
        assert_eq!(judge(expect, &h1), Verdict::Fail);
        let no_decorator = head(Version::HTTP_2, &[("server", "istio-envoy")]);
        assert_eq!(judge(expect, &no_decorator), Verdict::Fail);
        assert_eq!(
            judge(expect, &Outcome::Failed(RequestError::Reset)),
            Verdict::Fail
        );
    }

    #[test]
    fn failures_must_be_the_right_kind() {
        let reset = Outcome::Failed(RequestError::Reset);
        let refused = Outcome::Failed(RequestError::Connect("refused".into()));
        let bad_cert = Outcome::Failed(RequestError::ServerCertificate("x".into()));
        let alert = Outcome::Failed(RequestError::TlsRejectedByServer("x".into()));
        assert_eq!(judge(&Expect::Reset, &reset), Verdict::Pass);
        assert_eq!(judge(&Expect::Reset, &refused), Verdict::Fail);
        assert_eq!(judge(&Expect::ServerRejects, &alert), Verdict::Pass);
        assert_eq!(judge(&Expect::ServerRejects, &bad_cert), Verdict::Fail);
        assert_eq!(judge(&Expect::ServerRejects, &refused), Verdict::Fail);
        assert_eq!(
            judge(&Expect::ClientRejectsServer, &bad_cert),
            Verdict::Pass
        );
        assert_eq!(judge(&Expect::ClientRejectsServer, &alert), Verdict::Fail);
        assert_eq!(judge(&Expect::NoResponse, &refused), Verdict::Fail);
        assert_eq!(judge(&Expect::NoResponse, &reset), Verdict::Pass);
        let setup = Outcome::Failed(RequestError::ClientSetup("bad key".into()));
        assert_eq!(judge(&Expect::ServerRejects, &setup), Verdict::Fail);
        assert_eq!(judge(&Expect::NoResponse, &setup), Verdict::Fail);
        let ok = head(Version::HTTP_11, &[]);
        assert_eq!(judge(&Expect::ServerRejects, &ok), Verdict::Fail);
        assert_eq!(
            judge(&Expect::Reset, &Outcome::Skipped("no".into())),
            Verdict::Skip
        );
    }
}
