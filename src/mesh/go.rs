//! Go's parsing rules where Istio reads a value with Go: `strconv.ParseBool` for istiod's
//! environment flags.
/// Go's `strconv.ParseBool`: `1 t T TRUE true True` and `0 f F FALSE false False`, else None.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}
