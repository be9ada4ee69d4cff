//! What each ingress port of a selected workload gets, decided once: its effective
//! PeerAuthentication mode with the policy that set it, and Istio's two silent gates on `tls`
//! (istiod's install flag, and DISABLE on the target port) as one value.
use super::Task;
use super::select::{Selected, Workload};
use crate::k8s::labels::selector_text;
use crate::mesh::install::TLS_FLAG;
use crate::mesh::peer_auth::MtlsMode;
use crate::mesh::policy::{Decision, ROOT_NAMESPACE, effective_mode};
use crate::mesh::sidecar::{IstioIngressListener, ServerTlsSettings};

/// Why Istio drops a port's `tls` block without a word. Both may hold at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ignored {
    /// istiod does not run with ENABLE_TLS_ON_SIDECAR_INGRESS=true.
    NoInstallFlag,
    /// The port's mTLS mode is not DISABLE, so Istio builds Istio mTLS there instead.
    Mode(Decision),
}

/// What becomes of a port's `tls` block.
#[derive(Debug, Clone, PartialEq)]
pub enum TlsGate<'t> {
    /// The port has no `tls`.
    Absent,
    /// Both gates pass: the sidecar terminates TLS with these settings.
    Terminate(&'t ServerTlsSettings),
    /// `tls` is written but Istio ignores it, for every reason listed (never empty).
    Ignored {
        tls: &'t ServerTlsSettings,
        reasons: Vec<Ignored>,
    },
}

impl TlsGate<'_> {
    /// The `tls` block as written, whatever Istio does with it.
    pub fn settings(&self) -> Option<&ServerTlsSettings> {
        match self {
            TlsGate::Absent => None,
            TlsGate::Terminate(tls) | TlsGate::Ignored { tls, .. } => Some(tls),
        }
    }
}

/// One Sidecar ingress port of the selected workload, decided.
#[derive(Debug, Clone)]
pub struct IngressPort<'t> {
    pub listener: &'t IstioIngressListener,
    /// The workload (target) port.
    pub number: u32,
    pub name: String,
    /// The declared protocol, upper case (`HTTPS`, `HTTP`, …; empty when unset).
    pub protocol: String,
    pub mtls: Decision,
    pub tls: TlsGate<'t>,
}

/// What Istio's inbound listener serves on a port once TLS is dealt with: the declared protocol
/// after istiod's `AfterTLSTermination` (HTTPS → HTTP, TLS → TCP) when the `tls` block is taken
/// in at all (install flag on, whatever the mTLS mode), then `ModelProtocolToListenerProtocol`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// The HTTP connection manager, HTTP/1.1 to the app (`HTTP`; unset, which Istio sniffs).
    Http,
    /// The HTTP connection manager, h2 to the app (`HTTP2`, `GRPC`, `GRPC-WEB`).
    Http2,
    /// A TCP proxy (`TCP`, `TLS`, and `HTTPS` whose `tls` block istiod does not take in).
    Tcp,
    /// A protocol Istio serves with a filter of its own (`MONGO`, `REDIS`, `MYSQL`, `UDP`, …).
    Other(String),
}

impl IngressPort<'_> {
    /// Whether istiod takes the `tls` block in (it rewrites the protocol then, even where the
    /// mTLS mode later puts Istio mTLS in its place).
    pub fn tls_taken_in(&self) -> bool {
        match &self.tls {
            TlsGate::Absent => false,
            TlsGate::Terminate(_) => true,
            TlsGate::Ignored { reasons, .. } => !reasons.contains(&Ignored::NoInstallFlag),
        }
    }

    /// What the port serves after TLS, as Istio's inbound listener decides it.
    pub fn served(&self) -> Served {
        match (self.protocol.as_str(), self.tls_taken_in()) {
            ("" | "HTTP" | "HTTP_PROXY", _) | ("HTTPS", true) => Served::Http,
            ("HTTP2" | "GRPC" | "GRPC-WEB", _) => Served::Http2,
            ("TCP" | "TLS" | "HTTPS", _) => Served::Tcp,
            (other, _) => Served::Other(other.to_string()),
        }
    }

    /// `9080 (external)`, or `9080` for an unnamed port.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            self.number.to_string()
        } else {
            format!("{} ({})", self.number, self.name)
        }
    }
}

/// The name of a mode as Istio spells it.
pub fn mode_name(mode: MtlsMode) -> &'static str {
    match mode {
        MtlsMode::Unset => "UNSET",
        MtlsMode::Disable => "DISABLE",
        MtlsMode::Permissive => "PERMISSIVE",
        MtlsMode::Strict => "STRICT",
    }
}

/// `STRICT, set by workload PeerAuthentication test/x` or `PERMISSIVE, as no PeerAuthentication applies`.
pub fn explain_mode(decision: &Decision) -> String {
    match &decision.decided_by {
        Some(by) => format!("{}, set by {by}", mode_name(decision.mode)),
        None => format!(
            "{}, as no PeerAuthentication applies",
            mode_name(decision.mode)
        ),
    }
}

impl Ignored {
    /// Why the gate dropped `tls` on workload port `number` of `workload`, and what fixes it:
    /// the one wording every command uses (each adds only a remedy of its own, such as a flag).
    pub fn explain(&self, workload: &Workload<'_>, number: u32) -> String {
        match self {
            Ignored::NoInstallFlag => no_install_flag(),
            Ignored::Mode(decision) => format!(
                "the mTLS mode of Deployment {}/{} on port {number} is {}: Istio builds Istio mTLS there and ignores the tls block; add `portLevelMtls: {{{number}: {{mode: DISABLE}}}}` to a PeerAuthentication that selects {}",
                workload.namespace,
                workload.name,
                explain_mode(decision),
                selector_text(&workload.labels)
            ),
        }
    }
}

/// The install-flag gate's reason and fix; it holds for every Sidecar, selected or not.
pub fn no_install_flag() -> String {
    format!(
        "no install config sets values.pilot.env.{TLS_FLAG}=true: istiod ignores the tls block without a word and serves the port as its PeerAuthentication mode says (no TLS termination); install with `istioctl install --set values.pilot.env.{TLS_FLAG}=true` (`meshtls render install` writes the IstioOperator)"
    )
}

impl Task {
    /// The effective PeerAuthentication mode of workload port `number` of `selected`.
    pub fn mtls_mode(&self, selected: &Selected<'_>, number: u32) -> Decision {
        let w = &selected.workload;
        effective_mode(
            &self.policies_by_age(),
            &w.namespace,
            &w.labels,
            number,
            ROOT_NAMESPACE,
        )
    }

    /// Every ingress port of `selected`'s Sidecar, in the Sidecar's order, decided.
    pub fn ingress_ports<'t>(&'t self, selected: &Selected<'t>) -> Vec<IngressPort<'t>> {
        self.ingress_ports_with_flag(selected, self.tls_flag())
    }

    /// The same, with istiod's install flag given (`--enable-tls-on-sidecar-ingress` forces it).
    pub fn ingress_ports_with_flag<'t>(
        &'t self,
        selected: &Selected<'t>,
        flag: bool,
    ) -> Vec<IngressPort<'t>> {
        selected
            .sidecar
            .spec
            .ingress
            .iter()
            .map(|listener| {
                let port = listener.port.clone().unwrap_or_default();
                let mtls = self.mtls_mode(selected, port.number);
                let tls = match &listener.tls {
                    None => TlsGate::Absent,
                    Some(tls) => {
                        let mut reasons = Vec::new();
                        if !flag {
                            reasons.push(Ignored::NoInstallFlag);
                        }
                        if mtls.mode != MtlsMode::Disable {
                            reasons.push(Ignored::Mode(mtls.clone()));
                        }
                        if reasons.is_empty() {
                            TlsGate::Terminate(tls)
                        } else {
                            TlsGate::Ignored { tls, reasons }
                        }
                    }
                };
                IngressPort {
                    listener,
                    number: port.number,
                    name: port.name.clone(),
                    protocol: port.protocol.to_ascii_uppercase(),
                    mtls,
                    tls,
                }
            })
            .collect()
    }
}
