//! A YAML writer that prints JSON values the way kubectl does (sigs.k8s.io/yaml over go-yaml v2):
//! keys sorted, two-space indent, sequences flush with their key, and go-yaml's quoting rules.
use serde_json::Value;

/// Writes `value` as a YAML document, byte for byte as `kubectl … -o yaml` would.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
    out
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for key in keys {
        let value = &map[key.as_str()];
        push_indent(out, indent);
        // go-yaml writes a key of more than 128 bytes (or one over several lines) as an
        // explicit `? key` / `: value` pair, as kubectl's output shows.
        if key.len() > 128 || key.contains('\n') {
            out.push_str("? ");
            out.push_str(&quote_string(key));
            out.push('\n');
            push_indent(out, indent);
        } else {
            out.push_str(&quote_string(key));
        }
        out.push(':');
        write_value_after_key(out, value, indent);
    }
}

fn write_seq(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        push_indent(out, indent);
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                // The first key goes on the dash line; the rest align under it.
                let mut nested = String::new();
                write_map(&mut nested, map, indent + 2);
                out.push(' ');
                out.push_str(&nested[indent + 2..]);
            }
            Value::Array(inner) if !inner.is_empty() => {
                let mut nested = String::new();
                write_seq(&mut nested, inner, indent + 2);
                out.push(' ');
                out.push_str(&nested[indent + 2..]);
            }
            scalar => {
                out.push(' ');
                out.push_str(&scalar_text(scalar));
                out.push('\n');
            }
        }
    }
}

fn write_value_after_key(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, indent + 2);
        }
        // go-yaml v2 does not indent a sequence under its key.
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, indent);
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote_string(s),
        Value::Object(_) => "{}".to_string(),
        Value::Array(_) => "[]".to_string(),
    }
}

/// A string as go-yaml v2 writes it: plain when that reads back as the same string,
/// double-quoted when plain would read as another type, single-quoted when plain is not allowed.
pub fn quote_string(s: &str) -> String {
    if s.contains('\n') {
        // kubectl writes multi-line strings as literal blocks; we never emit them for Secrets,
        // so fall back to a double-quoted form that reads back the same.
        return serde_json::to_string(s).unwrap_or_default();
    }
    if !s.chars().all(is_printable) {
        return double_quoted(s);
    }
    if resolves_to_non_string(s) {
        return format!("\"{s}\"");
    }
    if plain_allowed(s) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

/// go-yaml v2's `is_printable`: a string with any other character is written double-quoted,
/// since no plain or single-quoted scalar may hold it.
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}'
        | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && c != '\u{feff}'
}

/// go-yaml v2's double-quoted style: its named escapes, else `\xXX`, `\uXXXX`, `\UXXXXXXXX`.
fn double_quoted(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        let named = match c {
            '\0' => "\\0",
            '\u{7}' => "\\a",
            '\u{8}' => "\\b",
            '\t' => "\\t",
            '\n' => "\\n",
            '\u{b}' => "\\v",
            '\u{c}' => "\\f",
            '\r' => "\\r",
            '\u{1b}' => "\\e",
            '"' => "\\\"",
            '\\' => "\\\\",
            '\u{85}' => "\\N",
            '\u{2028}' => "\\L",
            '\u{2029}' => "\\P",
            c if is_printable(c) => {
                out.push(c);
                continue;
            }
            // Writing to a String cannot fail.
            c if u32::from(c) <= 0xff => {
                let _ = write!(out, "\\x{:02X}", u32::from(c));
                continue;
            }
            c if u32::from(c) <= 0xffff => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
                continue;
            }
            c => {
                let _ = write!(out, "\\U{:08X}", u32::from(c));
                continue;
            }
        };
        out.push_str(named);
    }
    out.push('"');
    out
}

/// go-yaml v2's implicit resolution: would this plain scalar read as null, bool, int or float?
fn resolves_to_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF", "<<",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    // Our reader (serde-saphyr) takes YAML 1.1's booleans in any case (`tRue`, `oN`); go-yaml
    // only in the three spellings above. Quoting every case keeps what we write readable back
    // as the same string; kubectl writes those mixed-case ones plain.
    const BOOLEAN_WORDS: [&str; 8] = ["y", "yes", "true", "on", "n", "no", "false", "off"];
    if BOOLEAN_WORDS.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        return true;
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return false;
    }
    let plain = s.replace('_', "");
    looks_like_go_int(&plain)
        || looks_like_go_float(&plain)
        || is_base60_float(s)
        || is_timestamp(s)
}

/// go-yaml v2's `parseTimestamp`: `2006-1-2`, optionally followed by `T`/`t`/space and
/// `15:4:5[.frac]`, then (not after a space) `Z` or `±hh:mm`. kubectl quotes these.
fn is_timestamp(s: &str) -> bool {
    fn digits(s: &str, min: usize, max: usize) -> Option<&str> {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        (min..=max).contains(&n).then(|| &s[n..])
    }
    fn number(s: &str, min: usize, max: usize, sep: Option<char>) -> Option<&str> {
        let rest = digits(s, min, max)?;
        match sep {
            Some(c) => rest.strip_prefix(c),
            None => Some(rest),
        }
    }
    let date = number(s, 4, 4, Some('-'))
        .and_then(|r| number(r, 1, 2, Some('-')))
        .and_then(|r| number(r, 1, 2, None));
    let Some(rest) = date else { return false };
    if rest.is_empty() {
        return true;
    }
    let Some(sep) = rest.chars().next().filter(|c| matches!(c, 'T' | 't' | ' ')) else {
        return false;
    };
    let time = number(&rest[1..], 1, 2, Some(':'))
        .and_then(|r| number(r, 1, 2, Some(':')))
        .and_then(|r| number(r, 1, 2, None));
    let Some(mut rest) = time else { return false };
    if let Some(frac) = rest.strip_prefix('.') {
        let Some(after) = digits(frac, 1, 9) else {
            return false;
        };
        rest = after;
    }
    if sep == ' ' {
        return rest.is_empty();
    }
    rest == "Z"
        || rest
            .strip_prefix(['+', '-'])
            .and_then(|r| number(r, 2, 2, Some(':')))
            .and_then(|r| digits(r, 2, 2))
            == Some("")
}

/// Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint` syntax: `0x`, `0o` and `0b` prefixes in
/// either case, or a leading `0` for octal (kubectl quotes `0o4`, `0B1` and `+0o4`).
fn looks_like_go_int(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let prefixed =
        |lower: &str, upper: &str| digits.strip_prefix(lower).or(digits.strip_prefix(upper));
    let (body, radix) = if let Some(hex) = prefixed("0x", "0X") {
        (hex, 16)
    } else if let Some(oct) = prefixed("0o", "0O") {
        (oct, 8)
    } else if let Some(bin) = prefixed("0b", "0B") {
        (bin, 2)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (&digits[1..], 8)
    } else {
        (digits, 10)
    };
    !body.is_empty() && body.chars().all(|c| c.is_digit(radix))
}

/// Go's `strconv.ParseFloat` syntax for decimal floats (what yaml v2 falls back to).
fn looks_like_go_float(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int_part = parts.next().unwrap_or("");
    let frac_part = parts.next();
    let digits_ok = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    let has_digits = !int_part.is_empty() || frac_part.is_some_and(|f| !f.is_empty());
    let mantissa_ok = has_digits && digits_ok(int_part) && frac_part.is_none_or(digits_ok);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits_ok(e)
    });
    mantissa_ok && exponent_ok
}

/// YAML 1.1 sexagesimal floats like `190:20:30.15`, which go-yaml v2 quotes.
fn is_base60_float(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let Some((head, rest)) = body.split_once(':') else {
        return false;
    };
    let head_ok = !head.is_empty()
        && head.as_bytes()[0] != b'0'
        && head.chars().all(|c| c.is_ascii_digit() || c == '_');
    let mut segments: Vec<&str> = rest.split(':').collect();
    let last = segments.pop().unwrap_or("");
    let (last_int, last_frac) = last.split_once('.').unwrap_or((last, ""));
    let sexagesimal = |seg: &str| {
        let b = seg.as_bytes();
        (b.len() == 1 && b[0].is_ascii_digit())
            || (b.len() == 2 && (b'0'..=b'5').contains(&b[0]) && b[1].is_ascii_digit())
    };
    head_ok
        && segments.iter().all(|seg| sexagesimal(seg))
        && sexagesimal(last_int)
        && last_frac.chars().all(|c| c.is_ascii_digit() || c == '_')
}

/// libyaml's test for a plain scalar in block context.
fn plain_allowed(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes[0].is_ascii_whitespace() || bytes[bytes.len() - 1].is_ascii_whitespace() {
        return false;
    }
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let first = bytes[0];
    let followed_by_space = |i: usize| bytes.get(i + 1).is_none_or(|b| *b == b' ');
    if matches!(
        first,
        b'#' | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    ) {
        return false;
    }
    if matches!(first, b'?' | b':' | b'-') && followed_by_space(0) {
        return false;
    }
    for (i, &b) in bytes.iter().enumerate() {
        if b == b':' && followed_by_space(i) {
            return false;
        }
        if b == b'#' && i > 0 && bytes[i - 1] == b' ' {
            return false;
        }
        if b < 0x20 || b == 0x7f {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A control character was single-quoted, which no YAML reader accepts: what `-o yaml`
    /// wrote did not read back. Found by `fuzz/run.sh yaml` (`fuzz/regressions/yaml/`).
    #[test]
    fn keys_over_128_bytes_are_explicit_as_go_yaml_writes_them() {
        // `kubectl create secret generic s --from-literal=<129 a>=v --dry-run=client -o yaml`.
        let long = "a".repeat(129);
        let value = serde_json::json!({"data": {long.clone(): "dg==", "b".repeat(128): "dg=="}});
        let text = to_string(&value);
        assert!(text.contains(&format!("  ? {long}\n  : dg==\n")), "{text}");
        assert!(
            text.contains(&format!("  {}: dg==\n", "b".repeat(128))),
            "{text}"
        );
        let back = crate::k8s::yaml::read_documents(&text).unwrap();
        assert_eq!(back[0], value);
    }

    #[test]
    fn control_characters_are_escaped_in_double_quotes() {
        assert_eq!(quote_string("a\u{8}b"), "\"a\\bb\"");
        assert_eq!(quote_string("\ta\u{7f}\u{feff}"), "\"\\ta\\x7F\\uFEFF\"");
        assert_eq!(quote_string("x\"\\\u{1b}"), "\"x\\\"\\\\\\e\"");
        for s in [
            "a\u{8}b",
            "\u{0}",
            "\t x",
            "a\u{7f}\u{85}\u{9f}\u{2028}",
            "\u{feff}1",
            "\u{1b}[0m",
        ] {
            let value = serde_json::json!({ "k": s });
            let back = crate::k8s::yaml::read_documents(&to_string(&value)).expect("reads back");
            assert_eq!(back, [value], "{s:?}");
        }
    }

    #[test]
    fn quotes_like_go_yaml() {
        assert_eq!(quote_string("abc"), "abc");
        assert_eq!(quote_string("1234"), "\"1234\"");
        assert_eq!(quote_string("0x1F"), "\"0x1F\"");
        // Each as `kubectl create configmap --from-literal=a=… -o yaml` writes it.
        for quoted in [
            "0o4", "0O4", "+0o4", "-0b1", "0B1", "0x_1", "1_000", "1_0.5",
        ] {
            assert_eq!(quote_string(quoted), format!("\"{quoted}\""), "{quoted}");
        }
        assert_eq!(quote_string("0o8"), "0o8");
        // Mixed-case booleans read back as booleans with our reader: quoted.
        for word in ["tRue", "oN", "yEs", "OfF", "nO"] {
            assert_eq!(quote_string(word), format!("\"{word}\""), "{word}");
        }
        assert_eq!(quote_string("yess"), "yess");
        assert_eq!(quote_string("0o"), "0o");
        assert_eq!(quote_string("1e10"), "\"1e10\"");
        assert_eq!(quote_string("true"), "\"true\"");
        assert_eq!(quote_string("on"), "\"on\"");
        assert_eq!(quote_string(""), "\"\"");
        assert_eq!(quote_string("1:20"), "\"1:20\"");
        assert_eq!(quote_string("a: b"), "'a: b'");
        assert_eq!(quote_string("@x"), "'@x'");
        assert_eq!(quote_string("it's"), "it's");
        assert_eq!(quote_string("LS0tLS1CRUdJTg=="), "LS0tLS1CRUdJTg==");
        assert_eq!(quote_string("+abc"), "+abc");
        assert_eq!(quote_string("1.2.3"), "1.2.3");
        assert_eq!(
            quote_string("2026-11-28T10:00:00.123Z"),
            "\"2026-11-28T10:00:00.123Z\""
        );
        assert_eq!(quote_string("2026-11-28"), "\"2026-11-28\"");
        assert_eq!(
            quote_string("2026-11-28T10:00:00+02:00"),
            "\"2026-11-28T10:00:00+02:00\""
        );
        assert_eq!(
            quote_string("2026-11-28T10:00:00Z/1"),
            "2026-11-28T10:00:00Z/1"
        );
    }

    #[test]
    fn nested_maps_and_sequences() {
        let value = serde_json::json!({"b": [{"x": 1, "a": "s"}, "t"], "a": {"k": null}});
        assert_eq!(
            to_string(&value),
            "a:\n  k: null\nb:\n- a: s\n  x: 1\n- t\n"
        );
    }
}
