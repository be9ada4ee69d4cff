//! Exit statuses, one enum for the whole tool (documented in the README's exit-code table).
use std::process::ExitCode;

/// How a meshtls run ended. The numbers follow istioctl where it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything worked, every check passed.
    Success,
    /// An error: bad input, an unreadable file, a failed I/O step (kubectl and istioctl use 1).
    Failure,
    /// The command line itself was wrong (istioctl's 64).
    Usage,
    /// The input data is wrong: invalid resources, malformed YAML (istioctl's 65).
    DataError,
    /// A check ran and failed: `--check` found a bad row, `verify` saw a FAIL.
    ChecksFailed,
    /// The analyzers found issues at or above the failure threshold (istioctl's 79).
    AnalyzerFindings,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::ChecksFailed => 3,
            ExitStatus::Usage => 64,
            ExitStatus::DataError => 65,
            ExitStatus::AnalyzerFindings => 79,
        }
    }
}

/// An error caused by the input data itself (malformed YAML, invalid resources): exit 65.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DataError(pub String);

/// A command line that parsed but does not make sense (e.g. a malformed `--target`): exit 64.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl ExitStatus {
    /// The status a failed run ends with: 65 when bad input data caused it, 64 for a bad
    /// command line, else 1.
    pub fn of_error(error: &anyhow::Error) -> ExitStatus {
        if error.chain().any(|cause| cause.is::<UsageError>()) {
            ExitStatus::Usage
        } else if error.chain().any(|cause| cause.is::<DataError>()) {
            ExitStatus::DataError
        } else {
            ExitStatus::Failure
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}
