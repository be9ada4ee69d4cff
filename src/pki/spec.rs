//! What `certgen` makes: the page's three certificates, their subjects, host names and key type.
//! Plain data, resolved from flags before any key is generated.
use rcgen::{DistinguishedName, DnType};

use super::PkiError;
use crate::page;

/// Key algorithms meshtls can generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Rsa2048,
    Rsa3072,
    Rsa4096,
    EcdsaP256,
    EcdsaP384,
    Ed25519,
}

impl KeyType {
    pub fn describe(self) -> &'static str {
        match self {
            KeyType::Rsa2048 => "RSA 2048",
            KeyType::Rsa3072 => "RSA 3072",
            KeyType::Rsa4096 => "RSA 4096",
            KeyType::EcdsaP256 => "ECDSA P-256",
            KeyType::EcdsaP384 => "ECDSA P-384",
            KeyType::Ed25519 => "Ed25519",
        }
    }
}

/// A subject as an ordered list of (attribute, value), e.g. `/O=example Inc./CN=example.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(pub Vec<(DnType, String)>);

impl Subject {
    /// Parses openssl's `-subj` form: `/K=V/K=V`, with `\/` for a literal slash.
    pub fn parse(text: &str) -> Result<Subject, PkiError> {
        let invalid = |reason: &str| PkiError::InvalidSubject {
            subject: text.to_string(),
            reason: reason.to_string(),
        };
        let body = text
            .strip_prefix('/')
            .ok_or_else(|| invalid("it must start with '/'"))?;
        let mut parts = Vec::new();
        let mut current = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => current.extend(chars.next()),
                '/' => parts.push(std::mem::take(&mut current)),
                _ => current.push(c),
            }
        }
        parts.push(current);
        let mut attrs = Vec::new();
        for part in parts.iter().filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| invalid(&format!("{part:?} has no '='")))?;
            if value.is_empty() {
                return Err(invalid(&format!("{key} has an empty value")));
            }
            let dn_type = match key.trim() {
                "CN" => DnType::CommonName,
                "O" => DnType::OrganizationName,
                "OU" => DnType::OrganizationalUnitName,
                "C" => DnType::CountryName,
                "ST" => DnType::StateOrProvinceName,
                "L" => DnType::LocalityName,
                other => {
                    return Err(invalid(&format!(
                        "unknown attribute {other}; use CN, O, OU, C, ST or L"
                    )));
                }
            };
            attrs.push((dn_type, value.to_string()));
        }
        if attrs.is_empty() {
            return Err(invalid("it names no attribute"));
        }
        Ok(Subject(attrs))
    }

    /// Common name and organisation, in the page's order for leaves (`/CN=…/O=…`).
    pub fn leaf(common_name: &str, organization: &str) -> Subject {
        Subject(vec![
            (DnType::CommonName, common_name.to_string()),
            (DnType::OrganizationName, organization.to_string()),
        ])
    }

    pub fn to_distinguished_name(&self) -> DistinguishedName {
        let mut dn = DistinguishedName::new();
        for (dn_type, value) in &self.0 {
            dn.push(dn_type.clone(), value.as_str());
        }
        dn
    }
}

/// Checks a DNS name for a SAN: RFC 1123 labels, at most 253 characters, an optional leading `*.`.
pub fn validate_host(host: &str) -> Result<(), PkiError> {
    let invalid = |reason: &str| PkiError::InvalidHost {
        host: host.to_string(),
        reason: reason.to_string(),
    };
    let name = host.strip_prefix("*.").unwrap_or(host);
    if name.is_empty() {
        return Err(invalid("it is empty"));
    }
    if host.len() > 253 {
        return Err(invalid("it is longer than 253 characters"));
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(invalid(
                "each dot-separated label must have 1 to 63 characters",
            ));
        }
        let bytes = label.as_bytes();
        if !bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            return Err(invalid("labels may hold only letters, digits and '-'"));
        }
        if bytes[0] == b'-' || bytes[bytes.len() - 1] == b'-' {
            return Err(invalid("a label may not start or end with '-'"));
        }
    }
    Ok(())
}

/// One certificate to issue.
#[derive(Debug, Clone)]
pub struct LeafSpec {
    /// File stem, e.g. `httpbin.test.svc.cluster.local`.
    pub stem: String,
    pub subject: Subject,
    pub dns_names: Vec<String>,
    pub role: LeafRole,
}

/// Which extended key usage a leaf carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafRole {
    Server,
    Client,
}

/// The whole set `certgen` makes: a CA (unless reused) and two leaves.
#[derive(Debug, Clone)]
pub struct TaskSpec {
    pub ca_stem: String,
    pub ca_subject: Subject,
    pub server: LeafSpec,
    pub client: LeafSpec,
    pub key_type: KeyType,
    pub days: u32,
}

/// The inputs `certgen` resolves into a `TaskSpec`.
#[derive(Debug, Clone)]
pub struct TaskNames<'a> {
    pub ca_subject: &'a str,
    pub server_hosts: &'a [String],
    pub client_host: Option<&'a str>,
    pub namespace: &'a str,
    pub service: &'a str,
    pub cluster_domain: &'a str,
}

impl TaskSpec {
    /// Resolves names into a spec and validates every host, reporting the first bad one.
    pub fn resolve(
        names: &TaskNames<'_>,
        key_type: KeyType,
        days: u32,
    ) -> Result<TaskSpec, PkiError> {
        let ca_subject = Subject::parse(names.ca_subject)?;
        let ca_stem = ca_subject
            .0
            .iter()
            .find(|(t, _)| *t == DnType::CommonName)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| PkiError::InvalidSubject {
                subject: names.ca_subject.to_string(),
                reason: "the CA subject needs a CN (it names the files)".to_string(),
            })?;
        let server_hosts: Vec<String> = if names.server_hosts.is_empty() {
            let fqdn = page::service_host(names.service, names.namespace, names.cluster_domain);
            vec![
                fqdn,
                names.service.to_string(),
                format!("{}.{}", names.service, names.namespace),
                format!("{}.{}.svc", names.service, names.namespace),
            ]
        } else {
            names.server_hosts.to_vec()
        };
        let client_host = names
            .client_host
            .map(str::to_string)
            .unwrap_or_else(|| page::client_host(names.namespace, names.cluster_domain));
        for host in server_hosts.iter().chain(std::iter::once(&client_host)) {
            validate_host(host)?;
        }
        let server_cn = server_hosts[0].clone();
        Ok(TaskSpec {
            ca_stem: safe_stem(&ca_stem, names.ca_subject)?,
            ca_subject,
            server: LeafSpec {
                stem: server_cn.clone(),
                subject: Subject::leaf(&server_cn, &format!("{} organization", names.service)),
                dns_names: server_hosts,
                role: LeafRole::Server,
            },
            client: LeafSpec {
                stem: client_host.clone(),
                subject: Subject::leaf(&client_host, "client organization"),
                dns_names: vec![client_host],
                role: LeafRole::Client,
            },
            key_type,
            days,
        })
    }
}

/// A CN used as a file name must not escape the output folder.
fn safe_stem(stem: &str, subject: &str) -> Result<String, PkiError> {
    if stem.is_empty() || stem.contains('/') || stem.starts_with('.') || stem.contains('\0') {
        return Err(PkiError::InvalidSubject {
            subject: subject.to_string(),
            reason: "its CN names the CA files, so it must be a plain file name".to_string(),
        });
    }
    Ok(stem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_page_subject() {
        let s = Subject::parse("/O=example Inc./CN=example.com").unwrap();
        assert_eq!(s.0.len(), 2);
        assert_eq!(s.0[1], (DnType::CommonName, "example.com".to_string()));
        assert!(Subject::parse("O=x").is_err());
        assert!(Subject::parse("/XX=y").is_err());
    }

    #[test]
    fn default_hosts_follow_the_page() {
        let names = TaskNames {
            ca_subject: "/O=example Inc./CN=example.com",
            server_hosts: &[],
            client_host: None,
            namespace: "test",
            service: "httpbin",
            cluster_domain: "cluster.local",
        };
        let spec = TaskSpec::resolve(&names, KeyType::Rsa2048, 365).unwrap();
        assert_eq!(spec.server.stem, "httpbin.test.svc.cluster.local");
        assert_eq!(
            spec.server.dns_names[1..],
            ["httpbin", "httpbin.test", "httpbin.test.svc"]
        );
        assert_eq!(spec.client.stem, "client.test.svc.cluster.local");
        assert_eq!(spec.ca_stem, "example.com");
    }

    #[test]
    fn rejects_bad_hosts() {
        for bad in ["", "a..b", "-a.b", "a_b.c", "a/b", &"x".repeat(64)] {
            assert!(validate_host(bad).is_err(), "{bad}");
        }
        validate_host("*.example.com").unwrap();
    }
}
