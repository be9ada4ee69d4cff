//! meshtls's one integration-test binary: command-line cases and interop with real peers.
mod common;
mod fake_apiserver;

mod analyze;
mod cert_inspect;
mod certgen;
mod cluster;
mod completion;
mod create_secret;
mod errors;
mod http1_engines;
mod http1_fuzz;
mod manpage;
mod proxy;
mod proxy_cli;
mod proxy_config;
mod render;
mod robustness;
mod task_model;
mod usage;
mod validate;
mod verify;
mod verify_envoy;
mod version;
mod widths;
