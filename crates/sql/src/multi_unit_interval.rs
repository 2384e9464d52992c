//! Multi-unit interval literals, `INTERVAL 3 DAY 1 SECOND`, `INTERVAL '1' YEAR '2' MONTH` or `INTERVAL '1 day
//! 2 hours'`: Spark adds the units up into one ANSI interval running from the largest unit given to the smallest
//! (`INTERVAL '3 00:00:01' DAY TO SECOND`). sqlparser reads one value and unit only, so the tokens of such a
//! literal are replaced by the one-value literal Spark names it by, which the expression layer then reads as any
//! other.

use sqlparser::dialect::SparkSqlDialect;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, Tokenizer};

use crate::error::{Position, Result, SqlError};

/// `tokens` with each multi-unit interval literal (two units or more) written as the single literal it is.
pub fn with_multi_unit_intervals(sql: &str, tokens: Vec<TokenWithSpan>) -> Result<Vec<TokenWithSpan>> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let is_interval = matches!(&tokens[i].token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("INTERVAL"));
        if let Some((units, last)) = is_interval.then(|| units_after(&tokens, i)).flatten() {
            let span = Span::new(tokens[i].span.start, tokens[last].span.end);
            out.extend(single_literal(sql, &units, span)?);
            i = last + 1;
            continue;
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    Ok(out)
}

/// The (value, unit) pairs after the INTERVAL at `at`, and the index of the last unit's token, when there are at
/// least two pairs (or one string holding them).
fn units_after(tokens: &[TokenWithSpan], at: usize) -> Option<(Vec<(String, String)>, usize)> {
    let significant: Vec<usize> = (at + 1..tokens.len()).filter(|&j| !matches!(tokens[j].token, Token::Whitespace(_))).collect();
    let mut units = Vec::new();
    let (mut k, mut last) = (0, at);
    loop {
        let sign = match significant.get(k).map(|&j| &tokens[j].token) {
            Some(Token::Minus) => "-",
            Some(Token::Plus) => "+",
            _ => "",
        };
        let value_at = k + usize::from(!sign.is_empty());
        let value = match significant.get(value_at).map(|&j| &tokens[j].token) {
            Some(Token::Number(digits, false)) => digits.clone(),
            Some(Token::SingleQuotedString(text)) => text.clone(),
            _ => break,
        };
        let Some(Token::Word(unit)) = significant.get(value_at + 1).map(|&j| &tokens[j].token) else { break };
        if unit.quote_style.is_some() || !is_unit(&unit.value) {
            break;
        }
        units.push((format!("{sign}{value}"), unit.value.clone()));
        last = significant[value_at + 1];
        k = value_at + 2;
    }
    if units.len() >= 2 {
        return Some((units, last));
    }
    // One string that holds the units: `INTERVAL '1 day 2 hours'`, `INTERVAL -'3 days'`.
    let sign = matches!(significant.first().map(|&j| &tokens[j].token), Some(Token::Minus));
    let at_string = usize::from(sign);
    let Some(Token::SingleQuotedString(text)) = significant.get(at_string).map(|&j| &tokens[j].token) else { return None };
    let followed_by_unit = matches!(significant.get(at_string + 1).map(|&j| &tokens[j].token), Some(Token::Word(w)) if is_unit(&w.value));
    let words: Vec<&str> = text.split_whitespace().collect();
    let all_units = !words.is_empty() && words.len().is_multiple_of(2) && words.chunks(2).all(|pair| is_unit(pair[1]));
    if followed_by_unit || !all_units {
        return None;
    }
    let units = words.chunks(2).map(|pair| (format!("{}{}", if sign { "-" } else { "" }, pair[0]), pair[1].to_string())).collect();
    Some((units, significant[at_string]))
}

fn is_unit(word: &str) -> bool {
    const UNITS: [&str; 9] = ["YEAR", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "MICROSECOND"];
    let word = word.to_ascii_uppercase();
    UNITS.contains(&word.strip_suffix('S').unwrap_or(&word))
}

/// The tokens of the one-value literal the units add up to, each spanning the whole literal as written.
fn single_literal(sql: &str, units: &[(String, String)], span: Span) -> Result<Vec<TokenWithSpan>> {
    use kindling_engine::interval;
    use kindling_engine::value::Value;
    let position = Position::from(span.start);
    let parse_error = |message: String| SqlError::Parse { message, position, sql: sql.to_string() };
    let pairs: Vec<(&str, &str)> = units.iter().map(|(v, u)| (v.as_str(), u.as_str())).collect();
    let text = match interval::from_units(&pairs).map_err(|error| parse_error(error.to_string()))? {
        Some(Value::YearMonthInterval { months, start, end }) => interval::year_month_string(months, start, end),
        Some(Value::DayTimeInterval { micros, start, end }) => interval::day_time_string(micros, start, end),
        _ => {
            let written: Vec<String> = units.iter().map(|(v, u)| format!("{v} {u}")).collect();
            return Err(parse_error(format!(
                "[_LEGACY_ERROR_TEMP_0029] Cannot mix year-month and day-time fields: interval {}.",
                written.join(" ")
            )));
        }
    };
    let tokens = Tokenizer::new(&SparkSqlDialect {}, &text)
        .tokenize()
        .map_err(|error| parse_error(format!("[INTERNAL_ERROR] the interval {text} could not be read again: {error}")))?;
    Ok(tokens.into_iter().map(|token| TokenWithSpan { token, span }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(sql: &str) -> String {
        let tokens = Tokenizer::new(&SparkSqlDialect {}, sql).tokenize_with_location().unwrap();
        with_multi_unit_intervals(sql, tokens).map_or_else(|e| e.to_string(), |t| t.iter().map(|t| t.token.to_string()).collect())
    }

    #[test]
    fn units_become_one_literal() {
        assert_eq!(rewritten("SELECT interval 3 day 1 second"), "SELECT INTERVAL '3 00:00:01' DAY TO SECOND");
        assert_eq!(rewritten("SELECT INTERVAL '1' YEAR '2' MONTHS + x"), "SELECT INTERVAL '1-2' YEAR TO MONTH + x");
        assert_eq!(rewritten("SELECT interval -1 day 1.5 second"), "SELECT INTERVAL '-0 23:59:58.5' DAY TO SECOND");
        assert_eq!(rewritten("SELECT INTERVAL 3 DAY"), "SELECT INTERVAL 3 DAY");
        assert_eq!(rewritten("SELECT +interval '1 day'"), "SELECT +INTERVAL '1' DAY");
        assert_eq!(rewritten("SELECT INTERVAL '2' HOUR"), "SELECT INTERVAL '2' HOUR");
        assert!(rewritten("SELECT interval 3 month 1 hour").starts_with("[_LEGACY_ERROR_TEMP_0029] Cannot mix"));
    }
}
