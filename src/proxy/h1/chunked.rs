//! The chunked transfer coding (RFC 9112 §7.1): an incremental decoder for the app's responses,
//! strict about framing, and the encoder for what we send on. Trailers are read and dropped.
use std::io::Write;

use bytes::{Buf, BytesMut};

/// Longest chunk-size line, extensions included.
const MAX_LINE: usize = 4096;
/// Most trailer bytes we read past.
const MAX_TRAILERS: usize = 16 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the app's chunked body is malformed: {0}")]
pub struct ChunkError(&'static str);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Size,
    Data(u64),
    DataEnd,
    Trailers(usize),
    Done,
}

#[derive(Debug)]
pub enum Step {
    /// The first this many bytes of the buffer are body; the caller must use, then consume them.
    Data(usize),
    NeedMore,
    Done,
}

#[derive(Debug)]
pub struct Decoder {
    state: State,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder { state: State::Size }
    }
}

impl Decoder {
    /// The next piece of body from `buf`; framing bytes are consumed as they are decoded.
    pub fn step(&mut self, buf: &mut BytesMut) -> Result<Step, ChunkError> {
        loop {
            match self.state {
                State::Size => {
                    let Some(line) = take_line(buf, MAX_LINE)? else {
                        return Ok(Step::NeedMore);
                    };
                    let size = chunk_size(&line)?;
                    self.state = if size == 0 {
                        State::Trailers(0)
                    } else {
                        State::Data(size)
                    };
                }
                State::Data(left) => {
                    if buf.is_empty() {
                        return Ok(Step::NeedMore);
                    }
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
                    let left = left - n as u64;
                    self.state = if left == 0 {
                        State::DataEnd
                    } else {
                        State::Data(left)
                    };
                    return Ok(Step::Data(n));
                }
                State::DataEnd => {
                    if buf.len() < 2 {
                        return Ok(Step::NeedMore);
                    }
                    if &buf[..2] != b"\r\n" {
                        return Err(ChunkError("no CRLF after chunk data"));
                    }
                    buf.advance(2);
                    self.state = State::Size;
                }
                State::Trailers(seen) => {
                    let Some(line) = take_line(buf, MAX_TRAILERS.saturating_sub(seen))? else {
                        return Ok(Step::NeedMore);
                    };
                    if line.is_empty() {
                        self.state = State::Done;
                    } else if is_field_line(&line) {
                        self.state = State::Trailers(seen + line.len() + 2);
                    } else {
                        return Err(ChunkError("a trailer line is not a header field"));
                    }
                }
                State::Done => return Ok(Step::Done),
            }
        }
    }
}

/// One CRLF-terminated line (without the CRLF), or `None` if it has not all arrived yet.
fn take_line(buf: &mut BytesMut, limit: usize) -> Result<Option<BytesMut>, ChunkError> {
    match buf.iter().position(|&b| b == b'\n') {
        Some(at) if at > limit => Err(ChunkError("line too long")),
        Some(0) => Err(ChunkError("bare LF")),
        Some(at) if buf[at - 1] != b'\r' => Err(ChunkError("bare LF")),
        Some(at) => {
            let mut line = buf.split_to(at + 1);
            line.truncate(at - 1);
            if line.contains(&b'\r') {
                return Err(ChunkError("bare CR"));
            }
            Ok(Some(line))
        }
        None if buf.len() > limit => Err(ChunkError("line too long")),
        None => Ok(None),
    }
}

/// `token ":" …`: a trailer line that is a header field.
fn is_field_line(line: &[u8]) -> bool {
    match line.iter().position(|&b| b == b':') {
        Some(colon) if colon > 0 => line[..colon]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)),
        _ => false,
    }
}

/// `1*HEXDIG [ BWS ";" extensions ]`; at most 16 hex digits.
fn chunk_size(line: &[u8]) -> Result<u64, ChunkError> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 || digits > 16 {
        return Err(ChunkError("bad chunk size"));
    }
    let rest = line[digits..].trim_ascii_start();
    if !rest.is_empty() && rest[0] != b';' {
        return Err(ChunkError("bad chunk size"));
    }
    if rest.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(ChunkError("control byte in a chunk extension"));
    }
    let hex = std::str::from_utf8(&line[..digits]).map_err(|_| ChunkError("bad chunk size"))?;
    u64::from_str_radix(hex, 16).map_err(|_| ChunkError("bad chunk size"))
}

/// Appends `data` as one chunk.
pub fn encode(out: &mut Vec<u8>, data: &[u8]) {
    if data.is_empty() {
        return;
    }
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{:x}\r\n", data.len());
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

/// The last chunk, with no trailers.
pub const LAST: &[u8] = b"0\r\n\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `input` fed in pieces of `size` bytes.
    fn decode(input: &[u8], size: usize) -> Result<(Vec<u8>, bool), ChunkError> {
        let mut decoder = Decoder::default();
        let mut buf = BytesMut::new();
        let mut body = Vec::new();
        for piece in input.chunks(size) {
            buf.extend_from_slice(piece);
            loop {
                match decoder.step(&mut buf)? {
                    Step::Data(n) => {
                        body.extend_from_slice(&buf[..n]);
                        buf.advance(n);
                    }
                    Step::NeedMore => break,
                    Step::Done => return Ok((body, buf.is_empty())),
                }
            }
        }
        Ok((body, false))
    }

    #[test]
    fn decodes_at_every_split_and_stops_at_the_end() {
        let input = b"5;ext=1\r\nhello\r\nA \r\n, world!!!\r\n0\r\nx-trailer: 1\r\n\r\n";
        for size in 1..=input.len() {
            assert_eq!(
                decode(input, size),
                Ok((b"hello, world!!!".to_vec(), true)),
                "size {size}"
            );
        }
        let (_, nothing_left) = decode(b"0\r\n\r\nGET", 64).expect("decodes");
        assert!(!nothing_left, "bytes after the body stay in the buffer");
    }

    #[test]
    fn malformed_framing_is_an_error() {
        for input in [
            &b"5\nhello\r\n0\r\n\r\n"[..],
            b"5\r\nhelloX\r\n0\r\n\r\n",
            b"g\r\n",
            b"\r\n",
            b"11111111111111111\r\n",
            b"5 x\r\n",
            b"5;a\rb\r\n",
            b"0\r\nx: 1\n\r\n",
            b"0\r\nbogus\r\n\r\n",
            b"0\r\nx y: 1\r\n\r\n",
        ] {
            assert!(
                decode(input, 64).is_err(),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        let long = vec![b'a'; MAX_LINE + 10];
        assert!(decode(&long, 64).is_err());
    }

    /// A trailer line that ends at the limit took `seen` one past it, and the next line's limit
    /// underflowed: a panic with overflow checks, no limit at all without. Found while writing
    /// the `h1_chunked` fuzz target.
    #[test]
    fn trailers_past_the_limit_are_an_error_not_a_panic() {
        let mut input = b"0\r\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_TRAILERS - 1));
        input.extend_from_slice(b"\r\n\r\n");
        input[3..6].copy_from_slice(b"t: ");
        for size in [1, 7, input.len()] {
            assert_eq!(
                decode(&input, size),
                Err(ChunkError("line too long")),
                "size {size}"
            );
        }
    }

    #[test]
    fn encodes_chunks_and_skips_empty_ones() {
        let mut out = Vec::new();
        encode(&mut out, b"hello, world!!!");
        encode(&mut out, b"");
        out.extend_from_slice(LAST);
        assert_eq!(out, b"f\r\nhello, world!!!\r\n0\r\n\r\n");
    }
}
