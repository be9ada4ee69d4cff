//! Label selectors as Kubernetes reads them: a Deployment's pod labels, `app=httpbin,version=v1`
//! in and out, and whether a selector picks a set of labels.
use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;

/// Labels or a selector: key → value, sorted as Kubernetes prints them.
pub type Labels = BTreeMap<String, String>;

/// The labels of a Deployment's pod template (what selectors match), empty when unset.
pub fn pod_labels(deployment: &Deployment) -> Labels {
    deployment
        .spec
        .as_ref()
        .and_then(|s| s.template.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default()
}

/// `app=httpbin,version=v1`.
pub fn selector_text(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether every pair of `selector` is in `labels` (an empty selector matches everything).
pub fn matches(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// Whether a non-empty `selector` picks `labels`: an empty one selects nothing, as istiod reads
/// `workloadSelector` and PeerAuthentication selectors.
pub fn selects(selector: &Labels, labels: &Labels) -> bool {
    !selector.is_empty() && matches(selector, labels)
}

/// Why a selector does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?}: expected KEY=VALUE[,KEY=VALUE…], e.g. app=httpbin,version=v1")]
pub struct SelectorError {
    pub text: String,
}

/// Parses `app=httpbin,version=v1`.
pub fn parse_selector(text: &str) -> Result<Labels, SelectorError> {
    let labels: Labels = text
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| SelectorError {
                    text: text.to_string(),
                })
        })
        .collect::<Result<_, _>>()?;
    if labels.is_empty() {
        return Err(SelectorError {
            text: text.to_string(),
        });
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_round_trip_and_match() {
        let selector = parse_selector("app=httpbin, version=v1").unwrap();
        assert_eq!(selector_text(&selector), "app=httpbin,version=v1");
        let mut labels = selector.clone();
        labels.insert("extra".into(), "x".into());
        assert!(selects(&selector, &labels));
        assert!(!selects(&Labels::new(), &labels));
        assert!(matches(&Labels::new(), &labels));
        assert!(parse_selector("app").is_err());
        assert!(parse_selector("").is_err());
    }
}
