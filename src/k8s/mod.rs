//! Stage 2 of the pipeline: Kubernetes objects (Secrets first) and the YAML kubectl prints.
pub mod goyaml;
pub mod secret;
