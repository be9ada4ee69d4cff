//! HPACK's static Huffman code (RFC 7541 §5.2 and Appendix B): an encoder, and a decoder that
//! walks the code four bits per table lookup and rejects EOS and malformed padding.

/// Why a Huffman-coded string literal was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HuffmanError {
    /// The string contains the EOS symbol, which §5.2 forbids.
    EosInString,
    /// The string ends in more than seven bits of padding.
    PaddingTooLong,
    /// The string ends in bits that are neither a whole symbol nor a prefix of EOS (all ones).
    InvalidPadding,
}

impl HuffmanError {
    /// A short description, for a debug log.
    pub(super) fn message(self) -> &'static str {
        match self {
            HuffmanError::EosInString => "Huffman-coded string contains EOS",
            HuffmanError::PaddingTooLong => "Huffman-coded string has more than 7 bits of padding",
            HuffmanError::InvalidPadding => {
                "Huffman-coded string ends in padding that is not all ones"
            }
        }
    }
}

/// The length in bytes of `bytes` once Huffman-coded, padding included.
pub(super) fn encoded_len(bytes: &[u8]) -> usize {
    let bits: usize = bytes.iter().map(|&byte| usize::from(code_of(byte).1)).sum();
    bits.div_ceil(8)
}

/// Appends the Huffman coding of `bytes` to `out`, padded with the most significant bits of EOS.
pub(super) fn encode(bytes: &[u8], out: &mut Vec<u8>) {
    // Bits not yet written are the low `pending_bits` bits of `pending`. Fewer than 32 are
    // left after each symbol and a code has at most 30 bits, so they always fit.
    let mut pending: u64 = 0;
    let mut pending_bits: u32 = 0;
    for &byte in bytes {
        let (code, len) = code_of(byte);
        pending = (pending << len) | u64::from(code);
        pending_bits += u32::from(len);
        if pending_bits >= 32 {
            pending_bits -= 32;
            out.extend_from_slice(&((pending >> pending_bits) as u32).to_be_bytes());
        }
    }
    while pending_bits >= 8 {
        pending_bits -= 8;
        out.push((pending >> pending_bits) as u8);
    }
    if pending_bits > 0 {
        let padding_bits = 8 - pending_bits;
        out.push(((pending << padding_bits) | ((1 << padding_bits) - 1)) as u8);
    }
}

/// Appends the decoding of the Huffman-coded `input` to `out`.
///
/// On error, `out` may hold part of the decoded string.
pub(super) fn decode(input: &[u8], out: &mut Vec<u8>) -> Result<(), HuffmanError> {
    // The shortest code is 5 bits, so each 5 input bytes give at most 8 output bytes.
    out.reserve(input.len() / 5 * 8 + 8);
    let tables = &DECODE_TABLES;
    let mut state: u8 = 0;
    for &byte in input {
        for nibble in [byte >> 4, byte & 0x0f] {
            let step = tables.steps[usize::from(state)][usize::from(nibble)];
            if step.flags & HITS_EOS != 0 {
                return Err(HuffmanError::EosInString);
            }
            if step.flags & EMITS_SYMBOL != 0 {
                out.push(step.symbol);
            }
            state = step.next_state;
        }
    }
    match tables.endings[usize::from(state)] {
        Ending::Complete => Ok(()),
        Ending::PaddingTooLong => Err(HuffmanError::PaddingTooLong),
        Ending::InvalidPadding => Err(HuffmanError::InvalidPadding),
    }
}

/// The code of a byte: (code in the low bits, length in bits).
fn code_of(byte: u8) -> (u32, u8) {
    CODES[usize::from(byte)]
}

/// The EOS symbol's number in [`CODES`].
const EOS: usize = 256;

/// The code of each symbol, bytes 0–255 and then EOS: (code in the low bits, length in bits),
/// from RFC 7541 Appendix B.
const CODES: [(u32, u8); 257] = [
    (0x1ff8, 13),     // 0
    (0x7fffd8, 23),   // 1
    (0xfffffe2, 28),  // 2
    (0xfffffe3, 28),  // 3
    (0xfffffe4, 28),  // 4
    (0xfffffe5, 28),  // 5
    (0xfffffe6, 28),  // 6
    (0xfffffe7, 28),  // 7
    (0xfffffe8, 28),  // 8
    (0xffffea, 24),   // 9
    (0x3ffffffc, 30), // 10
    (0xfffffe9, 28),  // 11
    (0xfffffea, 28),  // 12
    (0x3ffffffd, 30), // 13
    (0xfffffeb, 28),  // 14
    (0xfffffec, 28),  // 15
    (0xfffffed, 28),  // 16
    (0xfffffee, 28),  // 17
    (0xfffffef, 28),  // 18
    (0xffffff0, 28),  // 19
    (0xffffff1, 28),  // 20
    (0xffffff2, 28),  // 21
    (0x3ffffffe, 30), // 22
    (0xffffff3, 28),  // 23
    (0xffffff4, 28),  // 24
    (0xffffff5, 28),  // 25
    (0xffffff6, 28),  // 26
    (0xffffff7, 28),  // 27
    (0xffffff8, 28),  // 28
    (0xffffff9, 28),  // 29
    (0xffffffa, 28),  // 30
    (0xffffffb, 28),  // 31
    (0x14, 6),        // ' ' 32
    (0x3f8, 10),      // '!' 33
    (0x3f9, 10),      // '"' 34
    (0xffa, 12),      // '#' 35
    (0x1ff9, 13),     // '$' 36
    (0x15, 6),        // '%' 37
    (0xf8, 8),        // '&' 38
    (0x7fa, 11),      // ''' 39
    (0x3fa, 10),      // '(' 40
    (0x3fb, 10),      // ')' 41
    (0xf9, 8),        // '*' 42
    (0x7fb, 11),      // '+' 43
    (0xfa, 8),        // ',' 44
    (0x16, 6),        // '-' 45
    (0x17, 6),        // '.' 46
    (0x18, 6),        // '/' 47
    (0x0, 5),         // '0' 48
    (0x1, 5),         // '1' 49
    (0x2, 5),         // '2' 50
    (0x19, 6),        // '3' 51
    (0x1a, 6),        // '4' 52
    (0x1b, 6),        // '5' 53
    (0x1c, 6),        // '6' 54
    (0x1d, 6),        // '7' 55
    (0x1e, 6),        // '8' 56
    (0x1f, 6),        // '9' 57
    (0x5c, 7),        // ':' 58
    (0xfb, 8),        // ';' 59
    (0x7ffc, 15),     // '<' 60
    (0x20, 6),        // '=' 61
    (0xffb, 12),      // '>' 62
    (0x3fc, 10),      // '?' 63
    (0x1ffa, 13),     // '@' 64
    (0x21, 6),        // 'A' 65
    (0x5d, 7),        // 'B' 66
    (0x5e, 7),        // 'C' 67
    (0x5f, 7),        // 'D' 68
    (0x60, 7),        // 'E' 69
    (0x61, 7),        // 'F' 70
    (0x62, 7),        // 'G' 71
    (0x63, 7),        // 'H' 72
    (0x64, 7),        // 'I' 73
    (0x65, 7),        // 'J' 74
    (0x66, 7),        // 'K' 75
    (0x67, 7),        // 'L' 76
    (0x68, 7),        // 'M' 77
    (0x69, 7),        // 'N' 78
    (0x6a, 7),        // 'O' 79
    (0x6b, 7),        // 'P' 80
    (0x6c, 7),        // 'Q' 81
    (0x6d, 7),        // 'R' 82
    (0x6e, 7),        // 'S' 83
    (0x6f, 7),        // 'T' 84
    (0x70, 7),        // 'U' 85
    (0x71, 7),        // 'V' 86
    (0x72, 7),        // 'W' 87
    (0xfc, 8),        // 'X' 88
    (0x73, 7),        // 'Y' 89
    (0xfd, 8),        // 'Z' 90
    (0x1ffb, 13),     // '[' 91
    (0x7fff0, 19),    // '\' 92
    (0x1ffc, 13),     // ']' 93
    (0x3ffc, 14),     // '^' 94
    (0x22, 6),        // '_' 95
    (0x7ffd, 15),     // '`' 96
    (0x3, 5),         // 'a' 97
    (0x23, 6),        // 'b' 98
    (0x4, 5),         // 'c' 99
    (0x24, 6),        // 'd' 100
    (0x5, 5),         // 'e' 101
    (0x25, 6),        // 'f' 102
    (0x26, 6),        // 'g' 103
    (0x27, 6),        // 'h' 104
    (0x6, 5),         // 'i' 105
    (0x74, 7),        // 'j' 106
    (0x75, 7),        // 'k' 107
    (0x28, 6),        // 'l' 108
    (0x29, 6),        // 'm' 109
    (0x2a, 6),        // 'n' 110
    (0x7, 5),         // 'o' 111
    (0x2b, 6),        // 'p' 112
    (0x76, 7),        // 'q' 113
    (0x2c, 6),        // 'r' 114
    (0x8, 5),         // 's' 115
    (0x9, 5),         // 't' 116
    (0x2d, 6),        // 'u' 117
    (0x77, 7),        // 'v' 118
    (0x78, 7),        // 'w' 119
    (0x79, 7),        // 'x' 120
    (0x7a, 7),        // 'y' 121
    (0x7b, 7),        // 'z' 122
    (0x7ffe, 15),     // '{' 123
    (0x7fc, 11),      // '|' 124
    (0x3ffd, 14),     // '}' 125
    (0x1ffd, 13),     // '~' 126
    (0xffffffc, 28),  // 127
    (0xfffe6, 20),    // 128
    (0x3fffd2, 22),   // 129
    (0xfffe7, 20),    // 130
    (0xfffe8, 20),    // 131
    (0x3fffd3, 22),   // 132
    (0x3fffd4, 22),   // 133
    (0x3fffd5, 22),   // 134
    (0x7fffd9, 23),   // 135
    (0x3fffd6, 22),   // 136
    (0x7fffda, 23),   // 137
    (0x7fffdb, 23),   // 138
    (0x7fffdc, 23),   // 139
    (0x7fffdd, 23),   // 140
    (0x7fffde, 23),   // 141
    (0xffffeb, 24),   // 142
    (0x7fffdf, 23),   // 143
    (0xffffec, 24),   // 144
    (0xffffed, 24),   // 145
    (0x3fffd7, 22),   // 146
    (0x7fffe0, 23),   // 147
    (0xffffee, 24),   // 148
    (0x7fffe1, 23),   // 149
    (0x7fffe2, 23),   // 150
    (0x7fffe3, 23),   // 151
    (0x7fffe4, 23),   // 152
    (0x1fffdc, 21),   // 153
    (0x3fffd8, 22),   // 154
    (0x7fffe5, 23),   // 155
    (0x3fffd9, 22),   // 156
    (0x7fffe6, 23),   // 157
    (0x7fffe7, 23),   // 158
    (0xffffef, 24),   // 159
    (0x3fffda, 22),   // 160
    (0x1fffdd, 21),   // 161
    (0xfffe9, 20),    // 162
    (0x3fffdb, 22),   // 163
    (0x3fffdc, 22),   // 164
    (0x7fffe8, 23),   // 165
    (0x7fffe9, 23),   // 166
    (0x1fffde, 21),   // 167
    (0x7fffea, 23),   // 168
    (0x3fffdd, 22),   // 169
    (0x3fffde, 22),   // 170
    (0xfffff0, 24),   // 171
    (0x1fffdf, 21),   // 172
    (0x3fffdf, 22),   // 173
    (0x7fffeb, 23),   // 174
    (0x7fffec, 23),   // 175
    (0x1fffe0, 21),   // 176
    (0x1fffe1, 21),   // 177
    (0x3fffe0, 22),   // 178
    (0x1fffe2, 21),   // 179
    (0x7fffed, 23),   // 180
    (0x3fffe1, 22),   // 181
    (0x7fffee, 23),   // 182
    (0x7fffef, 23),   // 183
    (0xfffea, 20),    // 184
    (0x3fffe2, 22),   // 185
    (0x3fffe3, 22),   // 186
    (0x3fffe4, 22),   // 187
    (0x7ffff0, 23),   // 188
    (0x3fffe5, 22),   // 189
    (0x3fffe6, 22),   // 190
    (0x7ffff1, 23),   // 191
    (0x3ffffe0, 26),  // 192
    (0x3ffffe1, 26),  // 193
    (0xfffeb, 20),    // 194
    (0x7fff1, 19),    // 195
    (0x3fffe7, 22),   // 196
    (0x7ffff2, 23),   // 197
    (0x3fffe8, 22),   // 198
    (0x1ffffec, 25),  // 199
    (0x3ffffe2, 26),  // 200
    (0x3ffffe3, 26),  // 201
    (0x3ffffe4, 26),  // 202
    (0x7ffffde, 27),  // 203
    (0x7ffffdf, 27),  // 204
    (0x3ffffe5, 26),  // 205
    (0xfffff1, 24),   // 206
    (0x1ffffed, 25),  // 207
    (0x7fff2, 19),    // 208
    (0x1fffe3, 21),   // 209
    (0x3ffffe6, 26),  // 210
    (0x7ffffe0, 27),  // 211
    (0x7ffffe1, 27),  // 212
    (0x3ffffe7, 26),  // 213
    (0x7ffffe2, 27),  // 214
    (0xfffff2, 24),   // 215
    (0x1fffe4, 21),   // 216
    (0x1fffe5, 21),   // 217
    (0x3ffffe8, 26),  // 218
    (0x3ffffe9, 26),  // 219
    (0xffffffd, 28),  // 220
    (0x7ffffe3, 27),  // 221
    (0x7ffffe4, 27),  // 222
    (0x7ffffe5, 27),  // 223
    (0xfffec, 20),    // 224
    (0xfffff3, 24),   // 225
    (0xfffed, 20),    // 226
    (0x1fffe6, 21),   // 227
    (0x3fffe9, 22),   // 228
    (0x1fffe7, 21),   // 229
    (0x1fffe8, 21),   // 230
    (0x7ffff3, 23),   // 231
    (0x3fffea, 22),   // 232
    (0x3fffeb, 22),   // 233
    (0x1ffffee, 25),  // 234
    (0x1ffffef, 25),  // 235
    (0xfffff4, 24),   // 236
    (0xfffff5, 24),   // 237
    (0x3ffffea, 26),  // 238
    (0x7ffff4, 23),   // 239
    (0x3ffffeb, 26),  // 240
    (0x7ffffe6, 27),  // 241
    (0x3ffffec, 26),  // 242
    (0x3ffffed, 26),  // 243
    (0x7ffffe7, 27),  // 244
    (0x7ffffe8, 27),  // 245
    (0x7ffffe9, 27),  // 246
    (0x7ffffea, 27),  // 247
    (0x7ffffeb, 27),  // 248
    (0xffffffe, 28),  // 249
    (0x7ffffec, 27),  // 250
    (0x7ffffed, 27),  // 251
    (0x7ffffee, 27),  // 252
    (0x7ffffef, 27),  // 253
    (0x7fffff0, 27),  // 254
    (0x3ffffee, 26),  // 255
    (0x3fffffff, 30), // EOS 256
];

/// A decoder step: what four more input bits do in a given state.
#[derive(Clone, Copy)]
struct Step {
    /// The state after the four bits.
    next_state: u8,
    /// The symbol the bits completed, when `flags` has [`EMITS_SYMBOL`].
    symbol: u8,
    /// [`EMITS_SYMBOL`] and [`HITS_EOS`].
    flags: u8,
}

/// The step completes a symbol (at most one: no code is shorter than 5 bits).
const EMITS_SYMBOL: u8 = 1;
/// The step completes EOS: the string is invalid.
const HITS_EOS: u8 = 2;

/// What it means for the input to end in a given state.
#[derive(Clone, Copy)]
enum Ending {
    /// The bits since the last symbol are a prefix of EOS of at most 7 bits: valid padding.
    Complete,
    /// The bits since the last symbol are all ones, but 8 or more of them.
    PaddingTooLong,
    /// The bits since the last symbol contain a zero.
    InvalidPadding,
}

/// The decoder's states are the 256 internal nodes of the code tree, numbered so that the
/// root, where no bits are pending, is state 0.
struct DecodeTables {
    /// Indexed by state, then by the next four input bits.
    steps: [[Step; 16]; 256],
    /// Indexed by state.
    endings: [Ending; 256],
}

static DECODE_TABLES: DecodeTables = build_decode_tables();

/// Marks a child in the code tree as a symbol rather than another internal node.
const LEAF: u16 = 0x8000;

/// Builds the decoder's tables from [`CODES`] at compile time; a code table that is not a
/// complete prefix code fails the build.
const fn build_decode_tables() -> DecodeTables {
    // children[node] = [child on a 0 bit, child on a 1 bit]: an internal node's number, or LEAF
    // plus a symbol. 0 means not yet set, since the root is nobody's child.
    let mut children = [[0u16; 2]; 256];
    // The path from the root to each internal node: its length, and whether it is all ones.
    let mut depth = [0u8; 256];
    let mut all_ones = [false; 256];
    all_ones[0] = true;
    let mut node_count = 1;

    let mut symbol = 0;
    while symbol < CODES.len() {
        let (code, len) = CODES[symbol];
        let mut node = 0;
        let mut bits_left = len as u32;
        while bits_left > 1 {
            bits_left -= 1;
            let bit = ((code >> bits_left) & 1) as usize;
            if children[node][bit] == 0 {
                assert!(
                    node_count < 256,
                    "the code tree has too many internal nodes"
                );
                children[node][bit] = node_count as u16;
                depth[node_count] = depth[node] + 1;
                all_ones[node_count] = all_ones[node] && bit == 1;
                node_count += 1;
            }
            assert!(
                children[node][bit] & LEAF == 0,
                "a code is a prefix of another"
            );
            node = children[node][bit] as usize;
        }
        let bit = (code & 1) as usize;
        assert!(children[node][bit] == 0, "two codes are the same");
        children[node][bit] = LEAF | symbol as u16;
        symbol += 1;
    }

    let idle = Step {
        next_state: 0,
        symbol: 0,
        flags: 0,
    };
    let mut steps = [[idle; 16]; 256];
    let mut endings = [Ending::InvalidPadding; 256];
    let mut state = 0;
    while state < 256 {
        endings[state] = if !all_ones[state] {
            Ending::InvalidPadding
        } else if depth[state] > 7 {
            Ending::PaddingTooLong
        } else {
            Ending::Complete
        };
        let mut nibble = 0;
        while nibble < 16 {
            let mut step = idle;
            let mut node = state;
            let mut bits_left = 4;
            while bits_left > 0 {
                bits_left -= 1;
                let child = children[node][(nibble >> bits_left) & 1];
                assert!(child != 0, "the code is not complete");
                if child & LEAF == 0 {
                    node = child as usize;
                } else if (child & !LEAF) as usize == EOS {
                    step.flags |= HITS_EOS;
                    node = 0;
                    break;
                } else {
                    assert!(step.flags & EMITS_SYMBOL == 0, "two symbols in four bits");
                    step.flags |= EMITS_SYMBOL;
                    step.symbol = (child & !LEAF) as u8;
                    node = 0;
                }
            }
            step.next_state = node as u8;
            steps[state][nibble] = step;
            nibble += 1;
        }
        state += 1;
    }
    DecodeTables { steps, endings }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn hex(text: &str) -> Vec<u8> {
        let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    fn encoded(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encode(bytes, &mut out);
        out
    }

    fn decoded(input: &[u8]) -> Result<Vec<u8>, HuffmanError> {
        let mut out = Vec::new();
        decode(input, &mut out).map(|()| out)
    }

    use crate::proxy::h1::mutations::Rng;

    /// Decodes bit by bit by looking each prefix up among the codes: slow, but independent of
    /// the state machine.
    fn reference_decode(input: &[u8]) -> Result<Vec<u8>, HuffmanError> {
        let symbols: HashMap<(u32, u8), usize> = CODES
            .iter()
            .enumerate()
            .map(|(symbol, &code)| (code, symbol))
            .collect();
        let mut out = Vec::new();
        let (mut code, mut len) = (0u32, 0u8);
        for byte in input {
            for shift in (0..8).rev() {
                code = (code << 1) | u32::from((byte >> shift) & 1);
                len += 1;
                match symbols.get(&(code, len)) {
                    Some(&EOS) => return Err(HuffmanError::EosInString),
                    Some(&symbol) => {
                        out.push(symbol as u8);
                        (code, len) = (0, 0);
                    }
                    None => {}
                }
            }
        }
        if len > 0 && code != (1 << len) - 1 {
            Err(HuffmanError::InvalidPadding)
        } else if len > 7 {
            Err(HuffmanError::PaddingTooLong)
        } else {
            Ok(out)
        }
    }

    /// The strings Huffman-coded in RFC 7541 Appendix C.4 and C.6.
    const RFC_EXAMPLES: [(&str, &str); 10] = [
        ("www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff"),
        ("no-cache", "a8eb 1064 9cbf"),
        ("custom-key", "25a8 49e9 5ba9 7d7f"),
        ("custom-value", "25a8 49e9 5bb8 e8b4 bf"),
        ("302", "6402"),
        ("private", "aec3 771a 4b"),
        (
            "Mon, 21 Oct 2013 20:13:21 GMT",
            "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff",
        ),
        (
            "https://www.example.com",
            "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3",
        ),
        ("gzip", "9bd9 ab"),
        (
            "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
            "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f \
             9587 3160 65c0 03ed 4ee5 b106 3d50 07",
        ),
    ];

    #[test]
    fn encodes_rfc_examples() {
        for (text, coded) in RFC_EXAMPLES {
            assert_eq!(encoded(text.as_bytes()), hex(coded), "{text}");
            assert_eq!(encoded_len(text.as_bytes()), hex(coded).len(), "{text}");
        }
    }

    #[test]
    fn decodes_rfc_examples() {
        for (text, coded) in RFC_EXAMPLES {
            assert_eq!(decoded(&hex(coded)), Ok(text.as_bytes().to_vec()), "{text}");
        }
    }

    #[test]
    fn code_table_is_a_complete_prefix_code() {
        // Kraft's equality: the codes exactly fill the code space.
        let filled: u64 = CODES.iter().map(|&(_, len)| 1u64 << (30 - len)).sum();
        assert_eq!(filled, 1 << 30);
        for (symbol, &(code, len)) in CODES.iter().enumerate() {
            assert!((5..=30).contains(&len), "symbol {symbol}");
            assert!(code < 1 << len, "symbol {symbol}");
        }
        assert_eq!(CODES[EOS], (0x3fff_ffff, 30));
    }

    #[test]
    fn every_byte_round_trips() {
        for byte in 0..=255u8 {
            assert_eq!(decoded(&encoded(&[byte])), Ok(vec![byte]), "{byte}");
        }
        let all: Vec<u8> = (0..=255).chain((0..=255).rev()).collect();
        assert_eq!(decoded(&encoded(&all)), Ok(all.clone()));
        assert_eq!(encoded_len(&all), encoded(&all).len());
    }

    #[test]
    fn empty_string() {
        assert_eq!(encoded(b""), Vec::<u8>::new());
        assert_eq!(encoded_len(b""), 0);
        assert_eq!(decoded(b""), Ok(Vec::new()));
    }

    #[test]
    fn rejects_eos() {
        // 'a' (00011), then EOS (30 ones), then 5 bits of padding.
        assert_eq!(
            decoded(&[0x1f, 0xff, 0xff, 0xff, 0xff]),
            Err(HuffmanError::EosInString)
        );
        // EOS alone.
        assert_eq!(
            decoded(&[0xff, 0xff, 0xff, 0xff]),
            Err(HuffmanError::EosInString)
        );
    }

    #[test]
    fn rejects_padding_of_eight_bits_or_more() {
        // 'a' (00011), then 11 ones.
        assert_eq!(decoded(&[0x1f, 0xff]), Err(HuffmanError::PaddingTooLong));
        assert_eq!(decoded(&[0xff]), Err(HuffmanError::PaddingTooLong));
        let mut padded = encoded(b"www.example.com");
        padded.push(0xff);
        assert_eq!(decoded(&padded), Err(HuffmanError::PaddingTooLong));
    }

    #[test]
    fn rejects_padding_with_a_zero_bit() {
        // 'a' (00011), then padding 110.
        assert_eq!(decoded(&[0x1e]), Err(HuffmanError::InvalidPadding));
        // '0' (00000), then 000: a zero-filled tail.
        assert_eq!(decoded(&[0x00]), Err(HuffmanError::InvalidPadding));
        // A string cut in the middle of a long code.
        assert_eq!(decoded(&[0xfe]), Err(HuffmanError::InvalidPadding));
    }

    #[test]
    fn agrees_with_reference_decoder() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let input: Vec<u8> = if rng.below(2) == 0 {
                (0..rng.below(12)).map(|_| rng.next() as u8).collect()
            } else {
                // A valid coding, perhaps damaged at the end.
                let text: Vec<u8> = (0..rng.below(12)).map(|_| rng.next() as u8).collect();
                let mut coded = encoded(&text);
                match rng.below(4) {
                    0 => coded.push(rng.next() as u8),
                    1 => {
                        coded.pop();
                    }
                    2 => {
                        if let Some(last) = coded.last_mut() {
                            *last ^= 1 << rng.below(8);
                        }
                    }
                    _ => {}
                }
                coded
            };
            assert_eq!(decoded(&input), reference_decode(&input), "{input:02x?}");
        }
    }

    #[test]
    fn random_strings_round_trip() {
        let mut rng = Rng(12345);
        for _ in 0..2000 {
            let text: Vec<u8> = (0..rng.below(40))
                .map(|_| match rng.below(3) {
                    0 => rng.next() as u8,
                    _ => b"abcdefghijklmnopqrstuvwxyz0123456789-/=;, "[rng.below(42)],
                })
                .collect();
            let coded = encoded(&text);
            assert_eq!(coded.len(), encoded_len(&text));
            assert_eq!(decoded(&coded), Ok(text));
        }
    }
}
