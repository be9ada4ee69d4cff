//! The one reader of the task's input: `-f` files, folders (kubectl's rules: `*.yaml`, `*.yml`,
//! `*.json`, `-R` to recurse) and `-`, each document typed with its file and line and its
//! namespace defaulted as `kubectl apply -n` would; kinds meshtls does not use are skipped.
use std::path::{Path, PathBuf};

use super::manifest::{Manifest, ManifestError};
use super::{Object, Origin, Task};
use crate::k8s::yaml::{YamlError, read_documents};

/// Why the input could not be read at all (as opposed to a document that is not valid).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("reading {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("reading stdin: {0}")]
    Stdin(std::io::Error),
    #[error("`-` (stdin) is named twice: it can be read once")]
    StdinTwice,
    #[error(
        "{}: no .json, .yaml or .yml files in the folder{}",
        path.display(),
        if *recursive { " or below it" } else { " (pass -R to read the folders below it)" }
    )]
    EmptyFolder { path: PathBuf, recursive: bool },
    #[error("{file}:{}:{}: {}", error.line, error.column, error.message)]
    Yaml { file: String, error: YamlError },
}

impl ReadError {
    /// Whether the data itself is bad (exit 65), rather than a file being unreadable.
    pub fn is_data_error(&self) -> bool {
        matches!(self, ReadError::Yaml { .. })
    }
}

/// How stdin is named in findings and errors.
pub const STDIN_NAME: &str = "<stdin>";

/// One input's text and the name it is shown under.
#[derive(Debug, Clone)]
pub struct Text {
    pub name: String,
    pub text: String,
}

/// One YAML document as a JSON value, with where it was read.
#[derive(Debug, Clone)]
pub struct Document {
    pub value: serde_json::Value,
    pub origin: Origin,
}

/// A document of a kind meshtls knows whose content does not fit that kind.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub origin: Origin,
    pub message: String,
}

/// Everything read: the task, every document as written (for validation), the documents that
/// could not be typed, and the kinds skipped.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub task: Task,
    pub documents: Vec<Document>,
    pub rejected: Vec<Rejected>,
    pub skipped: Vec<String>,
}

fn is_manifest_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// The files behind the names given: a file as it is, a folder's manifest files in name order
/// (and its subfolders' with `recursive`), `-` as stdin (`None`).
pub fn expand(paths: &[PathBuf], recursive: bool) -> Result<Vec<Option<PathBuf>>, ReadError> {
    let mut out = Vec::new();
    let mut stdin_seen = false;
    for path in paths {
        if path == Path::new("-") {
            if stdin_seen {
                return Err(ReadError::StdinTwice);
            }
            stdin_seen = true;
            out.push(None);
            continue;
        }
        let io = |source| ReadError::Io {
            path: path.clone(),
            source,
        };
        if std::fs::metadata(path).map_err(io)?.is_dir() {
            let before = out.len();
            walk(path, recursive, &mut out)?;
            if out.len() == before {
                return Err(ReadError::EmptyFolder {
                    path: path.clone(),
                    recursive,
                });
            }
        } else {
            out.push(Some(path.clone()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, recursive: bool, out: &mut Vec<Option<PathBuf>>) -> Result<(), ReadError> {
    let io = |source| ReadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            if recursive {
                walk(&entry, recursive, out)?;
            }
        } else if is_manifest_file(&entry) {
            out.push(Some(entry));
        }
    }
    Ok(())
}

/// Reads every input's text (`-` from `stdin`).
pub fn texts(
    paths: &[PathBuf],
    recursive: bool,
    stdin: impl std::io::Read,
) -> Result<Vec<Text>, ReadError> {
    let mut stdin = Some(stdin);
    expand(paths, recursive)?
        .into_iter()
        .map(|file| match file {
            Some(path) => Ok(Text {
                name: path.display().to_string(),
                text: std::fs::read_to_string(&path).map_err(|source| ReadError::Io {
                    path: path.clone(),
                    source,
                })?,
            }),
            None => {
                let mut text = String::new();
                if let Some(mut reader) = stdin.take() {
                    reader.read_to_string(&mut text).map_err(ReadError::Stdin)?;
                }
                Ok(Text {
                    name: STDIN_NAME.to_string(),
                    text,
                })
            }
        })
        .collect()
}

/// Reads `paths` (stdin for `-`) into the task. `namespace` is what `-n` gives objects that set none.
pub fn read(paths: &[PathBuf], recursive: bool, namespace: &str) -> Result<Input, ReadError> {
    from_texts(
        &texts(paths, recursive, std::io::stdin().lock())?,
        namespace,
    )
}

/// Types every document of `texts`, in order.
pub fn from_texts(texts: &[Text], namespace: &str) -> Result<Input, ReadError> {
    let mut input = Input::default();
    for text in texts {
        for document in documents(text, namespace)? {
            let value = document.value.clone();
            match Manifest::from_value(0, value) {
                Ok(mut manifest) => {
                    default_namespace(&mut manifest, namespace);
                    input.task.objects.push(Object {
                        manifest,
                        origin: document.origin.clone(),
                    });
                }
                Err(ManifestError::UnknownKind { kind, .. }) => input.skipped.push(kind),
                Err(ManifestError::Invalid { message, .. }) => input.rejected.push(Rejected {
                    origin: document.origin.clone(),
                    message,
                }),
                Err(ManifestError::Yaml(e)) => input.rejected.push(Rejected {
                    origin: document.origin.clone(),
                    message: e.to_string(),
                }),
            }
            input.documents.push(document);
        }
    }
    Ok(input)
}

impl Input {
    /// The task, refusing any document that names a kind meshtls knows but does not fit it.
    pub fn into_task(self) -> Result<Task, InvalidInput> {
        match self.rejected.is_empty() {
            true => Ok(self.task),
            false => Err(InvalidInput(self.rejected)),
        }
    }
}

/// Documents of known kinds that could not be read as those kinds.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(|r| format!("{}: {}", r.origin, r.message)).collect::<Vec<_>>().join("; "))]
pub struct InvalidInput(pub Vec<Rejected>);

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

/// Every document of one input, with its origin (kind, namespace as applied, name, file, line).
pub fn documents(text: &Text, namespace: &str) -> Result<Vec<Document>, ReadError> {
    let docs = read_documents(&text.text).map_err(|error| ReadError::Yaml {
        file: text.name.clone(),
        error,
    })?;
    let lines = document_lines(&text.text);
    let lines_known = lines.len() == docs.len();
    Ok(docs
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let kind = value
                .get("kind")
                .and_then(|k| k.as_str())
                .unwrap_or_default()
                .to_string();
            let cluster_scoped = kind == "Namespace";
            let origin = Origin {
                namespace: if cluster_scoped {
                    String::new()
                } else {
                    text_field(&value, "namespace").unwrap_or_else(|| namespace.to_string())
                },
                name: text_field(&value, "name").unwrap_or_default(),
                kind,
                file: Some(text.name.clone()),
                line: lines.get(i).copied().filter(|_| lines_known),
            };
            Document { value, origin }
        })
        .collect())
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
        let text = Text {
            name: "f.yaml".into(),
            text: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: httpbin\n".into(),
        };
        let input = from_texts(&[text], "test").unwrap();
        assert!(input.rejected.is_empty());
        let objects = &input.task.objects;
        assert_eq!(
            objects[0].origin.to_string(),
            "ServiceAccount test/httpbin f.yaml:2"
        );
        assert_eq!(objects[0].manifest.key().0, "test");
    }

    #[test]
    fn folders_read_manifest_files_in_name_order_and_recurse_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let sa = |name: &str| {
            format!("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n")
        };
        std::fs::write(dir.path().join("b.yml"), sa("b")).unwrap();
        std::fs::write(dir.path().join("a.yaml"), sa("a")).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not yaml: [").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(
            dir.path().join("sub/c.json"),
            r#"{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"c"}}"#,
        )
        .unwrap();
        let names = |recursive| {
            let texts = texts(&[dir.path().to_path_buf()], recursive, std::io::empty()).unwrap();
            let input = from_texts(&texts, "default").unwrap();
            input
                .task
                .objects
                .iter()
                .map(|o| o.origin.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(false), ["a", "b"]);
        assert_eq!(names(true), ["a", "b", "c"]);
        let empty = tempfile::tempdir().unwrap();
        let error = expand(&[empty.path().to_path_buf()], false).unwrap_err();
        assert!(
            error.to_string().contains("no .json, .yaml or .yml files"),
            "{error}"
        );
    }

    #[test]
    fn stdin_is_read_once_and_named() {
        let stdin = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: s\n".as_bytes();
        let texts = texts(&[PathBuf::from("-")], false, stdin).unwrap();
        assert_eq!(texts[0].name, STDIN_NAME);
        let twice = expand(&[PathBuf::from("-"), PathBuf::from("-")], false);
        assert!(matches!(twice, Err(ReadError::StdinTwice)));
    }
}
