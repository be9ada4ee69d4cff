//! HPACK header compression for HTTP/2 (RFC 7541): a decoder for the header blocks the peer
//! sends, which treats every byte as hostile, and an encoder for our response and trailer blocks.

use std::collections::VecDeque;
use std::fmt;

use super::huffman;

/// A header block the peer sent could not be decoded: an HTTP/2 COMPRESSION_ERROR.
///
/// The text says what was wrong, for a debug log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError(pub &'static str);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HPACK decoding failed: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

/// What decoding a header block found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded {
    /// The size of the decoded header list: name + value + 32 for each field (RFC 7541 §4.1),
    /// saturating at `usize::MAX`.
    pub list_size: usize,
    /// `list_size` exceeded the limit, so the fields from the one that crossed it on were not
    /// passed on.
    pub over_limit: bool,
}

/// HPACK's initial dynamic table size, and the most our encoder uses whatever the peer allows.
const DEFAULT_TABLE_SIZE: usize = 4096;

/// What a table entry or header list field costs beyond its name and value (§4.1).
const ENTRY_OVERHEAD: usize = 32;

/// The static table (Appendix A); HPACK index `i` is `STATIC_TABLE[i - 1]`.
const STATIC_TABLE: [(&[u8], &[u8]); 61] = [
    (b":authority", b""),
    (b":method", b"GET"),
    (b":method", b"POST"),
    (b":path", b"/"),
    (b":path", b"/index.html"),
    (b":scheme", b"http"),
    (b":scheme", b"https"),
    (b":status", b"200"),
    (b":status", b"204"),
    (b":status", b"206"),
    (b":status", b"304"),
    (b":status", b"400"),
    (b":status", b"404"),
    (b":status", b"500"),
    (b"accept-charset", b""),
    (b"accept-encoding", b"gzip, deflate"),
    (b"accept-language", b""),
    (b"accept-ranges", b""),
    (b"accept", b""),
    (b"access-control-allow-origin", b""),
    (b"age", b""),
    (b"allow", b""),
    (b"authorization", b""),
    (b"cache-control", b""),
    (b"content-disposition", b""),
    (b"content-encoding", b""),
    (b"content-language", b""),
    (b"content-length", b""),
    (b"content-location", b""),
    (b"content-range", b""),
    (b"content-type", b""),
    (b"cookie", b""),
    (b"date", b""),
    (b"etag", b""),
    (b"expect", b""),
    (b"expires", b""),
    (b"from", b""),
    (b"host", b""),
    (b"if-match", b""),
    (b"if-modified-since", b""),
    (b"if-none-match", b""),
    (b"if-range", b""),
    (b"if-unmodified-since", b""),
    (b"last-modified", b""),
    (b"link", b""),
    (b"location", b""),
    (b"max-forwards", b""),
    (b"proxy-authenticate", b""),
    (b"proxy-authorization", b""),
    (b"range", b""),
    (b"referer", b""),
    (b"refresh", b""),
    (b"retry-after", b""),
    (b"server", b""),
    (b"set-cookie", b""),
    (b"strict-transport-security", b""),
    (b"transfer-encoding", b""),
    (b"user-agent", b""),
    (b"vary", b""),
    (b"via", b""),
    (b"www-authenticate", b""),
];

/// The HPACK index of the first static table entry named `name`. Entries that share a name
/// are adjacent, so the others follow it.
fn static_name_index(name: &[u8]) -> Option<usize> {
    let index = match name.len() {
        3 => match name {
            b"age" => 21,
            b"via" => 60,
            _ => return None,
        },
        4 => match name {
            b"date" => 33,
            b"etag" => 34,
            b"from" => 37,
            b"host" => 38,
            b"link" => 45,
            b"vary" => 59,
            _ => return None,
        },
        5 => match name {
            b":path" => 4,
            b"allow" => 22,
            b"range" => 50,
            _ => return None,
        },
        6 => match name {
            b"accept" => 19,
            b"cookie" => 32,
            b"expect" => 35,
            b"server" => 54,
            _ => return None,
        },
        7 => match name {
            b":method" => 2,
            b":scheme" => 6,
            b":status" => 8,
            b"expires" => 36,
            b"referer" => 51,
            b"refresh" => 52,
            _ => return None,
        },
        8 => match name {
            b"if-match" => 39,
            b"if-range" => 42,
            b"location" => 46,
            _ => return None,
        },
        10 => match name {
            b":authority" => 1,
            b"set-cookie" => 55,
            b"user-agent" => 58,
            _ => return None,
        },
        11 => match name {
            b"retry-after" => 53,
            _ => return None,
        },
        12 => match name {
            b"content-type" => 31,
            b"max-forwards" => 47,
            _ => return None,
        },
        13 => match name {
            b"accept-ranges" => 18,
            b"authorization" => 23,
            b"cache-control" => 24,
            b"content-range" => 30,
            b"if-none-match" => 41,
            b"last-modified" => 44,
            _ => return None,
        },
        14 => match name {
            b"accept-charset" => 15,
            b"content-length" => 28,
            _ => return None,
        },
        15 => match name {
            b"accept-encoding" => 16,
            b"accept-language" => 17,
            _ => return None,
        },
        16 => match name {
            b"content-encoding" => 26,
            b"content-language" => 27,
            b"content-location" => 29,
            b"www-authenticate" => 61,
            _ => return None,
        },
        17 => match name {
            b"if-modified-since" => 40,
            b"transfer-encoding" => 57,
            _ => return None,
        },
        18 => match name {
            b"proxy-authenticate" => 48,
            _ => return None,
        },
        19 => match name {
            b"content-disposition" => 25,
            b"if-unmodified-since" => 43,
            b"proxy-authorization" => 49,
            _ => return None,
        },
        25 => match name {
            b"strict-transport-security" => 56,
            _ => return None,
        },
        27 => match name {
            b"access-control-allow-origin" => 20,
            _ => return None,
        },
        _ => return None,
    };
    Some(index)
}

/// Where a field can be found in one table, by its index there (1 is the first entry of the
/// static table, or the newest of the dynamic table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableMatch {
    /// Not at all.
    None,
    /// An entry has the name, with another value.
    Name(usize),
    /// An entry has both the name and the value.
    Field(usize),
}

/// Looks `name` and `value` up in the static table.
fn find_static(name: &[u8], value: &[u8]) -> TableMatch {
    let Some(first) = static_name_index(name) else {
        return TableMatch::None;
    };
    let same_name = STATIC_TABLE
        .iter()
        .enumerate()
        .skip(first - 1)
        .take_while(|(_, (entry_name, _))| *entry_name == name);
    for (position, (_, entry_value)) in same_name {
        if *entry_value == value {
            return TableMatch::Field(position + 1);
        }
    }
    TableMatch::Name(first)
}

/// Where one dynamic table entry's name and value are in [`DynamicTable::bytes`].
#[derive(Debug, Clone, Copy)]
struct EntrySpan {
    start: usize,
    name_len: usize,
    value_len: usize,
}

impl EntrySpan {
    /// The entry's size as HPACK counts it (§4.1).
    fn size(&self) -> usize {
        self.name_len + self.value_len + ENTRY_OVERHEAD
    }
}

/// A dynamic table (§2.3.2, §4): entries are added at the front (index 1) and evicted from
/// the back.
///
/// Names and values sit back to back in one byte buffer, oldest first, which is compacted
/// when it reaches twice the table size, so adding an entry does not allocate once the
/// buffer has grown.
struct DynamicTable {
    /// The entries' names and values; the bytes before the oldest entry's `start` belong to
    /// evicted entries.
    bytes: Vec<u8>,
    /// Oldest first.
    entries: VecDeque<EntrySpan>,
    /// The sum of the entries' sizes.
    size: usize,
    /// The most `size` may be.
    max_size: usize,
}

impl DynamicTable {
    fn new(max_size: usize) -> DynamicTable {
        DynamicTable {
            bytes: Vec::new(),
            entries: VecDeque::new(),
            size: 0,
            max_size,
        }
    }

    /// The name and value of the entry at `index`, where 1 is the newest.
    fn get(&self, index: usize) -> Option<(&[u8], &[u8])> {
        let position = self.entries.len().checked_sub(index)?;
        self.field(self.entries.get(position)?)
    }

    fn field(&self, span: &EntrySpan) -> Option<(&[u8], &[u8])> {
        let (name, rest) = self
            .bytes
            .get(span.start..)?
            .split_at_checked(span.name_len)?;
        Some((name, rest.get(..span.value_len)?))
    }

    /// Finds the newest entry holding `name` and `value`, or else the newest holding `name`.
    fn find(&self, name: &[u8], value: &[u8]) -> TableMatch {
        let mut found = TableMatch::None;
        for (offset, span) in self.entries.iter().rev().enumerate() {
            if span.name_len != name.len() {
                continue;
            }
            let Some((entry_name, entry_value)) = self.field(span) else {
                continue;
            };
            if entry_name != name {
                continue;
            }
            if entry_value == value {
                return TableMatch::Field(offset + 1);
            }
            if found == TableMatch::None {
                found = TableMatch::Name(offset + 1);
            }
        }
        found
    }

    fn set_max_size(&mut self, max_size: usize) {
        self.max_size = max_size;
        self.evict_to(max_size);
    }

    /// Evicts the oldest entries until the table's size is at most `limit`.
    fn evict_to(&mut self, limit: usize) {
        while self.size > limit {
            match self.entries.pop_front() {
                Some(span) => self.size -= span.size(),
                None => self.size = 0,
            }
        }
        if self.entries.is_empty() {
            self.bytes.clear();
        }
    }

    /// Adds a field as the newest entry, evicting old entries to make room; a field larger
    /// than the whole table empties the table instead (§4.4).
    fn insert(&mut self, name: &[u8], value: &[u8]) {
        let entry_bytes = name.len().saturating_add(value.len());
        let size = entry_bytes.saturating_add(ENTRY_OVERHEAD);
        if size > self.max_size {
            self.evict_to(0);
            return;
        }
        self.evict_to(self.max_size - size);
        if self.bytes.len() + entry_bytes > self.max_size.saturating_mul(2) {
            self.compact();
        }
        let start = self.bytes.len();
        self.bytes.extend_from_slice(name);
        self.bytes.extend_from_slice(value);
        self.entries.push_back(EntrySpan {
            start,
            name_len: name.len(),
            value_len: value.len(),
        });
        self.size += size;
    }

    /// Drops the evicted entries' bytes from the front of the buffer.
    fn compact(&mut self) {
        let live_start = self
            .entries
            .front()
            .map_or(self.bytes.len(), |span| span.start);
        self.bytes.drain(..live_start);
        for span in &mut self.entries {
            span.start -= live_start;
        }
    }
}

impl fmt::Debug for DynamicTable {
    // Shows sizes only: the entries may hold cookies or credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicTable")
            .field("entries", &self.entries.len())
            .field("size", &self.size)
            .field("max_size", &self.max_size)
            .finish()
    }
}

const DECODE_TRUNCATED_INTEGER: DecodeError = DecodeError("header block ends inside an integer");
const DECODE_INTEGER_OVERFLOW: DecodeError = DecodeError("integer does not fit in 32 bits");
const DECODE_TRUNCATED_STRING: DecodeError =
    DecodeError("string literal is longer than the rest of the header block");
const DECODE_INDEX_ZERO: DecodeError = DecodeError("table index 0");
const DECODE_INDEX_PAST_TABLE: DecodeError = DecodeError("table index past the dynamic table");
const DECODE_LATE_SIZE_UPDATE: DecodeError =
    DecodeError("dynamic table size update after a header field");
const DECODE_TOO_MANY_SIZE_UPDATES: DecodeError =
    DecodeError("more than two dynamic table size updates in a row");
const DECODE_SIZE_UPDATE_OVER_LIMIT: DecodeError =
    DecodeError("dynamic table size update above SETTINGS_HEADER_TABLE_SIZE");
const DECODE_SCRATCH_RANGE: DecodeError = DecodeError("internal error: bad scratch range");

/// Reads a header block from front to back.
struct Reader<'a> {
    block: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.block.get(self.position).copied()
    }

    fn read_byte(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.position += 1;
        Some(byte)
    }

    /// Reads an integer with a `prefix_bits`-bit prefix (§5.1); the first byte's other bits
    /// are ignored. Values that do not fit in a `u32` are rejected, which also bounds the
    /// number of continuation bytes at five.
    fn read_integer(&mut self, prefix_bits: u32) -> Result<usize, DecodeError> {
        let prefix_max = (1u32 << prefix_bits) - 1;
        let first = self.read_byte().ok_or(DECODE_TRUNCATED_INTEGER)?;
        let prefix = u32::from(first) & prefix_max;
        if prefix < prefix_max {
            return usize::try_from(prefix).map_err(|_| DECODE_INTEGER_OVERFLOW);
        }
        let mut value = u64::from(prefix);
        let mut shift = 0;
        loop {
            let byte = self.read_byte().ok_or(DECODE_TRUNCATED_INTEGER)?;
            value += u64::from(byte & 0x7f) << shift;
            if value > u64::from(u32::MAX) {
                return Err(DECODE_INTEGER_OVERFLOW);
            }
            if byte & 0x80 == 0 {
                return usize::try_from(value).map_err(|_| DECODE_INTEGER_OVERFLOW);
            }
            shift += 7;
            if shift > 28 {
                return Err(DECODE_INTEGER_OVERFLOW);
            }
        }
    }

    /// Reads a string literal (§5.2). A raw string is borrowed from the block; a Huffman-coded
    /// one is decoded onto the end of `scratch`.
    fn read_string(&mut self, scratch: &mut Vec<u8>) -> Result<Text<'a>, DecodeError> {
        let huffman_coded = self.peek().ok_or(DECODE_TRUNCATED_STRING)? & 0x80 != 0;
        let len = self.read_integer(7)?;
        let end = self
            .position
            .checked_add(len)
            .ok_or(DECODE_TRUNCATED_STRING)?;
        let bytes = self
            .block
            .get(self.position..end)
            .ok_or(DECODE_TRUNCATED_STRING)?;
        self.position = end;
        if !huffman_coded {
            return Ok(Text::Block(bytes));
        }
        let start = scratch.len();
        huffman::decode(bytes, scratch).map_err(|error| DecodeError(error.message()))?;
        Ok(Text::Scratch {
            start,
            end: scratch.len(),
        })
    }
}

/// A name or value of the field being decoded.
enum Text<'a> {
    /// Borrowed from the block or the static table.
    Block(&'a [u8]),
    /// In the decoder's scratch buffer.
    Scratch { start: usize, end: usize },
}

impl<'a> Text<'a> {
    fn bytes<'s>(&self, scratch: &'s [u8]) -> Result<&'s [u8], DecodeError>
    where
        'a: 's,
    {
        match *self {
            Text::Block(bytes) => Ok(bytes),
            Text::Scratch { start, end } => scratch.get(start..end).ok_or(DECODE_SCRATCH_RANGE),
        }
    }
}

/// The name and value at HPACK `index`: the static table, then the dynamic table.
fn table_field(table: &DynamicTable, index: usize) -> Result<(&[u8], &[u8]), DecodeError> {
    match index {
        0 => Err(DECODE_INDEX_ZERO),
        _ => match STATIC_TABLE.get(index - 1) {
            Some(&(name, value)) => Ok((name, value)),
            None => table
                .get(index - STATIC_TABLE.len())
                .ok_or(DECODE_INDEX_PAST_TABLE),
        },
    }
}

/// Decodes the header blocks the peer sends (§3), keeping the dynamic table between blocks.
///
/// After an error the table may be out of step with the peer's; as HTTP/2 requires, the
/// connection must then be closed rather than the decoder used again.
pub struct Decoder {
    table: DynamicTable,
    /// The SETTINGS_HEADER_TABLE_SIZE we advertise: the most a size update may ask for.
    size_limit: usize,
    /// Huffman-decoded names and values of the field being decoded, kept for its allocation.
    scratch: Vec<u8>,
}

impl Decoder {
    /// `max_table_size`: the SETTINGS_HEADER_TABLE_SIZE we advertise (4096).
    pub fn new(max_table_size: usize) -> Decoder {
        Decoder {
            table: DynamicTable::new(max_table_size),
            size_limit: max_table_size,
            scratch: Vec::new(),
        }
    }

    /// Decodes one complete header block (HEADERS + CONTINUATION payloads already joined),
    /// calling `field(name, value)` for each field in order.
    ///
    /// Names and values are passed as raw bytes exactly as decoded (no validation of
    /// header-name characters; the caller validates).
    ///
    /// `max_list_size`: once the decoded fields' size (name + value + 32 each, RFC 7541 §4.1)
    /// exceeds this, `field` is no longer called but decoding continues to the end so the
    /// dynamic table stays in step; the return value then says the list was over the limit.
    pub fn decode(
        &mut self,
        block: &[u8],
        max_list_size: usize,
        mut field: impl FnMut(&[u8], &[u8]),
    ) -> Result<Decoded, DecodeError> {
        let mut reader = Reader { block, position: 0 };
        let mut list_size: usize = 0;
        let mut seen_field = false;
        let mut size_updates = 0;
        let mut deliver = |name: &[u8], value: &[u8]| {
            let field_size = name
                .len()
                .saturating_add(value.len())
                .saturating_add(ENTRY_OVERHEAD);
            list_size = list_size.saturating_add(field_size);
            if list_size <= max_list_size {
                field(name, value);
            }
        };

        while let Some(first) = reader.peek() {
            if first & 0x80 != 0 {
                // Indexed field (§6.1).
                let index = reader.read_integer(7)?;
                let (name, value) = table_field(&self.table, index)?;
                deliver(name, value);
                seen_field = true;
                continue;
            }
            if first & 0xe0 == 0x20 {
                // Dynamic table size update (§6.3).
                if seen_field {
                    return Err(DECODE_LATE_SIZE_UPDATE);
                }
                if size_updates == 2 {
                    return Err(DECODE_TOO_MANY_SIZE_UPDATES);
                }
                size_updates += 1;
                let size = reader.read_integer(5)?;
                if size > self.size_limit {
                    return Err(DECODE_SIZE_UPDATE_OVER_LIMIT);
                }
                self.table.set_max_size(size);
                continue;
            }
            // A literal field (§6.2): with incremental indexing (01), or without indexing
            // (0000) or never indexed (0001), which decode alike.
            let indexing = first & 0x40 != 0;
            let name_index = reader.read_integer(if indexing { 6 } else { 4 })?;
            self.scratch.clear();
            let name = if name_index == 0 {
                reader.read_string(&mut self.scratch)?
            } else if let Some(&(name, _)) = STATIC_TABLE.get(name_index - 1) {
                Text::Block(name)
            } else {
                let (name, _) = table_field(&self.table, name_index)?;
                // Copied, so that eviction on insertion cannot pull it away (§4.4).
                self.scratch.extend_from_slice(name);
                Text::Scratch {
                    start: 0,
                    end: self.scratch.len(),
                }
            };
            let value = reader.read_string(&mut self.scratch)?;
            let name = name.bytes(&self.scratch)?;
            let value = value.bytes(&self.scratch)?;
            deliver(name, value);
            seen_field = true;
            if indexing {
                self.table.insert(name, value);
            }
        }
        Ok(Decoded {
            list_size,
            over_limit: list_size > max_list_size,
        })
    }
}

impl fmt::Debug for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decoder")
            .field("table", &self.table)
            .field("size_limit", &self.size_limit)
            .finish()
    }
}

/// Names whose values are new in almost every response (or every second: `date`), so that
/// indexing them would only fill the dynamic table, which every lookup scans. (`content-length`
/// and the upstream time repeat: the same size, the same few milliseconds; indexed, they cost
/// one byte a response.)
fn value_changes_per_response(name: &[u8]) -> bool {
    matches!(
        name,
        b"date"
            | b"age"
            | b"etag"
            | b"last-modified"
            | b"location"
            | b"set-cookie"
            | b"x-request-id"
            | b"authorization"
    )
}

/// Appends `value` as an integer with a `prefix_bits`-bit prefix (§5.1), the first byte's
/// other bits being `flags`.
fn write_integer(value: usize, prefix_bits: u32, flags: u8, out: &mut Vec<u8>) {
    let prefix_max = (1usize << prefix_bits) - 1;
    if value < prefix_max {
        out.push(flags | value as u8);
        return;
    }
    out.push(flags | prefix_max as u8);
    let mut rest = value - prefix_max;
    while rest >= 0x80 {
        out.push(0x80 | (rest & 0x7f) as u8);
        rest >>= 7;
    }
    out.push(rest as u8);
}

/// Appends a string literal (§5.2), Huffman-coded when that is shorter.
fn write_string(bytes: &[u8], out: &mut Vec<u8>) {
    let huffman_len = huffman::encoded_len(bytes);
    if huffman_len < bytes.len() {
        write_integer(huffman_len, 7, 0x80, out);
        out.reserve(huffman_len);
        huffman::encode(bytes, out);
    } else {
        write_integer(bytes.len(), 7, 0, out);
        out.extend_from_slice(bytes);
    }
}

/// Writes `number` in decimal at the end of `buffer` and returns the digits.
fn decimal(number: u16, buffer: &mut [u8; 5]) -> &[u8] {
    let mut rest = number;
    let mut first_digit = buffer.len();
    for (position, slot) in buffer.iter_mut().enumerate().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
        first_digit = position;
        if rest == 0 {
            break;
        }
    }
    buffer.get(first_digit..).unwrap_or_default()
}

/// Encodes the header blocks we send: responses and trailers.
pub struct Encoder {
    table: DynamicTable,
    /// The table size the peer's decoder last heard of from us (at first, HPACK's default).
    announced_size: usize,
    /// The smallest table size set since the last block, if any was set.
    smallest_size_since_block: Option<usize>,
}

impl Encoder {
    /// A table of 4096 bytes, HPACK's default, until the peer's SETTINGS say otherwise.
    pub fn new() -> Encoder {
        Encoder {
            table: DynamicTable::new(DEFAULT_TABLE_SIZE),
            announced_size: DEFAULT_TABLE_SIZE,
            smallest_size_since_block: None,
        }
    }

    /// The peer's SETTINGS_HEADER_TABLE_SIZE: the table shrinks to fit (our own table never
    /// exceeds min(this, 4096)), and the next block starts with a dynamic table size update
    /// (if smaller sizes were set in between, the smallest one first and then the final one,
    /// per RFC 7541 §4.2). Nothing is sent when the size ends where it was and never dipped.
    pub fn set_max_table_size(&mut self, size: usize) {
        let size = size.min(DEFAULT_TABLE_SIZE);
        self.table.set_max_size(size);
        let smallest = self.smallest_size_since_block.map_or(size, |s| s.min(size));
        self.smallest_size_since_block = Some(smallest);
    }

    /// Appends one header block to `out`: the `:status` field first (from the 3-digit
    /// status; static-table indexed for 200, 204, 206, 304, 400, 404, 500), then each
    /// (name, value, sensitive) field in order. Names are lowercase already.
    pub fn encode_response<'a>(
        &mut self,
        status: u16,
        fields: impl Iterator<Item = (&'a [u8], &'a [u8], bool)>,
        out: &mut Vec<u8>,
    ) {
        self.write_size_updates(out);
        let static_index = match status {
            200 => Some(8),
            204 => Some(9),
            206 => Some(10),
            304 => Some(11),
            400 => Some(12),
            404 => Some(13),
            500 => Some(14),
            _ => None,
        };
        match static_index {
            Some(index) => write_integer(index, 7, 0x80, out),
            None => {
                let mut digits = [0; 5];
                self.encode_field(b":status", decimal(status, &mut digits), false, out);
            }
        }
        for (name, value, sensitive) in fields {
            self.encode_field(name, value, sensitive, out);
        }
    }

    /// The same without a `:status` (trailers).
    pub fn encode_trailers<'a>(
        &mut self,
        fields: impl Iterator<Item = (&'a [u8], &'a [u8], bool)>,
        out: &mut Vec<u8>,
    ) {
        self.write_size_updates(out);
        for (name, value, sensitive) in fields {
            self.encode_field(name, value, sensitive, out);
        }
    }

    /// Starts a block with the size updates that `set_max_table_size` calls made due.
    fn write_size_updates(&mut self, out: &mut Vec<u8>) {
        let Some(smallest) = self.smallest_size_since_block.take() else {
            return;
        };
        let current = self.table.max_size;
        if smallest < current {
            write_integer(smallest, 5, 0x20, out);
        }
        if smallest < current || current != self.announced_size {
            write_integer(current, 5, 0x20, out);
        }
        self.announced_size = current;
    }

    fn encode_field(&mut self, name: &[u8], value: &[u8], sensitive: bool, out: &mut Vec<u8>) {
        let static_match = find_static(name, value);
        if let (TableMatch::Field(index), false) = (static_match, sensitive) {
            write_integer(index, 7, 0x80, out);
            return;
        }
        let name_index = match (static_match, self.table.find(name, value)) {
            (_, TableMatch::Field(offset)) if !sensitive => {
                write_integer(STATIC_TABLE.len() + offset, 7, 0x80, out);
                return;
            }
            (TableMatch::Name(index) | TableMatch::Field(index), _) => index,
            (TableMatch::None, TableMatch::Name(offset) | TableMatch::Field(offset)) => {
                STATIC_TABLE.len() + offset
            }
            (TableMatch::None, TableMatch::None) => 0,
        };
        let entry_size = name
            .len()
            .saturating_add(value.len())
            .saturating_add(ENTRY_OVERHEAD);
        let indexing = !sensitive
            && entry_size.saturating_mul(4) <= self.table.max_size.saturating_mul(3)
            && !value_changes_per_response(name);
        if indexing {
            // Literal with incremental indexing (§6.2.1).
            write_integer(name_index, 6, 0x40, out);
        } else if sensitive {
            // Literal never indexed (§6.2.3).
            write_integer(name_index, 4, 0x10, out);
        } else {
            // Literal without indexing (§6.2.2).
            write_integer(name_index, 4, 0x00, out);
        }
        if name_index == 0 {
            write_string(name, out);
        }
        write_string(value, out);
        if indexing {
            self.table.insert(name, value);
        }
    }
}

impl Default for Encoder {
    fn default() -> Encoder {
        Encoder::new()
    }
}

impl fmt::Debug for Encoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encoder")
            .field("table", &self.table)
            .field("announced_size", &self.announced_size)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::huffman::HuffmanError;
    use super::*;

    type Fields = Vec<(Vec<u8>, Vec<u8>)>;

    fn hex(text: &str) -> Vec<u8> {
        let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    fn fields(list: &[(&str, &str)]) -> Fields {
        list.iter()
            .map(|(name, value)| (name.as_bytes().to_vec(), value.as_bytes().to_vec()))
            .collect()
    }

    fn decode_fields(decoder: &mut Decoder, block: &[u8]) -> Result<Fields, DecodeError> {
        let mut out = Vec::new();
        let decoded = decoder.decode(block, usize::MAX, |name, value| {
            out.push((name.to_vec(), value.to_vec()))
        })?;
        assert!(!decoded.over_limit);
        let list_size: usize = out.iter().map(|(n, v)| n.len() + v.len() + 32).sum();
        assert_eq!(decoded.list_size, list_size);
        Ok(out)
    }

    /// The table's entries, newest (index 1) first.
    fn table_entries(table: &DynamicTable) -> Fields {
        (1..=table.entries.len())
            .map(|index| {
                let (name, value) = table.get(index).unwrap();
                (name.to_vec(), value.to_vec())
            })
            .collect()
    }

    use crate::proxy::h1::mutations::Rng;

    fn pick<T: Copy>(rng: &mut Rng, items: &[T]) -> T {
        items[rng.below(items.len())]
    }

    fn random_bytes(rng: &mut Rng, len: usize) -> Vec<u8> {
        (0..len).map(|_| rng.next() as u8).collect()
    }

    const NAME_POOL: [&[u8]; 22] = [
        b":authority",
        b"accept-encoding",
        b"cache-control",
        b"content-type",
        b"content-encoding",
        b"server",
        b"vary",
        b"date",
        b"content-length",
        b"set-cookie",
        b"location",
        b"etag",
        b"age",
        b"last-modified",
        b"authorization",
        b"x-request-id",
        b"x-envoy-upstream-service-time",
        b"www-authenticate",
        b"x-custom",
        b"x-trace-id",
        b"strict-transport-security",
        b"a",
    ];

    const VALUE_POOL: [&[u8]; 8] = [
        b"",
        b"gzip, deflate",
        b"application/json",
        b"no-cache",
        b"envoy",
        b"0",
        b"12345",
        b"text/html; charset=utf-8",
    ];

    fn random_name(rng: &mut Rng) -> Vec<u8> {
        match rng.below(10) {
            0..=6 => pick(rng, &NAME_POOL).to_vec(),
            7 | 8 => {
                let len = 1 + rng.below(20);
                (0..len).map(|_| b'a' + rng.below(26) as u8).collect()
            }
            _ => {
                let len = rng.below(10);
                random_bytes(rng, len)
            }
        }
    }

    fn random_value(rng: &mut Rng) -> Vec<u8> {
        match rng.below(20) {
            0..=9 => pick(rng, &VALUE_POOL).to_vec(),
            10..=15 => {
                let len = rng.below(30);
                random_bytes(rng, len)
            }
            16..=18 => {
                let len = rng.below(100);
                (0..len).map(|_| b' ' + rng.below(95) as u8).collect()
            }
            _ => {
                let len = 500 + rng.below(3500);
                random_bytes(rng, len)
            }
        }
    }

    /// (name, value, sensitive) triples.
    fn random_list(rng: &mut Rng) -> Vec<(Vec<u8>, Vec<u8>, bool)> {
        let len = rng.below(14);
        (0..len)
            .map(|_| (random_name(rng), random_value(rng), rng.below(8) == 0))
            .collect()
    }

    fn random_table_size(rng: &mut Rng) -> usize {
        match rng.below(15) {
            0 => rng.below(5000),
            choice => [
                0, 1, 31, 32, 33, 64, 100, 256, 1000, 3000, 4095, 4096, 4097, 65536,
            ][choice - 1],
        }
    }

    fn as_triples(list: &[(Vec<u8>, Vec<u8>, bool)]) -> impl Iterator<Item = (&[u8], &[u8], bool)> {
        list.iter()
            .map(|(name, value, sensitive)| (&name[..], &value[..], *sensitive))
    }

    fn response(encoder: &mut Encoder, status: u16, list: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        let triples = list
            .iter()
            .map(|(name, value)| (name.as_bytes(), value.as_bytes(), false));
        encoder.encode_response(status, triples, &mut out);
        out
    }

    // RFC 7541 Appendix C.

    #[test]
    fn rfc_c2_single_fields() {
        let cases = [
            (
                "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
                ("custom-key", "custom-header"),
                fields(&[("custom-key", "custom-header")]),
                55,
            ),
            (
                "040c 2f73 616d 706c 652f 7061 7468",
                (":path", "/sample/path"),
                vec![],
                0,
            ),
            (
                "1008 7061 7373 776f 7264 0673 6563 7265 74",
                ("password", "secret"),
                vec![],
                0,
            ),
            ("82", (":method", "GET"), vec![], 0),
        ];
        for (block, field, table, size) in cases {
            let mut decoder = Decoder::new(4096);
            assert_eq!(
                decode_fields(&mut decoder, &hex(block)),
                Ok(fields(&[field]))
            );
            assert_eq!(table_entries(&decoder.table), table, "{block}");
            assert_eq!(decoder.table.size, size, "{block}");
        }
    }

    fn request_lists() -> [Fields; 3] {
        let common = [(":method", "GET"), (":scheme", "http"), (":path", "/")];
        let authority = (":authority", "www.example.com");
        [
            fields(&[common[0], common[1], common[2], authority]),
            fields(&[
                common[0],
                common[1],
                common[2],
                authority,
                ("cache-control", "no-cache"),
            ]),
            fields(&[
                (":method", "GET"),
                (":scheme", "https"),
                (":path", "/index.html"),
                authority,
                ("custom-key", "custom-value"),
            ]),
        ]
    }

    fn request_tables() -> [(Fields, usize); 3] {
        let authority = (":authority", "www.example.com");
        let no_cache = ("cache-control", "no-cache");
        [
            (fields(&[authority]), 57),
            (fields(&[no_cache, authority]), 110),
            (
                fields(&[("custom-key", "custom-value"), no_cache, authority]),
                164,
            ),
        ]
    }

    const DATE_1: &str = "Mon, 21 Oct 2013 20:13:21 GMT";
    const DATE_2: &str = "Mon, 21 Oct 2013 20:13:22 GMT";
    const URL: &str = "https://www.example.com";
    const COOKIE: &str = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

    fn response_lists() -> [Fields; 3] {
        let rest = [
            ("cache-control", "private"),
            ("date", DATE_1),
            ("location", URL),
        ];
        [
            fields(&[(":status", "302"), rest[0], rest[1], rest[2]]),
            fields(&[(":status", "307"), rest[0], rest[1], rest[2]]),
            fields(&[
                (":status", "200"),
                rest[0],
                ("date", DATE_2),
                rest[2],
                ("content-encoding", "gzip"),
                ("set-cookie", COOKIE),
            ]),
        ]
    }

    fn response_tables() -> [(Fields, usize); 3] {
        let location = ("location", URL);
        let date = ("date", DATE_1);
        let private = ("cache-control", "private");
        [
            (fields(&[location, date, private, (":status", "302")]), 222),
            (fields(&[(":status", "307"), location, date, private]), 222),
            (
                fields(&[
                    ("set-cookie", COOKIE),
                    ("content-encoding", "gzip"),
                    ("date", DATE_2),
                ]),
                215,
            ),
        ]
    }

    fn check_decode_sequence(
        table_size: usize,
        blocks: [&str; 3],
        lists: [Fields; 3],
        tables: [(Fields, usize); 3],
    ) {
        let mut decoder = Decoder::new(table_size);
        for ((block, list), (table, size)) in blocks.iter().zip(lists).zip(tables) {
            assert_eq!(
                decode_fields(&mut decoder, &hex(block)),
                Ok(list),
                "{block}"
            );
            assert_eq!(table_entries(&decoder.table), table, "{block}");
            assert_eq!(decoder.table.size, size, "{block}");
        }
    }

    #[test]
    fn rfc_c3_requests_without_huffman() {
        let blocks = [
            "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
            "8286 84be 5808 6e6f 2d63 6163 6865",
            "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
        ];
        check_decode_sequence(4096, blocks, request_lists(), request_tables());
    }

    #[test]
    fn rfc_c4_requests_with_huffman() {
        let blocks = [
            "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
            "8286 84be 5886 a8eb 1064 9cbf",
            "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
        ];
        check_decode_sequence(4096, blocks, request_lists(), request_tables());
    }

    #[test]
    fn rfc_c5_responses_without_huffman() {
        let blocks = [
            "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 \
             2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 \
             6c65 2e63 6f6d",
            "4803 3330 37c1 c0bf",
            "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d \
             54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 \
             5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e \
             3d31",
        ];
        check_decode_sequence(256, blocks, response_lists(), response_tables());
    }

    #[test]
    fn rfc_c6_responses_with_huffman() {
        let blocks = [
            "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 \
             2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
            "4883 640e ffc1 c0bf",
            "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab \
             77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f \
             9587 3160 65c0 03ed 4ee5 b106 3d50 07",
        ];
        check_decode_sequence(256, blocks, response_lists(), response_tables());
    }

    /// Encodes `lists` in turn (a `:status` first field as the status), decoding each with a
    /// separate decoder; the fields and both tables must agree.
    fn check_encoder_round_trip(encoder: &mut Encoder, lists: &[Fields]) {
        let mut decoder = Decoder::new(4096);
        for list in lists {
            let mut block = Vec::new();
            let triples = list.iter().map(|(n, v)| (&n[..], &v[..], false));
            match list.first() {
                Some((name, status)) if name == b":status" => {
                    let status = std::str::from_utf8(status).unwrap().parse().unwrap();
                    encoder.encode_response(status, triples.skip(1), &mut block);
                }
                _ => encoder.encode_trailers(triples, &mut block),
            }
            assert_eq!(decode_fields(&mut decoder, &block).as_ref(), Ok(list));
            assert_eq!(table_entries(&decoder.table), table_entries(&encoder.table));
            assert_eq!(decoder.table.size, encoder.table.size);
        }
    }

    #[test]
    fn encoder_round_trips_rfc_examples() {
        check_encoder_round_trip(&mut Encoder::new(), &request_lists());
        let mut encoder = Encoder::new();
        encoder.set_max_table_size(256);
        check_encoder_round_trip(&mut encoder, &response_lists());
        assert_eq!(encoder.table.max_size, 256);
    }

    // Encoder behaviour.

    #[test]
    fn encoder_indexes_a_new_field_then_refers_to_it() {
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::new(4096);
        let field = [(&b"custom-key"[..], &b"custom-header"[..], false)];
        let mut first = Vec::new();
        encoder.encode_trailers(field.into_iter(), &mut first);
        // Literal with incremental indexing and a new name, as in C.2.1.
        assert_eq!(first[0], 0x40);
        assert_eq!(
            decode_fields(&mut decoder, &first),
            Ok(fields(&[("custom-key", "custom-header")]))
        );
        assert_eq!(
            table_entries(&decoder.table),
            fields(&[("custom-key", "custom-header")])
        );
        assert_eq!(decoder.table.size, 55);
        let mut second = Vec::new();
        encoder.encode_trailers(field.into_iter(), &mut second);
        assert_eq!(second, [0x80 | 62]);
        assert_eq!(
            decode_fields(&mut decoder, &second),
            Ok(fields(&[("custom-key", "custom-header")]))
        );
    }

    const TYPICAL_RESPONSE: [(&str, &str); 9] = [
        ("content-type", "application/json"),
        ("cache-control", "no-store"),
        ("server", "envoy"),
        ("vary", "accept-encoding"),
        ("content-encoding", "gzip"),
        ("x-content-type-options", "nosniff"),
        (
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        ),
        ("access-control-allow-origin", "*"),
        ("x-frame-options", "DENY"),
    ];

    #[test]
    fn repeated_response_becomes_one_byte_references() {
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::new(4096);
        let mut expected = fields(&[(":status", "200")]);
        expected.extend(fields(&TYPICAL_RESPONSE));
        let first = response(&mut encoder, 200, &TYPICAL_RESPONSE);
        assert_eq!(decode_fields(&mut decoder, &first), Ok(expected.clone()));
        for _ in 0..3 {
            let again = response(&mut encoder, 200, &TYPICAL_RESPONSE);
            assert_eq!(again.len(), 1 + TYPICAL_RESPONSE.len(), "{again:02x?}");
            assert!(again.iter().all(|byte| byte & 0x80 != 0), "{again:02x?}");
            assert_eq!(decode_fields(&mut decoder, &again), Ok(expected.clone()));
        }
    }

    #[test]
    fn changing_values_are_not_indexed() {
        let changing = [
            "date",
            "age",
            "etag",
            "last-modified",
            "location",
            "set-cookie",
            "x-request-id",
            "authorization",
        ];
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::new(4096);
        for round in 0..2 {
            let list: Vec<(&str, String)> = changing
                .iter()
                .map(|&name| (name, format!("v{round}")))
                .collect();
            let list: Vec<(&str, &str)> = list.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let block = response(&mut encoder, 204, &list);
            let mut expected = fields(&[(":status", "204")]);
            expected.extend(fields(&list));
            assert_eq!(decode_fields(&mut decoder, &block), Ok(expected));
            assert!(encoder.table.entries.is_empty());
        }
        // A static name's index fits the 4-bit prefix of a literal without indexing:
        // etag is 34 = 15 + 19.
        let block = response(&mut encoder, 200, &[("etag", "0")]);
        assert_eq!(block[1..3], [0x0f, 19]);
    }

    #[test]
    fn repeating_lengths_and_upstream_times_are_indexed() {
        let mut encoder = Encoder::new();
        let list = [
            ("content-length", "0"),
            ("x-envoy-upstream-service-time", "1"),
        ];
        let first = response(&mut encoder, 200, &list);
        assert_eq!(encoder.table.entries.len(), 2, "{first:02x?}");
        let again = response(&mut encoder, 200, &list);
        assert_eq!(again.len(), 3, "{again:02x?}");
    }

    #[test]
    fn fields_over_three_quarters_of_the_table_are_not_indexed() {
        let mut encoder = Encoder::new();
        // 5 + 3035 + 32 = 3072: exactly 3/4 of 4096, indexed.
        let fits = "v".repeat(3035);
        let block = response(&mut encoder, 200, &[("x-big", &fits)]);
        assert_eq!(block[1], 0x40);
        assert_eq!(encoder.table.entries.len(), 1);
        let too_big = "v".repeat(3036);
        let block = response(&mut encoder, 200, &[("x-big", &too_big)]);
        // Literal without indexing, the name from the dynamic table: 62 = 15 + 47.
        assert_eq!(block[1..3], [0x0f, 47]);
        assert_eq!(encoder.table.entries.len(), 1);
    }

    #[test]
    fn sensitive_fields_are_never_indexed() {
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::new(4096);
        let plain = (&b"x-token"[..], &b"abc"[..], false);
        let secret = (&b"x-token"[..], &b"abc"[..], true);
        let static_secret = (&b"accept-encoding"[..], &b"gzip, deflate"[..], true);
        let list = [plain, secret, static_secret, secret];
        let mut block = Vec::new();
        encoder.encode_trailers(list.into_iter(), &mut block);
        let expected = fields(&[
            ("x-token", "abc"),
            ("x-token", "abc"),
            ("accept-encoding", "gzip, deflate"),
            ("x-token", "abc"),
        ]);
        assert_eq!(decode_fields(&mut decoder, &block), Ok(expected));
        // The plain one was indexed; the sensitive ones refer to names only, never indexed
        // (0001 and a 4-bit index): 62 = 15 + 47 for x-token, 16 = 15 + 1 for accept-encoding.
        assert_eq!(encoder.table.entries.len(), 1);
        let mut second = Vec::new();
        encoder.encode_trailers([secret, static_secret].into_iter(), &mut second);
        assert_eq!(second[..2], [0x1f, 47]);
        assert_eq!(second[5..7], [0x1f, 1]);
        assert_eq!(encoder.table.entries.len(), 1);
    }

    #[test]
    fn status_codes() {
        let mut encoder = Encoder::new();
        for (status, index) in [
            (200, 8),
            (204, 9),
            (206, 10),
            (304, 11),
            (400, 12),
            (404, 13),
            (500, 14),
        ] {
            assert_eq!(response(&mut encoder, status, &[]), [0x80 | index]);
        }
        // Others are literals with the indexed name :status, and get indexed.
        assert_eq!(
            response(&mut encoder, 503, &[]),
            [0x48, 3, b'5', b'0', b'3']
        );
        assert_eq!(response(&mut encoder, 503, &[]), [0x80 | 62]);
        let mut digits = [0; 5];
        assert_eq!(decimal(0, &mut digits), b"0");
        assert_eq!(decimal(7, &mut digits), b"7");
        assert_eq!(decimal(302, &mut digits), b"302");
        assert_eq!(decimal(u16::MAX, &mut digits), b"65535");
    }

    #[test]
    fn size_updates() {
        // No change, or a change above our own 4096 cap: nothing to announce.
        let mut encoder = Encoder::new();
        encoder.set_max_table_size(4096);
        assert_eq!(response(&mut encoder, 200, &[]), [0x88]);
        encoder.set_max_table_size(65536);
        assert_eq!(response(&mut encoder, 200, &[]), [0x88]);

        // 100 = 31 + 69.
        let mut encoder = Encoder::new();
        encoder.set_max_table_size(100);
        assert_eq!(response(&mut encoder, 200, &[]), [0x3f, 69, 0x88]);
        assert_eq!(response(&mut encoder, 200, &[]), [0x88]);

        // Down to 0 and back: both are announced, and the table was emptied.
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::new(4096);
        let block = response(&mut encoder, 200, &[("server", "envoy")]);
        decode_fields(&mut decoder, &block).unwrap();
        encoder.set_max_table_size(0);
        encoder.set_max_table_size(4096);
        assert!(encoder.table.entries.is_empty());
        let block = response(&mut encoder, 200, &[]);
        // 4096 = 31 + 4065 = 31 + 0x61 + (0x1f << 7).
        assert_eq!(block, [0x20, 0x3f, 0xe1, 0x1f, 0x88]);
        decode_fields(&mut decoder, &block).unwrap();
        assert!(decoder.table.entries.is_empty());
        assert_eq!(decoder.table.max_size, 4096);

        // Several in between: the smallest, then the final one.
        encoder.set_max_table_size(300);
        encoder.set_max_table_size(100);
        encoder.set_max_table_size(200);
        let block = response(&mut encoder, 200, &[]);
        assert_eq!(block, [0x3f, 69, 0x3f, 169, 1, 0x88]);
        decode_fields(&mut decoder, &block).unwrap();
        assert_eq!(decoder.table.max_size, 200);

        // A table of 0: nothing is indexed.
        encoder.set_max_table_size(0);
        let block = response(&mut encoder, 200, &[("server", "envoy")]);
        assert_eq!(block[..3], [0x20, 0x88, 0x0f]);
        assert!(encoder.table.entries.is_empty());
        assert_eq!(decode_fields(&mut decoder, &block).unwrap().len(), 2);
    }

    #[test]
    fn random_round_trips() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::new(4096);
        let statuses = [
            200, 204, 206, 304, 400, 404, 500, 201, 302, 307, 503, 100, 999,
        ];
        for _ in 0..1500 {
            if rng.below(8) == 0 {
                for _ in 0..1 + rng.below(3) {
                    encoder.set_max_table_size(random_table_size(&mut rng));
                }
            }
            let list = random_list(&mut rng);
            let mut expected = Fields::new();
            let mut block = Vec::new();
            if rng.below(4) == 0 {
                encoder.encode_trailers(as_triples(&list), &mut block);
            } else {
                let status = pick(&mut rng, &statuses);
                encoder.encode_response(status, as_triples(&list), &mut block);
                expected.push((b":status".to_vec(), status.to_string().into_bytes()));
            }
            expected.extend(list.into_iter().map(|(name, value, _)| (name, value)));
            assert_eq!(decode_fields(&mut decoder, &block), Ok(expected));
            assert_eq!(table_entries(&decoder.table), table_entries(&encoder.table));
            assert_eq!(decoder.table.size, encoder.table.size);
            assert_eq!(decoder.table.max_size, encoder.table.max_size);
            assert!(encoder.table.size <= encoder.table.max_size);
        }
    }

    // Cross-checks with independent implementations.

    #[test]
    fn static_table_matches_the_hpack_crate() {
        let mut theirs = ::hpack::Decoder::new();
        for (position, &(name, value)) in STATIC_TABLE.iter().enumerate() {
            if name == b"accept-charset" {
                // hpack 0.3 has "accept-" here, a typo; Appendix A (and Python's hpack, checked
                // offline) say "accept-charset".
                continue;
            }
            let decoded = theirs.decode(&[0x80 | (position as u8 + 1)]).unwrap();
            assert_eq!(decoded, vec![(name.to_vec(), value.to_vec())]);
        }
    }

    #[test]
    fn decodes_blocks_from_the_hpack_crate() {
        let mut rng = Rng(77);
        let mut theirs = ::hpack::Encoder::new();
        let mut ours = Decoder::new(4096);
        for _ in 0..400 {
            let list = random_list(&mut rng);
            let block = theirs.encode(list.iter().map(|(name, value, _)| (&name[..], &value[..])));
            let expected: Fields = list
                .into_iter()
                .map(|(name, value, _)| (name, value))
                .collect();
            assert_eq!(decode_fields(&mut ours, &block), Ok(expected));
        }
    }

    #[test]
    fn hpack_crate_decodes_our_blocks() {
        let mut rng = Rng(78);
        let mut ours = Encoder::new();
        let mut theirs = ::hpack::Decoder::new();
        for _ in 0..400 {
            if rng.below(10) == 0 {
                ours.set_max_table_size(random_table_size(&mut rng));
            }
            let list = random_list(&mut rng);
            let mut block = Vec::new();
            ours.encode_response(200, as_triples(&list), &mut block);
            let mut expected = fields(&[(":status", "200")]);
            expected.extend(list.into_iter().map(|(name, value, _)| (name, value)));
            assert_eq!(theirs.decode(&block).unwrap(), expected);
        }
        // Every byte value through our Huffman coder.
        let every_byte: Vec<u8> = (0..=255).collect();
        let mut block = Vec::new();
        ours.encode_trailers(
            [(&b"x-bytes"[..], &every_byte[..], false)].into_iter(),
            &mut block,
        );
        assert_eq!(
            theirs.decode(&block).unwrap(),
            vec![(b"x-bytes".to_vec(), every_byte)]
        );
    }

    /// Request blocks encoded by Python's `hpack` 4.2.0 (Huffman on, a never-indexed
    /// authorization, a table resize to 256 before the third, a field too large for that
    /// table, and a value of every byte), generated once offline.
    const PYTHON_HPACK_BLOCKS: [&str; 4] = [
        "8287418b1d665cbe474d7415721e9f448b63b858324b4a3fc34903427a8825b650c3cbb6b83f5383\
         f963e71f088dba51d85b141c645e42cabcd39b4085f2b26c190b8cffc7fffd8fffffe1fffff77f",
        "8287c2448c63b858324b4a3fc349034cffc1c01f088dba51d85b141c645e42cabcd39b7f0080",
        "3fe1018387418b1d665cbe474d7415721e9f448863b858b6ba0e393f5f901d75d0620d263d4c1c89\
         2a56426c28e95c85081a79b75c4085f2b507aa6fffad01fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd\
         fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd\
         fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd\
         fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd\
         fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd\
         fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd\
         fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd\
         fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd\
         fdfdfd",
        "8387418b1d665cbe474d7415721e9f448863b858b6ba0e393f5f901d75d0620d263d4c1c892a5642\
         6c28e95c85081a79b75c60ffc803ffc7fffd8fffffe2fffffe3fffffe4fffffe5fffffe6fffffe7f\
         ffffe8ffffeafffffff3fffffa7fffffabffffffdfffffebfffffecfffffedfffffeefffffefffff\
         ff0ffffff1ffffff2fffffffbfffffcffffffd3fffffd7fffffdbfffffdffffffe3fffffe7fffffe\
         bfffffed4fe3f9ffaffcabf1febfafefe7fdfd2cbb00089969b71d79fb9f7fff20ffbff3ff50ddbd\
         7f061c58f265cd9f469d5af66dddbf871e5f9cff7ff7fffc3ff9ffe45fff4719242cb34e6e9d68a6\
         a3d7dac426defe3cfaf7fffbfe7ffbffdffffffcfffe6ffff4bfff9ffffa3fffd3ffff53fffd5fff\
         fb3fffeb7fffdaffffb7ffff73fffeeffffdeffffebffffbfffffd9ffffdbfffebffffe0ffffeeff\
         ffc3ffff8bffff1ffffe4fffee7fffb1ffff97fffd9ffffcdffff9fffffbffffdafffeeffff4ffff\
         b7fffee7fffe8ffffd3fffdeffffd5fffeeffffbdffffe1fffdfffff7fffff5ffffecffff07fff87\
         fffe0ffff17fffedffff87ffff77fffeffffeaffff8bfffe3ffff93ffff87fffcbffff37ffff1fff\
         ff83ffffe1fffebfffe3ffff3fffff2ffffa3ffffd9fffff17ffffc7fffff27ffffdefffffbfffff\
         f2fffff8fffffb7fff97fff8fffffe6fffffc1fffff87ffffe7fffffc5ffffe5fffe4ffff2fffffd\
         1fffff4ffffffefffffe3fffffc9fffff97fffb3ffffcffffb7fffcdffff4ffff9ffffd1ffffcfff\
         feaffffafffffddffffeffffff4fffff5fffffabffffa7ffffd7fffff9bffffecfffffb7fffff3ff\
         fffe8fffffd3fffffabfffff5fffffff7ffffecfffffdbfffffbbfffff7ffffff0fffffbbf",
    ];

    #[test]
    fn decodes_blocks_from_python_hpack() {
        let get = |path: &str| {
            fields(&[
                (":method", "GET"),
                (":scheme", "https"),
                (":authority", "api.example.com"),
                (":path", path),
                ("user-agent", "curl/8.5.0"),
                ("accept", "*/*"),
                ("authorization", "Bearer abc.def.ghi"),
            ])
        };
        let post = fields(&[
            (":method", "POST"),
            (":scheme", "https"),
            (":authority", "api.example.com"),
            (":path", "/v1/upload"),
            ("content-type", "application/octet-stream"),
            ("content-length", "1048576"),
        ]);
        let mut lists = [
            get("/v1/items?id=42"),
            get("/v1/items?id=43"),
            post.clone(),
            post,
        ];
        lists[0].push((b"x-trace".to_vec(), vec![0, 1, 0xfe, 0xff]));
        lists[1].push((b"x-trace".to_vec(), vec![]));
        lists[2].push((b"x-long".to_vec(), vec![b'Z'; 300]));
        lists[3].push((b"cookie".to_vec(), (0..=255).collect()));
        let mut decoder = Decoder::new(4096);
        for (block, list) in PYTHON_HPACK_BLOCKS.iter().zip(lists) {
            assert_eq!(decode_fields(&mut decoder, &hex(block)), Ok(list));
        }
        assert_eq!(decoder.table.max_size, 256);
    }

    // Decoder edge cases and hostile input.

    #[test]
    fn rejects_malformed_blocks() {
        let huffman = |error: HuffmanError| DecodeError(error.message());
        let cases: [(&str, &[u8], DecodeError); 19] = [
            ("truncated integer", &[0xff], DECODE_TRUNCATED_INTEGER),
            (
                "truncated continuation",
                &[0xff, 0x80],
                DECODE_TRUNCATED_INTEGER,
            ),
            ("truncated name index", &[0x7f], DECODE_TRUNCATED_INTEGER),
            (
                "integer over u32",
                &[0xff, 0xff, 0xff, 0xff, 0xff, 0x0f],
                DECODE_INTEGER_OVERFLOW,
            ),
            (
                "six continuation bytes",
                &[0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
                DECODE_INTEGER_OVERFLOW,
            ),
            (
                "string past the end",
                &[0x40, 0x05, b'a', b'b'],
                DECODE_TRUNCATED_STRING,
            ),
            (
                "huge string length",
                &[0x00, 0x7f, 0xff, 0xff, 0xff, 0x0f],
                DECODE_TRUNCATED_STRING,
            ),
            (
                "missing value",
                &[0x40, 0x01, b'a'],
                DECODE_TRUNCATED_STRING,
            ),
            ("index 0", &[0x80], DECODE_INDEX_ZERO),
            (
                "index past the table",
                &[0x80 | 62],
                DECODE_INDEX_PAST_TABLE,
            ),
            (
                "name index past the table",
                &[0x40 | 62, 0x00],
                DECODE_INDEX_PAST_TABLE,
            ),
            (
                "never-indexed name past",
                &[0x1f, 48, 0x00],
                DECODE_INDEX_PAST_TABLE,
            ),
            (
                "size update after a field",
                &[0x82, 0x20],
                DECODE_LATE_SIZE_UPDATE,
            ),
            (
                "three size updates",
                &[0x20, 0x20, 0x20],
                DECODE_TOO_MANY_SIZE_UPDATES,
            ),
            // 4097 = 31 + 0x62 + (0x1f << 7).
            (
                "size update over the limit",
                &[0x3f, 0xe2, 0x1f],
                DECODE_SIZE_UPDATE_OVER_LIMIT,
            ),
            (
                "Huffman EOS",
                &[0x00, 0x01, b'a', 0x85, 0x1f, 0xff, 0xff, 0xff, 0xff],
                huffman(HuffmanError::EosInString),
            ),
            (
                "Huffman EOS in a name",
                &[0x00, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00],
                huffman(HuffmanError::EosInString),
            ),
            (
                "Huffman padding of 8+ bits",
                &[0x00, 0x01, b'a', 0x82, 0x1f, 0xff],
                huffman(HuffmanError::PaddingTooLong),
            ),
            (
                "Huffman padding with a zero",
                &[0x00, 0x01, b'a', 0x81, 0x1e],
                huffman(HuffmanError::InvalidPadding),
            ),
        ];
        for (what, block, error) in cases {
            let mut decoder = Decoder::new(4096);
            assert_eq!(
                decoder.decode(block, usize::MAX, |_, _| {}),
                Err(error),
                "{what}"
            );
        }
    }

    #[test]
    fn accepts_edge_cases() {
        let mut decoder = Decoder::new(4096);
        assert_eq!(decode_fields(&mut decoder, &[]), Ok(vec![]));
        // Two size updates, the second to exactly the limit, then a field.
        let block = [0x20, 0x3f, 0xe1, 0x1f, 0x82];
        assert_eq!(
            decode_fields(&mut decoder, &block),
            Ok(fields(&[(":method", "GET")]))
        );
        assert_eq!(decoder.table.max_size, 4096);
        // An integer with five continuation bytes that fits: u32::MAX.
        let mut block = Vec::new();
        write_integer(u32::MAX as usize, 7, 0x80, &mut block);
        assert_eq!(block.len(), 6);
        assert_eq!(
            decoder.decode(&block, usize::MAX, |_, _| {}),
            Err(DECODE_INDEX_PAST_TABLE)
        );
        // Empty name and value.
        assert_eq!(
            decode_fields(&mut decoder, &[0x00, 0x00, 0x00]),
            Ok(fields(&[("", "")]))
        );
    }

    #[test]
    fn entry_larger_than_the_table_empties_it() {
        let mut decoder = Decoder::new(4096);
        decode_fields(
            &mut decoder,
            &hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"),
        )
        .unwrap();
        assert_eq!(decoder.table.entries.len(), 1);
        let mut block = vec![0x40, 0x01, b'a'];
        write_integer(4100, 7, 0, &mut block);
        block.extend(std::iter::repeat_n(b'v', 4100));
        let decoded = decode_fields(&mut decoder, &block).unwrap();
        assert_eq!(decoded, vec![(b"a".to_vec(), vec![b'v'; 4100])]);
        assert!(decoder.table.entries.is_empty());
        assert_eq!(decoder.table.size, 0);
    }

    #[test]
    fn new_entry_may_take_its_name_from_the_entry_it_evicts() {
        // A 100-byte table holds one entry of 5 + 40 + 32 = 77 bytes.
        let mut decoder = Decoder::new(100);
        let mut block = vec![0x40, 5];
        block.extend_from_slice(b"name1");
        block.push(40);
        block.extend_from_slice(&[b'x'; 40]);
        // Literal with incremental indexing, name from index 62: the entry just added.
        block.push(0x40 | 62);
        block.push(40);
        block.extend_from_slice(&[b'y'; 40]);
        let decoded = decode_fields(&mut decoder, &block).unwrap();
        assert_eq!(decoded[1], (b"name1".to_vec(), vec![b'y'; 40]));
        assert_eq!(
            table_entries(&decoder.table),
            vec![(b"name1".to_vec(), vec![b'y'; 40])]
        );
    }

    #[test]
    fn list_size_limit_stops_fields_but_not_decoding() {
        let mut encoder = Encoder::new();
        let list: Vec<(Vec<u8>, Vec<u8>, bool)> = (0..5)
            .map(|i| {
                (
                    format!("x-field{i}").into_bytes(),
                    vec![b'a' + i as u8; 20],
                    false,
                )
            })
            .collect();
        // Each field is 8 + 20 + 32 = 60.
        let mut first = Vec::new();
        encoder.encode_trailers(as_triples(&list), &mut first);
        let mut second = Vec::new();
        encoder.encode_trailers(as_triples(&list), &mut second);

        let mut reference = Decoder::new(4096);
        decode_fields(&mut reference, &first).unwrap();
        for (limit, delivered) in [(119, 1), (120, 2), (299, 4), (300, 5), (0, 0)] {
            let mut decoder = Decoder::new(4096);
            let mut seen = Vec::new();
            let decoded = decoder
                .decode(&first, limit, |name, _| seen.push(name.to_vec()))
                .unwrap();
            assert_eq!(seen.len(), delivered, "limit {limit}");
            assert_eq!(decoded.list_size, 300);
            assert_eq!(decoded.over_limit, delivered < 5, "limit {limit}");
            assert_eq!(
                table_entries(&decoder.table),
                table_entries(&reference.table)
            );
            // The table stayed in step: the next block refers to its entries.
            let expected: Fields = list
                .iter()
                .map(|(n, v, _)| (n.clone(), v.clone()))
                .collect();
            assert_eq!(decode_fields(&mut decoder, &second), Ok(expected));
        }
    }

    #[test]
    fn random_and_mutated_input_never_panics() {
        let mut rng = Rng(0xdead_beef_cafe_f00d);
        let mut encoder = Encoder::new();
        let mut corpus: Vec<Vec<u8>> = Vec::new();
        for _ in 0..50 {
            let mut block = Vec::new();
            let list = random_list(&mut rng);
            encoder.encode_response(
                pick(&mut rng, &[200, 302, 503]),
                as_triples(&list),
                &mut block,
            );
            corpus.push(block);
        }
        corpus.push(hex(
            "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
        ));
        corpus.extend(PYTHON_HPACK_BLOCKS.iter().map(|block| hex(block)));

        let mut decoder = Decoder::new(4096);
        let (mut successes, mut failures) = (0, 0);
        for _ in 0..20_000 {
            let input = if rng.below(3) == 0 {
                let len = rng.below(48);
                random_bytes(&mut rng, len)
            } else {
                let mut block = corpus[rng.below(corpus.len())].clone();
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(block.len() + 1);
                    match rng.below(5) {
                        0 if at < block.len() => block[at] ^= 1 << rng.below(8),
                        1 if at < block.len() => block[at] = rng.next() as u8,
                        2 => block.insert(at, rng.next() as u8),
                        3 if at < block.len() => {
                            block.remove(at);
                        }
                        _ => block.truncate(at),
                    }
                }
                block
            };
            let limit = pick(&mut rng, &[0, 100, 16_384, usize::MAX]);
            let mut delivered = 0;
            let result = decoder.decode(&input, limit, |name, value| {
                delivered += name.len() + value.len() + 32;
            });
            match result {
                Ok(decoded) => {
                    successes += 1;
                    assert!(delivered <= limit);
                    assert!(decoded.list_size >= delivered);
                }
                Err(_) => {
                    failures += 1;
                    decoder = Decoder::new(4096);
                }
            }
            assert!(decoder.table.size <= decoder.table.max_size);
            assert!(decoder.table.max_size <= 4096);
        }
        // Both outcomes were exercised.
        assert!(
            successes > 1000 && failures > 1000,
            "{successes} {failures}"
        );
    }

    // Building blocks.

    #[test]
    fn integers_round_trip() {
        // RFC 7541 C.1.
        let mut out = Vec::new();
        write_integer(10, 5, 0, &mut out);
        assert_eq!(out, [10]);
        out.clear();
        write_integer(1337, 5, 0, &mut out);
        assert_eq!(out, [31, 0x9a, 0x0a]);
        out.clear();
        write_integer(42, 8, 0, &mut out);
        assert_eq!(out, [42]);

        for prefix_bits in 4..=8 {
            let prefix_max = (1usize << prefix_bits) - 1;
            let values = [
                0,
                1,
                prefix_max - 1,
                prefix_max,
                prefix_max + 1,
                prefix_max + 127,
                prefix_max + 128,
                1337,
                1 << 20,
                u32::MAX as usize,
            ];
            for value in values {
                let mut out = vec![0xaa];
                write_integer(value, prefix_bits, 0, &mut out);
                let mut reader = Reader {
                    block: &out,
                    position: 1,
                };
                assert_eq!(reader.read_integer(prefix_bits), Ok(value));
                assert_eq!(reader.position, out.len());
            }
        }
        let mut out = Vec::new();
        write_integer(u32::MAX as usize + 1, 7, 0, &mut out);
        let mut reader = Reader {
            block: &out,
            position: 0,
        };
        assert_eq!(reader.read_integer(7), Err(DECODE_INTEGER_OVERFLOW));
    }

    #[test]
    fn static_name_index_finds_every_static_name() {
        for &(name, _) in &STATIC_TABLE {
            let first = STATIC_TABLE
                .iter()
                .position(|entry| entry.0 == name)
                .unwrap()
                + 1;
            assert_eq!(
                static_name_index(name),
                Some(first),
                "{}",
                String::from_utf8_lossy(name)
            );
        }
        for name in [
            "",
            "x",
            "Date",
            ":statu",
            ":statuss",
            "content-typ",
            "accept-encodings",
            "x-request-id",
        ] {
            assert_eq!(static_name_index(name.as_bytes()), None, "{name}");
        }
        assert_eq!(find_static(b":status", b"404"), TableMatch::Field(13));
        assert_eq!(find_static(b":status", b"201"), TableMatch::Name(8));
        assert_eq!(find_static(b":path", b"/index.html"), TableMatch::Field(5));
        assert_eq!(
            find_static(b"accept-encoding", b"gzip, deflate"),
            TableMatch::Field(16)
        );
        assert_eq!(find_static(b"accept-encoding", b"br"), TableMatch::Name(16));
        assert_eq!(find_static(b"server", b""), TableMatch::Field(54));
        assert_eq!(find_static(b"x-foo", b""), TableMatch::None);
    }

    #[test]
    fn dynamic_table_matches_a_simple_model() {
        let mut rng = Rng(99);
        let mut table = DynamicTable::new(512);
        // Newest first.
        let mut model: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let mut max_size = 512;
        let model_size = |model: &[(Vec<u8>, Vec<u8>)]| -> usize {
            model.iter().map(|(n, v)| n.len() + v.len() + 32).sum()
        };
        for _ in 0..5000 {
            if rng.below(20) == 0 {
                max_size = rng.below(700);
                table.set_max_size(max_size);
            } else {
                let name = vec![b'n'; rng.below(4)];
                let value = vec![rng.below(4) as u8; rng.below(300)];
                table.insert(&name, &value);
                model.insert(0, (name, value));
                assert!(table.bytes.len() <= 2 * max_size);
            }
            while model_size(&model) > max_size {
                model.pop();
            }
            assert_eq!(table_entries(&table), model);
            assert_eq!(table.size, model_size(&model));
            assert_eq!(table.get(0), None);
            assert_eq!(table.get(model.len() + 1), None);
            let (name, value) = (
                vec![b'n'; rng.below(4)],
                vec![rng.below(4) as u8; rng.below(300)],
            );
            let expected = match model
                .iter()
                .position(|entry| *entry == (name.clone(), value.clone()))
            {
                Some(position) => TableMatch::Field(position + 1),
                None => match model.iter().position(|entry| entry.0 == name) {
                    Some(position) => TableMatch::Name(position + 1),
                    None => TableMatch::None,
                },
            };
            assert_eq!(table.find(&name, &value), expected);
        }
    }

    #[test]
    fn debug_output_hides_table_contents() {
        let mut decoder = Decoder::new(4096);
        let mut encoder = Encoder::new();
        let block = hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572");
        decode_fields(&mut decoder, &block).unwrap();
        response(&mut encoder, 200, &[("x-secret", "hunter2")]);
        assert!(!format!("{decoder:?}").contains("custom"));
        assert!(!format!("{encoder:?}").contains("hunter2"));
        assert!(format!("{decoder:?}").contains("entries: 1"));
    }
}
