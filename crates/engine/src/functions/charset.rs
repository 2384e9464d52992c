//! The character sets `encode` and `decode` know, as Spark 4 has them: text to bytes and back, and Spark's errors
//! for a set it does not know or a character the set cannot hold.

use crate::{EngineError, Result};

const CHARSETS: &str = "iso-8859-1, us-ascii, utf-16, utf-16be, utf-16le, utf-32, utf-8";

/// `encode(text, charset)`.
pub fn encode(text: &str, charset: &str) -> Result<Vec<u8>> {
    let narrow = |limit: u32| -> Result<Vec<u8>> {
        text.chars().map(|c| u8::try_from(c as u32).ok().filter(|b| u32::from(*b) <= limit)).collect::<Option<_>>()
            .ok_or_else(|| malformed("encode", charset))
    };
    Ok(match charset.to_ascii_lowercase().as_str() {
        "us-ascii" => narrow(0x7F)?,
        "iso-8859-1" => narrow(0xFF)?,
        "utf-8" => text.as_bytes().to_vec(),
        "utf-16be" => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        "utf-16le" => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        // Java writes a byte-order mark, then big-endian units.
        "utf-16" => [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect(),
        "utf-32" => text.chars().flat_map(|c| (c as u32).to_be_bytes()).collect(),
        _ => return Err(unknown("encode", charset)),
    })
}

/// `decode(bytes, charset)`.
pub fn decode(bytes: &[u8], charset: &str) -> Result<String> {
    let units = |big_endian: bool, bytes: &[u8]| -> Result<String> {
        if !bytes.len().is_multiple_of(2) {
            return Err(malformed("decode", charset));
        }
        let units = bytes.chunks_exact(2).map(|p| if big_endian { u16::from_be_bytes([p[0], p[1]]) } else { u16::from_le_bytes([p[0], p[1]]) });
        char::decode_utf16(units).collect::<std::result::Result<String, _>>().map_err(|_| malformed("decode", charset))
    };
    match charset.to_ascii_lowercase().as_str() {
        "us-ascii" if bytes.is_ascii() => Ok(bytes.iter().map(|b| char::from(*b)).collect()),
        "us-ascii" => Err(malformed("decode", charset)),
        "iso-8859-1" => Ok(bytes.iter().map(|b| char::from(*b)).collect()),
        "utf-8" => String::from_utf8(bytes.to_vec()).map_err(|_| malformed("decode", charset)),
        "utf-16be" => units(true, bytes),
        "utf-16le" => units(false, bytes),
        "utf-16" => match bytes {
            [0xFF, 0xFE, rest @ ..] => units(false, rest),
            [0xFE, 0xFF, rest @ ..] => units(true, rest),
            _ => units(true, bytes),
        },
        "utf-32" if bytes.len().is_multiple_of(4) => bytes
            .chunks_exact(4)
            .map(|q| char::from_u32(u32::from_be_bytes([q[0], q[1], q[2], q[3]])))
            .collect::<Option<String>>()
            .ok_or_else(|| malformed("decode", charset)),
        "utf-32" => Err(malformed("decode", charset)),
        _ => Err(unknown("decode", charset)),
    }
}

fn unknown(function: &str, charset: &str) -> EngineError {
    EngineError::Runtime(format!(
        "[INVALID_PARAMETER_VALUE.CHARSET] The value of parameter(s) `charset` in `{function}` is invalid: expects one \
         of the {CHARSETS}, but got {charset}. SQLSTATE: 22023"
    ))
}

fn malformed(function: &str, charset: &str) -> EngineError {
    EngineError::Runtime(format!(
        "[MALFORMED_CHARACTER_CODING] Invalid value found when performing `{function}` with `{}`. SQLSTATE: 22000",
        charset.to_ascii_uppercase()
    ))
}
