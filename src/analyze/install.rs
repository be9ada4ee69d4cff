//! Check 1: a Sidecar ingress port has `tls` but no install config turns on
//! `ENABLE_TLS_ON_SIDECAR_INGRESS`, so istiod drops the tls block without a word.
use crate::k8s::yaml::read_documents;
use crate::mesh::go::parse_bool;
use crate::mesh::install::TLS_FLAG;
use crate::task::decide::no_install_flag;
use crate::task::read::{Text, from_texts};

use super::{Code, Finding, Input};

/// Whether an install config turns the flag on. It may be an IstioOperator, Helm values for
/// istiod (`pilot.env` or `values.pilot.env`), or `--set` style text such as
/// `istioctl install --set values.pilot.env.ENABLE_TLS_ON_SIDECAR_INGRESS=true`.
pub fn install_config_enables_tls(text: &str) -> bool {
    let as_manifests = Text {
        name: String::new(),
        text: text.to_string(),
    };
    if from_texts(&[as_manifests], "default").is_ok_and(|input| input.task.tls_flag()) {
        return true;
    }
    let from_values = read_documents(text).is_ok_and(|docs| {
        docs.iter().any(|doc| {
            [
                &["pilot", "env", TLS_FLAG][..],
                &["values", "pilot", "env", TLS_FLAG][..],
                &["spec", "values", "pilot", "env", TLS_FLAG][..],
            ]
            .iter()
            .any(|path| {
                let value = path.iter().try_fold(doc, |v, key| v.get(key));
                match value {
                    Some(serde_json::Value::String(s)) => parse_bool(s) == Some(true),
                    Some(serde_json::Value::Bool(b)) => *b,
                    _ => false,
                }
            })
        })
    });
    from_values
        || text
            .split(|c: char| c.is_whitespace() || c == '\'' || c == '"' || c == ',')
            .filter_map(|token| {
                let token = token.strip_prefix("--set=").unwrap_or(token);
                let token = token.strip_prefix("values.").unwrap_or(token);
                token.strip_prefix("pilot.env.")?.split_once('=')
            })
            .any(|(key, value)| key == TLS_FLAG && parse_bool(value) == Some(true))
}

pub fn check(input: &Input, findings: &mut Vec<Finding>) {
    if input.task.tls_flag() {
        return;
    }
    for (sidecar, origin) in input.task.sidecars() {
        let ports: Vec<String> = sidecar
            .spec
            .ingress
            .iter()
            .filter(|l| l.tls.is_some())
            .map(|l| l.port.as_ref().map_or(0, |p| p.number).to_string())
            .collect();
        if ports.is_empty() {
            continue;
        }
        findings.push(Finding::new(
            Code::TlsFlagOff,
            origin,
            format!(
                "ingress port {} has tls, but {} and give that config to analyze (-f or --istio-install)",
                ports.join(", "),
                no_install_flag()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_install_form_is_understood() {
        assert!(install_config_enables_tls(
            "istioctl install --set profile=default --set values.pilot.env.ENABLE_TLS_ON_SIDECAR_INGRESS=true\n"
        ));
        assert!(install_config_enables_tls(
            "pilot:\n  env:\n    ENABLE_TLS_ON_SIDECAR_INGRESS: true\n"
        ));
        assert!(install_config_enables_tls(
            "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  values:\n    pilot:\n      env:\n        ENABLE_TLS_ON_SIDECAR_INGRESS: \"true\"\n"
        ));
        assert!(!install_config_enables_tls(
            "--set values.pilot.env.ENABLE_TLS_ON_SIDECAR_INGRESS=false"
        ));
        assert!(!install_config_enables_tls("profile: default\n"));
    }
}
