//! `meshtls certgen`: the page's six openssl commands as one, with v3 certificates, keys 0600,
//! an existing CA reused, nothing overwritten without --force and nothing half-written.
use time::OffsetDateTime;

use serde::Serialize;

use crate::cli::{CertgenArgs, KeyTypeArg, TableFormat};
use crate::exit::ExitStatus;
use crate::k8s::yaml::to_yaml;
use crate::output::{Printer, fit_columns, table_width, tabwriter};
use crate::pki::files::{Written, write_task_files};
use crate::pki::inspect::{describe, parse};
use crate::pki::spec::{KeyType, TaskNames, TaskSpec};

pub fn run(args: CertgenArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let CertgenArgs {
        out,
        ca_subject,
        server_hosts,
        client_host,
        namespace,
        service,
        cluster_domain,
        key_type,
        days,
        csr,
        force,
        output,
    } = args;
    let names = TaskNames {
        ca_subject: &ca_subject,
        server_hosts: &server_hosts,
        client_host: client_host.as_deref(),
        namespace: &namespace,
        service: &service,
        cluster_domain: &cluster_domain,
    };
    let spec = TaskSpec::resolve(&names, key_type.into(), days)?;
    let now = OffsetDateTime::now_utc();
    let written = write_task_files(&out, &spec, csr, force, now)?;
    let made = made(&written, now);
    match output {
        TableFormat::Text => printer.write_str(&summary_table(&made, table_width()))?,
        TableFormat::Wide => printer.write_str(&summary_table(&made, None))?,
        TableFormat::Json => printer.line(&serde_json::to_string_pretty(&made)?)?,
        TableFormat::Yaml => printer.write_str(&to_yaml(&made)?)?,
    }
    Ok(ExitStatus::Success)
}

/// One certificate certgen wrote (or reused), as the table and `-o json|yaml` show it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Made {
    file: String,
    reused: bool,
    subject: String,
    sans: Vec<String>,
    serial: String,
    not_after: String,
}

fn made(written: &Written, now: OffsetDateTime) -> Vec<Made> {
    let (files, ca_reused) = (&written.certificates, written.ca_reused);
    let mut out = Vec::new();
    for (index, (path, der)) in files.iter().enumerate() {
        let Ok(cert) = parse(der) else { continue };
        let info = describe(&cert, now);
        out.push(Made {
            file: path.display().to_string(),
            reused: index == 0 && ca_reused,
            subject: info.subject,
            sans: info.sans,
            serial: info.serial,
            not_after: info.not_after,
        });
    }
    out
}

/// The table; with `width`, SUBJECT and SANS are cut (`…`) so that each line fits it.
fn summary_table(made: &[Made], width: Option<usize>) -> String {
    let mut rows = vec![
        ["FILE", "SUBJECT", "SANS", "SERIAL", "NOT AFTER"]
            .map(String::from)
            .to_vec(),
    ];
    for m in made {
        let mut name = m.file.clone();
        if m.reused {
            name.push_str(" (reused)");
        }
        let sans = if m.sans.is_empty() {
            "-".to_string()
        } else {
            m.sans.join(",")
        };
        rows.push(vec![
            name,
            m.subject.clone(),
            sans,
            m.serial.clone(),
            m.not_after.clone(),
        ]);
    }
    if let Some(width) = width {
        fit_columns(&mut rows, 3, width, &[1, 2]);
    }
    tabwriter(&rows, 3)
}

impl From<KeyTypeArg> for KeyType {
    fn from(arg: KeyTypeArg) -> KeyType {
        match arg {
            KeyTypeArg::Rsa2048 => KeyType::Rsa2048,
            KeyTypeArg::Rsa3072 => KeyType::Rsa3072,
            KeyTypeArg::Rsa4096 => KeyType::Rsa4096,
            KeyTypeArg::EcdsaP256 => KeyType::EcdsaP256,
            KeyTypeArg::EcdsaP384 => KeyType::EcdsaP384,
            KeyTypeArg::Ed25519 => KeyType::Ed25519,
        }
    }
}
