//! Envoy's admin wire formats, one serde model per format: the proxy's admin (stage 4) writes
//! them and `configdump` (stage 5, inspect) reads them back, so neither imports the other.
pub mod secrets;
