//! Spark's string literals, which standard SQL (and so sqlparser) reads differently: a backslash escapes
//! (`'it\'s'`, `'\n'`, octal `'\101'`, `'\u0041'`), a doubled quote is the quote itself in either kind of quotes,
//! and literals side by side are one (`'hello' ' ' 'world'`). Before the text is tokenized, every string literal
//! is rewritten as the plain single-quoted literal of the same value.

use std::borrow::Cow;

/// `sql` with its string literals in standard form; unchanged (borrowed) when it has none to rewrite.
pub fn standard_string_literals(sql: &str) -> Cow<'_, str> {
    if !sql.contains(['\'', '"']) {
        return Cow::Borrowed(sql);
    }
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '-' if chars.get(i + 1) == Some(&'-') => i = copy_until(&chars, i, &mut out, |c, _| c == '\n'),
            '/' if chars.get(i + 1) == Some(&'*') => {
                i = copy_until(&chars, i, &mut out, |c, prev| c == '/' && prev == Some('*'));
            }
            '`' => i = copy_until(&chars, i, &mut out, |c, _| c == '`'),
            quote @ ('\'' | '"') => {
                let Some((mut value, mut next)) = read_literal(&chars, i, quote) else {
                    // An unclosed literal stays as written, for the parser to point at.
                    out.extend(&chars[i..]);
                    break;
                };
                // Literals separated only by white space are one literal.
                loop {
                    let after_space = (next..chars.len()).find(|&j| !chars[j].is_whitespace()).unwrap_or(chars.len());
                    let Some(&q @ ('\'' | '"')) = chars.get(after_space) else { break };
                    let Some((more, end)) = read_literal(&chars, after_space, q) else { break };
                    value.push_str(&more);
                    next = end;
                }
                out.push('\'');
                out.push_str(&value.replace('\'', "''"));
                out.push('\'');
                i = next;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// Copies from `start` up to and including the first character (after `start`) that `ends` accepts.
fn copy_until(chars: &[char], start: usize, out: &mut String, ends: impl Fn(char, Option<char>) -> bool) -> usize {
    out.push(chars[start]);
    let mut i = start + 1;
    while i < chars.len() {
        out.push(chars[i]);
        let done = ends(chars[i], chars.get(i - 1).copied());
        i += 1;
        if done {
            break;
        }
    }
    i
}

/// The value of the literal opened by `quote` at `start`, and where the text goes on after it; `None` when it is
/// never closed.
fn read_literal(chars: &[char], start: usize, quote: char) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i];
        if c == quote {
            if chars.get(i + 1) == Some(&quote) {
                value.push(quote);
                i += 2;
                continue;
            }
            return Some((value, i + 1));
        }
        if c == '\\' && i + 1 < chars.len() {
            let (unescaped, used) = unescape(&chars[i + 1..]);
            value.push_str(&unescaped);
            i += 1 + used;
            continue;
        }
        value.push(c);
        i += 1;
    }
    None
}

/// Spark's `unescapeSQLString` for what follows one backslash: the text it stands for and how many characters it
/// used.
fn unescape(rest: &[char]) -> (String, usize) {
    let octal = rest.len() >= 3 && rest[..3].iter().all(|c| ('0'..='7').contains(c)) && rest[0] <= '3';
    if octal {
        let code = rest[..3].iter().fold(0, |n, c| n * 8 + c.to_digit(8).unwrap_or(0));
        return (char::from_u32(code).map(String::from).unwrap_or_default(), 3);
    }
    if rest[0] == 'u' && rest.len() >= 5 && rest[1..5].iter().all(char::is_ascii_hexdigit) {
        let code = rest[1..5].iter().collect::<String>();
        let code = u32::from_str_radix(&code, 16).unwrap_or(0);
        return (char::from_u32(code).map(String::from).unwrap_or_default(), 5);
    }
    let text = match rest[0] {
        '0' => "\0".to_string(),
        'b' => "\u{8}".to_string(),
        'n' => "\n".to_string(),
        'r' => "\r".to_string(),
        't' => "\t".to_string(),
        'Z' => "\u{1A}".to_string(),
        // `\%` and `\_` keep their backslash: they are LIKE-pattern escapes.
        '%' => "\\%".to_string(),
        '_' => "\\_".to_string(),
        other => other.to_string(),
    };
    (text, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_doubled_quotes_and_adjacent_literals_become_one_plain_literal() {
        assert_eq!(standard_string_literals(r#"SELECT 'it\'s', "say \"hi\"""#), r#"SELECT 'it''s', 'say "hi"'"#);
        assert_eq!(standard_string_literals(r"SELECT '\110\145\154\154\157\041', '\u0057'"), "SELECT 'Hello!', 'W'");
        assert_eq!(standard_string_literals(r#"SELECT 'hello' " " 'lee'"#), "SELECT 'hello lee'");
        assert_eq!(standard_string_literals("SELECT 'S''par''k', \"S\"\"k\""), "SELECT 'S''par''k', 'S\"k'");
        assert_eq!(standard_string_literals(r"SELECT 'pattern\\%', 'no-pattern\%'"), r"SELECT 'pattern\%', 'no-pattern\%'");
        assert_eq!(standard_string_literals("SELECT `a'b` -- it's\n/* don't */"), "SELECT `a'b` -- it's\n/* don't */");
    }
}
