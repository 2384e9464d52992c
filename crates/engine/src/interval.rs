//! Intervals: spans of time, in Spark's two ANSI kinds. A year-month interval (`INTERVAL '2-3' YEAR TO MONTH`) is a
//! whole number of months — months have no fixed length, so it never mixes with days. A day-time interval
//! (`INTERVAL '1 02:00:00' DAY TO SECOND`) is a number of microseconds. Each type also names its first and last
//! field (`interval hour to second`), which decides how a value is written and what a cast to a number counts.

use crate::{EngineError, Result};

/// The fields of a year-month interval, in order.
pub const YEAR: u8 = 0;
pub const MONTH: u8 = 1;
/// The fields of a day-time interval, in order.
pub const DAY: u8 = 0;
pub const HOUR: u8 = 1;
pub const MINUTE: u8 = 2;
pub const SECOND: u8 = 3;

const YEAR_MONTH_NAMES: [&str; 2] = ["YEAR", "MONTH"];
const DAY_TIME_NAMES: [&str; 4] = ["DAY", "HOUR", "MINUTE", "SECOND"];
const MICROS: [i64; 4] = [86_400_000_000, 3_600_000_000, 60_000_000, 1_000_000];

/// `YEAR TO MONTH`, `MONTH`, `DAY TO SECOND`, … as SQL and type names write a type's fields.
pub fn fields_name(year_month: bool, start: u8, end: u8) -> String {
    let names: &[&str] = if year_month { &YEAR_MONTH_NAMES } else { &DAY_TIME_NAMES };
    if start == end { names[start as usize].to_string() } else { format!("{} TO {}", names[start as usize], names[end as usize]) }
}

/// A field by name (`year`, `months`, `second`…): whether it is a year-month field, and which.
pub fn field_by_name(name: &str) -> Option<(bool, u8)> {
    let name = name.to_ascii_uppercase();
    let name = name.strip_suffix('S').unwrap_or(&name);
    YEAR_MONTH_NAMES
        .iter()
        .position(|n| *n == name)
        .map(|i| (true, i as u8))
        .or_else(|| DAY_TIME_NAMES.iter().position(|n| *n == name).map(|i| (false, i as u8)))
}

/// Microseconds in one unit of a day-time field.
pub fn micros_per(field: u8) -> i64 {
    MICROS[field as usize]
}

/// How many months `text` (`'[+|-]y-m'`, `'y'`, `'m'`, as the fields say) is.
pub fn parse_year_month(text: &str, start: u8, end: u8) -> Result<i32> {
    let invalid = || invalid_interval(text, true, start, end);
    let (negative, body) = sign(text.trim());
    let months: i64 = match (start, end) {
        (YEAR, MONTH) => {
            let (years, months) = body.split_once('-').ok_or_else(invalid)?;
            let months: i64 = number(months).ok_or_else(invalid)?;
            if months > 11 {
                return Err(invalid());
            }
            number(years).ok_or_else(invalid)?.checked_mul(12).and_then(|m| m.checked_add(months)).ok_or_else(invalid)?
        }
        (YEAR, _) => number(body).ok_or_else(invalid)?.checked_mul(12).ok_or_else(invalid)?,
        _ => number(body).ok_or_else(invalid)?,
    };
    i32::try_from(if negative { -months } else { months }).map_err(|_| invalid())
}

/// How many microseconds `text` (`'[+|-]d hh:mm:ss.ffffff'` cut to the fields, `'10.5'` for SECOND) is.
pub fn parse_day_time(text: &str, start: u8, end: u8) -> Result<i64> {
    let invalid = || invalid_interval(text, false, start, end);
    let (negative, body) = sign(text.trim());
    let mut parts: Vec<&str> = Vec::new();
    let (day, clock) = match body.split_once(' ') {
        Some((day, clock)) if start == DAY => (Some(day), clock),
        _ => (None, body),
    };
    parts.extend(day);
    if start == DAY && day.is_none() {
        parts.push(clock);
    } else {
        parts.extend(clock.split(':'));
    }
    if parts.len() != (end - start + 1) as usize {
        return Err(invalid());
    }
    let mut micros: i64 = 0;
    for (i, part) in parts.iter().enumerate() {
        let field = start + i as u8;
        let value = if field == SECOND { seconds_micros(part).ok_or_else(invalid)? } else { number(part).ok_or_else(invalid)?.checked_mul(micros_per(field)).ok_or_else(invalid)? };
        // Every field but the first stays within its unit (an hour below 24, a minute below 60).
        let limit = match field {
            HOUR => 24,
            MINUTE | SECOND => 60,
            _ => i64::MAX,
        };
        if i > 0 && value >= limit.saturating_mul(micros_per(field)) {
            return Err(invalid());
        }
        micros = micros.checked_add(value).ok_or_else(invalid)?;
    }
    Ok(if negative { -micros } else { micros })
}

fn sign(text: &str) -> (bool, &str) {
    match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    }
}

fn number(text: &str) -> Option<i64> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok())?
}

fn seconds_micros(text: &str) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let fraction: i64 = format!("{:0<6}", &fraction[..fraction.len().min(6)]).parse().ok()?;
    number(whole)?.checked_mul(1_000_000)?.checked_add(fraction)
}

fn invalid_interval(text: &str, year_month: bool, start: u8, end: u8) -> EngineError {
    let kind = if year_month { "year-month" } else { "day-time" };
    EngineError::Analysis(format!(
        "[INVALID_INTERVAL_FORMAT.UNMATCHED_FORMAT_STRING] Error parsing '{text}' to interval, `{kind}` interval \
         format of `INTERVAL {}` expected. SQLSTATE: 22006",
        fields_name(year_month, start, end)
    ))
}

/// `INTERVAL '2-3' YEAR TO MONTH`, as `show()`, casts to text and literals write a year-month interval.
pub fn year_month_string(months: i32, start: u8, end: u8) -> String {
    let sign = if months < 0 { "-" } else { "" };
    let total = months.unsigned_abs();
    let value = match (start, end) {
        (YEAR, MONTH) => format!("{sign}{}-{}", total / 12, total % 12),
        (YEAR, _) => format!("{sign}{}", total / 12),
        _ => format!("{sign}{total}"),
    };
    format!("INTERVAL '{value}' {}", fields_name(true, start, end))
}

/// `INTERVAL '1 02:03:04.5' DAY TO SECOND`, as `show()`, casts to text and literals write a day-time interval: the
/// first field unbounded, the others two digits, the fraction of a second without trailing zeros.
pub fn day_time_string(micros: i64, start: u8, end: u8) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let mut rest = micros.unsigned_abs();
    let mut parts: Vec<String> = Vec::new();
    for field in start..=end {
        let unit = micros_per(field) as u64;
        let text = if field == SECOND {
            let (seconds, fraction) = (rest / 1_000_000, rest % 1_000_000);
            format!("{seconds:02}{}", crate::display::fraction_of_second(fraction as i64))
        } else {
            let value = rest / unit;
            rest %= unit;
            if field == DAY { value.to_string() } else { format!("{value:02}") }
        };
        parts.push(text);
    }
    let value = match parts.split_first() {
        Some((day, clock)) if start == DAY && !clock.is_empty() => format!("{day} {}", clock.join(":")),
        _ => parts.join(":"),
    };
    format!("INTERVAL '{sign}{value}' {}", fields_name(false, start, end))
}

/// An interval written unit by unit (`3 day 1 second`, `1 year 2 months`, `1 week 2 milliseconds`), as Spark's
/// multi-unit literals read: the units are added up, and the type runs from the largest unit given to the smallest
/// (a week counts as days, milli- and microseconds as seconds). `Ok(None)` when year-month and day-time units are
/// mixed, which Spark refuses; an error names a value or unit it cannot read.
pub fn from_units(units: &[(&str, &str)]) -> Result<Option<crate::value::Value>> {
    let mut kinds = (false, false);
    let (mut months, mut micros) = (0i64, 0i64);
    let (mut start, mut end) = (u8::MAX, 0u8);
    for (text, unit) in units {
        let (year_month, field, per_unit) = unit_by_name(unit)
            .ok_or_else(|| EngineError::Analysis(format!("[INVALID_INTERVAL_FORMAT.INVALID_UNIT] Error parsing '{text} {unit}' to interval, invalid unit '{unit}'. SQLSTATE: 22006")))?;
        let amount = scaled(text, per_unit).ok_or_else(|| {
            EngineError::Analysis(format!("[INVALID_INTERVAL_FORMAT.INVALID_VALUE] Error parsing '{text} {unit}' to interval, invalid value '{text}'. SQLSTATE: 22006"))
        })?;
        let total = if year_month { &mut months } else { &mut micros };
        *total = total.checked_add(amount).ok_or_else(|| EngineError::Analysis("[ARITHMETIC_OVERFLOW] integer overflow. SQLSTATE: 22003".into()))?;
        if year_month { kinds.0 = true } else { kinds.1 = true }
        (start, end) = (start.min(field), end.max(field));
    }
    Ok(match kinds {
        (true, true) => None,
        (true, false) => {
            let months = i32::try_from(months).map_err(|_| EngineError::Analysis("[ARITHMETIC_OVERFLOW] integer overflow. SQLSTATE: 22003".into()))?;
            Some(crate::value::Value::YearMonthInterval { months, start, end })
        }
        _ => Some(crate::value::Value::DayTimeInterval { micros, start, end }),
    })
}

/// A unit of a multi-unit interval: whether it is a year-month unit, the field it counts in, and how many months
/// or microseconds one of it is.
fn unit_by_name(name: &str) -> Option<(bool, u8, i64)> {
    let name = name.to_ascii_uppercase();
    let name = name.strip_suffix('S').unwrap_or(&name);
    Some(match name {
        "YEAR" => (true, YEAR, 12),
        "MONTH" => (true, MONTH, 1),
        "WEEK" => (false, DAY, 7 * MICROS[DAY as usize]),
        "MILLISECOND" => (false, SECOND, 1000),
        "MICROSECOND" => (false, SECOND, 1),
        other => {
            let field = DAY_TIME_NAMES.iter().position(|n| *n == other)?;
            (false, field as u8, MICROS[field])
        }
    })
}

/// `text` (a whole or decimal number, maybe signed) times `per_unit`, the fraction's part cut to whole units.
fn scaled(text: &str, per_unit: i64) -> Option<i64> {
    let (negative, body) = sign(text.trim());
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty() && fraction.is_empty() || !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let digits = fraction.len().min(18) as u32;
    let fraction: i64 = if digits == 0 { 0 } else { fraction[..digits as usize].parse().ok()? };
    let part = i128::from(fraction) * i128::from(per_unit) / 10i128.pow(digits);
    let amount = i64::try_from(i128::from(whole) * i128::from(per_unit) + part).ok()?;
    Some(if negative { -amount } else { amount })
}

/// A year-month interval as `spark-sql` prints it (Hive's form): `2-3`.
pub fn year_month_hive(months: i32) -> String {
    let sign = if months < 0 { "-" } else { "" };
    format!("{sign}{}-{}", months.unsigned_abs() / 12, months.unsigned_abs() % 12)
}

/// A day-time interval as `spark-sql` prints it (Hive's form): `1 02:03:04.500000000`.
pub fn day_time_hive(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let total = micros.unsigned_abs();
    let (days, rest) = (total / 86_400_000_000, total % 86_400_000_000);
    let (hours, rest) = (rest / 3_600_000_000, rest % 3_600_000_000);
    let (minutes, rest) = (rest / 60_000_000, rest % 60_000_000);
    format!("{sign}{days} {hours:02}:{minutes:02}:{:02}.{:06}000", rest / 1_000_000, rest % 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_read_and_written_as_spark_does() {
        assert_eq!(parse_year_month("-10-2", YEAR, MONTH).unwrap(), -122);
        assert_eq!(year_month_string(-122, YEAR, MONTH), "INTERVAL '-10-2' YEAR TO MONTH");
        assert_eq!(year_month_string(12, YEAR, YEAR), "INTERVAL '1' YEAR");
        assert_eq!(year_month_hive(1000), "83-4");
        let micros = parse_day_time("-1 02:03:04.123", DAY, SECOND).unwrap();
        assert_eq!(micros, -(93_784_123_000));
        assert_eq!(day_time_string(micros, DAY, SECOND), "INTERVAL '-1 02:03:04.123' DAY TO SECOND");
        assert_eq!(day_time_string(parse_day_time("1.000001", SECOND, SECOND).unwrap(), SECOND, SECOND), "INTERVAL '01.000001' SECOND");
        assert_eq!(day_time_string(parse_day_time("08:11:10.001", HOUR, SECOND).unwrap(), HOUR, SECOND), "INTERVAL '08:11:10.001' HOUR TO SECOND");
        assert_eq!(day_time_string(10 * 86_400_000_000, DAY, DAY), "INTERVAL '10' DAY");
        assert_eq!(day_time_hive(-10_000_000), "-0 00:00:10.000000000");
        assert!(parse_year_month("1-13", YEAR, MONTH).is_err());
        assert!(parse_day_time("25:00", HOUR, MINUTE).is_ok());
        assert!(parse_day_time("1 25:00", DAY, MINUTE).is_err());
    }

    #[test]
    fn units_add_up_to_spark_types() {
        use crate::value::Value;
        let day_time = |micros, start, end| Some(Value::DayTimeInterval { micros, start, end });
        assert_eq!(from_units(&[("3", "day"), ("1", "second")]).unwrap(), day_time(259_201_000_000, DAY, SECOND));
        assert_eq!(from_units(&[("1", "minute"), ("1", "hour")]).unwrap(), day_time(3_660_000_000, HOUR, MINUTE));
        assert_eq!(from_units(&[("-1", "day"), ("1.5", "seconds")]).unwrap(), day_time(-86_398_500_000, DAY, SECOND));
        assert_eq!(from_units(&[("1", "week"), ("2", "millisecond")]).unwrap(), day_time(604_800_002_000, DAY, SECOND));
        assert_eq!(from_units(&[("1", "year"), ("2", "months")]).unwrap(), Some(Value::YearMonthInterval { months: 14, start: YEAR, end: MONTH }));
        assert_eq!(from_units(&[("1", "day"), ("0", "month")]).unwrap(), None);
        assert!(from_units(&[("x", "day")]).is_err());
    }
}
