//! A compact structural check of a resource against its CRD's OpenAPI v3 schema (embedded copy of
//! Istio's CRDs): types, enums, unknown fields, required, min/max, sizes, and the simple CEL rules.
use std::sync::OnceLock;

use serde_json::Value;

use super::report::Report;

/// Istio's CRDs for Sidecar and PeerAuthentication (see `src/mesh/crds/README.md`) as compact JSON
/// without the `description` texts: parsing it takes 2M instructions, the 108 KB YAML took 30M
/// (most of the proxy's start-up).
/// A unit test keeps it equal to the YAML as shipped.
const CRDS_JSON: &str = include_str!("../crds/istio-sidecar-peerauthentication.crd.json");

fn crds() -> &'static [Value] {
    static CRDS: OnceLock<Vec<Value>> = OnceLock::new();
    CRDS.get_or_init(|| serde_json::from_str(CRDS_JSON).unwrap_or_default())
}

/// `value` without the schema's `description` texts (a property named `description` is an
/// object, so it stays).
#[cfg(test)]
fn without_descriptions(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, value)| !(key.as_str() == "description" && value.is_string()))
                .map(|(key, value)| (key.clone(), without_descriptions(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_descriptions).collect()),
        other => other.clone(),
    }
}

/// Whether some embedded CRD defines `kind` (in any version).
pub fn is_istio_kind(kind: &str) -> bool {
    crds()
        .iter()
        .any(|crd| crd["spec"]["names"]["kind"] == kind)
}

/// The `openAPIV3Schema` for `apiVersion` (`group/version`) and `kind`, if a CRD serves it.
pub fn for_resource(api_version: &str, kind: &str) -> Option<&'static Value> {
    let (group, version) = api_version.split_once('/')?;
    let crd = crds()
        .iter()
        .find(|crd| crd["spec"]["group"] == group && crd["spec"]["names"]["kind"] == kind)?;
    crd["spec"]["versions"]
        .as_array()?
        .iter()
        .find(|v| v["name"] == version)
        .map(|v| &v["schema"]["openAPIV3Schema"])
}

/// Checks a whole object; apiVersion, kind and metadata are the API server's, not the CRD's.
pub fn check(schema: &Value, object: &Value, report: &mut Report) {
    let Some(map) = object.as_object() else {
        report.error("", "Invalid value: the document is not an object");
        return;
    };
    for (key, value) in map {
        match key.as_str() {
            "apiVersion" | "kind" => {}
            "metadata" => {
                if !value.is_object() {
                    report.error("metadata", type_error("metadata", "object", value));
                }
            }
            _ => match schema["properties"].get(key) {
                Some(sub) => walk(sub, value, key, report),
                None => report.error(key.clone(), format!("unknown field {key:?}")),
            },
        }
    }
}

/// A copy of `object` without what the schema rejects (unknown fields, values of the wrong
/// type), so that Istio's rules can still run on the rest after a schema error.
pub fn prune(schema: &Value, object: &Value) -> Value {
    let Some(map) = object.as_object() else {
        return object.clone();
    };
    let mut out = serde_json::Map::new();
    for (key, value) in map {
        match key.as_str() {
            "apiVersion" | "kind" | "metadata" => {
                out.insert(key.clone(), value.clone());
            }
            _ => {
                if let Some(sub) = schema["properties"].get(key)
                    && let Some(kept) = prune_value(sub, value)
                {
                    out.insert(key.clone(), kept);
                }
            }
        }
    }
    Value::Object(out)
}

fn prune_value(schema: &Value, value: &Value) -> Option<Value> {
    if schema["x-kubernetes-int-or-string"] == true
        || (value.is_null() && schema["nullable"] == true)
    {
        return Some(value.clone());
    }
    if let Some(expected) = schema["type"].as_str()
        && !type_matches(expected, value)
    {
        return None;
    }
    match value {
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .filter_map(|item| prune_value(&schema["items"], item))
                .collect(),
        )),
        Value::Object(map) => {
            let preserve = schema["x-kubernetes-preserve-unknown-fields"] == true;
            let mut out = serde_json::Map::new();
            for (key, item) in map {
                let sub = match schema["properties"].get(key) {
                    Some(sub) => sub,
                    None if schema["additionalProperties"].is_object() => {
                        &schema["additionalProperties"]
                    }
                    None if preserve || !schema["properties"].is_object() => {
                        out.insert(key.clone(), item.clone());
                        continue;
                    }
                    None => continue,
                };
                if let Some(kept) = prune_value(sub, item) {
                    out.insert(key.clone(), kept);
                }
            }
            Some(Value::Object(out))
        }
        _ => Some(value.clone()),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_error(path: &str, expected: &str, value: &Value) -> String {
    let actual = json_type(value);
    format!("Invalid value: {actual:?}: {path} in body must be of type {expected}: {actual:?}")
}

fn type_matches(expected: &str, value: &Value) -> bool {
    match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => true,
    }
}

fn walk(schema: &Value, value: &Value, path: &str, report: &mut Report) {
    if value.is_null() && schema["nullable"] == true {
        return;
    }
    if schema["x-kubernetes-int-or-string"] == true {
        if !(value.is_string() || value.is_i64() || value.is_u64()) {
            report.error(path, type_error(path, "integer or string", value));
        }
        return;
    }
    if let Some(expected) = schema["type"].as_str()
        && !type_matches(expected, value)
    {
        report.error(path, type_error(path, expected, value));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        let list: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
        report.error(
            path,
            format!(
                "Unsupported value: {value}: supported values: {}",
                list.join(", ")
            ),
        );
    }
    match value {
        Value::String(s) => {
            if let Some(max) = schema["maxLength"].as_u64()
                && s.len() as u64 > max
            {
                report.error(path, format!("Too long: may not be more than {max} bytes"));
            }
        }
        Value::Number(n) => bounds(schema, n, path, report),
        Value::Array(items) => {
            sizes(
                schema,
                items.len(),
                "minItems",
                "maxItems",
                "items",
                path,
                report,
            );
            for (i, item) in items.iter().enumerate() {
                walk(&schema["items"], item, &format!("{path}[{i}]"), report);
            }
        }
        Value::Object(map) => {
            sizes(
                schema,
                map.len(),
                "minProperties",
                "maxProperties",
                "properties",
                path,
                report,
            );
            for required in schema["required"].as_array().into_iter().flatten() {
                if let Some(name) = required.as_str()
                    && !map.contains_key(name)
                {
                    report.error(format!("{path}.{name}"), "Required value");
                }
            }
            let preserve = schema["x-kubernetes-preserve-unknown-fields"] == true;
            for (key, item) in map {
                let sub_path = format!("{path}.{key}");
                if let Some(sub) = schema["properties"].get(key) {
                    walk(sub, item, &sub_path, report);
                } else if schema["additionalProperties"].is_object() {
                    walk(&schema["additionalProperties"], item, &sub_path, report);
                } else if !preserve && schema["properties"].is_object() {
                    report.error(sub_path.clone(), format!("unknown field {sub_path:?}"));
                }
            }
        }
        _ => {}
    }
    for rule in schema["x-kubernetes-validations"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let text = rule["rule"].as_str().unwrap_or_default();
        let message = rule["message"].as_str().unwrap_or("failed rule");
        if let Some(false) = cel(text, value) {
            report.error(
                path,
                format!("Invalid value: {:?}: {message}", json_type(value)),
            );
        }
    }
}

fn bounds(schema: &Value, n: &serde_json::Number, path: &str, report: &mut Report) {
    let Some(v) = n.as_f64() else { return };
    let shown = n.to_string();
    if let Some(max) = schema["maximum"].as_f64()
        && v > max
    {
        report.error(
            path,
            format!(
                "Invalid value: {shown}: {path} in body should be less than or equal to {}",
                schema["maximum"]
            ),
        );
    }
    if let Some(min) = schema["minimum"].as_f64()
        && v < min
    {
        report.error(
            path,
            format!(
                "Invalid value: {shown}: {path} in body should be greater than or equal to {}",
                schema["minimum"]
            ),
        );
    }
    if schema["format"] == "int32" && (v < f64::from(i32::MIN) || v > f64::from(i32::MAX)) {
        report.error(
            path,
            format!("Invalid value: {shown}: {path} in body must be of type int32: \"{shown}\""),
        );
    }
}

fn sizes(
    schema: &Value,
    len: usize,
    min_key: &str,
    max_key: &str,
    noun: &str,
    path: &str,
    report: &mut Report,
) {
    let len = len as u64;
    if let Some(min) = schema[min_key].as_u64()
        && len < min
    {
        report.error(
            path,
            format!("Invalid value: {len}: {path} in body should have at least {min} {noun}"),
        );
    }
    if let Some(max) = schema[max_key].as_u64()
        && len > max
    {
        report.error(
            path,
            format!("Too many: {len}: must have at most {max} items"),
        );
    }
}

/// Evaluates the CEL rules Istio's CRDs use for these kinds: `Some(passed)` for a rule this
/// checker knows, `None` for others (left to the API server, e.g. duration bounds).
fn cel(rule: &str, value: &Value) -> Option<bool> {
    let keys = || value.as_object().into_iter().flat_map(|m| m.keys());
    match rule {
        r#"!self.contains("*")"# => return Some(!value.as_str()?.contains('*')),
        r#"self.all(key, !key.contains("*"))"# => return Some(keys().all(|k| !k.contains('*'))),
        "self.all(key, key.size() != 0)" => return Some(keys().all(|k| !k.is_empty())),
        "self.all(key, 0 < int(key) && int(key) <= 65535)" => {
            return Some(keys().all(|k| k.parse::<i64>().is_ok_and(|p| (1..=65535).contains(&p))));
        }
        _ => {}
    }
    if rule.starts_with("has(self.portLevelMtls) ?") {
        let labels = value["selector"]["matchLabels"]
            .as_object()
            .map_or(0, |m| m.len());
        return Some(value.get("portLevelMtls").is_none() || labels > 0);
    }
    // "(has(self.a) ? 1 : 0) + (has(self.b) ? 1 : 0) <= 1": at most one of the fields is set.
    let body = rule.strip_suffix("<= 1")?.trim();
    let mut count = 0;
    for term in body.split(" + ") {
        let field = term
            .trim()
            .strip_prefix("(has(self.")?
            .strip_suffix(") ? 1 : 0)")?;
        if value.get(field).is_some_and(|v| !v.is_null()) {
            count += 1;
        }
    }
    Some(count <= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_crds_parse_and_serve_both_kinds() {
        assert!(for_resource("networking.istio.io/v1", "Sidecar").is_some());
        assert!(for_resource("networking.istio.io/v1alpha3", "Sidecar").is_some());
        assert!(for_resource("security.istio.io/v1", "PeerAuthentication").is_some());
        assert!(for_resource("security.istio.io/v1alpha3", "PeerAuthentication").is_none());
    }

    #[test]
    fn embedded_json_is_the_shipped_crd_yaml_without_descriptions() {
        let yaml = include_str!("../crds/istio-sidecar-peerauthentication.crd.yaml");
        let documents =
            crate::k8s::yaml::read_documents(yaml).expect("the shipped CRD YAML parses");
        let expected = without_descriptions(&Value::Array(documents));
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/mesh/crds/istio-sidecar-peerauthentication.crd.json"
        );
        if std::env::var("MESHTLS_BLESS").is_ok_and(|v| v == "1") {
            let json = serde_json::to_string(&expected).expect("JSON") + "\n";
            std::fs::write(path, json).expect("writing the CRD JSON");
        }
        let embedded: Value =
            serde_json::from_str(CRDS_JSON).expect("the embedded CRD JSON parses");
        assert!(
            embedded == expected,
            "{path} is stale: run `MESHTLS_BLESS=1 cargo test --lib embedded_json` and rebuild"
        );
    }

    #[test]
    fn one_of_rules_are_counted() {
        let rule = "(has(self.tlsCertificates) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1";
        assert_eq!(
            cel(
                rule,
                &serde_json::json!({"tlsCertificates": [], "credentialNames": []})
            ),
            Some(false)
        );
        assert_eq!(
            cel(rule, &serde_json::json!({"credentialNames": []})),
            Some(true)
        );
        assert_eq!(
            cel(
                "duration(self) >= duration('1ms')",
                &serde_json::json!("1s")
            ),
            None
        );
    }
}
