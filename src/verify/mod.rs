//! Stage 5 of the pipeline: checking the running set-up as the page does, from the client side.
pub mod client;
