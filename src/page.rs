//! The page's names and numbers ("the page" is the istio.io task this tool automates: TLS
//! termination in the app's own sidecar), in one place. A leaf: every stage may read it.

/// The app's namespace.
pub const NAMESPACE: &str = "test";
/// Where the page runs its client from outside the mesh.
pub const OUTSIDE_NAMESPACE: &str = "default";
/// The app, its Service, its ServiceAccount and its `app` label.
pub const APP: &str = "httpbin";
pub const APP_VERSION: &str = "v1";
pub const IMAGE: &str = "docker.io/kennethreitz/httpbin";
pub const SIDECAR: &str = "ingress-sidecar";
pub const PEER_AUTH: &str = "disable-peer-auth-for-external-mtls-port";
/// The server's tls Secret and the CA's generic Secret.
pub const SECRET: &str = "httpbin-mtls-termination";
pub const CA_SECRET: &str = "httpbin-mtls-termination-cacert";
/// The app's container port, the Sidecar's TLS and plain ingress ports, and the Service ports.
pub const APP_PORT: u16 = 80;
pub const TLS_PORT: u16 = 9080;
pub const HTTP_PORT: u16 = 9081;
pub const SERVICE_TLS_PORT: u16 = 8443;
pub const SERVICE_HTTP_PORT: u16 = 8080;
/// Where istio-proxy sees the two Secrets.
pub const CERT_MOUNT: &str = "/etc/istio/tls-certs/";
pub const CA_MOUNT: &str = "/etc/istio/tls-ca-certs/";
pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// The mesh's trust domain (Istio's default).
pub const TRUST_DOMAIN: &str = "cluster.local";
/// The CA's file stem (`example.com.crt`, `example.com.key`).
pub const CA_FILE: &str = "example.com";
pub const PROFILE: &str = "default";

/// `<service>.<namespace>.svc.<domain>`: the server certificate's name and file stem.
pub fn service_host(service: &str, namespace: &str, cluster_domain: &str) -> String {
    format!("{service}.{namespace}.svc.{cluster_domain}")
}

/// `client.<namespace>.svc.<domain>`: the client certificate's name and file stem.
pub fn client_host(namespace: &str, cluster_domain: &str) -> String {
    service_host("client", namespace, cluster_domain)
}

/// `$HOME/.meshtls/mesh`: the local mesh CA folder that `proxy` and `verify` share.
pub fn mesh_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME")
        .map(|home| std::path::PathBuf::from(home).join(".meshtls").join("mesh"))
}
