//! `format_string` / `printf`: Spark hands the format and the values to Java's `java.util.Formatter`, so the
//! format is Java's — `%[index$][flags][width][.precision]conversion` — and each value is formatted as the Java
//! object Spark holds it as (a DATE is its day number, a DECIMAL Spark's own `Decimal`, which `%f` refuses).
//!
//! Conversions: `s S b B c C d o x X e E f g G % n`; flags `- # + space 0 , (`; `<` reuses the previous value.
//! Numbers round half up on their shortest decimal digits, as Java's `FormattedFloatingDecimal` does
//! (`%.2f` of 1.005 is `1.01`).

use crate::display::{group_thousands, java_double_string, java_float_string};
use crate::value::Value;
use crate::{EngineError, Result};

/// `format` with its specifiers replaced by `values`.
pub fn format(format: &str, values: &[Value]) -> Result<String> {
    let mut out = String::new();
    let mut rest = format;
    let mut next_ordinary = 0;
    let mut last_used: Option<usize> = None;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let spec = Spec::parse(&rest[at..])?;
        rest = &rest[at + spec.length..];
        match spec.conversion {
            '%' => out.push_str(&justify("%".into(), &spec)),
            'n' => out.push('\n'),
            conversion => {
                let index = match spec.index {
                    Index::Explicit(i) => i,
                    Index::Previous => last_used.ok_or_else(|| missing(&spec))?,
                    Index::Ordinary => {
                        next_ordinary += 1;
                        next_ordinary - 1
                    }
                };
                let value = values.get(index).ok_or_else(|| missing(&spec))?;
                last_used = Some(index);
                out.push_str(&justify(convert(conversion, value, &spec)?, &spec));
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

enum Index {
    Ordinary,
    Explicit(usize),
    Previous,
}

struct Spec {
    index: Index,
    flags: String,
    width: Option<usize>,
    precision: Option<usize>,
    conversion: char,
    /// The specifier's length in the format, `%` included.
    length: usize,
    text: String,
}

impl Spec {
    /// The specifier at the start of `text` (which starts with `%`).
    fn parse(text: &str) -> Result<Spec> {
        let body = &text[1..];
        let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
        let mut at = 0;
        let mut index = Index::Ordinary;
        let leading = digits(body);
        if leading > 0 && body[leading..].starts_with('$') {
            let n: usize = body[..leading].parse().unwrap_or(0);
            index = Index::Explicit(n.saturating_sub(1));
            at = leading + 1;
        }
        let flags: String = body[at..].chars().take_while(|c| "-#+ 0,(<".contains(*c)).collect();
        at += flags.len();
        if flags.contains('<') {
            index = Index::Previous;
        }
        let width_digits = digits(&body[at..]);
        let width = (width_digits > 0).then(|| body[at..at + width_digits].parse().unwrap_or(0));
        at += width_digits;
        let mut precision = None;
        if body[at..].starts_with('.') {
            let precision_digits = digits(&body[at + 1..]);
            precision = Some(body[at + 1..at + 1 + precision_digits].parse().unwrap_or(0));
            at += 1 + precision_digits;
        }
        let Some(conversion) = body[at..].chars().next() else {
            return Err(java_error(format!("Format specifier '{text}'")));
        };
        let length = 1 + at + conversion.len_utf8();
        let spec_text = text[..length].to_string();
        if !"sSbBcCdoxXeEfgG%n".contains(conversion) {
            return Err(java_error(format!("Conversion = '{conversion}'")));
        }
        Ok(Spec { index, flags: flags.replace('<', ""), width, precision, conversion, length, text: spec_text })
    }

    fn has(&self, flag: char) -> bool {
        self.flags.contains(flag)
    }
}

fn missing(spec: &Spec) -> EngineError {
    java_error(format!("Format specifier '{}'", spec.text))
}

fn java_error(message: String) -> EngineError {
    EngineError::Runtime(message)
}

/// The Java class Spark holds a value as, as an `IllegalFormatConversionException` names it.
fn java_class(value: &Value) -> &'static str {
    match value {
        Value::Boolean(_) => "java.lang.Boolean",
        Value::Byte(_) => "java.lang.Byte",
        Value::Short(_) => "java.lang.Short",
        Value::Integer(_) | Value::Date(_) => "java.lang.Integer",
        Value::Long(_) | Value::Timestamp(_) | Value::TimestampNtz(_) => "java.lang.Long",
        Value::Float(_) => "java.lang.Float",
        Value::Double(_) => "java.lang.Double",
        Value::Decimal { .. } => "org.apache.spark.sql.types.Decimal",
        Value::String(_) => "org.apache.spark.unsafe.types.UTF8String",
        _ => "java.lang.Object",
    }
}

fn mismatch(conversion: char, value: &Value) -> EngineError {
    java_error(format!("{conversion} != {}", java_class(value)))
}

/// One value written by one conversion, before padding to the width.
fn convert(conversion: char, value: &Value, spec: &Spec) -> Result<String> {
    let upper = conversion.is_ascii_uppercase();
    let text = match conversion.to_ascii_lowercase() {
        's' => truncated(java_string(value), spec.precision),
        'b' => truncated(
            match value {
                Value::Null => "false".into(),
                Value::Boolean(b) => b.to_string(),
                _ => "true".into(),
            },
            spec.precision,
        ),
        _ if value.is_null() => "null".into(),
        'c' => match value {
            Value::Byte(_) | Value::Short(_) | Value::Integer(_) => {
                let code = value.as_i64().unwrap_or(0) as u32;
                char::from_u32(code).map(String::from).ok_or_else(|| java_error(format!("Code point = 0x{code:x}")))?
            }
            other => return Err(mismatch(conversion, other)),
        },
        'd' => match value {
            Value::Byte(_) | Value::Short(_) | Value::Integer(_) | Value::Long(_) | Value::Date(_) | Value::Timestamp(_) => {
                let n = value.as_i64().unwrap_or(0);
                signed(n < 0, if spec.has(',') { group_thousands(&n.unsigned_abs().to_string()) } else { n.unsigned_abs().to_string() }, spec)
            }
            other => return Err(mismatch(conversion, other)),
        },
        'o' | 'x' => {
            let bits = match value {
                Value::Byte(v) => *v as u8 as u64,
                Value::Short(v) => *v as u16 as u64,
                Value::Integer(v) | Value::Date(v) => *v as u32 as u64,
                Value::Long(v) | Value::Timestamp(v) => *v as u64,
                other => return Err(mismatch(conversion, other)),
            };
            let (digits, prefix) = if conversion.eq_ignore_ascii_case(&'x') { (format!("{bits:x}"), "0x") } else { (format!("{bits:o}"), "0") };
            let digits = if spec.has('#') { format!("{prefix}{digits}") } else { digits };
            zero_padded(digits, spec)
        }
        'e' | 'f' | 'g' => {
            let x = match value {
                Value::Float(v) => java_float_string(*v).parse().unwrap_or(f64::from(*v)),
                Value::Double(v) => *v,
                other => return Err(mismatch(conversion, other)),
            };
            floating(conversion.to_ascii_lowercase(), x, spec)
        }
        _ => unreachable!("conversions are checked when parsed"),
    };
    Ok(if upper { text.to_uppercase() } else { text })
}

/// `toString()` of the Java object Spark holds.
fn java_string(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Double(v) => java_double_string(*v),
        Value::Float(v) => java_float_string(*v),
        Value::Date(days) => days.to_string(),
        Value::Timestamp(micros) | Value::TimestampNtz(micros) => micros.to_string(),
        other => other.to_string(),
    }
}

fn truncated(text: String, precision: Option<usize>) -> String {
    match precision {
        Some(p) => text.chars().take(p).collect(),
        None => text,
    }
}

/// A number's digits with its sign by the flags: `+`, a space, or `(…)` around a negative one; zero-padded
/// after the sign when the `0` flag asks.
fn signed(negative: bool, digits: String, spec: &Spec) -> String {
    let (before, after) = match (negative, spec.has('('), spec.has('+'), spec.has(' ')) {
        (true, true, ..) => ("(", ")"),
        (true, false, ..) => ("-", ""),
        (false, _, true, _) => ("+", ""),
        (false, _, false, true) => (" ", ""),
        _ => ("", ""),
    };
    let unpadded = before.len() + digits.len() + after.len();
    let zeros = match spec.width {
        Some(width) if spec.has('0') && width > unpadded => "0".repeat(width - unpadded),
        _ => String::new(),
    };
    format!("{before}{zeros}{digits}{after}")
}

fn zero_padded(digits: String, spec: &Spec) -> String {
    match spec.width {
        Some(width) if spec.has('0') && width > digits.len() => format!("{}{digits}", "0".repeat(width - digits.len())),
        _ => digits,
    }
}

/// Pads to the width with spaces, on the left (or the right with `-`).
fn justify(text: String, spec: &Spec) -> String {
    let length = text.chars().count();
    match spec.width {
        Some(width) if width > length && spec.has('-') => format!("{text}{}", " ".repeat(width - length)),
        Some(width) if width > length => format!("{}{text}", " ".repeat(width - length)),
        _ => text,
    }
}

/// `%e`, `%f` or `%g` of a double.
fn floating(conversion: char, x: f64, spec: &Spec) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return signed(x < 0.0, "Infinity".into(), spec);
    }
    let digits = Digits::of(x.abs());
    let body = match conversion {
        'e' => scientific(&digits, spec.precision.unwrap_or(6), spec),
        'f' => fixed(&digits, spec.precision.unwrap_or(6), spec),
        _ => {
            let precision = match spec.precision {
                None => 6,
                Some(0) => 1,
                Some(p) => p,
            };
            let rounded = digits.rounded_to(precision);
            let exponent = rounded.point - 1;
            if x != 0.0 && (exponent < -4 || exponent >= precision as i32) {
                scientific(&digits, precision - 1, spec)
            } else {
                fixed(&digits, (precision as i32 - exponent - 1).max(0) as usize, spec)
            }
        }
    };
    signed(x.is_sign_negative(), body, spec)
}

/// A non-negative number as decimal digits `0.d1d2d3… × 10^point`: its shortest digits, as Java reads a double.
#[derive(Clone)]
struct Digits {
    digits: Vec<u8>,
    point: i32,
}

impl Digits {
    fn of(x: f64) -> Digits {
        if x == 0.0 {
            return Digits { digits: vec![0], point: 1 };
        }
        let written = format!("{x:e}");
        let (mantissa, exponent) = written.split_once('e').unwrap_or((&written, "0"));
        let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
        Digits { digits, point: exponent.parse::<i32>().unwrap_or(0) + 1 }
    }

    /// Rounded half up to `count` significant digits (padded with zeros).
    fn rounded_to(&self, count: usize) -> Digits {
        let mut digits = self.digits.clone();
        let mut point = self.point;
        if digits.len() > count {
            let round_up = digits[count] >= 5;
            digits.truncate(count);
            if round_up {
                let mut i = count;
                loop {
                    if i == 0 {
                        digits.insert(0, 1);
                        point += 1;
                        digits.truncate(count.max(1));
                        break;
                    }
                    i -= 1;
                    if digits[i] == 9 {
                        digits[i] = 0;
                    } else {
                        digits[i] += 1;
                        break;
                    }
                }
            }
        }
        digits.resize(count.max(1), 0);
        Digits { digits, point }
    }

    /// Rounded half up to `decimals` digits after the point.
    fn rounded_after_point(&self, decimals: usize) -> Digits {
        let count = self.point + decimals as i32;
        if count < 0 {
            return Digits { digits: vec![0], point: 1 };
        }
        if count == 0 {
            let up = self.digits.first().is_some_and(|d| *d >= 5);
            return if up { Digits { digits: vec![1], point: self.point + 1 } } else { Digits { digits: vec![0], point: 1 } };
        }
        self.rounded_to(count as usize)
    }
}

fn fixed(digits: &Digits, decimals: usize, spec: &Spec) -> String {
    let rounded = digits.rounded_after_point(decimals);
    let whole_count = rounded.point.max(0) as usize;
    let digit_at = |i: i64| -> u8 {
        let index = i - (rounded.point as i64 - whole_count as i64);
        usize::try_from(index).ok().and_then(|i| rounded.digits.get(i)).copied().unwrap_or(0)
    };
    let whole: String = if whole_count == 0 { "0".into() } else { (0..whole_count as i64).map(|i| (b'0' + digit_at(i)) as char).collect() };
    let whole = if spec.has(',') { group_thousands(&whole) } else { whole };
    let fraction: String = (0..decimals as i64)
        .map(|i| {
            let position = rounded.point as i64 + i;
            let digit = usize::try_from(position).ok().and_then(|p| rounded.digits.get(p)).copied().unwrap_or(0);
            (b'0' + if position < 0 { 0 } else { digit }) as char
        })
        .collect();
    if decimals == 0 && !spec.has('#') { whole } else { format!("{whole}.{fraction}") }
}

fn scientific(digits: &Digits, decimals: usize, spec: &Spec) -> String {
    let rounded = digits.rounded_to(decimals + 1);
    let exponent = if rounded.digits.iter().all(|d| *d == 0) { 0 } else { rounded.point - 1 };
    let first = (b'0' + rounded.digits[0]) as char;
    let rest: String = rounded.digits[1..].iter().map(|d| (b'0' + d) as char).collect();
    let mantissa = if decimals == 0 && !spec.has('#') { first.to_string() } else { format!("{first}.{rest}") };
    format!("{mantissa}e{}{:02}", if exponent < 0 { '-' } else { '+' }, exponent.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formatted(format: &str, values: &[Value]) -> String {
        super::format(format, values).unwrap()
    }

    /// What Spark's `format_string` gives for the same format and values.
    #[test]
    fn numbers_as_java_writes_them() {
        assert_eq!(formatted("Hello World %d %s", &[Value::Integer(100), Value::String("days".into())]), "Hello World 100 days");
        let values = [Value::Double(1.23456), Value::String("ab".into()), Value::Integer(42), Value::Integer(255), Value::Integer(255), Value::Integer(8)];
        assert_eq!(formatted("%5.2f|%-6s|%06d|%x|%X|%o", &values), " 1.23|ab    |000042|ff|FF|10");
        assert_eq!(formatted("%.1f %.0f %.2f", &[Value::Double(0.05), Value::Double(2.5), Value::Double(1.005)]), "0.1 3 1.01");
        assert_eq!(formatted("%,d %e %.3e", &[Value::Integer(1234567), Value::Double(12345.678), Value::Double(0.00012)]), "1,234,567 1.234568e+04 1.200e-04");
        assert_eq!(formatted("%+d %(d % d", &[Value::Integer(5), Value::Integer(-5), Value::Integer(5)]), "+5 (5)  5");
    }
}
