//! Date and time functions beyond the basics: `dayname`, `monthname`, `from_utc_timestamp`/`to_utc_timestamp`,
//! `unix_seconds`/`unix_millis`/`unix_micros` and back (`timestamp_millis`, `timestamp_micros`), `make_timestamp`,
//! and the fields `date_part`/`extract` read that no other function does (seconds with their fraction, the ISO
//! week's year and day).

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

use crate::display::DAYS_FROM_CE_TO_UNIX_EPOCH;
use crate::time_zone::{self, TimeZone};
use crate::types::SparkType;
use crate::value::Value;
use crate::{EngineError, Result};

const MICROS_PER_SECOND: i64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateTimeFunction {
    Dayname,
    Monthname,
    FromUtcTimestamp,
    ToUtcTimestamp,
    UnixSeconds,
    UnixMillis,
    UnixMicros,
    TimestampMillis,
    TimestampMicros,
    MakeTimestamp,
    /// The seconds of a timestamp with their fraction, `decimal(8,6)` (`date_part('SECOND', ts)`).
    SecondWithFraction,
    /// The year of the ISO week a date falls in (`date_part('YEAROFWEEK', d)`).
    YearOfWeek,
    /// The day of the week, Monday 1 to Sunday 7 (`date_part('DOW_ISO', d)`).
    DayOfWeekIso,
    /// `make_dt_interval(days, hours, mins, secs)`: a day-time interval from its fields (each may overflow into the
    /// next: 25 hours is a day and an hour).
    MakeDtInterval,
    /// `make_ym_interval(years, months)`: a year-month interval.
    MakeYmInterval,
}

use DateTimeFunction::*;

const ALL: [DateTimeFunction; 15] = [
    Dayname, Monthname, FromUtcTimestamp, ToUtcTimestamp, UnixSeconds, UnixMillis, UnixMicros, TimestampMillis,
    TimestampMicros, MakeTimestamp, SecondWithFraction, YearOfWeek, DayOfWeekIso, MakeDtInterval, MakeYmInterval,
];

impl DateTimeFunction {
    pub fn name(self) -> &'static str {
        match self {
            Dayname => "dayname",
            Monthname => "monthname",
            FromUtcTimestamp => "from_utc_timestamp",
            ToUtcTimestamp => "to_utc_timestamp",
            UnixSeconds => "unix_seconds",
            UnixMillis => "unix_millis",
            UnixMicros => "unix_micros",
            TimestampMillis => "timestamp_millis",
            TimestampMicros => "timestamp_micros",
            MakeTimestamp => "make_timestamp",
            SecondWithFraction => "second_with_fraction",
            YearOfWeek => "year_of_week",
            DayOfWeekIso => "dayofweek_iso",
            MakeDtInterval => "make_dt_interval",
            MakeYmInterval => "make_ym_interval",
        }
    }

    pub fn by_name(name: &str) -> Option<Self> {
        ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn arity(self) -> (usize, usize) {
        match self {
            FromUtcTimestamp | ToUtcTimestamp => (2, 2),
            MakeTimestamp => (6, 7),
            MakeDtInterval => (0, 4),
            MakeYmInterval => (0, 2),
            _ => (1, 1),
        }
    }

    pub fn argument_types(self, count: usize) -> Vec<SparkType> {
        use SparkType::*;
        match self {
            Dayname | Monthname | YearOfWeek | DayOfWeekIso => vec![Date],
            FromUtcTimestamp | ToUtcTimestamp => vec![Timestamp, String],
            UnixSeconds | UnixMillis | UnixMicros | SecondWithFraction => vec![Timestamp],
            TimestampMillis | TimestampMicros => vec![Long],
            MakeTimestamp => {
                [Integer, Integer, Integer, Integer, Integer, Decimal { precision: 16, scale: 6 }, String][..count].to_vec()
            }
            MakeDtInterval => [Integer, Integer, Integer, Decimal { precision: 18, scale: 6 }][..count].to_vec(),
            MakeYmInterval => vec![Integer; count],
        }
    }

    pub fn return_type(self) -> SparkType {
        match self {
            Dayname | Monthname => SparkType::String,
            FromUtcTimestamp | ToUtcTimestamp | TimestampMillis | TimestampMicros | MakeTimestamp => SparkType::Timestamp,
            UnixSeconds | UnixMillis | UnixMicros => SparkType::Long,
            SecondWithFraction => SparkType::Decimal { precision: 8, scale: 6 },
            YearOfWeek | DayOfWeekIso => SparkType::Integer,
            MakeDtInterval => SparkType::DayTimeInterval { start: crate::interval::DAY, end: crate::interval::SECOND },
            MakeYmInterval => SparkType::YearMonthInterval { start: crate::interval::YEAR, end: crate::interval::MONTH },
        }
    }

    pub fn apply(self, args: &[Value], ansi: bool) -> Result<Value> {
        let int = |i: usize| args.get(i).and_then(Value::as_i64).unwrap_or(0);
        let date = || match &args[0] {
            Value::Date(days) => NaiveDate::from_num_days_from_ce_opt(days + DAYS_FROM_CE_TO_UNIX_EPOCH),
            _ => None,
        };
        let text = |i: usize| if let Value::String(s) = &args[i] { s.as_str() } else { "" };
        Ok(match self {
            Dayname => date().map_or(Value::Null, |d| Value::String(d.format("%a").to_string())),
            Monthname => date().map_or(Value::Null, |d| Value::String(d.format("%b").to_string())),
            FromUtcTimestamp => Value::Timestamp(zone(text(1))?.local_micros(int(0))),
            ToUtcTimestamp => Value::Timestamp(zone(text(1))?.utc_micros(int(0))),
            UnixSeconds => Value::Long(int(0).div_euclid(MICROS_PER_SECOND)),
            UnixMillis => Value::Long(int(0).div_euclid(1_000)),
            UnixMicros => Value::Long(int(0)),
            TimestampMillis => Value::Timestamp(int(0).checked_mul(1_000).ok_or_else(overflow)?),
            TimestampMicros => Value::Timestamp(int(0)),
            MakeTimestamp => make_timestamp(args, ansi)?,
            SecondWithFraction => {
                let local = time_zone::current().local_micros(int(0));
                Value::Decimal { value: i128::from(local.rem_euclid(60 * MICROS_PER_SECOND)), precision: 8, scale: 6 }
            }
            YearOfWeek => date().map_or(Value::Null, |d| Value::Integer(d.iso_week().year())),
            DayOfWeekIso => date().map_or(Value::Null, |d| Value::Integer(d.weekday().number_from_monday() as i32)),
            MakeDtInterval => {
                let seconds = match args.get(3) {
                    Some(Value::Decimal { value, .. }) => i64::try_from(*value).map_err(|_| overflow())?,
                    _ => 0,
                };
                let micros = [(0, 86_400 * MICROS_PER_SECOND), (1, 3_600 * MICROS_PER_SECOND), (2, 60 * MICROS_PER_SECOND)]
                    .into_iter()
                    .try_fold(seconds, |total, (i, unit)| int(i).checked_mul(unit).and_then(|part| total.checked_add(part)))
                    .ok_or_else(overflow)?;
                Value::DayTimeInterval { micros, start: crate::interval::DAY, end: crate::interval::SECOND }
            }
            MakeYmInterval => {
                let months = int(0).checked_mul(12).and_then(|m| m.checked_add(int(1))).and_then(|m| i32::try_from(m).ok());
                let months = months.ok_or_else(|| EngineError::Runtime("[ARITHMETIC_OVERFLOW] integer overflow. SQLSTATE: 22003".into()))?;
                Value::YearMonthInterval { months, start: crate::interval::YEAR, end: crate::interval::MONTH }
            }
        })
    }
}

fn zone(name: &str) -> Result<TimeZone> {
    TimeZone::parse(name).ok_or_else(|| {
        EngineError::Runtime(format!(
            "[INVALID_TIMEZONE] The timezone: {name} is invalid. The timezone must be either a region-based zone ID \
             or a zone offset. Region IDs must have the form 'area/city', such as 'America/Los_Angeles'. Zone \
             offsets must be in the format '(+|-)HH', '(+|-)HH:mm’ or '(+|-)HH:mm:ss', e.g '-08' , '+01:00' or \
             '-13:33:33', and must be in the range from -18:00 to +18:00. 'Z' and 'UTC' are accepted as synonyms for \
             '+00:00'. SQLSTATE: 22009"
        ))
    })
}

fn overflow() -> EngineError {
    EngineError::Runtime("[ARITHMETIC_OVERFLOW] long overflow. SQLSTATE: 22003".into())
}

/// `make_timestamp(year, month, day, hour, minute, seconds[, zone])`: the instant the wall clock of the zone (the
/// session's by default) shows then. 60 seconds is the next minute; other fields out of range are an error under
/// ANSI (named as Java's `ChronoField`s), NULL otherwise.
fn make_timestamp(args: &[Value], ansi: bool) -> Result<Value> {
    let field = |i: usize| args[i].as_i64().unwrap_or(0);
    let Value::Decimal { value: micros, .. } = args[5] else { return Ok(Value::Null) };
    let (whole_seconds, fraction) = (micros.div_euclid(1_000_000) as i64, micros.rem_euclid(1_000_000) as i64);
    let zone = match args.get(6) {
        Some(Value::String(name)) => zone(name)?,
        _ => time_zone::current(),
    };
    let checked = |name: &str, value: i64, low: i64, high: i64| -> std::result::Result<u32, String> {
        if (low..=high).contains(&value) {
            Ok(value as u32)
        } else {
            Err(format!("Invalid value for {name} (valid values {low} - {high}): {value}"))
        }
    };
    let local = (|| -> std::result::Result<NaiveDateTime, String> {
        let month = checked("MonthOfYear", field(1), 1, 12)?;
        let day = checked("DayOfMonth", field(2), 1, 31)?;
        let hour = checked("HourOfDay", field(3), 0, 23)?;
        let minute = checked("MinuteOfHour", field(4), 0, 59)?;
        let leap = whole_seconds == 60 && fraction == 0;
        let second = if leap { 0 } else { checked("SecondOfMinute", whole_seconds, 0, 59)? };
        let date = NaiveDate::from_ymd_opt(field(0) as i32, month, day)
            .ok_or_else(|| format!("Invalid date '{} {day}'", month_name(month)))?;
        let time = NaiveTime::from_hms_micro_opt(hour, minute, second, fraction as u32).ok_or("Invalid time")?;
        let at = NaiveDateTime::new(date, time);
        Ok(if leap { at + chrono::Duration::minutes(1) } else { at })
    })();
    match local {
        Ok(local) => Ok(Value::Timestamp(zone.utc_micros(local.and_utc().timestamp_micros()))),
        Err(message) if ansi => Err(EngineError::Runtime(format!(
            "[DATETIME_FIELD_OUT_OF_BOUNDS.WITHOUT_SUGGESTION] {message}.  SQLSTATE: 22023"
        ))),
        Err(_) => Ok(Value::Null),
    }
}

/// Java's `Month` name, as its "Invalid date 'FEBRUARY 30'" message writes it.
fn month_name(month: u32) -> String {
    chrono::Month::try_from(month as u8).map_or(String::new(), |m| m.name().to_uppercase())
}
