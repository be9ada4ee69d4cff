//! `meshtls certgen`: the page's six openssl commands as one, with v3 certificates, keys 0600,
//! an existing CA reused, nothing overwritten without --force and nothing half-written.
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use time::OffsetDateTime;

use crate::cli::{CertgenArgs, KeyTypeArg};
use crate::exit::ExitStatus;
use crate::fsx::{FileMode, StagedFile};
use crate::output::{Printer, tabwriter};
use crate::pki::PkiError;
use crate::pki::inspect::{describe, is_ca, parse};
use crate::pki::issue::{Issued, Signer, generate_keys, issue_leaf, new_ca};
use crate::pki::key::{load_key_pair, matches_certificate};
use crate::pki::pem::certificates;
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
    let plan = Plan::new(&out, &spec, csr);

    // Resolve everything before generating a key: folder, existing CA, files in the way.
    fs::create_dir_all(&out)
        .with_context(|| format!("creating output folder {}", out.display()))?;
    let existing_ca = if force {
        None
    } else {
        load_existing_ca(&plan)?
    };
    if !force {
        let in_the_way: Vec<String> = plan
            .leaf_files()
            .filter(|p| p.exists())
            .map(|p| p.display().to_string())
            .collect();
        if !in_the_way.is_empty() {
            bail!(
                "refusing to overwrite {}: pass --force to replace them, or choose another --out",
                in_the_way.join(", ")
            );
        }
    }

    let now = OffsetDateTime::now_utc();
    let key_count = if existing_ca.is_some() { 2 } else { 3 };
    let mut keys = generate_keys(spec.key_type, key_count)?;
    let (new_ca_files, signer) = match existing_ca {
        Some(signer) => (None, signer),
        None => {
            let ca_key = keys.pop().context("no key was generated for the CA")?;
            let (issued, signer) = new_ca(&spec.ca_subject, ca_key, now, spec.days)?;
            (Some(issued), signer)
        }
    };
    let client_key = keys.pop().context("no key was generated for the client")?;
    let server_key = keys.pop().context("no key was generated for the server")?;
    let server = issue_leaf(&spec.server, server_key, &signer, now, spec.days, csr)?;
    let client = issue_leaf(&spec.client, client_key, &signer, now, spec.days, csr)?;

    // Stage every file, then move them all into place.
    let mut staged = Vec::new();
    let mut summary = Vec::new();
    let ca_reused = new_ca_files.is_none();
    if let Some(ca) = &new_ca_files {
        stage(&mut staged, &plan.ca_crt, &plan.ca_key, ca, None)?;
        summary.push((plan.ca_crt.clone(), ca.cert_der.to_vec()));
    } else {
        summary.push((plan.ca_crt.clone(), signer.cert_der.to_vec()));
    }
    stage(
        &mut staged,
        &plan.server_crt,
        &plan.server_key,
        &server,
        plan.server_csr.as_deref(),
    )?;
    stage(
        &mut staged,
        &plan.client_crt,
        &plan.client_key,
        &client,
        plan.client_csr.as_deref(),
    )?;
    summary.push((plan.server_crt.clone(), server.cert_der.to_vec()));
    summary.push((plan.client_crt.clone(), client.cert_der.to_vec()));
    for file in staged {
        file.commit().context("moving a finished file into place")?;
    }

    printer.write_str(&summary_table(&summary, ca_reused, now))?;
    Ok(ExitStatus::Success)
}

/// The file names, in `--out`, that the page uses.
struct Plan {
    ca_crt: PathBuf,
    ca_key: PathBuf,
    server_crt: PathBuf,
    server_key: PathBuf,
    server_csr: Option<PathBuf>,
    client_crt: PathBuf,
    client_key: PathBuf,
    client_csr: Option<PathBuf>,
}

impl Plan {
    fn new(out: &Path, spec: &TaskSpec, csr: bool) -> Plan {
        let file = |stem: &str, ext: &str| out.join(format!("{stem}.{ext}"));
        Plan {
            ca_crt: file(&spec.ca_stem, "crt"),
            ca_key: file(&spec.ca_stem, "key"),
            server_crt: file(&spec.server.stem, "crt"),
            server_key: file(&spec.server.stem, "key"),
            server_csr: csr.then(|| file(&spec.server.stem, "csr")),
            client_crt: file(&spec.client.stem, "crt"),
            client_key: file(&spec.client.stem, "key"),
            client_csr: csr.then(|| file(&spec.client.stem, "csr")),
        }
    }

    fn leaf_files(&self) -> impl Iterator<Item = &PathBuf> {
        [
            &self.server_crt,
            &self.server_key,
            &self.client_crt,
            &self.client_key,
        ]
        .into_iter()
        .chain(self.server_csr.iter())
        .chain(self.client_csr.iter())
    }
}

/// An existing CA in `--out` (both files), checked: parses, is a CA, and the key matches.
fn load_existing_ca(plan: &Plan) -> anyhow::Result<Option<Signer>> {
    match (plan.ca_crt.exists(), plan.ca_key.exists()) {
        (false, false) => return Ok(None),
        (true, false) => bail!(
            "found {} but not {}: restore the CA key, or pass --force to make a new CA",
            plan.ca_crt.display(),
            plan.ca_key.display()
        ),
        (false, true) => bail!(
            "found {} but not {}: restore the CA certificate, or pass --force to make a new CA",
            plan.ca_key.display(),
            plan.ca_crt.display()
        ),
        (true, true) => {}
    }
    let signer = check_ca(&plan.ca_crt, &plan.ca_key).context(
        "the existing CA is unusable; fix or remove it, or pass --force to make a new CA \
         (existing leaves then need re-issuing)",
    )?;
    Ok(Some(signer))
}

/// Reads a CA pair and checks it can sign: the certificate parses, is a CA, and the key matches.
fn check_ca(crt_path: &Path, key_path: &Path) -> anyhow::Result<Signer> {
    let cert_bytes = fs::read(crt_path)
        .with_context(|| format!("reading CA certificate {}", crt_path.display()))?;
    let cert_der = certificates(crt_path, &cert_bytes)?.swap_remove(0);
    let parsed = parse(&cert_der).map_err(|reason| PkiError::BadCertificate {
        path: crt_path.to_path_buf(),
        index: 1,
        reason,
    })?;
    if !is_ca(&parsed) {
        return Err(PkiError::NotCa {
            path: crt_path.to_path_buf(),
        }
        .into());
    }
    let key_bytes =
        fs::read(key_path).with_context(|| format!("reading CA key {}", key_path.display()))?;
    let key = load_key_pair(key_path, &key_bytes)?;
    if !matches_certificate(&key, &cert_der) {
        return Err(PkiError::KeyMismatch {
            cert: crt_path.to_path_buf(),
            key: key_path.to_path_buf(),
        }
        .into());
    }
    Ok(Signer::new(cert_der, key))
}

fn stage(
    staged: &mut Vec<StagedFile>,
    crt: &Path,
    key: &Path,
    issued: &Issued,
    csr: Option<&Path>,
) -> anyhow::Result<()> {
    let mut put = |path: &Path, bytes: &[u8], mode: FileMode| -> anyhow::Result<()> {
        let file = StagedFile::write(path, bytes, mode).with_context(|| {
            format!(
                "writing {}: check the folder exists and is writable",
                path.display()
            )
        })?;
        staged.push(file);
        Ok(())
    };
    put(key, issued.key.expose(), FileMode::Private)?;
    put(crt, issued.cert_pem.as_bytes(), FileMode::Public)?;
    if let (Some(path), Some(pem)) = (csr, &issued.csr_pem) {
        put(path, pem.as_bytes(), FileMode::Public)?;
    }
    Ok(())
}

fn summary_table(files: &[(PathBuf, Vec<u8>)], ca_reused: bool, now: OffsetDateTime) -> String {
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
