//! One module per subcommand. Each exposes `run(args, &mut Printer) -> anyhow::Result<ExitStatus>`.
pub mod analyze;
pub mod apply;
pub mod cert_inspect;
pub mod certgen;
pub mod check;
pub mod cleanup;
pub mod completion;
pub mod create_secret;
pub mod demo;
pub mod describe;
pub mod httpbin;
pub mod proxy;
pub mod proxy_config;
pub mod render;
pub mod validate;
pub mod verify;
pub mod version;
