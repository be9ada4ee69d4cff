//! Reading analyze's input: each YAML document typed (kinds meshtls does not know are skipped),
//! with its file and line, its namespace defaulted, and `meshtls validate`'s findings (check 8).
use crate::k8s::yaml::{YamlError, read_documents};
use crate::mesh::validate::{self, validate_value};
use crate::render::manifest::{Manifest, ManifestError};

use super::{Code, Finding, Object, Origin};

/// The 1-based line of each non-empty document of `text`: its top-level `kind:` line, else its
/// first content line. Documents are split on `---` lines, so a `---` inside a block scalar
/// would shift the count; the caller drops the lines when the count disagrees with the reader.
pub fn document_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut first: Option<usize> = None;
    let mut kind: Option<usize> = None;
    let mut close = |first: &mut Option<usize>, kind: &mut Option<usize>| {
        if let Some(line) = kind.take().or(first.take()) {
            lines.push(line);
        }
        *first = None;
    };
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        if line.trim_end() == "..." {
            close(&mut first, &mut kind);
            continue;
        }
        if let Some(rest) = line
            .strip_prefix("---")
            .filter(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        {
            close(&mut first, &mut kind);
            // `--- {…}` or `--- !tag` starts the next document on the marker's line.
            let rest = rest.trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                first = Some(number);
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || line.starts_with('%') {
            continue;
        }
        first.get_or_insert(number);
        if kind.is_none() && line.starts_with("kind:") {
            kind = Some(number);
        }
    }
    close(&mut first, &mut kind);
    lines
}

fn text_field(value: &serde_json::Value, key: &str) -> Option<String> {
    value
        .get("metadata")
        .and_then(|m| m.get(key))
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// Gives a namespaced object without one the namespace kubectl would apply it to.
fn default_namespace(manifest: &mut Manifest, namespace: &str) {
    let meta = match manifest {
        Manifest::Namespace(_) => return,
        Manifest::Secret(s) => {
            s.namespace.get_or_insert_with(|| namespace.to_string());
            return;
        }
        Manifest::IstioOperator(o) => &mut o.metadata,
        Manifest::PeerAuthentication(o) => &mut o.metadata,
        Manifest::ServiceAccount(o) => &mut o.metadata,
        Manifest::Service(o) => &mut o.metadata,
        Manifest::Deployment(o) => &mut o.metadata,
        Manifest::Sidecar(o) => &mut o.metadata,
    };
    meta.namespace.get_or_insert_with(|| namespace.to_string());
}

/// Reads one file's text. `file` is the name findings show; `namespace` is `-n`.
pub fn read(
    text: &str,
    file: &str,
    namespace: &str,
) -> Result<(Vec<Object>, Vec<Finding>), YamlError> {
    let docs = read_documents(text)?;
    let lines = document_lines(text);
    let lines_known = lines.len() == docs.len();
    let mut objects = Vec::new();
    let mut findings = Vec::new();
    for (i, doc) in docs.into_iter().enumerate() {
        let kind = doc
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or_default()
            .to_string();
        let cluster_scoped = kind == "Namespace";
        let origin = Origin {
            namespace: if cluster_scoped {
                String::new()
            } else {
                text_field(&doc, "namespace").unwrap_or_else(|| namespace.to_string())
            },
            name: text_field(&doc, "name").unwrap_or_default(),
            kind,
            file: Some(file.to_string()),
            line: lines.get(i).copied().filter(|_| lines_known),
        };
        let validation = validate_value(&doc, namespace);
        let rejected = validation.iter().any(|f| f.level == validate::Level::Error);
        for f in validation {
            let code = match f.level {
                validate::Level::Error => Code::ValidationError,
                validate::Level::Warning => Code::ValidationWarning,
            };
            findings.push(Finding::new(
                code,
                &origin,
                format!("{}: {}", f.path, f.message),
            ));
        }
        match Manifest::from_value(i + 1, doc) {
            Ok(mut manifest) => {
                default_namespace(&mut manifest, namespace);
                objects.push(Object { manifest, origin });
            }
            Err(ManifestError::UnknownKind { .. }) => {}
            // Validation already said why an Istio resource does not parse.
            Err(_) if rejected => {}
            Err(ManifestError::Invalid { message, .. }) => {
                findings.push(Finding::new(Code::ValidationError, &origin, message));
            }
            Err(ManifestError::Yaml(e)) => {
                findings.push(Finding::new(Code::ValidationError, &origin, e.to_string()));
            }
        }
    }
    Ok((objects, findings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_point_at_each_documents_kind() {
        let text = "# head\napiVersion: v1\nkind: A\n---\n# only a comment\n---\n\nmetadata: {}\nkind: B\n---\napiVersion: v1\n";
        assert_eq!(document_lines(text), vec![3, 9, 11]);
    }

    #[test]
    fn markers_with_comments_or_content_still_split() {
        let text = "a: 1\n--- # second\nkind: B\n--- {kind: C}\n";
        assert_eq!(document_lines(text), vec![1, 3, 4]);
        assert_eq!(read_documents(text).unwrap().len(), 3);
    }

    #[test]
    fn objects_without_a_namespace_get_the_default_one() {
        let text = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: httpbin\n";
        let (objects, findings) = read(text, "f.yaml", "test").unwrap();
        assert!(findings.is_empty());
        assert_eq!(
            objects[0].origin.to_string(),
            "ServiceAccount test/httpbin f.yaml:2"
        );
        assert_eq!(objects[0].manifest.key().0, "test");
    }
}
