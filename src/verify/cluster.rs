//! `verify --kube`: the checks run as the page runs them, by exec'ing curl in the sleep pods (the
//! in-mesh one for the mesh client, the one in `default` otherwise) through `kube::incluster`.
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Version};

use super::Runner;
use super::checks::{Check, Client, ClientCert, Outcome, Target};
use super::client::{Head, RequestError};
use crate::kube::incluster::{
    CurlFailure, CurlHead, CurlResult, InClusterError, SleepPods, StagedFile, parse_curl,
    run_in_workdir, stage,
};

/// The page's client files, as bytes, for the outside pod.
pub struct ClientFiles {
    pub ca_crt: Vec<u8>,
    pub client_crt: Vec<u8>,
    pub client_key: Vec<u8>,
}

impl std::fmt::Debug for ClientFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientFiles([redacted])")
    }
}

/// Runs each check with curl in a sleep pod; one runtime for the whole run.
pub struct KubeRunner {
    runtime: tokio::runtime::Runtime,
    client: ::kube::Client,
    target: Target,
    pods: SleepPods,
    /// Where the client files are and curl runs, in both pods.
    workdir: String,
    timeout: Duration,
}

/// Extra time an exec may take beyond curl's own `--max-time`.
const EXEC_SLACK: Duration = Duration::from_secs(30);

impl KubeRunner {
    /// Copies the CA and the client pair into `workdir` in the outside pod (`ca.crt`,
    /// `client.crt`, `client.key`, as the page's curl names them), ready to run checks.
    pub fn new(
        runtime: tokio::runtime::Runtime,
        client: ::kube::Client,
        target: Target,
        pods: SleepPods,
        workdir: String,
        files: &ClientFiles,
        timeout: Duration,
    ) -> Result<KubeRunner, InClusterError> {
        let staged = [
            StagedFile {
                name: "ca.crt",
                contents: &files.ca_crt,
                mode: 0o644,
            },
            StagedFile {
                name: "client.crt",
                contents: &files.client_crt,
                mode: 0o644,
            },
            StagedFile {
                name: "client.key",
                contents: &files.client_key,
                mode: 0o600,
            },
        ];
        runtime.block_on(stage(
            &client,
            &pods.outside,
            &workdir,
            &staged,
            timeout + EXEC_SLACK,
        ))?;
        Ok(KubeRunner {
            runtime,
            client,
            target,
            pods,
            workdir,
            timeout,
        })
    }
}

/// curl's failure as the local client's error for the same failure.
pub fn request_error(failure: CurlFailure, message: String, timeout: Duration) -> RequestError {
    match failure {
        CurlFailure::Connect => RequestError::Connect(message),
        CurlFailure::Reset => RequestError::Reset,
        CurlFailure::TlsRejectedByServer => RequestError::TlsRejectedByServer(message),
        CurlFailure::ServerCertificate => RequestError::ServerCertificate(message),
        CurlFailure::ClientSetup => RequestError::ClientSetup(message),
        CurlFailure::Timeout => RequestError::Timeout(timeout),
        CurlFailure::Other => RequestError::Http(message),
    }
}

/// curl's head as the local client's `Head`; `None` for a version or header it cannot hold.
pub fn head(curl: &CurlHead) -> Option<Head> {
    let version = match curl.version.as_str() {
        "HTTP/2" => Version::HTTP_2,
        "HTTP/1.1" => Version::HTTP_11,
        "HTTP/1.0" => Version::HTTP_10,
        _ => return None,
    };
    let mut headers = HeaderMap::new();
    for (name, value) in &curl.headers {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).ok()?,
            HeaderValue::from_str(value).ok()?,
        );
    }
    Some(Head {
        version,
        status: StatusCode::from_u16(curl.status).ok()?,
        headers,
    })
}

impl KubeRunner {
    /// The page's curl for `check`, bounded by `--max-time`; a host that is not the Service's
    /// (the wrong-name check) is sent to the Service with `--connect-to`, keeping SNI and Host.
    fn args(&self, check: &Check) -> Vec<String> {
        let mut args = check.curl_args(&self.target);
        let mut extra = vec![
            "--max-time".to_string(),
            self.timeout.as_secs().max(1).to_string(),
        ];
        let fqdn = self.target.fqdn();
        if check.host != fqdn && check.host != self.target.service {
            let port = self.target.ports(check.listener).service;
            extra.extend([
                "--connect-to".to_string(),
                format!("{}:{port}:{fqdn}:{port}", check.host),
            ]);
        }
        args.splice(1..1, extra);
        args
    }
}

impl Runner for KubeRunner {
    fn run(&mut self, check: &Check) -> (Outcome, Duration) {
        if matches!(
            check.client,
            Client::External(ClientCert::OtherCa | ClientCert::Expired)
        ) {
            return (
                Outcome::Skipped("--kube stages only the page's CA and client pair".to_string()),
                Duration::ZERO,
            );
        }
        let pod = match check.client {
            Client::Mesh => &self.pods.mesh,
            Client::External(_) | Client::Plaintext => &self.pods.outside,
        };
        let args = self.args(check);
        let started = Instant::now();
        let ran = self.runtime.block_on(run_in_workdir(
            &self.client,
            pod,
            &self.workdir,
            &args,
            self.timeout + EXEC_SLACK,
        ));
        let outcome = match ran {
            Err(e) => Outcome::Skipped(format!("exec in {pod} failed: {e}")),
            Ok(output) => match parse_curl(&output) {
                CurlResult::Response(curl) => match head(&curl) {
                    Some(head) => Outcome::Response {
                        head,
                        cn_fallback: false,
                    },
                    None => Outcome::Failed(RequestError::Http(format!(
                        "unreadable response head {} {}",
                        curl.version, curl.status
                    ))),
                },
                CurlResult::Failed { exit_code, message } => Outcome::Failed(request_error(
                    CurlFailure::of(exit_code, &message),
                    message,
                    self.timeout,
                )),
            },
        };
        (outcome, started.elapsed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_heads_become_the_local_clients_heads() {
        let curl = CurlHead {
            version: "HTTP/2".into(),
            status: 200,
            headers: vec![("server".into(), "istio-envoy".into())],
        };
        let head = head(&curl).expect("a head");
        assert_eq!((head.version, head.status.as_u16()), (Version::HTTP_2, 200));
        assert_eq!(head.headers["server"], "istio-envoy");
        assert!(matches!(
            request_error(CurlFailure::Reset, String::new(), Duration::ZERO),
            RequestError::Reset
        ));
    }
}
