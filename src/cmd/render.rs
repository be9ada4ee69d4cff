//! `meshtls render [WHAT…]`: resolve parameters (defaults → --values → flags), read the cert
//! files if `secrets` is wanted, build every manifest, optionally validate, then print or write.
use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::cli::{
    ApplyFlags, IstioApiVersionArg, KubeArgs, ParamArgs, RenderArgs, TlsModeArg, TlsVersionArg,
};
use crate::cmd::apply::apply_documents;
use crate::exit::{DataError, ExitStatus};
use crate::fsx::{FileMode, write_atomic};
use crate::k8s::yaml::read_documents;
use crate::kube::apply::ApplyOptions;
use crate::mesh::install::IstioOperator;
use crate::mesh::object::IstioApiVersion;
use crate::mesh::sidecar::{ServerTlsMode, TlsProtocol};
use crate::mesh::validate::{Level, validate_manifests};
use crate::output::Printer;
use crate::render::Manifest;
use crate::render::manifest::to_multi_yaml;
use crate::render::{CertFiles, Params, What, render};

pub fn run(args: RenderArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let RenderArgs {
        what,
        out_dir,
        values,
        certs,
        print_command,
        validate,
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
    let what = if what.is_empty() {
        What::ALL.to_vec()
    } else {
        what
    };
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
        None => printer.write_str(&to_multi_yaml(&manifests)?)?,
        Some(dir) => {
            fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for (i, manifest) in manifests.iter().enumerate() {
                let path = dir.join(manifest.file_name(i));
                write_atomic(&path, manifest.to_yaml()?.as_bytes(), FileMode::Public)
                    .with_context(|| format!("writing {}", path.display()))?;
                printer.line(&path.display().to_string())?;
            }
        }
    }
    Ok(ExitStatus::Success)
}

/// Parameters from defaults, then the `--values` file, then the flags; checked together.
pub(crate) fn resolve_params(values: Option<&Path>, params: ParamArgs) -> anyhow::Result<Params> {
    let mut resolved = match values {
        Some(path) => {
            let text = fs::read_to_string(path)
                .with_context(|| format!("reading values file {}", path.display()))?;
            Params::from_values_yaml(&text).map_err(|e| {
                DataError(format!(
                    "values file {}:{}:{}: {}",
                    path.display(),
                    e.line,
                    e.column,
                    e.message
                ))
            })?
        }
        None => Params::default(),
    };
    apply_flags(&mut resolved, params);
    resolved.check()?;
    Ok(resolved)
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
    let docs = read_documents(&to_multi_yaml(&objects)?)?;
    let options = ApplyOptions {
        server_dry_run: false,
        force_conflicts,
    };
    apply_documents(kube, None, docs, options, printer)
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

/// Flags override the values file; every flag is handled here (the destructuring makes sure).
pub(crate) fn apply_flags(p: &mut Params, flags: ParamArgs) {
    let ParamArgs {
        namespace,
        app,
        app_version,
        image,
        sidecar_name,
        peer_auth_name,
        secret,
        ca_secret,
        app_port,
        tls_port,
        http_port,
        service_tls_port,
        service_http_port,
        tls_mode,
        min_tls_version,
        max_tls_version,
        cipher_suites,
        cert_mount,
        ca_mount,
        istio_api_version,
        sleep_namespaces,
    } = flags;
    fn set<T>(slot: &mut T, value: Option<T>) {
        if let Some(value) = value {
            *slot = value;
        }
    }
    set(&mut p.namespace, namespace);
    set(&mut p.app, app);
    set(&mut p.app_version, app_version);
    set(&mut p.image, image);
    set(&mut p.sidecar_name, sidecar_name);
    set(&mut p.peer_auth_name, peer_auth_name);
    set(&mut p.secret, secret);
    set(&mut p.ca_secret, ca_secret);
    set(&mut p.app_port, app_port);
    set(&mut p.tls_port, tls_port);
    set(&mut p.http_port, http_port);
    set(&mut p.service_tls_port, service_tls_port);
    set(&mut p.service_http_port, service_http_port);
    set(&mut p.tls_mode, tls_mode.map(tls_mode_of));
    if min_tls_version.is_some() {
        p.min_tls_version = min_tls_version.map(tls_version_of);
    }
    if max_tls_version.is_some() {
        p.max_tls_version = max_tls_version.map(tls_version_of);
    }
    set(&mut p.cipher_suites, cipher_suites);
    set(&mut p.cert_mount, cert_mount);
    set(&mut p.ca_mount, ca_mount);
    set(
        &mut p.istio_api_version,
        istio_api_version.map(api_version_of),
    );
    if !sleep_namespaces.is_empty() {
        p.sleep_namespaces = sleep_namespaces;
    }
}

fn tls_mode_of(arg: TlsModeArg) -> ServerTlsMode {
    match arg {
        TlsModeArg::Simple => ServerTlsMode::Simple,
        TlsModeArg::Mutual => ServerTlsMode::Mutual,
        TlsModeArg::OptionalMutual => ServerTlsMode::OptionalMutual,
    }
}

fn tls_version_of(arg: TlsVersionArg) -> TlsProtocol {
    match arg {
        TlsVersionArg::TlsAuto => TlsProtocol::TlsAuto,
        TlsVersionArg::Tlsv1_0 => TlsProtocol::Tlsv1_0,
        TlsVersionArg::Tlsv1_1 => TlsProtocol::Tlsv1_1,
        TlsVersionArg::Tlsv1_2 => TlsProtocol::Tlsv1_2,
        TlsVersionArg::Tlsv1_3 => TlsProtocol::Tlsv1_3,
    }
}

fn api_version_of(arg: IstioApiVersionArg) -> IstioApiVersion {
    match arg {
        IstioApiVersionArg::V1 => IstioApiVersion::V1,
        IstioApiVersionArg::V1beta1 => IstioApiVersion::V1beta1,
        IstioApiVersionArg::V1alpha3 => IstioApiVersion::V1alpha3,
    }
}
