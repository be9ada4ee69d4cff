//! Kubernetes name rules (apimachinery's `validation`): DNS-1123 labels and subdomains, and
//! label values. Used by render's parameter check and by Istio's port-name rule.
/// Kubernetes' DNS-1123 label: 1-63 of [a-z0-9-], alphanumeric at both ends.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Kubernetes' label value: empty, or up to 63 of [A-Za-z0-9-_.], alphanumeric at both ends.
pub fn is_label_value(s: &str) -> bool {
    let b = s.as_bytes();
    b.is_empty()
        || (b.len() <= 63
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric())
}

/// Kubernetes' DNS-1123 subdomain: dot-separated labels, at most 253 characters.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_like_kubernetes() {
        assert!(is_dns1123_label("http-web"));
        for bad in ["", "Web", "-a", "a-", "a.b", &"a".repeat(64)] {
            assert!(!is_dns1123_label(bad), "{bad}");
        }
        assert!(is_dns1123_subdomain("httpbin.test.svc"));
        assert!(!is_dns1123_subdomain("a..b"));
        assert!(is_label_value("") && is_label_value("V1_2.x"));
        assert!(!is_label_value("-v1"));
    }
}
