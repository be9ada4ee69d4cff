//! `meshtls create secret generic|tls`: kubectl's arguments, checks, messages and output bytes.
use std::fs;
use std::path::Path;

use crate::cli::{
    ApplyFlags, CreateSecretCommand, CreateSecretGenericArgs, CreateSecretTlsArgs, DryRun,
    ObjectFormat, ObjectOutputArgs,
};
use crate::exit::ExitStatus;
use crate::fsx::is_temporary_name;
use crate::k8s::secret::{Secret, SecretError, go_io_reason};
use crate::kube::apply::ApplyOptions;
use crate::kube::apply::apply_documents;
use crate::output::{Printer, warn};
use crate::pki::keyformat::proxy_key_problem;
use crate::resolve::connect_options;

pub fn run(which: CreateSecretCommand, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let (secret, object) = match which {
        CreateSecretCommand::Generic(args) => {
            let CreateSecretGenericArgs {
                name,
                from_file,
                from_literal,
                secret_type,
                object,
            } = args;
            (
                generic(
                    &name,
                    &from_file,
                    &from_literal,
                    secret_type.as_deref(),
                    &object,
                )?,
                object,
            )
        }
        CreateSecretCommand::Tls(args) => {
            let CreateSecretTlsArgs {
                name,
                cert,
                key,
                object,
            } = args;
            let (Some(cert), Some(key)) = (cert, key) else {
                return Err(SecretError::TlsNeedsCertAndKey.into());
            };
            (tls(&name, &cert, &key, &object)?, object)
        }
    };
    let ObjectOutputArgs {
        namespace,
        output,
        dry_run,
        cluster,
    } = object;
    let ApplyFlags {
        apply,
        force_conflicts,
        kube,
    } = cluster;
    // kubectl sends unless --dry-run=client; meshtls prints unless asked to send (--apply or
    // --dry-run=none|server), so that the page's `--dry-run=client -o yaml` habit stays safe.
    let server_dry_run = match (apply, dry_run) {
        (_, DryRun::Server) => Some(true),
        (true, _) | (false, DryRun::None) => Some(false),
        (false, DryRun::Client) => None,
    };
    if let Some(server_dry_run) = server_dry_run {
        let doc: serde_json::Value = serde_json::from_str(&secret.to_json())
            .map_err(|e| anyhow::anyhow!("reading back the Secret's JSON: {e}"))?;
        let options = ApplyOptions {
            server_dry_run,
            force_conflicts,
        };
        apply_documents(
            &connect_options(&kube, namespace),
            vec![doc],
            options,
            printer,
        )?;
        return Ok(ExitStatus::Success);
    }
    let text = match output {
        ObjectFormat::Yaml => secret.to_yaml(),
        ObjectFormat::Json => secret.to_json(),
    };
    printer.write_str(&text)?;
    Ok(ExitStatus::Success)
}

/// `generic NAME --from-file … --from-literal …`, in kubectl's order: files, then literals.
fn generic(
    name: &str,
    from_file: &[String],
    from_literal: &[String],
    secret_type: Option<&str>,
    object: &ObjectOutputArgs,
) -> Result<Secret, SecretError> {
    let mut secret = Secret::new(name, object.namespace.as_deref(), secret_type);
    for source in from_file {
        add_file_source(&mut secret, source)?;
    }
    for literal in from_literal {
        let (key, value) = literal
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| SecretError::InvalidLiteral(literal.clone()))?;
        secret.insert(key, value.as_bytes().to_vec())?;
    }
    Ok(secret)
}

/// One `--from-file` source: `PATH`, `KEY=PATH`, or a folder (each regular file, by name).
fn add_file_source(secret: &mut Secret, source: &str) -> Result<(), SecretError> {
    let (key, path) = match source.split_once('=') {
        None => (None, source),
        Some(("", _)) => {
            return Err(SecretError::MissingKeyName(
                source.trim_start_matches('=').to_string(),
            ));
        }
        Some((key, "")) => return Err(SecretError::MissingFilePath(key.to_string())),
        Some((key, path)) => (Some(key), path),
    };
    let read_error = |e: &std::io::Error| SecretError::ReadFile {
        path: path.to_string(),
        reason: go_io_reason(e),
    };
    let meta = fs::metadata(path).map_err(|e| read_error(&e))?;
    if meta.is_dir() {
        if key.is_some() {
            return Err(SecretError::KeyNameForDirectory);
        }
        let mut entries: Vec<_> = fs::read_dir(path)
            .map_err(|e| read_error(&e))?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            // kubectl takes regular files only (Lstat): no links, no sub-folders.
            let is_regular = entry.file_type().is_ok_and(|t| t.is_file());
            if !is_regular {
                continue;
            }
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let item_path = Path::new(path).join(&file_name);
            // kubectl packs dot-files too, and so do we (the bytes stay kubectl's); but a file
            // left by an interrupted write may hold a private key, so say so.
            if is_temporary_name(&file_name) {
                warn(&format!(
                    "packing {}: it looks like a temporary file left by an interrupted write and may hold a private key; remove it and run again unless you mean to include it",
                    item_path.display()
                ));
            }
            let bytes = fs::read(&item_path).map_err(|e| SecretError::ReadFile {
                path: item_path.display().to_string(),
                reason: go_io_reason(&e),
            })?;
            secret.insert(&file_name, bytes)?;
        }
        return Ok(());
    }
    let key = match key {
        Some(key) => key.to_string(),
        None => Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let bytes = fs::read(path).map_err(|e| read_error(&e))?;
    secret.insert(&key, bytes)
}

/// `tls NAME --cert C --key K`.
fn tls(
    name: &str,
    cert: &Path,
    key: &Path,
    object: &ObjectOutputArgs,
) -> Result<Secret, SecretError> {
    let read = |path: &Path| {
        fs::read(path).map_err(|e| SecretError::ReadTlsFile {
            path: path.display().to_string(),
            reason: go_io_reason(&e),
        })
    };
    let cert_pem = read(cert)?;
    let key_pem = read(key)?;
    // kubectl (Go) accepts keys Envoy refuses; the bytes stay kubectl's, with a warning.
    let problem = proxy_key_problem(&key_pem);
    let secret = Secret::tls(name, object.namespace.as_deref(), cert_pem, key_pem)?;
    if let Some(problem) = problem {
        warn(&format!(
            "{}: the real istio-proxy cannot load this key and the listener would stay warming: {problem}",
            key.display()
        ));
    }
    Ok(secret)
}
