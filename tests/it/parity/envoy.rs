//! A real Envoy 1.40 configured as istiod configures an inbound sidecar for the parity task's
//! ports, built from the same resolved listeners meshtls serves: a filter chain per port (TLS
//! with the Sidecar's files and CA/CRL, Istio mTLS with a mesh identity, or plaintext), the
//! inbound HCM (`upgrade_configs: websocket`, XFCC, path normalisation) or `tcp_proxy`, and the
//! inbound cluster (h2 for GRPC/HTTP2).
use std::net::SocketAddr;
use std::path::Path;

use meshtls::proxy::config::{
    ClientAuth, Endpoint, ListenerConfig, Protocol, Security, TlsVersion,
};
use serde_json::{Value, json};

const HCM: &str = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const ROUTER: &str = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
const TCP_PROXY: &str =
    "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
const TLS: &str =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
const TLS_INSPECTOR: &str =
    "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector";
const HTTP_OPTIONS: &str =
    "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

/// Files Envoy's mesh chain presents and trusts (an identity from the same mesh CA).
pub struct MeshFiles<'a> {
    pub cert: &'a Path,
    pub key: &'a Path,
    pub root: &'a Path,
}

/// Istio's inbound HCM for a workload port.
pub(crate) fn hcm(port: u16, sidecar: &str) -> Value {
    let cluster = format!("inbound|{port}||");
    json!({"name": "envoy.filters.network.http_connection_manager", "typed_config": {
        "@type": HCM,
        "stat_prefix": format!("inbound_0.0.0.0_{port}"),
        "codec_type": "AUTO",
        "server_name": "istio-envoy",
        "upgrade_configs": [{"upgrade_type": "websocket"}],
        "normalize_path": true,
        "path_with_escaped_slashes_action": "KEEP_UNCHANGED",
        // Istio enables tracing on every HCM (1% sampled): with it, Envoy sends the route's
        // decorator back as `x-envoy-decorator-operation`.
        "tracing": {"random_sampling": {"value": 1.0}},
        "forward_client_cert_details": "APPEND_FORWARD",
        "set_current_client_cert_details": {"subject": true, "dns": true, "uri": true},
        "route_config": {"name": format!("inbound|http|{port}"), "validate_clusters": false,
            "virtual_hosts": [{"name": "inbound|http", "domains": ["*"], "routes": [{
                "name": "default", "match": {"prefix": "/"},
                "decorator": {"operation": format!("{sidecar}:{port}/*")},
                "route": {"cluster": cluster, "timeout": "0s"}}]}]},
        "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {"@type": ROUTER}}],
    }})
}

/// Istio's inbound TCP chain: tcp_proxy whose stat prefix is the cluster's name.
pub(crate) fn tcp_proxy(port: u16) -> Value {
    let cluster = format!("inbound|{port}||");
    json!({"name": "envoy.filters.network.tcp_proxy", "typed_config": {
        "@type": TCP_PROXY, "stat_prefix": cluster, "cluster": cluster}})
}

fn version(v: TlsVersion) -> &'static str {
    match v {
        TlsVersion::V1_2 => "TLSv1_2",
        TlsVersion::V1_3 => "TLSv1_3",
    }
}

/// One Envoy listener on `local` for the workload port `listener` describes.
fn listener(
    listener: &ListenerConfig,
    local: SocketAddr,
    root: &Path,
    mesh: &MeshFiles<'_>,
    sidecar: &str,
) -> Value {
    let port = listener.port;
    let filter = match listener.protocol {
        Protocol::Tcp => tcp_proxy(port),
        Protocol::Http | Protocol::Http2 => hcm(port, sidecar),
    };
    let file = |pod_path: &str| {
        root.join(pod_path.trim_start_matches('/'))
            .display()
            .to_string()
    };
    let http_alpn = json!(["h2", "http/1.1"]);
    let context = match &listener.security {
        Security::Plaintext | Security::Permissive => None,
        Security::Terminate(tls) => {
            let mut common = json!({
                "tls_params": {"tls_minimum_protocol_version": version(tls.min_version),
                    "tls_maximum_protocol_version": version(tls.max_version)},
                "tls_certificates": [{"certificate_chain": {"filename": file(&tls.server_certificate)},
                    "private_key": {"filename": file(&tls.private_key)}}],
            });
            if listener.protocol != Protocol::Tcp {
                common["alpn_protocols"] = http_alpn.clone();
            }
            let roots = match &tls.client_auth {
                ClientAuth::Off => None,
                ClientAuth::Optional(roots) | ClientAuth::Required(roots) => Some(roots),
            };
            if let Some(roots) = roots {
                let mut validation =
                    json!({"trusted_ca": {"filename": file(&roots.ca_certificates)}});
                if let Some(crl) = &roots.ca_crl {
                    validation["crl"] = json!({"filename": file(crl)});
                }
                common["validation_context"] = validation;
            }
            Some(json!({"@type": TLS, "common_tls_context": common,
                "require_client_certificate": matches!(tls.client_auth, ClientAuth::Required(_))}))
        }
        Security::IstioMutual => Some(json!({"@type": TLS, "require_client_certificate": true,
            "common_tls_context": {
                "alpn_protocols": http_alpn,
                "tls_certificates": [{"certificate_chain": {"filename": mesh.cert.display().to_string()},
                    "private_key": {"filename": mesh.key.display().to_string()}}],
                "validation_context": {"trusted_ca": {"filename": mesh.root.display().to_string()},
                    "match_typed_subject_alt_names": [{"san_type": "URI",
                        "matcher": {"prefix": "spiffe://cluster.local/"}}]}}})),
    };
    let mut value = json!({"name": format!("inbound_{port}"),
        "address": {"socket_address": {"address": local.ip().to_string(), "port_value": local.port()}}});
    match context {
        None => value["filter_chains"] = json!([{"filters": [filter]}]),
        Some(context) => {
            // Only TLS matches a chain: plaintext finds none and is closed.
            value["listener_filters"] = json!([{"name": "envoy.filters.listener.tls_inspector",
                "typed_config": {"@type": TLS_INSPECTOR}}]);
            value["filter_chains"] = json!([{"filter_chain_match": {"transport_protocol": "tls"},
                "transport_socket": {"name": "envoy.transport_sockets.tls", "typed_config": context},
                "filters": [filter]}]);
        }
    }
    value
}

fn cluster(listener: &ListenerConfig) -> Value {
    let target = match &listener.endpoint {
        Endpoint::Tcp(address) => *address,
        Endpoint::Unix(_) => SocketAddr::from(([127, 0, 0, 1], 1)),
    };
    cluster_to(listener.port, target, listener.protocol == Protocol::Http2)
}

/// The inbound cluster of `port`, to `target`; a GRPC/HTTP2 port's speaks h2
/// (`http2_protocol_options`), as istiod sets it.
pub(crate) fn cluster_to(port: u16, target: SocketAddr, h2: bool) -> Value {
    let name = format!("inbound|{port}||");
    let mut c = json!({"name": name, "type": "STATIC", "connect_timeout": "2s",
        "load_assignment": {"cluster_name": name, "endpoints": [{"lb_endpoints": [
            {"endpoint": {"address": {"socket_address": {"address": target.ip().to_string(), "port_value": target.port()}}}}]}]}});
    if h2 {
        c["typed_extension_protocol_options"] = json!({
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {"@type": HTTP_OPTIONS,
                "explicit_http_config": {"http2_protocol_options": {}}}});
    }
    c
}

/// The bootstrap: `listeners` with their local addresses, admin on `admin`.
pub fn bootstrap(
    listeners: &[(ListenerConfig, SocketAddr)],
    admin: u16,
    root: &Path,
    mesh: &MeshFiles<'_>,
    sidecar: &str,
) -> Value {
    json!({
        "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": admin}}},
        "static_resources": {
            "listeners": listeners.iter().map(|(l, local)| listener(l, *local, root, mesh, sidecar)).collect::<Vec<_>>(),
            "clusters": listeners.iter().map(|(l, _)| cluster(l)).collect::<Vec<_>>(),
        },
    })
}
