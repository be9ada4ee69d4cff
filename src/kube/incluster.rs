//! What `verify --kube` runs the page's checks with: find the two sleep pods (in the mesh and
//! outside it), copy the CA and the client pair into the outside one, run curl in either, and
//! read curl's `-sS -I` output back into a status line and headers.
use std::time::Duration;

use ::kube::api::{Api, ListParams};
use ::kube::{Client, Error as KubeError};
use k8s_openapi::api::core::v1::Pod;

use super::exec::{ExecError, ExecOutput, PodContainer, copy_to, exec};

/// The usual `workdir`: where the client files go in the outside pod and where curl runs, so
/// the page's relative `--cacert ca.crt --cert client.crt --key client.key` work as written.
pub const WORKDIR: &str = "/tmp/meshtls-verify";
/// The sleep sample's label and container name.
pub const SLEEP: &str = "sleep";

/// The page's two clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SleepPods {
    /// In the app's namespace: injected, so plain HTTP leaves as Istio mTLS.
    pub mesh: PodContainer,
    /// In `default`: no sidecar; curl's own TLS with the page's certificates.
    pub outside: PodContainer,
}

#[derive(Debug, thiserror::Error)]
pub enum InClusterError {
    #[error(
        "no running pod with app={SLEEP} in namespace {namespace}; deploy it with `meshtls render sleep --sleep-namespace {namespace} | meshtls apply -f -`"
    )]
    NoSleep { namespace: String },
    #[error("listing pods in {namespace}")]
    List {
        namespace: String,
        source: Box<KubeError>,
    },
    #[error(transparent)]
    Exec(#[from] ExecError),
}

/// The first running sleep pod (by name) in `namespace`.
pub async fn sleep_pod(client: &Client, namespace: &str) -> Result<PodContainer, InClusterError> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let list = pods
        .list(&ListParams::default().labels(&format!("app={SLEEP}")))
        .await
        .map_err(|e| InClusterError::List {
            namespace: namespace.to_string(),
            source: Box::new(e),
        })?;
    let pod = super::first_running_pod(list.items).ok_or_else(|| InClusterError::NoSleep {
        namespace: namespace.to_string(),
    })?;
    Ok(PodContainer {
        namespace: namespace.to_string(),
        pod,
        container: Some(SLEEP.to_string()),
    })
}

/// Both sleep pods: `mesh_ns` (the app's namespace) and `outside_ns` (the page's `default`).
pub async fn sleep_pods(
    client: &Client,
    mesh_ns: &str,
    outside_ns: &str,
) -> Result<SleepPods, InClusterError> {
    Ok(SleepPods {
        mesh: sleep_pod(client, mesh_ns).await?,
        outside: sleep_pod(client, outside_ns).await?,
    })
}

/// One file to put in `WORKDIR`: its name there, its bytes and its mode.
pub struct StagedFile<'a> {
    pub name: &'a str,
    pub contents: &'a [u8],
    pub mode: u32,
}

impl std::fmt::Debug for StagedFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The contents may be a private key: never printed.
        write!(
            f,
            "StagedFile({}, {} bytes, {:o})",
            self.name,
            self.contents.len(),
            self.mode
        )
    }
}

/// Copies each file into `workdir` in the pod (keys should be 0o600).
pub async fn stage(
    client: &Client,
    pod: &PodContainer,
    workdir: &str,
    files: &[StagedFile<'_>],
    timeout: Duration,
) -> Result<(), InClusterError> {
    for file in files {
        let path = format!("{}/{}", workdir.trim_end_matches('/'), file.name);
        copy_to(client, pod, &path, file.contents, file.mode, timeout).await?;
    }
    Ok(())
}

/// Runs `args` (e.g. `Check::curl_args`) in the pod with `workdir` as the working folder
/// (created if missing).
pub async fn run_in_workdir(
    client: &Client,
    pod: &PodContainer,
    workdir: &str,
    args: &[String],
    timeout: Duration,
) -> Result<ExecOutput, InClusterError> {
    let mut command: Vec<&str> = vec![
        "sh",
        "-c",
        r#"mkdir -p "$1" && cd "$1" && shift && exec "$@""#,
        "meshtls-verify",
        workdir,
    ];
    command.extend(args.iter().map(String::as_str));
    Ok(exec(client, pod, &command, None, timeout).await?)
}

/// A response head as `curl -sS -I` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurlHead {
    /// `HTTP/1.1`, `HTTP/2`.
    pub version: String,
    pub status: u16,
    /// Names lower-cased, in order.
    pub headers: Vec<(String, String)>,
}

/// What curl did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurlResult {
    Response(CurlHead),
    /// No response: curl's exit code and its `curl: (56) …` line.
    Failed {
        exit_code: i32,
        message: String,
    },
}

/// What a curl failure means, from its exit code (and, for 56, its message): what `verify`'s
/// local client would call the same failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurlFailure {
    /// 6, 7: no connection (name or port).
    Connect,
    /// 56 "Connection reset by peer": the page's check (c).
    Reset,
    /// 35, other 56: the server ended the TLS handshake (no or a rejected client certificate).
    TlsRejectedByServer,
    /// 51, 60: curl refused the server's certificate.
    ServerCertificate,
    /// 58: curl could not use the client certificate or key.
    ClientSetup,
    /// 28: `--max-time` ran out.
    Timeout,
    Other,
}

impl CurlFailure {
    pub fn of(exit_code: i32, message: &str) -> CurlFailure {
        match exit_code {
            6 | 7 => CurlFailure::Connect,
            56 if message.contains("reset by peer") => CurlFailure::Reset,
            35 | 56 => CurlFailure::TlsRejectedByServer,
            51 | 60 => CurlFailure::ServerCertificate,
            58 => CurlFailure::ClientSetup,
            28 => CurlFailure::Timeout,
            _ => CurlFailure::Other,
        }
    }
}

/// Reads `curl -sS -I` output: the last response head on stdout (after any `100 Continue`),
/// or curl's error line on stderr with its exit code.
pub fn parse_curl(out: &ExecOutput) -> CurlResult {
    let text = String::from_utf8_lossy(&out.stdout);
    let mut head: Option<CurlHead> = None;
    for line in text.lines().map(|l| l.trim_end_matches('\r')) {
        if line.starts_with("HTTP/") {
            let mut parts = line.split_whitespace();
            let version = parts.next().unwrap_or_default().to_string();
            let status = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            head = Some(CurlHead {
                version,
                status,
                headers: Vec::new(),
            });
        } else if let (Some(h), Some((name, value))) = (head.as_mut(), line.split_once(':')) {
            h.headers
                .push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    match head {
        Some(head) if out.exit_code == 0 => CurlResult::Response(head),
        _ => CurlResult::Failed {
            exit_code: out.exit_code,
            message: String::from_utf8_lossy(&out.stderr)
                .lines()
                .find(|l| l.starts_with("curl:"))
                .unwrap_or_default()
                .to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(stdout: &str, stderr: &str, exit_code: i32) -> ExecOutput {
        ExecOutput {
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.as_bytes().to_vec(),
            exit_code,
        }
    }

    #[test]
    fn curl_heads_and_failures_read_as_the_page_shows_them() {
        let page_b = "HTTP/2 200 \r\nserver: istio-envoy\r\nx-envoy-upstream-service-time: 6\r\nx-envoy-decorator-operation: ingress-sidecar.test:9080/*\r\n\r\n";
        let CurlResult::Response(head) = parse_curl(&output(page_b, "", 0)) else {
            panic!("a response")
        };
        assert_eq!((head.version.as_str(), head.status), ("HTTP/2", 200));
        assert_eq!(
            head.headers[2],
            (
                "x-envoy-decorator-operation".to_string(),
                "ingress-sidecar.test:9080/*".to_string()
            )
        );
        let page_c = output(
            "",
            "curl: (56) Recv failure: Connection reset by peer\n",
            56,
        );
        assert_eq!(
            CurlFailure::of(56, "curl: (56) Recv failure: Connection reset by peer"),
            CurlFailure::Reset
        );
        assert_eq!(
            CurlFailure::of(
                56,
                "curl: (56) OpenSSL SSL_read: tlsv13 alert certificate required"
            ),
            CurlFailure::TlsRejectedByServer
        );
        assert_eq!(CurlFailure::of(60, ""), CurlFailure::ServerCertificate);
        assert_eq!(
            parse_curl(&page_c),
            CurlResult::Failed {
                exit_code: 56,
                message: "curl: (56) Recv failure: Connection reset by peer".to_string()
            }
        );
        let continued = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nserver: envoy\r\n\r\n";
        let CurlResult::Response(head) = parse_curl(&output(continued, "", 0)) else {
            panic!("a response")
        };
        assert_eq!((head.status, head.headers.len()), (200, 1));
    }
}
