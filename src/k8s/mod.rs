//! Stage 2 of the pipeline: Kubernetes objects (Secrets, the app, the sleep client) and YAML:
//! kubectl's exact bytes for Secrets, serde-saphyr for everything else.
pub mod app;
pub mod goyaml;
pub mod labels;
pub mod names;
pub mod secret;
pub mod sleep;
pub mod volumes;
pub mod yaml;
