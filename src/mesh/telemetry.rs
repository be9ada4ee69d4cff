//! How Istio names a workload in its standard metrics (the `destination_*` labels an inbound
//! sidecar reports): workload, app, version, canonical service and revision, from pod labels.
use crate::k8s::labels::Labels;

/// Istio's default cluster name (`CLUSTER_ID`), as a single-cluster install reports it.
pub const DEFAULT_CLUSTER: &str = "Kubernetes";

/// A workload as Istio's telemetry names it. Empty fields are reported as `unknown`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkloadNames {
    /// The owning Deployment's name (`WORKLOAD_NAME`).
    pub workload: String,
    pub app: String,
    pub version: String,
    pub canonical_service: String,
    /// `latest` when no label says otherwise.
    pub canonical_revision: String,
}

fn first<'a>(labels: &'a Labels, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| labels.get(*k))
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

impl WorkloadNames {
    /// The names of the workload `name` whose pods carry `labels`. The canonical service is
    /// `service.istio.io/canonical-name`, else `app.kubernetes.io/name`, else `app`, else the
    /// workload; the revision `service.istio.io/canonical-revision`, else
    /// `app.kubernetes.io/version`, else `version`, else `latest`.
    pub fn of(name: &str, labels: &Labels) -> WorkloadNames {
        let app = first(labels, &["app", "app.kubernetes.io/name"]);
        let version = first(labels, &["version", "app.kubernetes.io/version"]);
        WorkloadNames {
            workload: name.to_string(),
            app: app.unwrap_or_default().to_string(),
            version: version.unwrap_or_default().to_string(),
            canonical_service: first(
                labels,
                &[
                    "service.istio.io/canonical-name",
                    "app.kubernetes.io/name",
                    "app",
                ],
            )
            .unwrap_or(name)
            .to_string(),
            canonical_revision: first(
                labels,
                &[
                    "service.istio.io/canonical-revision",
                    "app.kubernetes.io/version",
                    "version",
                ],
            )
            .unwrap_or("latest")
            .to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_page_s_httpbin_is_named_by_its_app_and_version_labels() {
        let names = WorkloadNames::of("httpbin", &labels(&[("app", "httpbin"), ("version", "v1")]));
        assert_eq!(names.app, "httpbin");
        assert_eq!(names.version, "v1");
        assert_eq!(names.canonical_service, "httpbin");
        assert_eq!(names.canonical_revision, "v1");
    }

    #[test]
    fn canonical_labels_win_and_the_workload_and_latest_are_the_fallbacks() {
        let names = WorkloadNames::of(
            "ratings-v1",
            &labels(&[
                ("app", "ratings"),
                ("service.istio.io/canonical-name", "ratings-svc"),
                ("service.istio.io/canonical-revision", "version-1"),
            ]),
        );
        assert_eq!(names.canonical_service, "ratings-svc");
        assert_eq!(names.canonical_revision, "version-1");
        let bare = WorkloadNames::of("worker", &Labels::new());
        assert_eq!(bare.canonical_service, "worker");
        assert_eq!(bare.canonical_revision, "latest");
        assert_eq!(bare.app, "");
    }
}
