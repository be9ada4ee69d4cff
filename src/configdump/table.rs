//! The secret table: istioctl's `short` layout (Go tabwriter, padding 5) and meshtls's `wide`
//! one, plus the `--check` verdict. Pure: rows in, text out.
use time::OffsetDateTime;

use super::rows::{Row, Status};
use crate::output::tabwriter;
use crate::pki::inspect::rfc3339;

/// istioctl's message for a dump whose SecretsConfigDump lists no dynamic secret.
pub const NO_SECRETS: &str = "No active or warming secrets found.";

const HEADER: [&str; 7] = [
    "RESOURCE NAME",
    "TYPE",
    "STATUS",
    "VALID CERT",
    "SERIAL NUMBER",
    "NOT AFTER",
    "NOT BEFORE",
];
const WIDE_HEADER: [&str; 4] = ["SUBJECT", "SANS", "ISSUER", "DAYS LEFT"];

/// Which columns to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// istioctl's columns, byte for byte.
    Short,
    /// Adds SUBJECT, SANS, ISSUER and DAYS LEFT.
    Wide,
}

/// Renders the table (or istioctl's empty message), ending in a newline.
pub fn render(rows: &[Row], layout: Layout, now: OffsetDateTime) -> String {
    if rows.is_empty() {
        return format!("{NO_SECRETS}\n");
    }
    // istioctl adds TRUST DOMAIN only when every row has one.
    let trust_domain = rows.iter().all(|r| r.trust_domain.is_some());
    let mut header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
    if trust_domain {
        header.push("TRUST DOMAIN".to_string());
    }
    if layout == Layout::Wide {
        header.extend(WIDE_HEADER.iter().map(|h| h.to_string()));
    }
    let mut table = vec![header];
    for row in rows {
        let cert = row.cert();
        let mut cells = vec![
            row.name.clone(),
            cert.map(|c| c.kind.as_str().to_string())
                .unwrap_or_default(),
            row.status.as_str().to_string(),
            row.valid.to_string(),
            cert.map(|c| c.serial.clone()).unwrap_or_default(),
            cert.map(|c| rfc3339(c.not_after)).unwrap_or_default(),
            cert.map(|c| rfc3339(c.not_before)).unwrap_or_default(),
        ];
        if trust_domain {
            cells.push(row.trust_domain.clone().unwrap_or_default());
        }
        if layout == Layout::Wide {
            cells.push(cert.map(|c| c.subject.clone()).unwrap_or_default());
            cells.push(cert.map(|c| c.sans.join(",")).unwrap_or_default());
            cells.push(cert.map(|c| c.issuer.clone()).unwrap_or_default());
            cells.push(time_left(row, now).unwrap_or_default());
        }
        table.push(cells);
    }
    tabwriter(&table, 5)
}

/// DAYS LEFT: whole days from `now` to NotAfter (negative once expired); under a day, whole
/// hours (`23h`), and under an hour, minutes (`45m`), so a 24 h workload certificate shows more
/// than 0.
pub fn time_left(row: &Row, now: OffsetDateTime) -> Option<String> {
    row.cert().map(|c| left_text(c.not_after - now))
}

/// `364`, `23h`, `-5h`, `45m`.
pub fn left_text(left: time::Duration) -> String {
    if left.whole_days() != 0 {
        left.whole_days().to_string()
    } else if left.whole_hours() != 0 {
        format!("{}h", left.whole_hours())
    } else {
        format!("{}m", left.whole_minutes())
    }
}

/// Why a row fails `--check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    NotActive(Status),
    NoCertificate,
    Unreadable(String),
    NotYetValid { not_before: String },
    Expired { not_after: String },
    ExpiresSoon { left: String, not_after: String },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::NotActive(status) => write!(f, "is {}, not ACTIVE", status.as_str()),
            Problem::NoCertificate => write!(f, "has no certificate data"),
            Problem::Unreadable(why) => write!(f, "has an unreadable certificate: {why}"),
            Problem::NotYetValid { not_before } => write!(f, "is not valid before {not_before}"),
            Problem::Expired { not_after } => write!(f, "expired at {not_after}"),
            Problem::ExpiresSoon { left, not_after } => {
                write!(f, "expires in {left} ({not_after})")
            }
        }
    }
}

/// The problems `--check` finds in one row: not active, not valid, or expiring within `warn`
/// of `now`.
pub fn check(row: &Row, now: OffsetDateTime, warn: time::Duration) -> Vec<Problem> {
    let mut problems = Vec::new();
    if row.status != Status::Active {
        problems.push(Problem::NotActive(row.status));
    }
    match &row.content {
        super::rows::Content::Missing => problems.push(Problem::NoCertificate),
        super::rows::Content::Unreadable(why) => problems.push(Problem::Unreadable(why.clone())),
        super::rows::Content::Cert(c) => {
            let not_after = rfc3339(c.not_after);
            if now <= c.not_before {
                problems.push(Problem::NotYetValid {
                    not_before: rfc3339(c.not_before),
                });
            } else if now >= c.not_after {
                problems.push(Problem::Expired { not_after });
            } else {
                let left = c.not_after - now;
                if left < warn {
                    let days = left.whole_days();
                    let left = match days {
                        0 => left_text(left),
                        1 => "1 day".to_string(),
                        _ => format!("{days} days"),
                    };
                    problems.push(Problem::ExpiresSoon { left, not_after });
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::configdump::rows::{CertFacts, CertKind, Content};
    use time::macros::datetime;

    fn row(name: &str, status: Status, trust_domain: Option<&str>, cert: bool) -> Row {
        let content = if cert {
            Content::Cert(CertFacts {
                kind: CertKind::Ca,
                serial: "0".repeat(32),
                not_before: datetime!(2026-01-01 0:00 UTC),
                not_after: datetime!(2027-01-01 0:00 UTC),
                subject: "CN=a".to_string(),
                issuer: "CN=a".to_string(),
                sans: vec![],
            })
        } else {
            Content::Missing
        };
        Row {
            name: name.to_string(),
            status,
            trust_domain: trust_domain.map(str::to_string),
            content,
            valid: cert,
        }
    }

    #[test]
    fn short_layout_matches_istioctl_padding_and_trailing_spaces() {
        let now = datetime!(2026-06-01 0:00 UTC);
        let text = render(
            &[
                row("default", Status::Warming, None, false),
                row("ROOTCA", Status::Active, None, true),
            ],
            Layout::Short,
            now,
        );
        let expected = "\
RESOURCE NAME     TYPE     STATUS      VALID CERT     SERIAL NUMBER                        NOT AFTER                NOT BEFORE
default                    WARMING     false                                                                        
ROOTCA            CA       ACTIVE      true           00000000000000000000000000000000     2027-01-01T00:00:00Z     2026-01-01T00:00:00Z
";
        assert_eq!(text, expected);
    }

    #[test]
    fn trust_domain_column_only_when_every_row_has_one() {
        let now = datetime!(2026-06-01 0:00 UTC);
        let both = [
            row("ROOTCA", Status::Active, Some("a.org"), true),
            row("ROOTCA", Status::Active, Some("b.org"), true),
        ];
        assert!(
            render(&both, Layout::Short, now)
                .lines()
                .next()
                .is_some_and(|h| h.ends_with("TRUST DOMAIN"))
        );
        let mixed = [
            row("ROOTCA", Status::Active, Some("a.org"), true),
            row("default", Status::Active, None, true),
        ];
        assert!(!render(&mixed, Layout::Short, now).contains("TRUST DOMAIN"));
        assert_eq!(render(&[], Layout::Short, now), format!("{NO_SECRETS}\n"));
    }

    #[test]
    fn check_flags_warming_invalid_and_expiring_rows() {
        let now = datetime!(2026-12-20 0:00 UTC);
        let zero = time::Duration::ZERO;
        let days = time::Duration::days;
        assert_eq!(
            check(&row("a", Status::Active, None, true), now, zero),
            vec![]
        );
        let soon = check(&row("a", Status::Active, None, true), now, days(30));
        assert_eq!(soon.len(), 1);
        assert_eq!(
            soon[0].to_string(),
            "expires in 12 days (2027-01-01T00:00:00Z)"
        );
        assert_eq!(
            check(&row("w", Status::Warming, None, false), now, zero).len(),
            2
        );
        let late = check(
            &row("a", Status::Active, None, true),
            datetime!(2027-02-01 0:00 UTC),
            zero,
        );
        assert!(matches!(late.as_slice(), [Problem::Expired { .. }]));
        // Issue 17: a short-lived certificate against a duration, not whole days.
        let last_day = datetime!(2026-12-31 1:00 UTC);
        let row = row("a", Status::Active, None, true);
        assert_eq!(check(&row, last_day, time::Duration::hours(12)), vec![]);
        let within = check(&row, last_day, time::Duration::hours(36));
        assert_eq!(
            within[0].to_string(),
            "expires in 23h (2027-01-01T00:00:00Z)"
        );
    }

    #[test]
    fn days_left_shows_hours_under_a_day() {
        let row = row("a", Status::Active, None, true);
        let at = |t| time_left(&row, t).unwrap_or_default();
        assert_eq!(at(datetime!(2026-12-20 0:00 UTC)), "12");
        assert_eq!(at(datetime!(2026-12-31 1:00 UTC)), "23h");
        assert_eq!(at(datetime!(2026-12-31 23:15 UTC)), "45m");
        assert_eq!(at(datetime!(2027-01-01 5:00 UTC)), "-5h");
        assert_eq!(at(datetime!(2027-01-03 0:00 UTC)), "-2");
    }
}
