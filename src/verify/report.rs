//! verify's output: per check what `curl -I` would print (`-v`), the verdict table (CHECK,
//! EXPECTED, GOT, RESULT, TIME; coloured on a terminal unless NO_COLOR), or JSON for CI.
use std::collections::HashMap;
use std::net::SocketAddr;

use serde_json::{Value, json};

use super::checks::{Client, ClientCert, CurlFiles, Listener, Outcome, Target, Verdict, got_text};
use super::{CheckResult, all_passed};
use crate::cli::TableFormat;
use crate::exit::ExitStatus;
use crate::output::{BOLD, GREEN, RED, YELLOW, duration_text, paint, stdout_colour};
use crate::output::{Printer, warn};
use crate::output::{fit_columns, table_width, tabwriter};

/// What `curl -sS -I` prints for one check, preceded by the equivalent command as a comment
/// (runnable as it is for the external checks; the in-mesh one needs a client sidecar).
pub fn curl_block(
    result: &CheckResult,
    target: &Target,
    files: &CurlFiles,
    address: Option<SocketAddr>,
) -> String {
    let check = &result.check;
    let mut out = format!(
        "# {}: {}",
        check.id.name(),
        check.curl_args_with(target, files, address).join(" ")
    );
    match (check.client, address) {
        (Client::Mesh, Some(address)) => out.push_str(&format!(
            "   (sent to {address} as Istio mTLS with {}, as the client sidecar would)",
            target.client_spiffe_id()
        )),
        (Client::External(ClientCert::OtherCa | ClientCert::Expired), _) => {
            out.push_str("   (that certificate is made in memory)")
        }
        _ => {}
    }
    out.push('\n');
    match &result.outcome {
        Outcome::Response { head, .. } => out.push_str(&head.curl_text()),
        Outcome::Failed(error) => {
            out.push_str(&error.curl_text());
            out.push('\n');
        }
        Outcome::Skipped(reason) => out.push_str(&format!("(skipped: {reason})\n")),
    }
    out.push('\n');
    out
}

// ANSI codes of equal length, so the table's columns line up whether or not a cell is coloured.
/// The verdict table, Go-tabwriter style with 3 spaces between columns; with `width`, EXPECTED
/// and GOT are cut (`…`) so that each line fits it.
pub fn table(results: &[CheckResult], colour: bool, width: Option<usize>) -> String {
    let mut rows = vec![vec![
        "CHECK".to_string(),
        "EXPECTED".to_string(),
        "GOT".to_string(),
        paint("RESULT", BOLD, colour),
        "TIME".to_string(),
    ]];
    for r in results {
        let code = match r.verdict {
            Verdict::Pass => GREEN,
            Verdict::Fail => RED,
            Verdict::Skip => YELLOW,
        };
        rows.push(vec![
            r.check.id.name().to_string(),
            r.check.expected_text(),
            got_text(&r.outcome),
            paint(r.verdict.as_str(), code, colour),
            duration_text(r.elapsed),
        ]);
    }
    if let Some(width) = width {
        fit_columns(&mut rows, 3, width, &[1, 2]);
    }
    tabwriter(&rows, 3)
}

/// One line under the table: `8 passed, 0 failed, 0 skipped`.
pub fn summary(results: &[CheckResult]) -> String {
    let count = |v| results.iter().filter(|r| r.verdict == v).count();
    format!(
        "{} passed, {} failed, {} skipped",
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::Skip)
    )
}

/// The whole run as JSON for CI.
pub fn json(results: &[CheckResult], target: &Target, passed: bool) -> Value {
    let checks: Vec<Value> = results
        .iter()
        .map(|r| {
            let (status, headers, error) = match &r.outcome {
                Outcome::Response { head, .. } => {
                    let headers: serde_json::Map<String, Value> = head
                        .headers
                        .iter()
                        .map(|(k, v)| (k.to_string(), Value::from(v.to_str().unwrap_or_default())))
                        .collect();
                    (
                        Value::from(head.status.as_u16()),
                        Value::Object(headers),
                        Value::Null,
                    )
                }
                Outcome::Failed(e) => (Value::Null, Value::Null, Value::from(e.curl_text())),
                Outcome::Skipped(reason) => (Value::Null, Value::Null, Value::from(reason.clone())),
            };
            json!({
                "check": r.check.id.name(),
                "from_page": r.check.id.from_page(),
                "url": r.check.url(target),
                "curl": r.check.curl_args(target).join(" "),
                "expected": r.check.expected_text(),
                "got": got_text(&r.outcome),
                "result": r.verdict.as_str(),
                "time_ms": r.elapsed.as_secs_f64() * 1000.0,
                "status": status,
                "headers": headers,
                "error": error,
                "warnings": r.warnings,
            })
        })
        .collect();
    json!({
        "target": target,
        "passed": passed,
        "checks": checks,
    })
}

/// Prints the results (curl blocks with `verbose`, the table or JSON) and returns 0 or 3.
pub fn print(
    results: &[CheckResult],
    target: &Target,
    addresses: &HashMap<Listener, SocketAddr>,
    curl_files: &CurlFiles,
    verbose: bool,
    output: TableFormat,
    printer: &mut Printer,
) -> std::io::Result<ExitStatus> {
    let passed = all_passed(results);
    for result in results {
        for warning in &result.warnings {
            warn(warning);
        }
    }
    match output {
        TableFormat::Json => {
            let value = json(results, target, passed);
            printer.line(&serde_json::to_string_pretty(&value).map_err(std::io::Error::other)?)?;
        }
        TableFormat::Yaml => {
            let value = json(results, target, passed);
            let text = crate::k8s::yaml::to_yaml(&value).map_err(std::io::Error::other)?;
            printer.write_str(&text)?;
        }
        TableFormat::Text | TableFormat::Wide => {
            if verbose {
                for result in results {
                    let address = addresses.get(&result.check.listener).copied();
                    printer.write_str(&curl_block(result, target, curl_files, address))?;
                }
            }
            let width = match output {
                TableFormat::Wide => None,
                _ => table_width(),
            };
            printer.write_str(&table(results, stdout_colour(), width))?;
            printer.line(&summary(results))?;
        }
    }
    let skipped: Vec<&str> = results
        .iter()
        .filter(|r| r.verdict == Verdict::Skip)
        .map(|r| r.check.id.name())
        .collect();
    if !skipped.is_empty() {
        warn(&format!(
            "skipped {} (not a pass, so the exit status is 3): the GOT column says what each needs",
            skipped.join(", ")
        ));
    }
    Ok(if passed {
        ExitStatus::Success
    } else {
        ExitStatus::ChecksFailed
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::verify::checks::{Check, CheckId, Client, Expect, Listener};
    use crate::verify::client::RequestError;

    fn result(verdict: Verdict) -> CheckResult {
        CheckResult {
            check: Check {
                id: CheckId::ExternalPlaintext,
                listener: Listener::Internal,
                client: Client::Plaintext,
                host: "h".into(),
                path: "/".into(),
                expect: Expect::Reset,
            },
            outcome: Outcome::Failed(RequestError::Reset),
            verdict,
            elapsed: Duration::from_millis(3),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn coloured_and_plain_tables_line_up_the_same() {
        let results = [result(Verdict::Pass), result(Verdict::Fail)];
        let plain = table(&results, false, None);
        let strip = |s: &str| anstream::adapter::strip_str(s).to_string();
        let coloured = strip(&table(&results, true, None));
        let widths = |s: &str| {
            s.lines()
                .map(|l| l.find("TIME").or(l.find("3 ms")))
                .collect::<Vec<_>>()
        };
        assert_eq!(widths(&plain), widths(&coloured), "{plain}\n{coloured}");
        assert!(plain.starts_with("CHECK   "), "{plain}");
        assert!(plain.contains("PASS"));
        assert_eq!(summary(&results), "1 passed, 1 failed, 0 skipped");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(Duration::from_millis(84)), "84 ms");
        assert_eq!(duration_text(Duration::from_millis(1500)), "1.5 s");
    }
}
