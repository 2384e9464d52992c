//! `CAST(x AS type)` with Spark's ANSI rules.
//!
//! Most casts are Arrow's `cast` kernel in its strict mode, which fails on overflow and malformed input as ANSI
//! Spark does. Where Spark's rules differ from Arrow's — how a double or a timestamp becomes text, which strings
//! are dates and timestamps, timestamps to and from numbers — this module does it Spark's way.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray,
    new_null_array,
};
use arrow::compute::{CastOptions, cast_with_options};
use arrow::datatypes::{DataType, Date32Type, Float32Type, Float64Type, Time64MicrosecondType, TimestampMicrosecondType};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::display::{DAYS_FROM_CE_TO_UNIX_EPOCH, date_string, java_double_string, java_float_string, timestamp_string};
use crate::types::{INSTANT_TIME_ZONE, SparkType};
use crate::{EngineError, Result};

const MICROS_PER_SECOND: i64 = 1_000_000;
pub const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;

/// Whether Spark can cast `from` to `to` at all (checked during analysis).
pub fn can_cast(from: &SparkType, to: &SparkType) -> bool {
    use SparkType::*;
    let temporal = |t: &SparkType| matches!(t, Date | Timestamp | TimestampNtz);
    match (from, to) {
        (a, b) if a == b => true,
        (Null, _) | (_, String) => true,
        (String, _) => true,
        (Boolean, b) => b.is_numeric(),
        (a, Boolean) => a.is_numeric(),
        (a, b) if a.is_numeric() && b.is_numeric() => true,
        (a, b) if temporal(a) && temporal(b) => true,
        (Timestamp | Time, b) if b.is_numeric() => true,
        (YearMonthInterval { .. } | DayTimeInterval { .. }, b) | (b, YearMonthInterval { .. } | DayTimeInterval { .. })
            if b.is_numeric() && !matches!(b, Float | Double) =>
        {
            true
        }
        (a, Timestamp) if a.is_numeric() => true,
        (Array(a), Array(b)) => can_cast(&a.element, &b.element),
        (Map(a), Map(b)) => can_cast(&a.key, &b.key) && can_cast(&a.value, &b.value),
        (Struct(a), Struct(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| can_cast(&a.data_type, &b.data_type)),
        _ => false,
    }
}

/// Casts `array` (of Spark type `from`) to `to`.
pub fn cast(array: &ArrayRef, from: &SparkType, to: &SparkType) -> Result<ArrayRef> {
    if crate::query_settings::ansi() {
        return ansi_cast(array, from, to);
    }
    legacy_cast(array, from, to)
}

/// A cast outside ANSI mode (`spark.sql.ansi.enabled=false`): a whole number too big for a narrower whole type
/// wraps around as Java's does, and a value that cannot be cast is NULL instead of an error.
fn legacy_cast(array: &ArrayRef, from: &SparkType, to: &SparkType) -> Result<ArrayRef> {
    use SparkType::*;
    let whole = |t: &SparkType| matches!(t, Byte | Short | Integer | Long);
    if whole(from) && whole(to) {
        let longs = arrow::compute::cast(array, &DataType::Int64)?;
        let longs = longs.as_primitive::<arrow::datatypes::Int64Type>();
        return Ok(match to {
            Byte => Arc::new(longs.unary::<_, arrow::datatypes::Int8Type>(|v| v as i8)),
            Short => Arc::new(longs.unary::<_, arrow::datatypes::Int16Type>(|v| v as i16)),
            Integer => Arc::new(longs.unary::<_, arrow::datatypes::Int32Type>(|v| v as i32)),
            _ => Arc::new(longs.clone()),
        });
    }
    match ansi_cast(array, from, to) {
        Ok(cast) => return Ok(cast),
        // A cast Spark refuses outright stays an error.
        Err(error) if !can_cast(from, to) => return Err(error),
        Err(_) => {}
    }
    let values = (0..array.len())
        .map(|row| {
            let value = crate::value::Value::from_array(array.as_ref(), row)?.of_type(from);
            let one = value.to_array(1);
            Ok(ansi_cast(&one, from, to).ok().map_or(crate::value::Value::Null, |cast| {
                crate::value::Value::from_array(cast.as_ref(), 0).unwrap_or(crate::value::Value::Null)
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(crate::value::array_of(&values, to))
}

fn ansi_cast(array: &ArrayRef, from: &SparkType, to: &SparkType) -> Result<ArrayRef> {
    use SparkType::*;
    if from == to {
        return Ok(array.clone());
    }
    // Text may arrive as a dictionary or a view (a Parquet column); the casts below read plain UTF-8 arrays.
    if *from == String && array.data_type() != &DataType::Utf8 {
        return ansi_cast(&arrow::compute::cast(array, &DataType::Utf8)?, from, to);
    }
    match (from, to) {
        (Null, _) => Ok(new_null_array(&to.to_arrow(), array.len())),
        (Float | Double, String) | (Date | Timestamp | TimestampNtz | Boolean, String) => to_text(array, from),
        (String, Date) => parse_strings(array, to, parse_date),
        (String, Timestamp) => parse_strings(array, to, parse_timestamp),
        (String, TimestampNtz) => parse_strings(array, to, parse_timestamp_ntz),
        (String, Boolean) => parse_strings(array, to, parse_boolean),
        (String, Time) => parse_strings(array, to, parse_time_of_day),
        (YearMonthInterval { .. } | DayTimeInterval { .. }, _) | (_, YearMonthInterval { .. } | DayTimeInterval { .. }) => {
            crate::expr::cast::interval_cast(array, from, to)
        }
        (Time, String) => {
            let micros = array.as_primitive::<Time64MicrosecondType>();
            Ok(Arc::new(micros.iter().map(|m| m.map(crate::value::time_string)).collect::<StringArray>()))
        }
        (Time, Decimal { .. }) => {
            // Seconds since midnight, to the microsecond, then Spark's decimal rules for the narrower type.
            let micros = array.as_primitive::<Time64MicrosecondType>();
            let seconds = micros.unary::<_, arrow::datatypes::Decimal128Type>(i128::from).with_precision_and_scale(11, 6)?;
            cast(&(Arc::new(seconds) as ArrayRef), &Decimal { precision: 11, scale: 6 }, to)
        }
        (Time, t) if t.is_numeric() => {
            let micros = array.as_primitive::<Time64MicrosecondType>();
            let seconds: ArrayRef = if matches!(t, Float | Double) {
                Arc::new(micros.unary::<_, Float64Type>(|m| m as f64 / MICROS_PER_SECOND as f64))
            } else {
                Arc::new(micros.unary::<_, arrow::datatypes::Int64Type>(|m| m.div_euclid(MICROS_PER_SECOND)))
            };
            cast(&seconds, &if matches!(t, Float | Double) { Double } else { Long }, t)
        }
        (String, t) if t.is_numeric() => numbers_from_text(array, t),
        (Date, Timestamp | TimestampNtz) => {
            // Midnight of the date: in the session time zone for an instant.
            let days = array.as_primitive::<Date32Type>();
            let zone = crate::time_zone::current();
            let midnight = |d: i32| d as i64 * MICROS_PER_DAY;
            Ok(timestamps(days.unary(|d| if *to == Timestamp { zone.utc_micros(midnight(d)) } else { midnight(d) }), to))
        }
        (Timestamp | TimestampNtz, Date) => {
            let micros = array.as_primitive::<TimestampMicrosecondType>();
            let zone = crate::time_zone::current();
            let local = |m: i64| if *from == Timestamp { zone.local_micros(m) } else { m };
            let days: Date32Array = micros.unary(|m| local(m).div_euclid(MICROS_PER_DAY) as i32);
            Ok(Arc::new(days))
        }
        (Timestamp | TimestampNtz, Timestamp | TimestampNtz) => {
            // An instant's wall-clock time in the session time zone, and back.
            let micros = array.as_primitive::<TimestampMicrosecondType>();
            let zone = crate::time_zone::current();
            let moved = if *to == TimestampNtz { micros.unary(|m| zone.local_micros(m)) } else { micros.unary(|m| zone.utc_micros(m)) };
            Ok(timestamps(moved, to))
        }
        (Timestamp, t) if t.is_numeric() => {
            let micros = array.as_primitive::<TimestampMicrosecondType>();
            let seconds: ArrayRef = if matches!(t, Float | Double) {
                Arc::new(micros.unary::<_, Float64Type>(|m| m as f64 / MICROS_PER_SECOND as f64))
            } else {
                Arc::new(Int64Array::from(micros.unary::<_, arrow::datatypes::Int64Type>(|m| {
                    m.div_euclid(MICROS_PER_SECOND)
                })))
            };
            let seconds_type = if matches!(t, Float | Double) { Double } else { Long };
            cast(&seconds, &seconds_type, t)
        }
        (n, Timestamp) if n.is_numeric() => {
            let seconds = arrow_cast(&cast(array, n, &Double)?, &Double)?;
            let seconds: &Float64Array = seconds.as_primitive();
            let micros = seconds.try_unary::<_, TimestampMicrosecondType, _>(|s| {
                let micros = s * MICROS_PER_SECOND as f64;
                if micros.is_finite() && micros.abs() < i64::MAX as f64 {
                    Ok(micros as i64)
                } else {
                    Err(arrow::error::ArrowError::CastError(format!("{s} seconds is out of the timestamp range")))
                }
            })?;
            Ok(Arc::new(micros.with_timezone(INSTANT_TIME_ZONE)))
        }
        (a, b) if can_cast(a, b) => arrow_cast(array, to).map_err(|e| cast_error(e, from, to)),
        _ => Err(EngineError::Analysis(format!(
            "[DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION] Cannot cast \"{}\" to \"{}\".",
            from.simple_string().to_uppercase(),
            to.simple_string().to_uppercase()
        ))),
    }
}

fn arrow_cast(array: &ArrayRef, to: &SparkType) -> Result<ArrayRef> {
    let options = CastOptions { safe: false, ..Default::default() };
    Ok(cast_with_options(array, &to.to_arrow(), &options)?)
}

fn cast_error(error: EngineError, from: &SparkType, to: &SparkType) -> EngineError {
    let detail = error.to_string();
    let overflow = ["overflow", "out of range", "Can't cast", "too large"].iter().any(|word| detail.contains(word));
    let class = match (overflow, to) {
        (true, SparkType::Decimal { .. }) => "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION",
        (true, _) => "CAST_OVERFLOW",
        (false, _) => "CAST_INVALID_INPUT",
    };
    EngineError::Runtime(format!(
        "[{class}] A value of the type \"{}\" cannot be cast to \"{}\" ({detail}). Use `try_cast` to tolerate \
         this and return NULL instead.",
        from.simple_string().to_uppercase(),
        to.simple_string().to_uppercase()
    ))
}

fn timestamps(micros: arrow::array::PrimitiveArray<TimestampMicrosecondType>, to: &SparkType) -> ArrayRef {
    match to {
        SparkType::Timestamp => Arc::new(micros.with_timezone(INSTANT_TIME_ZONE)),
        _ => Arc::new(micros.with_timezone_opt(None::<String>)),
    }
}

/// Values as Spark prints them when cast to string.
fn to_text(array: &ArrayRef, from: &SparkType) -> Result<ArrayRef> {
    let text = |row: usize| -> Result<String> {
        Ok(match from {
            SparkType::Double => java_double_string(array.as_primitive::<Float64Type>().value(row)),
            SparkType::Float => java_float_string(array.as_primitive::<Float32Type>().value(row)),
            SparkType::Date => date_string(array.as_primitive::<Date32Type>().value(row))?,
            SparkType::Boolean => array.as_boolean().value(row).to_string(),
            SparkType::Timestamp => {
                timestamp_string(crate::time_zone::current().local_micros(array.as_primitive::<TimestampMicrosecondType>().value(row)))?
            }
            _ => timestamp_string(array.as_primitive::<TimestampMicrosecondType>().value(row))?,
        })
    };
    let values = (0..array.len())
        .map(|row| if array.is_null(row) { Ok(None) } else { text(row).map(Some) })
        .collect::<Result<StringArray>>()?;
    Ok(Arc::new(values))
}

/// Spark trims spaces before reading a number from text; malformed text is an error under ANSI.
fn numbers_from_text(array: &ArrayRef, to: &SparkType) -> Result<ArrayRef> {
    let strings = array.as_string::<i32>();
    let trimmed: StringArray = strings.iter().map(|s| s.map(str::trim)).collect();
    let trimmed: ArrayRef = Arc::new(trimmed);
    arrow_cast(&trimmed, to).map_err(|_| {
        let bad = strings.iter().flatten().find(|s| arrow_cast(&(Arc::new(StringArray::from(vec![s.trim()])) as ArrayRef), to).is_err());
        invalid_input(bad.unwrap_or_default(), to)
    })
}

/// One value cast to `to`.
pub fn cast_value(value: crate::value::Value, to: &SparkType) -> Result<crate::value::Value> {
    let array = value.to_array(1);
    crate::value::Value::from_array(&cast(&array, &value.spark_type(), to)?, 0)
}

/// Casts to and from intervals, value by value: an interval counts units of its last field (`INTERVAL '1-2' YEAR
/// TO MONTH` is 14 months; `INTERVAL '1 00:00:01.5' DAY TO SECOND` 86401.5 seconds), and a number becomes that many.
fn interval_cast(array: &ArrayRef, from: &SparkType, to: &SparkType) -> Result<ArrayRef> {
    use crate::value::Value;
    let values = (0..array.len())
        .map(|row| match Value::from_array(array.as_ref(), row)? {
            Value::Null => Ok(Value::Null),
            // An Arrow interval column does not carry its fields; the type does.
            value => interval_value(value.of_type(from), from, to),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(crate::value::array_of(&values, to))
}

fn interval_value(value: crate::value::Value, from: &SparkType, to: &SparkType) -> Result<crate::value::Value> {
    use crate::interval::{self, MONTH, SECOND, micros_per};
    use crate::value::Value;
    use SparkType::*;
    let overflow = || {
        EngineError::Runtime(format!(
            "[CAST_OVERFLOW] The value {value} of the type \"{}\" cannot be cast to \"{}\" due to an overflow. Use \
             `try_cast` to tolerate overflow and return NULL instead. SQLSTATE: 22003",
            from.simple_string().to_uppercase(),
            to.simple_string().to_uppercase()
        ))
    };
    // The value in units of the interval's last field, as a decimal with six places.
    let units_of = |value: &Value| -> Option<i128> {
        match (value, from) {
            (Value::YearMonthInterval { months, end, .. }, _) => {
                Some(i128::from(*months) * 1_000_000 / if *end == MONTH { 1 } else { 12 })
            }
            (Value::DayTimeInterval { micros, end, .. }, _) => Some(i128::from(*micros) * 1_000_000 / i128::from(micros_per(*end))),
            _ => None,
        }
    };
    Ok(match (&value, to.clone()) {
        (Value::YearMonthInterval { months, start, end }, String) => Value::String(interval::year_month_string(*months, *start, *end)),
        (Value::DayTimeInterval { micros, start, end }, String) => Value::String(interval::day_time_string(*micros, *start, *end)),
        (Value::String(text), YearMonthInterval { start, end }) => {
            let body = interval_text(text);
            let months = interval::parse_year_month(body, start, end).map_err(|_| invalid_input(text, to))?;
            Value::YearMonthInterval { months, start, end }
        }
        (Value::String(text), DayTimeInterval { start, end }) => {
            let body = interval_text(text);
            let micros = interval::parse_day_time(body, start, end).map_err(|_| invalid_input(text, to))?;
            Value::DayTimeInterval { micros, start, end }
        }
        (Value::YearMonthInterval { .. } | Value::DayTimeInterval { .. }, Decimal { .. }) => {
            let units = units_of(&value).ok_or_else(overflow)?;
            let six_places = Value::Decimal { value: units, precision: 38, scale: 6 };
            return cast_value(six_places, to);
        }
        (Value::YearMonthInterval { .. } | Value::DayTimeInterval { .. }, t) => {
            let whole = units_of(&value).ok_or_else(overflow)? / 1_000_000;
            let whole = i64::try_from(whole).map_err(|_| overflow())?;
            return cast_value(Value::Long(whole), &t).map_err(|_| overflow());
        }
        (number, YearMonthInterval { start, end }) => {
            let per_unit: i128 = if end == MONTH { 1 } else { 12 };
            let months = units_rounded(number, per_unit).ok_or_else(overflow)?;
            Value::YearMonthInterval { months: i32::try_from(months).map_err(|_| overflow())?, start, end }
        }
        (number, DayTimeInterval { start, end }) => {
            let unit = i128::from(micros_per(end));
            let micros = units_rounded(number, unit).ok_or_else(overflow)?;
            // A fraction of the last field's unit is dropped (80.65 minutes as HOUR TO MINUTE is 80 minutes).
            let micros = if end == SECOND { micros } else { micros / unit * unit };
            Value::DayTimeInterval { micros: i64::try_from(micros).map_err(|_| overflow())?, start, end }
        }
        _ => return Err(overflow()),
    })
}

/// `number` × `per_unit`, rounded half up to a whole number.
fn units_rounded(number: &crate::value::Value, per_unit: i128) -> Option<i128> {
    use crate::value::Value;
    match number {
        Value::Decimal { value, scale, .. } => {
            let scaled = value.checked_mul(per_unit)?;
            let divisor = 10i128.checked_pow(u32::from(scale.unsigned_abs()))?;
            let (quotient, remainder) = (scaled / divisor, scaled % divisor);
            Some(quotient + if remainder.abs() * 2 >= divisor { scaled.signum() } else { 0 })
        }
        other => i128::from(other.as_i64()?).checked_mul(per_unit),
    }
}

/// The value inside `INTERVAL '…' FIELDS` text, or the text itself.
fn interval_text(text: &str) -> &str {
    let trimmed = text.trim();
    let starts_interval = trimmed.len() > 8 && trimmed[..8].eq_ignore_ascii_case("interval");
    match (starts_interval, trimmed.find('\''), trimmed.rfind('\'')) {
        (true, Some(open), Some(close)) if close > open => &trimmed[open + 1..close],
        _ => trimmed,
    }
}

fn invalid_input(text: &str, to: &SparkType) -> EngineError {
    EngineError::Runtime(format!(
        "[CAST_INVALID_INPUT] The value '{text}' of the type \"STRING\" cannot be cast to \"{}\" because it is \
         malformed. Correct the value as per the syntax, or change its target type. Use `try_cast` to tolerate \
         malformed input and return NULL instead. SQLSTATE: 22018",
        to.simple_string().to_uppercase()
    ))
}

fn parse_strings(array: &ArrayRef, to: &SparkType, parse: fn(&str) -> Option<i64>) -> Result<ArrayRef> {
    let strings = array.as_string::<i32>();
    let values = strings
        .iter()
        .map(|s| s.map(|text| parse(text).ok_or_else(|| invalid_input(text, to))).transpose())
        .collect::<Result<Vec<Option<i64>>>>()?;
    Ok(match to {
        SparkType::Date => Arc::new(values.into_iter().map(|v| v.map(|d| d as i32)).collect::<Date32Array>()),
        SparkType::Boolean => Arc::new(values.into_iter().map(|v| v.map(|b| b != 0)).collect::<arrow::array::BooleanArray>()),
        SparkType::Time => Arc::new(values.into_iter().collect::<arrow::array::Time64MicrosecondArray>()),
        _ => timestamps(values.into_iter().collect::<TimestampMicrosecondArray>(), to),
    })
}

/// Days since the epoch of `yyyy`, `yyyy-[m]m`, `yyyy-[m]m-[d]d`, optionally followed by a time after ' ' or 'T'.
/// As in Spark, the year has 4 to 7 digits (maybe after a sign), the month and day 1 or 2.
pub fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let date_part = text.split([' ', 'T']).next()?;
    let (sign, unsigned) = match date_part.strip_prefix(['+', '-']) {
        Some(rest) => (if date_part.starts_with('-') { -1 } else { 1 }, rest),
        None => (1, date_part),
    };
    let mut fields = unsigned.splitn(3, '-');
    let digits = |field: &str, fewest: usize, most: usize| {
        (fewest..=most).contains(&field.len()) && field.bytes().all(|b| b.is_ascii_digit())
    };
    let year_text = fields.next()?;
    if !digits(year_text, 4, 7) {
        return None;
    }
    let year: i32 = sign * year_text.parse::<i32>().ok()?;
    let short = |field: Option<&str>| -> Option<u32> { field.map_or(Some(1), |f| if digits(f, 1, 2) { f.parse().ok() } else { None }) };
    let month = short(fields.next())?;
    let day = short(fields.next())?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    Some((date.num_days_from_ce() - DAYS_FROM_CE_TO_UNIX_EPOCH) as i64)
}

use chrono::Datelike;

/// Microseconds since midnight of `HH[:mm[:ss[.fraction]]]`; digits of the fraction past the sixth are dropped, as
/// Spark's `TIME(6)` drops them.
pub fn parse_time_of_day(text: &str) -> Option<i64> {
    use chrono::Timelike;
    let time = parse_time(text.trim())?;
    Some(i64::from(time.num_seconds_from_midnight()) * MICROS_PER_SECOND + i64::from(time.nanosecond() / 1000))
}

/// The instant `yyyy-[m]m-[d]d[( |T)HH:mm[:ss[.fraction]]][zone]` names: the wall-clock time read in the zone
/// written after it (`Z`, `+08:00`, `UTC+080000`, `Europe/Paris`) or else in the session time zone.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let (wall_clock, zone) = parse_wall_clock(text)?;
    Some(zone.unwrap_or_else(crate::time_zone::current).utc_micros(wall_clock))
}

/// The wall-clock time of `yyyy-[m]m-[d]d[( |T)HH:mm[:ss[.fraction]]]`, as a `timestamp_ntz` holds it; a zone
/// written after it is ignored, as Spark ignores it.
pub fn parse_timestamp_ntz(text: &str) -> Option<i64> {
    parse_wall_clock(text).map(|(wall_clock, _)| wall_clock)
}

/// A timestamp's text as its wall-clock time (microseconds of a UTC-based calendar) and the zone written after it.
fn parse_wall_clock(text: &str) -> Option<(i64, Option<crate::time_zone::TimeZone>)> {
    let text = text.trim();
    let (date_text, rest) = match text.find([' ', 'T']) {
        Some(at) => (&text[..at], text[at + 1..].trim()),
        None => (text, ""),
    };
    let days = parse_date(date_text)?;
    let zone_at = rest.find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.')).unwrap_or(rest.len());
    let (time_text, zone_text) = (&rest[..zone_at], rest[zone_at..].trim());
    let zone = if zone_text.is_empty() { None } else { Some(crate::time_zone::TimeZone::parse(zone_text)?) };
    let time = if time_text.is_empty() { NaiveTime::MIN } else { parse_time(time_text)? };
    let date = NaiveDate::from_num_days_from_ce_opt(days as i32 + DAYS_FROM_CE_TO_UNIX_EPOCH)?;
    Some((NaiveDateTime::new(date, time).and_utc().timestamp_micros(), zone))
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    let (clock, fraction) = match text.split_once('.') {
        Some((clock, fraction)) => (clock, fraction),
        None => (text, ""),
    };
    let mut parts = clock.split(':');
    let hour: u32 = parts.next()?.parse().ok()?;
    let minute: u32 = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    let second: u32 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    if parts.next().is_some() || fraction.len() > 9 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let micros: u32 = format!("{fraction:0<6}")[..6].parse().ok()?;
    NaiveTime::from_hms_micro_opt(hour, minute, second, micros)
}

fn parse_boolean(text: &str) -> Option<i64> {
    match text.trim().to_ascii_lowercase().as_str() {
        "t" | "true" | "y" | "yes" | "1" => Some(1),
        "f" | "false" | "n" | "no" | "0" => Some(0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn strings_become_timestamps_and_dates_as_in_spark() {
        let ts = |s: &str| cast_value(Value::String(s.into()), &SparkType::TimestampNtz).unwrap();
        assert_eq!(ts("2020-01-01 00:00:00"), Value::TimestampNtz(1_577_836_800_000_000));
        assert_eq!(ts("2020-01-01"), Value::TimestampNtz(1_577_836_800_000_000));
        assert_eq!(ts("2020-01-01T00:00:01.5"), Value::TimestampNtz(1_577_836_801_500_000));
        assert_eq!(cast_value(Value::String("2020-1-2".into()), &SparkType::Date).unwrap(), Value::Date(18263));
        let error = cast_value(Value::String("yesterday".into()), &SparkType::Date).unwrap_err().to_string();
        assert!(error.starts_with("[CAST_INVALID_INPUT] The value 'yesterday'"), "{error}");
    }

    #[test]
    fn numbers_cast_strictly() {
        assert_eq!(cast_value(Value::Double(2.9), &SparkType::Integer).unwrap(), Value::Integer(2));
        assert_eq!(cast_value(Value::String(" 42 ".into()), &SparkType::Long).unwrap(), Value::Long(42));
        assert!(cast_value(Value::String("4x2".into()), &SparkType::Long).is_err());
        assert!(cast_value(Value::Long(1 << 40), &SparkType::Integer).is_err());
        assert_eq!(cast_value(Value::Double(1.0e7), &SparkType::String).unwrap(), Value::String("1.0E7".into()));
        assert_eq!(
            cast_value(Value::Timestamp(1_500_000), &SparkType::Long).unwrap(),
            Value::Long(1),
            "timestamps become whole seconds"
        );
    }
}
