//! `meshtls analyze -f FILE|DIR|-… [--certs DIR] [--istio-install FILE]`: read the manifests (and
//! certificates), run `analyze`'s checks, print istioctl-style findings; exit 79 at the threshold.
use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;

use crate::analyze::report::{failure, log_line, messages, summary};
use crate::analyze::{
    CertFile, Input, Level, analyze, install::install_config_enables_tls, validation,
};
use crate::cli::{AnalyzeArgs, AnalyzeFormat, LevelArg};
use crate::exit::ExitStatus;
use crate::k8s::yaml::to_yaml;
use crate::kube::objects::read_cluster;
use crate::output::Printer;
use crate::resolve::{connect_options, read_input, resolve_now};
use crate::task::Task;
use crate::task::read::Input as ReadInput;

pub fn run(args: AnalyzeArgs, printer: &mut Printer) -> anyhow::Result<ExitStatus> {
    let AnalyzeArgs {
        input,
        paths,
        certs,
        istio_install,
        output,
        failure_threshold,
        output_threshold,
        suppress,
        namespace,
        use_kube,
        istio_namespace,
        kube,
        now,
        explain,
    } = args;
    if let Some(code) = explain {
        printer.write_str(&code.explain())?;
        return Ok(ExitStatus::Success);
    }
    let now = resolve_now(now);
    let no_files = input.files.is_empty() && paths.is_empty();
    // The cluster first (when asked, or when there is nothing else), then the files over it.
    let (cluster, namespace) = if use_kube || no_files {
        let (cluster, namespace) =
            read_cluster(&connect_options(&kube, namespace), &istio_namespace)?;
        (Some(cluster), namespace)
    } else {
        (None, namespace.unwrap_or_else(|| "default".to_string()))
    };
    let read = match no_files {
        true => ReadInput::default(),
        false => read_input(&input, &paths, &namespace)?,
    };
    let mut validation = Vec::new();
    let mut task = match cluster {
        Some(cluster) => {
            let from_cluster = ReadInput {
                documents: cluster.documents,
                ..ReadInput::default()
            };
            validation.extend(validation::check(&from_cluster, &namespace));
            cluster.task
        }
        None => Task::default(),
    };
    validation.extend(validation::check(&read, &namespace));
    task = task.overlay(read.task);
    if task.objects.is_empty() && read.rejected.is_empty() && certs.is_none() {
        crate::output::warn(
            "the input holds no Sidecar, PeerAuthentication, Deployment, Service, Secret or \
             IstioOperator, so nothing was analyzed; pass the task's manifests (`meshtls render`)",
        );
    }
    if let Some(path) = &istio_install {
        task.tls_flag_from_outside |= install_config_enables_tls(
            &std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?,
        );
    }
    let cert_files = match &certs {
        Some(dir) => read_cert_dir(dir)?,
        None => Vec::new(),
    };
    let input = Input {
        task,
        validation,
        cert_files,
        now,
    };
    let mut all = analyze(&input);
    all.retain(|f| !suppress.iter().any(|s| s.matches(f)));

    let threshold = level(failure_threshold);
    let failing: Vec<_> = all
        .iter()
        .filter(|f| f.level >= threshold)
        .cloned()
        .collect();
    let failed = !failing.is_empty();
    let shown: Vec<_> = all
        .into_iter()
        .filter(|f| f.level >= level(output_threshold))
        .collect();
    match output {
        AnalyzeFormat::Text => {
            let coloured = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            for finding in &shown {
                printer.line(&log_line(finding, coloured))?;
            }
            printer.flush()?;
            // As istioctl: the messages on stdout, the summary and the verdict on stderr.
            let mut stderr = std::io::stderr();
            writeln!(stderr, "{}", summary(&shown, &namespace))?;
            if failed {
                writeln!(stderr, "{}", failure(&namespace, &failing))?;
            }
        }
        AnalyzeFormat::Json => {
            printer.line(&serde_json::to_string_pretty(&messages(&shown))?)?;
        }
        AnalyzeFormat::Yaml => printer.write_str(&to_yaml(&messages(&shown))?)?,
    }
    Ok(if failed {
        ExitStatus::AnalyzerFindings
    } else {
        ExitStatus::Success
    })
}

fn level(arg: LevelArg) -> Level {
    match arg {
        LevelArg::Error => Level::Error,
        LevelArg::Warning => Level::Warning,
        LevelArg::Info => Level::Info,
    }
}

/// Every `*.crt` in `dir` (sorted), each with its `<stem>.key` when there is one.
fn read_cert_dir(dir: &Path) -> anyhow::Result<Vec<CertFile>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("reading --certs {}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".crt"))
        .collect();
    names.sort();
    if names.is_empty() {
        anyhow::bail!(
            "--certs {}: no *.crt files; make them with `meshtls certgen --out {}`",
            dir.display(),
            dir.display()
        );
    }
    names
        .into_iter()
        .map(|name| {
            let bytes = std::fs::read(dir.join(&name))
                .with_context(|| format!("reading {}", dir.join(&name).display()))?;
            let key_name = format!("{}.key", name.trim_end_matches(".crt"));
            let key = match std::fs::read(dir.join(&key_name)) {
                Ok(key) => Some((key_name, key)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("reading {}", dir.join(&key_name).display()));
                }
            };
            Ok(CertFile { name, bytes, key })
        })
        .collect()
}
