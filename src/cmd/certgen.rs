//! `meshtls certgen`: the page's six openssl commands as one, with v3 certificates, keys 0600,
//! an existing CA reused, nothing overwritten without --force and nothing half-written.
use time::OffsetDateTime;

use crate::cli::{CertgenArgs, KeyTypeArg};
use crate::exit::ExitStatus;
use crate::output::{Printer, tabwriter};
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
    printer.write_str(&summary_table(&written, now))?;
    Ok(ExitStatus::Success)
}

fn summary_table(written: &Written, now: OffsetDateTime) -> String {
    let (files, ca_reused) = (&written.certificates, written.ca_reused);
    let mut rows = vec![
        ["FILE", "SUBJECT", "SANS", "SERIAL", "NOT AFTER"]
            .map(String::from)
            .to_vec(),
    ];
    for (index, (path, der)) in files.iter().enumerate() {
        let Ok(cert) = parse(der) else { continue };
        let info = describe(&cert, now);
        let mut name = path.display().to_string();
        if index == 0 && ca_reused {
            name.push_str(" (reused)");
        }
        let sans = if info.sans.is_empty() {
            "-".to_string()
        } else {
            info.sans.join(",")
        };
        rows.push(vec![name, info.subject, sans, info.serial, info.not_after]);
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
