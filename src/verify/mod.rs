//! Stage 5 of the pipeline: checking the running set-up as the page does, from the client side.
//! `checks` says what to check (pure), a `Runner` executes it (`local`: this machine's client;
//! cluster mode: curl in the sleep pods), `report` prints the verdicts.
pub mod checks;
pub mod client;
pub mod cluster;
pub mod local;
pub mod report;
pub mod target;

use std::path::PathBuf;
use std::time::Duration;

use checks::{Check, Outcome, Verdict, judge};

/// Why verify could not get ready to run (as opposed to a check failing).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Pki(#[from] crate::pki::PkiError),
    #[error("{0}")]
    Material(String),
}

/// Executes one check and says what happened and how long the request took.
pub trait Runner {
    fn run(&mut self, check: &Check) -> (Outcome, Duration);
}

/// One check, what it produced and the verdict.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub check: Check,
    pub outcome: Outcome,
    pub verdict: Verdict,
    pub elapsed: Duration,
    pub warnings: Vec<String>,
}

/// Runs every check in order with `runner` and judges each.
pub fn run_all(checks: Vec<Check>, runner: &mut dyn Runner) -> Vec<CheckResult> {
    checks
        .into_iter()
        .map(|check| {
            let (outcome, elapsed) = runner.run(&check);
            let verdict = judge(&check.expect, &outcome);
            let mut warnings = Vec::new();
            if let Outcome::Response {
                cn_fallback: true, ..
            } = &outcome
            {
                warnings.push(format!(
                    "{}: the server certificate has no SAN; its CN matched {}, as curl accepts it \
                     (make v3 certificates with SANs with `meshtls certgen`)",
                    check.id.name(),
                    check.host
                ));
            }
            CheckResult {
                check,
                outcome,
                verdict,
                elapsed,
                warnings,
            }
        })
        .collect()
}

/// Whether every check passed. A check that could not run (SKIP) did not pass, so it fails the
/// run too: a green verify always means the whole page was checked.
pub fn all_passed(results: &[CheckResult]) -> bool {
    results.iter().all(|r| r.verdict == Verdict::Pass)
}
