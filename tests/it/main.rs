//! meshtls's one integration-test binary: command-line cases and interop with real peers.
mod common;
mod fake_apiserver;

mod analyze;
mod cert_inspect;
mod certgen;
mod cluster;
mod completion;
mod create_secret;
mod hostile;
mod http1_engines;
mod http1_fuzz;
mod no_key_leaks;
mod protocols;
mod proxy;
mod proxy_cli;
mod proxy_config;
mod render;
mod revocation;
mod robustness;
mod task_model;
mod tls_edges;
mod validate;
mod verify;
mod verify_envoy;
