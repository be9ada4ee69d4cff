//! Go's standard library where Istio reads a value with Go or prints Go's messages:
//! `net.SplitHostPort`, `strconv.Atoi`, `strconv.ParseBool` (istiod's environment flags) and `%v`.
use std::collections::BTreeSet;

/// Go's `net.SplitHostPort`, with its error text.
pub fn split_host_port(hostport: &str) -> Result<(&str, &str), String> {
    let err = |why: &str| Err(format!("address {hostport}: {why}"));
    let Some(i) = hostport.rfind(':') else {
        return err("missing port in address");
    };
    let (host, j, k);
    if hostport.starts_with('[') {
        let Some(end) = hostport.find(']') else {
            return err("missing ']' in address");
        };
        if end + 1 == hostport.len() {
            return err("missing port in address");
        } else if end + 1 != i {
            if hostport.as_bytes()[end + 1] == b':' {
                return err("too many colons in address");
            }
            return err("missing port in address");
        }
        host = &hostport[1..end];
        (j, k) = (1, end + 1);
    } else {
        host = &hostport[..i];
        if host.contains(':') {
            return err("too many colons in address");
        }
        (j, k) = (0, 0);
    }
    if hostport[j..].contains('[') {
        return err("unexpected '[' in address");
    }
    if hostport[k..].contains(']') {
        return err("unexpected ']' in address");
    }
    Ok((host, &hostport[i + 1..]))
}

/// Go's `strconv.Atoi` for a port, with its error text.
pub fn atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.Atoi: parsing {s:?}: invalid syntax"));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {s:?}: value out of range"))
}

/// Go's `strconv.ParseBool`, as istiod reads its environment: exactly these spellings, anything
/// else is an error (`None`).
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `%v` of a sorted string list: `[a b c]`.
pub fn go_list(items: &BTreeSet<&str>) -> String {
    format!("[{}]", items.iter().copied().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_host_port_like_go() {
        assert_eq!(split_host_port("0.0.0.0:80"), Ok(("0.0.0.0", "80")));
        assert_eq!(split_host_port("[::1]:80"), Ok(("::1", "80")));
        assert_eq!(
            split_host_port("localhost"),
            Err("address localhost: missing port in address".into())
        );
        assert_eq!(
            split_host_port("::1:80"),
            Err("address ::1:80: too many colons in address".into())
        );
    }

    #[test]
    fn atoi_like_go() {
        assert_eq!(atoi("80"), Ok(80));
        assert_eq!(
            atoi(""),
            Err("strconv.Atoi: parsing \"\": invalid syntax".into())
        );
    }

    #[test]
    fn parse_bool_like_go() {
        for text in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_bool(text), Some(true), "{text}");
        }
        for text in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_bool(text), Some(false), "{text}");
        }
        for text in ["", "yes", "on", "tRUE", "TRue", " true", "2"] {
            assert_eq!(parse_bool(text), None, "{text}");
        }
    }
}
