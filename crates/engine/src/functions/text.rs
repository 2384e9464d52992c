//! String functions beyond the basics: `base64`/`unbase64`, `substring_index`, `overlay`, `elt`, `find_in_set`,
//! `url_encode`/`url_decode`, the regular-expression family (`regexp_count`, `regexp_substr`, `regexp_instr`,
//! `regexp_extract_all`, see [`super::regex`]) and `format_string`/`printf` (see [`super::java_format`]).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::types::SparkType;
use crate::value::Value;
use crate::{EngineError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFunction {
    Base64,
    Unbase64,
    SubstringIndex,
    Overlay,
    Elt,
    FindInSet,
    UrlEncode,
    UrlDecode,
    RegexpCount,
    RegexpSubstr,
    RegexpInstr,
    RegexpExtractAll,
    FormatString,
    /// `mask(text, upper, lower, digit, other)`: each letter, digit or other character replaced by its class's
    /// character (a NULL one keeps it).
    Mask,
    /// `parse_url(url, part[, key])`: a part of a URL, as Java's `URI` reads it.
    ParseUrl,
}

use TextFunction::*;

const ALL: [TextFunction; 15] = [
    Base64, Unbase64, SubstringIndex, Overlay, Elt, FindInSet, UrlEncode, UrlDecode, RegexpCount, RegexpSubstr,
    RegexpInstr, RegexpExtractAll, FormatString, Mask, ParseUrl,
];

impl TextFunction {
    pub fn name(self) -> &'static str {
        match self {
            Base64 => "base64",
            Unbase64 => "unbase64",
            SubstringIndex => "substring_index",
            Overlay => "overlay",
            Elt => "elt",
            FindInSet => "find_in_set",
            UrlEncode => "url_encode",
            UrlDecode => "url_decode",
            RegexpCount => "regexp_count",
            RegexpSubstr => "regexp_substr",
            RegexpInstr => "regexp_instr",
            RegexpExtractAll => "regexp_extract_all",
            FormatString => "format_string",
            Mask => "mask",
            ParseUrl => "parse_url",
        }
    }

    /// The function called `name` (lower-case); `printf` is `format_string`.
    pub fn by_name(name: &str) -> Option<Self> {
        if name == "printf" {
            return Some(FormatString);
        }
        ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn arity(self) -> (usize, usize) {
        match self {
            Base64 | Unbase64 | UrlEncode | UrlDecode => (1, 1),
            FindInSet | RegexpCount | RegexpSubstr => (2, 2),
            RegexpInstr | RegexpExtractAll => (2, 3),
            SubstringIndex => (3, 3),
            Overlay => (3, 4),
            Elt => (2, usize::MAX),
            FormatString => (1, usize::MAX),
            Mask => (1, 5),
            ParseUrl => (2, 3),
        }
    }

    /// The types the arguments are cast to; `given` are their types before.
    pub fn argument_types(self, given: &[SparkType]) -> Vec<SparkType> {
        use SparkType::*;
        match self {
            Base64 => vec![Binary],
            Unbase64 | UrlEncode | UrlDecode => vec![String],
            FindInSet | RegexpCount | RegexpSubstr => vec![String, String],
            RegexpInstr | RegexpExtractAll => [String, String, Integer][..given.len()].to_vec(),
            SubstringIndex => vec![String, String, Integer],
            Overlay => [String, String, Integer, Integer][..given.len()].to_vec(),
            Elt => std::iter::once(Integer).chain(given[1..].iter().map(|_| String)).collect(),
            // The values are formatted as they are; only the format is text.
            FormatString => std::iter::once(String).chain(given[1..].iter().cloned()).collect(),
            Mask | ParseUrl => vec![String; given.len()],
        }
    }

    pub fn return_type(self) -> SparkType {
        match self {
            Unbase64 => SparkType::Binary,
            FindInSet | RegexpCount | RegexpInstr => SparkType::Integer,
            RegexpExtractAll => SparkType::array_of(SparkType::String, true),
            _ => SparkType::String,
        }
    }

    /// `elt` picks among its arguments, NULL ones too; `format_string` writes NULL as `null`.
    pub fn sees_nulls(self) -> bool {
        matches!(self, Elt | FormatString | Mask)
    }

    pub fn apply(self, args: &[Value], ansi: bool) -> Result<Value> {
        let text = |i: usize| -> &str { if let Value::String(s) = &args[i] { s } else { "" } };
        let int = |i: usize, default: i64| args.get(i).and_then(Value::as_i64).unwrap_or(default);
        Ok(match self {
            Base64 => match &args[0] {
                Value::Binary(bytes) => Value::String(STANDARD.encode(bytes)),
                _ => Value::Null,
            },
            Unbase64 => unbase64(text(0))?,
            SubstringIndex => Value::String(substring_index(text(0), text(1), int(2, 0))),
            Overlay => Value::String(overlay(text(0), text(1), int(2, 1), int(3, -1))),
            Elt => elt(args, ansi)?,
            FindInSet => Value::Integer(find_in_set(text(0), text(1))),
            UrlEncode => Value::String(url_encode(text(0))),
            UrlDecode => Value::String(url_decode(text(0))?),
            RegexpCount => Value::Integer(super::regex::count(text(0), text(1))?),
            RegexpSubstr => super::regex::first_match(text(0), text(1))?.map_or(Value::Null, Value::String),
            RegexpInstr => Value::Integer(super::regex::first_match_position(text(0), text(1))?),
            RegexpExtractAll => {
                let found = super::regex::extract_all(text(0), text(1), int(2, 1))?;
                let elements: Vec<Value> = found.into_iter().map(Value::String).collect();
                let SparkType::Array(array_type) = self.return_type() else { unreachable!("an array type") };
                Value::new_array(&elements, &array_type)
            }
            Mask => match &args[0] {
                Value::String(text) => Value::String(mask(text, &args[1..])),
                _ => Value::Null,
            },
            ParseUrl => parse_url(text(0), text(1), args.get(2).map(|_| text(2)), ansi)?,
            FormatString => match &args[0] {
                Value::String(format) => Value::String(super::java_format::format(format, &args[1..])?),
                _ => Value::Null,
            },
        })
    }
}

/// `mask`: upper-case letters, lower-case letters, digits and everything else each replaced by the first character
/// of its replacement (`X`, `x`, `n` and none by default); a NULL replacement keeps the character.
fn mask(text: &str, replacements: &[Value]) -> String {
    let replacement = |i: usize| match replacements.get(i) {
        Some(Value::String(r)) => r.chars().next(),
        _ => None,
    };
    let (upper, lower, digit, other) = (replacement(0), replacement(1), replacement(2), replacement(3));
    text.chars()
        .map(|c| {
            let class = if c.is_uppercase() {
                upper
            } else if c.is_lowercase() {
                lower
            } else if c.is_ascii_digit() {
                digit
            } else {
                other
            };
            class.unwrap_or(c)
        })
        .collect()
}

/// `parse_url(url, part[, key])`: `HOST`, `PATH`, `QUERY` (or one key's value in it), `REF`, `PROTOCOL`, `FILE`,
/// `AUTHORITY` or `USERINFO`; NULL for a part the URL lacks or another part's name. Text that is no URL (a space in
/// it, …) is INVALID_URL under ANSI, NULL otherwise.
fn parse_url(url: &str, part: &str, key: Option<&str>, ansi: bool) -> Result<Value> {
    let Some(parts) = UrlParts::of(url) else {
        return if ansi {
            Err(EngineError::Runtime(format!(
                "[INVALID_URL] The url is invalid: {url}. Use `try_parse_url` to tolerate invalid URL and return NULL \
                 instead. SQLSTATE: 22P02"
            )))
        } else {
            Ok(Value::Null)
        };
    };
    let found = match (part, key) {
        ("QUERY", Some(key)) => parts.query.and_then(|query| {
            query.split('&').find_map(|pair| pair.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
        }),
        ("QUERY", None) => parts.query,
        ("HOST", _) => parts.authority.map(|a| a.rsplit_once('@').map_or(a, |(_, host)| host)).map(|h| h.rsplit_once(':').map_or(h, |(host, _)| host)),
        ("PATH", _) => Some(parts.path),
        ("REF", _) => parts.fragment,
        ("PROTOCOL", _) => parts.scheme,
        ("AUTHORITY", _) => parts.authority,
        ("USERINFO", _) => parts.authority.and_then(|a| a.rsplit_once('@').map(|(user, _)| user)),
        ("FILE", _) => return Ok(Value::String(match parts.query {
            Some(query) => format!("{}?{query}", parts.path),
            None => parts.path.to_string(),
        })),
        _ => None,
    };
    Ok(found.map_or(Value::Null, |text| Value::String(text.to_string())))
}

/// A URL cut as RFC 2396 cuts it: `scheme:[//authority]path[?query][#fragment]`.
struct UrlParts<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

impl<'a> UrlParts<'a> {
    fn of(url: &'a str) -> Option<Self> {
        if url.is_empty() || url.chars().any(|c| c.is_whitespace() || matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')) {
            return None;
        }
        let (rest, fragment) = match url.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (url, None),
        };
        let scheme_end = rest.find(':').filter(|&end| {
            let scheme = &rest[..end];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        });
        let (scheme, rest) = match scheme_end {
            Some(end) => (Some(&rest[..end]), &rest[end + 1..]),
            None => (None, rest),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((rest, query)) => (rest, Some(query)),
            None => (rest, None),
        };
        let (authority, path) = match rest.strip_prefix("//") {
            Some(after) => {
                let end = after.find('/').unwrap_or(after.len());
                (Some(&after[..end]), &after[end..])
            }
            None => (None, rest),
        };
        Some(Self { scheme, authority, path, query, fragment })
    }
}

/// Base64 text to bytes, skipping what is not part of the alphabet (line breaks, spaces), as Spark's decoder does.
fn unbase64(text: &str) -> Result<Value> {
    let cleaned: String = text.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/')).collect();
    let lenient = base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent);
    base64::engine::GeneralPurpose::new(&base64::alphabet::STANDARD, lenient)
        .decode(cleaned.as_bytes()).map(Value::Binary).map_err(|_| {
        EngineError::Runtime(format!(
            "[INVALID_PARAMETER_VALUE.BASE64] The value of parameter(s) `unbase64` in `unbase64` is invalid: \
             '{text}' is not valid base64. SQLSTATE: 22023"
        ))
    })
}

/// `substring_index(text, delimiter, n)`: everything before the `n`th delimiter (from the end when negative).
fn substring_index(text: &str, delimiter: &str, n: i64) -> String {
    if n == 0 || delimiter.is_empty() {
        return String::new();
    }
    let positions: Vec<usize> = text.match_indices(delimiter).map(|(at, _)| at).collect();
    let count = n.unsigned_abs() as usize;
    if count > positions.len() {
        return text.to_string();
    }
    if n > 0 { text[..positions[count - 1]].to_string() } else { text[positions[positions.len() - count] + delimiter.len()..].to_string() }
}

/// SQL's `substring(text, position, length)` on characters (Spark's `substringSQL`).
fn substring_sql(chars: &[char], position: i64, length: i64) -> String {
    let n = chars.len() as i64;
    let start = match position {
        p if p > 0 => p - 1,
        p if p < 0 => n + p,
        _ => 0,
    };
    let end = start.saturating_add(length);
    let start = start.max(0);
    if start >= end {
        return String::new();
    }
    chars[start.min(n) as usize..end.min(n) as usize].iter().collect()
}

/// `overlay(text PLACING replacement FROM position FOR length)`: `length` characters from `position` replaced
/// (as many as the replacement has when `length` is negative).
fn overlay(text: &str, replacement: &str, position: i64, length: i64) -> String {
    let chars: Vec<char> = text.chars().collect();
    let length = if length >= 0 { length } else { replacement.chars().count() as i64 };
    let before = substring_sql(&chars, 1, position - 1);
    let after = substring_sql(&chars, position.saturating_add(length), i64::from(i32::MAX));
    format!("{before}{replacement}{after}")
}

/// `elt(n, a, b, …)`: the `n`th of the values; out of range an error under ANSI, else NULL.
fn elt(args: &[Value], ansi: bool) -> Result<Value> {
    let Some(n) = args[0].as_i64() else { return Ok(Value::Null) };
    let values = &args[1..];
    match usize::try_from(n).ok().filter(|&n| (1..=values.len()).contains(&n)) {
        Some(n) => Ok(values[n - 1].clone()),
        None if ansi => Err(EngineError::Runtime(format!(
            "[INVALID_ARRAY_INDEX] The index {n} is out of bounds. The array has {} elements. Use the SQL function \
             `get()` to tolerate accessing element at invalid index and return NULL instead. SQLSTATE: 22003",
            values.len()
        ))),
        None => Ok(Value::Null),
    }
}

/// `find_in_set(s, list)`: the 1-based position of `s` among the comma-separated items; 0 if absent or if `s`
/// holds a comma.
fn find_in_set(item: &str, list: &str) -> i32 {
    if item.contains(',') {
        return 0;
    }
    list.split(',').position(|candidate| candidate == item).map_or(0, |i| i as i32 + 1)
}

/// Java's `URLEncoder.encode(text, "UTF-8")`: letters, digits and `.-*_` kept, a space as `+`, every other byte
/// as `%XX`.
fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => out.push(byte as char),
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// Java's `URLDecoder.decode(text, "UTF-8")`: `+` is a space, `%XX` a byte.
fn url_decode(text: &str) -> Result<String> {
    let bad = || {
        EngineError::Runtime(format!(
            "[CANNOT_DECODE_URL] The provided URL cannot be decoded: {text}. Please ensure that the URL is properly \
             formatted and try again. SQLSTATE: 22546"
        ))
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).ok_or_else(bad)?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spark's answers (`SELECT substring_index('www.apache.org', '.', 2)`, …).
    #[test]
    fn cutting_and_placing_text() {
        assert_eq!(substring_index("www.apache.org", ".", 2), "www.apache");
        assert_eq!(substring_index("www.apache.org", ".", -2), "apache.org");
        assert_eq!(substring_index("www.apache.org", "x", 1), "www.apache.org");
        assert_eq!(overlay("Spark SQL", "_", 6, -1), "Spark_SQL");
        assert_eq!(overlay("Spark SQL", "ANSI ", 7, 0), "Spark ANSI SQL");
        assert_eq!(overlay("Spark SQL", "tructured", 2, 4), "Structured SQL");
        assert_eq!(find_in_set("ab", "abc,b,ab,c,def"), 3);
        assert_eq!(url_encode("a b?x=1&y=é"), "a+b%3Fx%3D1%26y%3D%C3%A9");
        assert_eq!(url_decode("a%20b+c").unwrap(), "a b c");
    }
}
