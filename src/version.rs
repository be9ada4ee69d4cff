//! What this build is: meshtls' version, the git commit it was built from, and the TLS stack it
//! links (rustls on aws-lc-rs), as `build.rs` read them from git and Cargo.lock.
use serde::Serialize;

/// `meshtls version`'s facts; "unknown" where the build could not tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildInfo {
    pub version: &'static str,
    pub git_commit: &'static str,
    pub rustls: &'static str,
    pub aws_lc_rs: &'static str,
    pub aws_lc_sys: &'static str,
    pub rustc: &'static str,
}

impl BuildInfo {
    /// This binary's facts.
    pub fn current() -> BuildInfo {
        BuildInfo {
            version: env!("CARGO_PKG_VERSION"),
            git_commit: env!("MESHTLS_GIT_COMMIT"),
            rustls: env!("MESHTLS_RUSTLS_VERSION"),
            aws_lc_rs: env!("MESHTLS_AWS_LC_RS_VERSION"),
            aws_lc_sys: env!("MESHTLS_AWS_LC_SYS_VERSION"),
            rustc: env!("MESHTLS_RUSTC_VERSION"),
        }
    }

    /// The text form: one `name: value` line each.
    pub fn text(&self) -> String {
        format!(
            "meshtls version: {}\ngit commit: {}\nrustls: {}\naws-lc-rs: {} (aws-lc-sys {})\nrustc: {}\n",
            self.version, self.git_commit, self.rustls, self.aws_lc_rs, self.aws_lc_sys, self.rustc
        )
    }
}
