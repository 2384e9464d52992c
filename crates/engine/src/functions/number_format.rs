//! `to_number(text, format)`: text written with a number format — digits `0`/`9`, a grouping `,` (or `G`), a
//! decimal point `.` (or `D`), a `$`, a sign `S` at either end, a trailing `MI` (minus after the number) or `PR`
//! (negative in angle brackets) — read back as a decimal whose precision and scale the format's digits give; and
//! `format_number(x, d)`, numbers written with thousands separators.

use crate::types::SparkType;
use crate::value::Value;
use crate::{EngineError, Result};

/// What a format says about the numbers it reads.
struct NumberFormat {
    /// Digits before and after the decimal point.
    whole_digits: usize,
    fraction_digits: usize,
}

impl NumberFormat {
    fn parse(format: &str) -> Result<Self> {
        let upper = format.to_ascii_uppercase();
        let body = upper.strip_suffix("MI").or_else(|| upper.strip_suffix("PR")).unwrap_or(&upper);
        let body = body.trim_start_matches('S').trim_end_matches('S');
        let (whole, fraction) = match body.split_once(['.', 'D']) {
            Some((whole, fraction)) => (whole, fraction),
            None => (body, ""),
        };
        let digits = |part: &str| part.chars().filter(|c| matches!(c, '0' | '9')).count();
        let allowed = |part: &str| part.chars().all(|c| matches!(c, '0' | '9' | ',' | 'G' | '$'));
        if !allowed(whole) || !allowed(fraction) || digits(whole) + digits(fraction) == 0 {
            return Err(EngineError::Analysis(format!(
                "[INVALID_FORMAT.WRONG_NUM_DIGIT] The format is invalid: '{format}'. The format string requires at \
                 least one number digit. SQLSTATE: 42601"
            )));
        }
        Ok(Self { whole_digits: digits(whole), fraction_digits: digits(fraction) })
    }

    fn result_type(&self) -> SparkType {
        let precision = (self.whole_digits + self.fraction_digits).clamp(1, 38) as u8;
        SparkType::Decimal { precision, scale: self.fraction_digits as i8 }
    }
}

/// The decimal type `to_number` returns for `format`.
pub fn result_type(format: &str) -> Result<SparkType> {
    NumberFormat::parse(format).map(|f| f.result_type())
}

/// `to_number(text, format)`.
pub fn to_number(text: &str, format: &str) -> Result<Value> {
    let shape = NumberFormat::parse(format)?;
    let mismatch = || {
        EngineError::Runtime(format!(
            "[INVALID_FORMAT.MISMATCH_INPUT] The input '{text}' does not match the format '{format}'. SQLSTATE: 42601"
        ))
    };
    let upper = format.to_ascii_uppercase();
    let mut number = text.trim();
    let mut negative = false;
    if upper.ends_with("PR") && number.starts_with('<') {
        number = number.strip_prefix('<').and_then(|n| n.strip_suffix('>')).ok_or_else(mismatch)?;
        negative = true;
    } else if upper.ends_with("MI") && let Some(rest) = number.strip_suffix('-') {
        number = rest;
        negative = true;
    } else if let Some(rest) = number.strip_prefix(['+', '-']).or_else(|| number.strip_suffix(['+', '-'])) {
        negative = number.starts_with('-') || number.ends_with('-');
        number = rest;
    }
    let digits: String = number.chars().filter(|c| !matches!(c, ',' | '$')).collect();
    let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    let well_formed = !digits.is_empty()
        && whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit())
        && whole.len() <= shape.whole_digits
        && fraction.len() <= shape.fraction_digits;
    if !well_formed {
        return Err(mismatch());
    }
    let padded = format!("{whole}{fraction:0<width$}", width = shape.fraction_digits);
    let unscaled: i128 = if padded.is_empty() { 0 } else { padded.parse().map_err(|_| mismatch())? };
    let SparkType::Decimal { precision, scale } = shape.result_type() else { unreachable!("a decimal") };
    Ok(Value::Decimal { value: if negative { -unscaled } else { unscaled }, precision, scale })
}

/// `format_number(x, d)`: `x` rounded half-even to `d` decimals (from its exact value), with a comma between
/// thousands, as Java's `DecimalFormat("#,##0.00")` writes it; NaN and infinities as Java names them.
pub fn format_number(value: &Value, decimals: usize) -> Option<String> {
    let plain = match value {
        Value::Double(x) => fixed_point(*x, decimals)?,
        Value::Float(x) => fixed_point(f64::from(*x), decimals)?,
        Value::Decimal { value, scale, .. } => decimal_fixed_point(*value, i32::from(*scale), decimals),
        other => {
            let whole = other.as_i64()?;
            if decimals == 0 { whole.to_string() } else { format!("{whole}.{}", "0".repeat(decimals)) }
        }
    };
    Some(with_thousands(&plain))
}

/// Rust's fixed-point formatting rounds the exact binary value half-even, as `DecimalFormat` does.
fn fixed_point(x: f64, decimals: usize) -> Option<String> {
    Some(match x {
        x if x.is_nan() => "NaN".to_string(),
        x if x.is_infinite() => if x > 0.0 { "\u{221e}".to_string() } else { "-\u{221e}".to_string() },
        x => format!("{x:.decimals$}"),
    })
}

/// A decimal `value × 10^-scale` rounded half-even to `decimals` places.
fn decimal_fixed_point(value: i128, scale: i32, decimals: usize) -> String {
    let shift = scale - decimals as i32;
    let rounded = if shift > 0 {
        let divisor = 10i128.pow(shift as u32);
        let (quotient, remainder) = (value / divisor, value % divisor);
        let twice = remainder.abs() * 2;
        let up = twice > divisor || (twice == divisor && quotient % 2 != 0);
        if up { quotient + value.signum() } else { quotient }
    } else {
        value * 10i128.pow((-shift) as u32)
    };
    let digits = rounded.unsigned_abs().to_string();
    let digits = format!("{digits:0>width$}", width = decimals + 1);
    let (whole, fraction) = digits.split_at(digits.len() - decimals);
    let sign = if rounded < 0 { "-" } else { "" };
    if decimals == 0 { format!("{sign}{whole}") } else { format!("{sign}{whole}.{fraction}") }
}

/// `1234567.89` → `1,234,567.89`.
fn with_thousands(plain: &str) -> String {
    let (sign, rest) = plain.strip_prefix('-').map_or(("", plain), |rest| ("-", rest));
    let (whole, fraction) = rest.split_once('.').map_or((rest, None), |(w, f)| (w, Some(f)));
    if !whole.bytes().all(|b| b.is_ascii_digit()) {
        return plain.to_string();
    }
    let grouped = crate::display::group_thousands(whole);
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(text: &str, format: &str) -> String {
        to_number(text, format).unwrap().to_string()
    }

    #[test]
    fn reads_digits_grouping_currency_and_signs() {
        assert_eq!(decimal("454.2", "000.0"), "454.2");
        assert_eq!(decimal("12,454", "00,000"), "12454");
        assert_eq!(decimal("$78.12", "$00.00"), "78.12");
        assert_eq!(decimal("-454", "S000"), "-454");
        assert_eq!(decimal("12,454.8-", "00,000.9MI"), "-12454.8");
        assert_eq!(decimal("<00,454.8>", "00,000.9PR"), "-454.8");
        assert_eq!(result_type("00,000.9MI").unwrap(), SparkType::Decimal { precision: 6, scale: 1 });
    }

    #[test]
    fn refuses_text_the_format_cannot_hold() {
        assert!(to_number("12345", "000").is_err());
        assert!(to_number("4a4", "000").is_err());
        assert!(result_type("abc").is_err());
    }
}
