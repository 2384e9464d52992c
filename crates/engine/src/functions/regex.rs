//! Regular expressions for `regexp_replace`, `regexp_extract(_all)`, `regexp_count`, `regexp_substr`,
//! `regexp_instr` and `RLIKE` / `regexp_like`. Spark reads patterns
//! with Java's `java.util.regex`; Kindling reads them with the `regex` crate, which agrees with Java on the
//! patterns queries use (classes, groups, quantifiers, anchors, `\d`, `\s`, `\w`). Java's look-around and
//! back-references have no equivalent there: such a pattern is refused with Spark's error class for a bad pattern.
//! A pattern is compiled once per thread, not once per row.

use std::cell::RefCell;

use regex::Regex;

use crate::{EngineError, Result};

thread_local! {
    static LAST: RefCell<Option<(String, Regex)>> = const { RefCell::new(None) };
}

/// The compiled `pattern`; `function` names the caller in the error.
fn compiled(pattern: &str, function: &str) -> Result<Regex> {
    if let Some(regex) = LAST.with(|last| last.borrow().as_ref().filter(|(p, _)| p == pattern).map(|(_, r)| r.clone())) {
        return Ok(regex);
    }
    let regex = Regex::new(pattern).map_err(|error| {
        EngineError::Runtime(format!(
            "[INVALID_PARAMETER_VALUE.PATTERN] The value of parameter(s) `regexp` in `{function}` is invalid: \
             '{pattern}' ({}). SQLSTATE: 22023",
            error.to_string().lines().last().unwrap_or_default().trim()
        ))
    })?;
    LAST.with(|last| *last.borrow_mut() = Some((pattern.to_string(), regex.clone())));
    Ok(regex)
}

/// `regexp_replace(text, pattern, replacement, position)`: every match from the `position`th character on (1 is
/// the start) replaced; `$1` in the replacement is group 1 and `\$` a dollar sign, as in Java.
pub fn replace(text: &str, pattern: &str, replacement: &str, position: i64) -> Result<String> {
    if position < 1 {
        return Err(EngineError::Runtime(format!(
            "[INVALID_PARAMETER_VALUE.REGEX_POSITION] The value of parameter(s) `position` in `regexp_replace` is \
             invalid: Expects a positive value, but got {position}. SQLSTATE: 22023"
        )));
    }
    let start = text.char_indices().nth(position as usize - 1).map_or(text.len(), |(at, _)| at);
    let replaced = compiled(pattern, "regexp_replace")?.replace_all(&text[start..], java_replacement(replacement).as_str()).into_owned();
    Ok(format!("{}{replaced}", &text[..start]))
}

/// `split(text, pattern, limit)`, as Java's `String.split` cuts: a match of nothing at the very start makes no
/// empty first piece; `limit` > 0 keeps at most that many pieces (the last holds the rest), otherwise every piece,
/// trailing empty ones too. An empty pattern cuts between characters.
pub fn split(text: &str, pattern: &str, limit: i64) -> Result<Vec<String>> {
    let regex = compiled(pattern, "split")?;
    let most = if limit > 0 { limit as usize } else { usize::MAX };
    let (mut pieces, mut start) = (Vec::new(), 0);
    for found in regex.find_iter(text) {
        if pieces.len() + 1 >= most {
            break;
        }
        if found.end() == 0 || (found.start() == found.end() && found.start() == text.len()) {
            continue;
        }
        pieces.push(text[start..found.start()].to_string());
        start = found.end();
    }
    pieces.push(text[start..].to_string());
    Ok(pieces)
}

/// `regexp_extract(text, pattern, group)`: the group of the first match; empty text when nothing matches.
pub fn extract(text: &str, pattern: &str, group: i64) -> Result<String> {
    let regex = compiled(pattern, "regexp_extract")?;
    check_group("regexp_extract", group, regex.captures_len() as i64 - 1)?;
    Ok(regex
        .captures(text)
        .and_then(|captures| captures.get(group as usize).map(|m| m.as_str().to_string()))
        .unwrap_or_default())
}

/// The group `group` of a pattern with `groups` groups: Spark's error for one it does not have.
fn check_group(function: &str, group: i64, groups: i64) -> Result<()> {
    if group < 0 || group > groups {
        return Err(EngineError::Runtime(format!(
            "[INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX] The value of parameter(s) `idx` in `{function}` is \
             invalid: Expects group index between 0 and {groups}, but got {group}. SQLSTATE: 22023"
        )));
    }
    Ok(())
}

/// `regexp_extract_all(text, pattern, group)`: the group of every match, in order.
pub fn extract_all(text: &str, pattern: &str, group: i64) -> Result<Vec<String>> {
    let regex = compiled(pattern, "regexp_extract_all")?;
    check_group("regexp_extract_all", group, regex.captures_len() as i64 - 1)?;
    Ok(regex
        .captures_iter(text)
        .map(|captures| captures.get(group as usize).map_or(String::new(), |m| m.as_str().to_string()))
        .collect())
}

/// `regexp_count(text, pattern)`: how many times the pattern matches, each match after the one before.
pub fn count(text: &str, pattern: &str) -> Result<i32> {
    Ok(compiled(pattern, "regexp_count")?.find_iter(text).count() as i32)
}

/// `regexp_substr(text, pattern)`: the first match, if any.
pub fn first_match(text: &str, pattern: &str) -> Result<Option<String>> {
    Ok(compiled(pattern, "regexp_substr")?.find(text).map(|m| m.as_str().to_string()))
}

/// `regexp_instr(text, pattern)`: the 1-based character position where the first match starts; 0 if none.
pub fn first_match_position(text: &str, pattern: &str) -> Result<i32> {
    let found = compiled(pattern, "regexp_instr")?.find(text);
    Ok(found.map_or(0, |m| text[..m.start()].chars().count() as i32 + 1))
}

/// `text RLIKE pattern`: whether the pattern matches somewhere in the text.
pub fn matches(text: &str, pattern: &str) -> Result<bool> {
    Ok(compiled(pattern, "rlike")?.is_match(text))
}

/// A Java replacement string in the `regex` crate's syntax: `$12` → `${12}`, `\x` → `x` (a literal), `$$` → `$`.
fn java_replacement(replacement: &str) -> String {
    let mut out = String::with_capacity(replacement.len());
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(other) => out.push(other),
                None => {}
            },
            '$' => {
                let digits: String = std::iter::from_fn(|| chars.next_if(char::is_ascii_digit)).collect();
                if digits.is_empty() {
                    out.push_str("$$");
                } else {
                    out.push_str(&format!("${{{digits}}}"));
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacements_read_groups_and_escapes_as_java_does() {
        assert_eq!(replace("2020-01-15", r"(\d+)-(\d+)-(\d+)", "$3/$2/$1x", 1).unwrap(), "15/01/2020x");
        assert_eq!(replace("a.b.c", r"\.", r"\$", 1).unwrap(), "a$b$c");
        assert_eq!(replace("aaa", "a", "b", 2).unwrap(), "abb");
    }

    #[test]
    fn extraction_gives_empty_text_when_nothing_matches() {
        assert_eq!(extract("zone 42 north", r"zone (\d+)", 1).unwrap(), "42");
        assert_eq!(extract("nothing here", r"zone (\d+)", 1).unwrap(), "");
        assert!(extract("x", r"(x)", 2).unwrap_err().to_string().contains("REGEX_GROUP_INDEX"));
    }

    #[test]
    fn a_bad_pattern_is_spark_s_error() {
        assert!(matches("x", "(").unwrap_err().to_string().starts_with("[INVALID_PARAMETER_VALUE.PATTERN]"));
        assert!(matches("JFK Airport", "Air").unwrap());
    }
}
