//! Multi-document YAML in and out (serde-saphyr): a stable writer that keeps YAML 1.1 look-alike
//! strings quoted (`"true"`, `"on"`, `"80"`), and a reader that reports line and column.
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A YAML problem, with the 1-based position serde-saphyr found it at (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line} column {column}: {message}")]
pub struct YamlError {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl YamlError {
    fn from_saphyr(error: &serde_saphyr::Error) -> YamlError {
        let (line, column) = error
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        YamlError {
            line,
            column,
            message: crate::redact::message(&bare_message(error)),
        }
    }
}

/// serde-saphyr's message without its `error: line L column C:` prefix and source snippet.
fn bare_message(error: &serde_saphyr::Error) -> String {
    let text = error.without_snippet().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    let text = match text.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map_or(rest, |(_, m)| m),
        None => text,
    };
    let text = text.lines().next().unwrap_or_default().trim();
    // Some messages end with their position again: "… at line 1, column 4".
    let text = match text.rfind(" at line ") {
        Some(at) if text[at..].contains(", column ") => &text[..at],
        _ => text,
    };
    without_library_hints(text)
}

/// Says what is wrong in the user's terms, never how to configure the YAML library
/// ("duplicate mapping key: apiVersion, set DuplicateKeyPolicy in Options if acceptable").
fn without_library_hints(text: &str) -> String {
    if let Some(rest) = text.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest)
            .trim();
        return format!(
            "the key {key} appears twice in one mapping (the first is above this line); keep one"
        );
    }
    match text.find(", set DuplicateKeyPolicy") {
        Some(at) => text[..at].to_string(),
        None => text.to_string(),
    }
}

/// One document as YAML: block style, two-space indent, sequences flush with their key, no
/// folding of long strings, and quotes wherever a YAML 1.1 reader would see another type.
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, YamlError> {
    let options = serde_saphyr::ser_options! { prefer_block_scalars: false };
    serde_saphyr::to_string_with_options(value, options).map_err(|e| YamlError {
        line: 0,
        column: 0,
        message: e.to_string(),
    })
}

/// Every non-empty document of a multi-document stream, as JSON values.
pub fn read_documents(text: &str) -> Result<Vec<serde_json::Value>, YamlError> {
    let docs: Vec<serde_json::Value> =
        serde_saphyr::from_multiple(text).map_err(|e| YamlError::from_saphyr(&e))?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

/// One document into a typed value.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str(text).map_err(|e| YamlError::from_saphyr(&e))
}

/// Joins documents with `---` lines, as `kubectl apply -f -` reads them.
pub fn join_documents<S: AsRef<str>>(docs: &[S]) -> String {
    let mut out = String::new();
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(doc.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn quotes_yaml_1_1_look_alikes() {
        let map = BTreeMap::from([("a", "true"), ("b", "on"), ("c", "80"), ("d", "0.0.0.0:80")]);
        assert_eq!(
            to_yaml(&map).unwrap(),
            "a: \"true\"\nb: \"on\"\nc: \"80\"\nd: 0.0.0.0:80\n"
        );
    }

    #[test]
    fn malformed_yaml_has_line_and_column() {
        let err = read_documents("a: 1\n---\nb: [\n").unwrap_err();
        assert_eq!((err.line, err.column), (3, 4));
        assert!(err.message.contains("unclosed"), "{}", err.message);
    }

    #[test]
    fn a_duplicate_key_says_which_and_where_without_library_hints() {
        let err = read_documents("apiVersion: v1\napiVersion: v1\nkind: Namespace\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message.contains("the key apiVersion appears twice"),
            "{}",
            err.message
        );
        assert!(
            !err.message.contains("DuplicateKeyPolicy"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("Options"), "{}", err.message);
    }

    #[test]
    fn empty_documents_are_skipped() {
        let docs = read_documents("---\na: 1\n---\n").unwrap();
        assert_eq!(docs.len(), 1);
    }
}
