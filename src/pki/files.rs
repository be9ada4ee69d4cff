//! The page's certificate files on disk, as `certgen` and `demo` make them: the names in the
//! output folder, an existing CA reused (after checking it can sign), every file staged and
//! then moved into place, keys 0600, nothing overwritten unless asked.
use std::fs;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use super::PkiError;
use super::inspect::{is_ca, parse};
use super::issue::{Issued, Signer, generate_keys, issue_leaf, new_ca};
use super::key::{load_key_pair, matches_certificate};
use super::pem::certificates;
use super::spec::TaskSpec;
use crate::fsx::{FileMode, StagedFile};

/// Why the files could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error("creating output folder {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("refusing to overwrite {}: pass --force to replace them, or choose another --out", .0.join(", "))]
    InTheWay(Vec<String>),
    #[error("found {} but not {}: restore the CA {what}, or pass --force to make a new CA", found.display(), missing.display())]
    HalfCa {
        found: PathBuf,
        missing: PathBuf,
        what: &'static str,
    },
    #[error(
        "the existing CA is unusable; fix or remove it, or pass --force to make a new CA (existing leaves then need re-issuing): {0}"
    )]
    UnusableCa(Box<FilesError>),
    #[error("reading {what} {}: {source}", path.display())]
    Read {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing {}: check the folder exists and is writable: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("moving a finished file into place: {0}")]
    Commit(std::io::Error),
    #[error("no key was generated for the {0}")]
    NoKey(&'static str),
    #[error(transparent)]
    Pki(#[from] PkiError),
}

/// What was written: each certificate file with its DER (CA first), and whether the CA was reused.
#[derive(Debug)]
pub struct Written {
    pub certificates: Vec<(PathBuf, Vec<u8>)>,
    pub ca_reused: bool,
}

/// Makes the page's CA (unless one is there and `force` is off), server and client pair in `out`.
pub fn write_task_files(
    out: &Path,
    spec: &TaskSpec,
    csr: bool,
    force: bool,
    now: OffsetDateTime,
) -> Result<Written, FilesError> {
    let plan = Plan::new(out, spec, csr);

    // Resolve everything before generating a key: folder, existing CA, files in the way.
    fs::create_dir_all(out).map_err(|source| FilesError::CreateDir {
        path: out.to_path_buf(),
        source,
    })?;
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
            return Err(FilesError::InTheWay(in_the_way));
        }
    }

    let key_count = if existing_ca.is_some() { 2 } else { 3 };
    let mut keys = generate_keys(spec.key_type, key_count)?;
    let (new_ca_files, signer) = match existing_ca {
        Some(signer) => (None, signer),
        None => {
            let ca_key = keys.pop().ok_or(FilesError::NoKey("CA"))?;
            let (issued, signer) = new_ca(&spec.ca_subject, ca_key, now, spec.days)?;
            (Some(issued), signer)
        }
    };
    let client_key = keys.pop().ok_or(FilesError::NoKey("client"))?;
    let server_key = keys.pop().ok_or(FilesError::NoKey("server"))?;
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
        file.commit().map_err(FilesError::Commit)?;
    }

    Ok(Written {
        certificates: summary,
        ca_reused,
    })
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
fn load_existing_ca(plan: &Plan) -> Result<Option<Signer>, FilesError> {
    match (plan.ca_crt.exists(), plan.ca_key.exists()) {
        (false, false) => return Ok(None),
        (true, false) => {
            return Err(FilesError::HalfCa {
                found: plan.ca_crt.clone(),
                missing: plan.ca_key.clone(),
                what: "key",
            });
        }
        (false, true) => {
            return Err(FilesError::HalfCa {
                found: plan.ca_key.clone(),
                missing: plan.ca_crt.clone(),
                what: "certificate",
            });
        }
        (true, true) => {}
    }
    let signer =
        check_ca(&plan.ca_crt, &plan.ca_key).map_err(|e| FilesError::UnusableCa(Box::new(e)))?;
    Ok(Some(signer))
}

/// Reads a CA pair and checks it can sign: the certificate parses, is a CA, and the key matches.
fn check_ca(crt_path: &Path, key_path: &Path) -> Result<Signer, FilesError> {
    let cert_bytes = fs::read(crt_path).map_err(|source| FilesError::Read {
        what: "CA certificate",
        path: crt_path.to_path_buf(),
        source,
    })?;
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
    let key_bytes = fs::read(key_path).map_err(|source| FilesError::Read {
        what: "CA key",
        path: key_path.to_path_buf(),
        source,
    })?;
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
) -> Result<(), FilesError> {
    let mut put = |path: &Path, bytes: &[u8], mode: FileMode| -> Result<(), FilesError> {
        let file = StagedFile::write(path, bytes, mode).map_err(|source| FilesError::Write {
            path: path.to_path_buf(),
            source,
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
