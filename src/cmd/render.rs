//! `meshtls render [WHAT…]`: resolve parameters (defaults → --values → flags), read the cert
//! files if `secrets` is wanted, build every manifest, optionally validate, then print or write.
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{ApplyFlags, KubeArgs, ObjectFormat, RenderArgs};
use crate::exit::{DataError, ExitStatus};
use crate::fsx::write_atomic;
use crate::kube::apply::ApplyOptions;
use crate::kube::apply::apply_documents;
use crate::mesh::install::IstioOperator;
use crate::mesh::validate::Level;
use crate::output::Printer;
use crate::render::{CertFiles, Params, What, render};
use crate::resolve::{connect_options, resolve_params};
use crate::task::Manifest;
use crate::task::manifest::{to_multi_yaml, validate_manifests};

pub fn run(args: RenderArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let RenderArgs {
        what,
        out_dir,
        values,
        certs,
        print_command,
        validate,
        output,
        params,
        cluster,
    } = args;
    let ApplyFlags {
        apply,
        force_conflicts,
        kube,
    } = cluster;
    if apply && out_dir.is_some() {
        anyhow::bail!("--apply sends the objects to the cluster: leave out --out-dir");
    }
    let resolved = resolve_params(values.as_deref(), params)?;

    if print_command {
        printer.line(&IstioOperator::task(&resolved.profile).command())?;
        return Ok(ExitStatus::Success);
    }
    let bare = what.is_empty();
    let mut what = if bare { What::ALL.to_vec() } else { what };
    let certs_given = certs.is_some();
    let certs = certs.unwrap_or_else(|| PathBuf::from("."));
    // A bare `render` where no certificate is yet renders the rest, and says how to add them.
    if bare && !certs_given && !any_cert_file(&certs, &resolved) {
        what.retain(|w| *w != What::Secrets);
        crate::output::note(&format!(
            "no certificates in {}, so the Secrets are left out; make them with `meshtls certgen` \
             (or pass --certs DIR) and render again",
            certs.display()
        ));
    }
    let cert_files = if what.contains(&What::Secrets) {
        Some(read_certs(&certs, &resolved)?)
    } else {
        None
    };
    let manifests = render(&resolved, &what, cert_files.as_ref())
        .with_context(|| format!("making the Secrets from {}", certs.display()))?;

    if validate {
        let findings = validate_manifests(&manifests);
        let mut err = std::io::stderr().lock();
        for finding in &findings {
            writeln!(err, "{finding}")?;
        }
        let errors = findings.iter().filter(|f| f.level == Level::Error).count();
        if errors > 0 {
            return Err(DataError(format!(
                "the rendered resources have {errors} validation error(s); nothing was written"
            ))
            .into());
        }
    }

    if apply {
        return apply_rendered(&manifests, &kube, force_conflicts, printer);
    }
    match out_dir {
        None if output == Some(ObjectFormat::Json) => {
            let items = manifests
                .iter()
                .map(Manifest::to_value)
                .collect::<Result<Vec<_>, _>>()?;
            printer.line(&kubectl_list_json(items)?)?;
        }
        None => printer.write_str(&to_multi_yaml(&manifests)?)?,
        Some(dir) => {
            fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for (i, manifest) in manifests.iter().enumerate() {
                let path = dir.join(manifest.file_name(i));
                write_atomic(&path, manifest.to_yaml()?.as_bytes(), manifest.file_mode())
                    .with_context(|| format!("writing {}", path.display()))?;
                printer.line(&path.display().to_string())?;
            }
        }
    }
    Ok(ExitStatus::Success)
}

/// kubectl's `-o json` for several objects: one `List`, indented by 4 spaces.
fn kubectl_list_json(items: Vec<serde_json::Value>) -> anyhow::Result<String> {
    use serde::Serialize;
    let list = serde_json::json!({
        "apiVersion": "v1",
        "items": items,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    });
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    list.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out, formatter,
    ))?;
    Ok(String::from_utf8(out)?)
}

/// `render --apply`: everything but the IstioOperator (which is istioctl's to install) goes to
/// the cluster through the same path as `meshtls apply`.
fn apply_rendered(
    manifests: &[Manifest],
    kube: &KubeArgs,
    force_conflicts: bool,
    printer: &mut Printer,
) -> anyhow::Result<ExitStatus> {
    let (install, objects): (Vec<Manifest>, Vec<Manifest>) = manifests
        .iter()
        .cloned()
        .partition(|m| matches!(m, Manifest::IstioOperator(_)));
    for operator in &install {
        if let Manifest::IstioOperator(o) = operator {
            crate::output::warn(&format!(
                "not applying the IstioOperator: install Istio with `{}` (or `meshtls render install | istioctl install -f -`)",
                o.command()
            ));
        }
    }
    let docs = objects
        .iter()
        .map(Manifest::to_value)
        .collect::<Result<Vec<_>, _>>()?;
    let options = ApplyOptions {
        server_dry_run: false,
        force_conflicts,
    };
    apply_documents(&connect_options(kube, None), docs, options, printer)?;
    Ok(ExitStatus::Success)
}

/// Whether `dir` holds any of the three files `secrets` needs.
fn any_cert_file(dir: &Path, params: &Params) -> bool {
    let server = params.server_file();
    [
        format!("{}.crt", params.ca_file),
        format!("{server}.crt"),
        format!("{server}.key"),
    ]
    .iter()
    .any(|name| dir.join(name).exists())
}

/// The three files `secrets` needs, named as `meshtls certgen` and the page name them.
fn read_certs(dir: &Path, params: &Params) -> anyhow::Result<CertFiles> {
    let server = params.server_file();
    let read = |name: String| {
        let path = dir.join(&name);
        fs::read(&path).with_context(|| {
            format!(
                "reading {} for `secrets`: make the certificates with `meshtls certgen --out {} -n {} --service {}`, \
                 pass --certs DIR, or leave `secrets` out of WHAT",
                path.display(),
                dir.display(),
                params.namespace,
                params.app
            )
        })
    };
    Ok(CertFiles {
        ca_crt: read(format!("{}.crt", params.ca_file))?,
        server_crt: read(format!("{server}.crt"))?,
        server_key: read(format!("{server}.key"))?,
    })
}
