//! Input as messages may quote it: a short excerpt at most, and never anything that looks like
//! key material (`[redacted]`). Every path that puts a parser's text (serde, YAML, the schemas,
//! config dumps) into an error or a finding goes through [`message`] once.

/// A parser's error with its text made safe by [`message`]. It keeps no source: the source's
/// own text is what quoted the input whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SafeError(String);

impl SafeError {
    pub fn new(error: &impl std::fmt::Display) -> SafeError {
        SafeError(message(&error.to_string()))
    }
}

/// What replaces anything that looks like key material.
pub const REDACTED: &str = "[redacted]";

/// The most characters of one quoted value a message keeps (the excerpt is shorter).
const MAX_QUOTE: usize = 80;
/// The characters an excerpt keeps of a longer value.
const EXCERPT: usize = 64;
/// The most bytes of one value shown on its own (a name).
const MAX_VALUE: usize = 512;
/// The most bytes of a whole message (a safety net behind the per-value limit).
const MAX_MESSAGE: usize = 480;
/// Runs of this many base64 characters, in both cases and with a digit, `+` or `/`, are taken
/// for key material: a DER key's base64 body, or a PEM file base64-encoded as in a Secret's
/// `data`. (A 64-character line of random base64 misses one of those with odds below 1e-4; file
/// paths and names, lowercase or broken by `-`, `.` and `_`, do not match.)
const BASE64_RUN: usize = 24;

/// A value from the input (a name, a kind) as a message or a table shows it: `[redacted]` if it
/// looks like key material, else itself with control characters escaped, cut when huge (names
/// may be long: Envoy's are file paths).
pub fn value(text: &str) -> String {
    if looks_like_key_material(text) {
        return REDACTED.to_string();
    }
    let shown = if text.chars().any(char::is_control) {
        text.chars().flat_map(char::escape_default).collect()
    } else {
        text.to_string()
    };
    if shown.len() <= MAX_VALUE {
        return shown;
    }
    format!("{}… ({} bytes)", head_bytes(&shown, MAX_VALUE), text.len())
}

/// A parser's message made safe to print: every quoted value (`"…"` or `` `…` ``) is cut to an
/// excerpt or redacted, key material outside quotes is redacted, and the whole is capped.
pub fn message(text: &str) -> String {
    message_within(text, MAX_MESSAGE)
}

/// [`message`] with a cap of `max` bytes, for messages of our own making that quote input
/// (analyzer findings run longer than a parser's one line).
pub fn message_within(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_MESSAGE + 16));
    let mut rest = text;
    while let Some(start) = rest.find(['"', '`']) {
        out.push_str(&sweep(&rest[..start]));
        let quote = rest.as_bytes()[start];
        let body_start = start + 1;
        let end = closing(&rest[body_start..], quote).map(|e| body_start + e);
        let body = &rest[body_start..end.unwrap_or(rest.len())];
        out.push(char::from(quote));
        out.push_str(&quoted(body));
        match end {
            Some(end) => {
                out.push(char::from(quote));
                rest = &rest[end + 1..];
            }
            None => rest = "",
        }
        if out.len() > max * 2 {
            break;
        }
    }
    out.push_str(&sweep(rest));
    cap(&out, max)
}

/// Whether `text` holds anything that looks like key material: the words `PRIVATE KEY` (PEM
/// armour of any key encoding) or a long base64 run (a key's body, or a PEM file in base64).
pub fn looks_like_key_material(text: &str) -> bool {
    text.contains("PRIVATE KEY") || base64_runs(text).next().is_some()
}

/// Whether a string from a config dump or a manifest holds a private key: PEM armour, or
/// base64 (as `inline_bytes` and Secret `data` hold it) whose decoding has PEM armour.
pub fn holds_private_key(text: &str) -> bool {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    if text.contains("PRIVATE KEY") {
        return true;
    }
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    [&STANDARD, &STANDARD_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(&compact).ok())
        .is_some_and(|bytes| String::from_utf8_lossy(&bytes).contains("PRIVATE KEY"))
}

/// The byte ranges of base64 runs long and varied enough to be taken for key material.
fn base64_runs(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if !is_base64(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && is_base64(bytes[i]) {
                i += 1;
            }
            let run = &bytes[start..i];
            let any = |f: fn(&u8) -> bool| run.iter().any(f);
            if run.len() >= BASE64_RUN
                && any(u8::is_ascii_uppercase)
                && any(u8::is_ascii_lowercase)
                && any(|b| b.is_ascii_digit() || *b == b'+' || *b == b'/')
            {
                return Some((start, i));
            }
        }
        None
    })
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
}

/// The end of a quoted body: the next unescaped `"` (serde and JSON escape with `\`), or the
/// next backtick.
fn closing(body: &str, quote: u8) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b if b == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// One quoted value: redacted whole if any of it looks like key material or is PEM at all,
/// else an excerpt.
fn quoted(body: &str) -> String {
    if looks_like_key_material(body) || body.contains("-----BEGIN") {
        REDACTED.to_string()
    } else {
        excerpt(body)
    }
}

/// Text outside quotes: lines with `PRIVATE KEY` and key-like base64 runs are redacted.
fn sweep(text: &str) -> String {
    if !looks_like_key_material(text) {
        return text.to_string();
    }
    // Line by line: a line with the words is dropped whole, runs are cut out.
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.contains("PRIVATE KEY") {
            out.push_str(REDACTED);
            continue;
        }
        let mut last = 0;
        for (start, end) in base64_runs(line) {
            out.push_str(&line[last..start]);
            out.push_str(REDACTED);
            last = end;
        }
        out.push_str(&line[last..]);
    }
    // Consecutive redacted lines say so once.
    let twice = format!("{REDACTED}\n{REDACTED}");
    while out.contains(&twice) {
        out = out.replace(&twice, REDACTED);
    }
    out
}

/// `text` itself when short, else its first characters, `…` and its size.
fn excerpt(text: &str) -> String {
    if text.chars().count() <= MAX_QUOTE {
        return text.to_string();
    }
    let head: String = text.chars().take(EXCERPT).collect();
    format!("{head}… ({} bytes)", text.len())
}

/// At most `max` bytes of `text` (whole characters), with `…` when cut: bytes, not characters,
/// so that input of wide characters makes no longer a message.
fn cap(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut out = head_bytes(text, max).to_string();
    out.push('…');
    out
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn head_bytes(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgif/hoyL84nAt1iIe\n-----END PRIVATE KEY-----\n";

    #[test]
    fn a_quoted_key_is_redacted_and_the_rest_kept() {
        let serde = format!("invalid type: string {KEY:?}, expected struct SidecarPort");
        assert_eq!(
            message(&serde),
            "invalid type: string \"[redacted]\", expected struct SidecarPort"
        );
        let field = format!("unknown field `{KEY}`, expected `port`");
        assert_eq!(
            message(&field),
            "unknown field `[redacted]`, expected `port`"
        );
    }

    #[test]
    fn unquoted_key_material_is_redacted() {
        let path = format!("spec.portLevelMtls.{KEY}");
        let shown = message(&path);
        assert!(
            !shown.contains("PRIVATE KEY") && !shown.contains("MIGHAgEA"),
            "{shown}"
        );
        let b64 = "data: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JR0g= is not valid";
        assert_eq!(message(b64), "data: [redacted] is not valid");
    }

    #[test]
    fn long_values_become_excerpts_and_messages_are_capped() {
        let huge = format!(
            "invalid type: string \"{}\", expected u16",
            "A".repeat(1 << 20)
        );
        let shown = message(&huge);
        assert!(shown.len() < 200, "{}", shown.len());
        assert!(
            shown.ends_with("… (1048576 bytes)\", expected u16"),
            "{shown}"
        );
        assert!(message(&"x ".repeat(10_000)).chars().count() <= MAX_MESSAGE + 1);
        // Wide characters do not stretch it: the cap is in bytes.
        let wide = format!(
            "unknown field `{}`x`{}`",
            "\u{fffd}".repeat(400),
            "\u{fffd}".repeat(400)
        );
        assert!(message(&wide).len() <= MAX_MESSAGE + '…'.len_utf8());
        assert!(value(&"\u{fffd}".repeat(1000)).len() < 600);
    }

    #[test]
    fn ordinary_messages_are_unchanged() {
        for text in [
            "invalid type: map, expected a base64-encoded string",
            "unknown field `credentialName`, expected one of `mode`, `serverCertificate`",
            "Invalid value: \"string\": spec.ingress[0].port in body must be of type object: \"string\"",
            "Invalid symbol 10, offset 240.",
            "unterminated \"quote at the end",
            "unknown field \"spec.ingress[0].tls.caCertificates\"",
            "a private key does not match its certificate",
            "no PEM data found; expected -----BEGIN CERTIFICATE-----",
        ] {
            assert_eq!(message(text), text);
        }
        assert_eq!(value("httpbin-credential"), "httpbin-credential");
        assert_eq!(value(KEY), REDACTED);
        assert_eq!(value("a\nb"), "a\\nb");
    }
}
