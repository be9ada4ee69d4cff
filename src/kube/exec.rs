//! Running a command in a pod's container (`kubectl exec`) and writing a file into one
//! (`kubectl cp`, through `sh -c 'cat > path'`): what `verify --kube` needs to run the page's
//! curl checks from the sleep pods. Every call is bounded in time and in bytes kept.
use std::time::Duration;

use ::kube::api::{Api, AttachParams};
use ::kube::{Client, Error as KubeError};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

/// The most stdout (and, separately, stderr) kept from one command.
pub const MAX_OUTPUT: u64 = 16 << 20;

/// A container in a pod: where a command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodContainer {
    pub namespace: String,
    pub pod: String,
    /// `None`: the pod's default container (fine for one-container pods such as sleep's).
    pub container: Option<String>,
}

impl std::fmt::Display for PodContainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.pod, self.namespace)?;
        if let Some(c) = &self.container {
            write!(f, " (container {c})")?;
        }
        Ok(())
    }
}

/// What a command left behind: its output and exit code (0 for success).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub exit_code: i32,
}

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("starting `{command}` in {target}")]
    Start {
        command: String,
        target: String,
        source: Box<KubeError>,
    },
    #[error("`{command}` in {target} did not finish within {seconds} s")]
    Timeout {
        command: String,
        target: String,
        seconds: u64,
    },
    #[error("`{command}` in {target}: {message}")]
    Failed {
        command: String,
        target: String,
        message: String,
    },
    #[error("streaming `{command}` in {target}")]
    Stream {
        command: String,
        target: String,
        source: std::io::Error,
    },
    #[error(
        "copying {bytes} bytes to {target}:{path} left {found} bytes there; the cluster may not pass stdin's end to exec (Kubernetes before 1.30)"
    )]
    ShortCopy {
        target: String,
        path: String,
        bytes: usize,
        found: String,
    },
    #[error("copying to {target}:{path} failed (exit code {exit_code}): {stderr}")]
    CopyFailed {
        target: String,
        path: String,
        exit_code: i32,
        stderr: String,
    },
}

/// The exit code a finished exec reports in its `Status` (channel 3), as kubectl reads it.
pub fn exit_code(status: &Status) -> Result<i32, String> {
    if status.status.as_deref() == Some("Success") {
        return Ok(0);
    }
    let from_causes = status
        .details
        .as_ref()
        .and_then(|d| d.causes.as_ref())
        .and_then(|causes| {
            causes
                .iter()
                .find(|c| c.reason.as_deref() == Some("ExitCode"))
                .and_then(|c| c.message.as_deref())
                .and_then(|m| m.parse::<i32>().ok())
        });
    match (status.reason.as_deref(), from_causes) {
        (Some("NonZeroExitCode"), Some(code)) => Ok(code),
        _ => Err(status
            .message
            .clone()
            .unwrap_or_else(|| "the command failed without a status message".to_string())),
    }
}

async fn read_bounded(reader: Option<impl AsyncRead + Unpin>) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    if let Some(reader) = reader {
        let mut limited = reader.take(MAX_OUTPUT);
        limited.read_to_end(&mut out).await?;
        // Drain (and drop) anything past the limit so the stream can finish.
        let mut rest = limited.into_inner();
        tokio::io::copy(&mut rest, &mut tokio::io::sink()).await?;
    }
    Ok(out)
}

/// Runs `command` in the container, feeding it `stdin` (if any), and returns its output and
/// exit code. A command that runs but fails is an `ExecOutput` with a non-zero code, not an error.
pub async fn exec(
    client: &Client,
    target: &PodContainer,
    command: &[&str],
    stdin: Option<&[u8]>,
    timeout: Duration,
) -> Result<ExecOutput, ExecError> {
    let shown = command.join(" ");
    let run = async {
        let pods: Api<Pod> = Api::namespaced(client.clone(), &target.namespace);
        let mut params = AttachParams::default()
            .stdin(stdin.is_some())
            .stdout(true)
            .stderr(true);
        if let Some(container) = &target.container {
            params = params.container(container.clone());
        }
        let mut process = pods
            .exec(&target.pod, command.to_vec(), &params)
            .await
            .map_err(|e| ExecError::Start {
                command: shown.clone(),
                target: target.to_string(),
                source: Box::new(e),
            })?;
        let stream_error = |source| ExecError::Stream {
            command: shown.clone(),
            target: target.to_string(),
            source,
        };
        let writer = process.stdin();
        let feed = async move {
            if let (Some(mut writer), Some(bytes)) = (writer, stdin) {
                writer.write_all(bytes).await?;
                writer.shutdown().await?;
            }
            Ok::<(), std::io::Error>(())
        };
        let status = process.take_status();
        let (fed, stdout, stderr) = tokio::join!(
            feed,
            read_bounded(process.stdout()),
            read_bounded(process.stderr())
        );
        fed.map_err(stream_error)?;
        let (stdout, stderr) = (stdout.map_err(stream_error)?, stderr.map_err(stream_error)?);
        let status = match status {
            Some(status) => status.await,
            None => None,
        };
        let _ = process.join().await;
        let exit_code = match status {
            Some(status) => exit_code(&status).map_err(|message| ExecError::Failed {
                command: shown.clone(),
                target: target.to_string(),
                message,
            })?,
            None => {
                return Err(ExecError::Failed {
                    command: shown.clone(),
                    target: target.to_string(),
                    message: "the exec stream ended without an exit status".to_string(),
                });
            }
        };
        Ok(ExecOutput {
            stdout,
            stderr,
            exit_code,
        })
    };
    match tokio::time::timeout(timeout, run).await {
        Ok(result) => result,
        Err(_) => Err(ExecError::Timeout {
            command: shown,
            target: target.to_string(),
            seconds: timeout.as_secs(),
        }),
    }
}

/// The shell script `copy_to` runs: make the folder, write stdin to the file, set its mode.
const COPY_SCRIPT: &str = r#"mkdir -p "$(dirname "$1")" && cat > "$1" && chmod "$2" "$1""#;

/// Writes `contents` to `path` in the container with `mode` (e.g. 0o600), then checks the size
/// that arrived. Needs `sh`, `cat`, `mkdir`, `dirname`, `chmod` and `wc` there (curl images
/// and busybox have them). The bytes travel on stdin, never in the command line, so keys stay
/// out of the API server's audit log.
pub async fn copy_to(
    client: &Client,
    target: &PodContainer,
    path: &str,
    contents: &[u8],
    mode: u32,
    timeout: Duration,
) -> Result<(), ExecError> {
    let mode = format!("{mode:o}");
    let wrote = exec(
        client,
        target,
        &["sh", "-c", COPY_SCRIPT, "meshtls-cp", path, &mode],
        Some(contents),
        timeout,
    )
    .await?;
    if wrote.exit_code != 0 {
        return Err(ExecError::CopyFailed {
            target: target.to_string(),
            path: path.to_string(),
            exit_code: wrote.exit_code,
            stderr: String::from_utf8_lossy(&wrote.stderr).trim().to_string(),
        });
    }
    let size = exec(
        client,
        target,
        &["sh", "-c", r#"wc -c < "$1""#, "meshtls-cp", path],
        None,
        timeout,
    )
    .await?;
    let found = String::from_utf8_lossy(&size.stdout).trim().to_string();
    if size.exit_code != 0 || found != contents.len().to_string() {
        return Err(ExecError::ShortCopy {
            target: target.to_string(),
            path: path.to_string(),
            bytes: contents.len(),
            found,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{StatusCause, StatusDetails};

    #[test]
    fn exit_codes_come_from_the_status_causes() {
        let ok = Status {
            status: Some("Success".into()),
            ..Status::default()
        };
        assert_eq!(exit_code(&ok), Ok(0));
        let failed = Status {
            status: Some("Failure".into()),
            reason: Some("NonZeroExitCode".into()),
            message: Some("command terminated with non-zero exit code".into()),
            details: Some(StatusDetails {
                causes: Some(vec![StatusCause {
                    reason: Some("ExitCode".into()),
                    message: Some("56".into()),
                    field: None,
                }]),
                ..StatusDetails::default()
            }),
            ..Status::default()
        };
        assert_eq!(exit_code(&failed), Ok(56));
        let broken = Status {
            status: Some("Failure".into()),
            message: Some("container not found (\"curl\")".into()),
            ..Status::default()
        };
        assert_eq!(
            exit_code(&broken),
            Err("container not found (\"curl\")".into())
        );
    }
}
