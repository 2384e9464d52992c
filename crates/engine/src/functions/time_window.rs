//! Time windows: `window(pickup_datetime, '1 hour')` puts each row in the hour it falls in, as a struct
//! `{start, end}`, so that `groupBy(window(...))` counts trips per hour. With a slide shorter than the window
//! (`window(ts, '30 minutes', '10 minutes')`) windows overlap and a row falls in several: the DataFrame turns such a
//! call into an Expand of the row, one copy per window (see `dataframe/time_window.rs`). Windows start at whole
//! multiples of the slide since 1970-01-01 00:00 UTC, shifted by the start time.
//!
//! The window's bounds are computed as Spark writes them, so plans read the same: the timestamp as its
//! microseconds (`precisetimestampconversion`), minus its remainder modulo the slide, back to a timestamp.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{Int64Type, TimestampMicrosecondType};

use crate::expr::{Expr, lit};
use crate::types::{SparkField, SparkType};
use crate::{EngineError, Result};

use super::ScalarFunction;

/// The functions a time window is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeWindowFunction {
    /// `window(time, window, slide, start)`, the durations in microseconds; never evaluated: the DataFrame
    /// computes the window in a plan node below the one that uses it.
    Window,
    /// `precisetimestampconversion(ts, TimestampType, LongType)`: a timestamp's microseconds since the epoch.
    ToMicros,
    /// `precisetimestampconversion(n, LongType, TimestampType)`: microseconds since the epoch as a timestamp (one
    /// without a time zone when `ntz`).
    FromMicros { ntz: bool },
    /// `knownnullable(x)`: `x`, typed as maybe NULL.
    KnownNullable,
    /// `window_time(window)`: the last microsecond of a window.
    WindowTime,
}

impl TimeWindowFunction {
    pub fn name(self) -> &'static str {
        match self {
            Self::Window => "window",
            Self::ToMicros | Self::FromMicros { .. } => "precisetimestampconversion",
            Self::KnownNullable => "knownnullable",
            Self::WindowTime => "window_time",
        }
    }

    pub fn by_name(name: &str) -> Option<Self> {
        match name {
            "window_time" => Some(Self::WindowTime),
            _ => None,
        }
    }

    pub fn arity(self) -> (usize, usize) {
        if self == Self::Window { (4, 4) } else { (1, 1) }
    }

    /// The argument types: a text time column is read as a timestamp.
    pub fn argument_types(self, args: &[Expr]) -> Vec<SparkType> {
        let first = args.first().map_or(SparkType::Null, Expr::data_type);
        match self {
            Self::Window => {
                let time = if first == SparkType::TimestampNtz { first } else { SparkType::Timestamp };
                vec![time, SparkType::Long, SparkType::Long, SparkType::Long]
            }
            _ => vec![first],
        }
    }

    pub fn return_type(self, args: &[Expr]) -> SparkType {
        let first = args.first().map_or(SparkType::Null, Expr::data_type);
        match self {
            Self::Window => window_type(first),
            Self::ToMicros => SparkType::Long,
            Self::FromMicros { ntz: true } => SparkType::TimestampNtz,
            Self::FromMicros { ntz: false } => SparkType::Timestamp,
            Self::KnownNullable => first,
            Self::WindowTime => match first {
                SparkType::Struct(fields) => fields.first().map_or(SparkType::Timestamp, |f| f.data_type.clone()),
                other => other,
            },
        }
    }

    pub fn nullable(self, args: &[Expr]) -> bool {
        match self {
            Self::Window => false,
            Self::KnownNullable | Self::WindowTime => true,
            Self::ToMicros | Self::FromMicros { .. } => args.iter().any(Expr::nullable),
        }
    }

    pub fn evaluate(self, args: &[ArrayRef], result_type: &SparkType) -> Result<ArrayRef> {
        let arg = &args[0];
        Ok(match self {
            Self::Window => {
                return Err(EngineError::Analysis(
                    "window(…) can be used in select, withColumn and groupBy in Kindling, not here".into(),
                ));
            }
            Self::ToMicros => Arc::new(arg.as_primitive::<TimestampMicrosecondType>().reinterpret_cast::<Int64Type>()),
            Self::FromMicros { .. } => Arc::new(
                arg.as_primitive::<Int64Type>().reinterpret_cast::<TimestampMicrosecondType>().with_timezone_opt(zone_of(result_type)),
            ),
            Self::KnownNullable => arg.clone(),
            Self::WindowTime => {
                let window = arg.as_struct();
                let end = window.column(1).as_primitive::<TimestampMicrosecondType>();
                let last: arrow::array::PrimitiveArray<TimestampMicrosecondType> = end.unary(|micros| micros - 1);
                let last = last.with_timezone_opt(zone_of(result_type));
                let nulls = NullBuffer::union(window.nulls(), last.nulls());
                Arc::new(arrow::array::PrimitiveArray::<TimestampMicrosecondType>::new(last.values().clone(), nulls).with_timezone_opt(zone_of(result_type)))
            }
        })
    }

    /// How plans print the call's extra arguments: `precisetimestampconversion(ts#2, TimestampType, LongType)`.
    pub fn plan_suffix(self, args: &[Expr]) -> Option<String> {
        let timestamp = |t: &SparkType| if *t == SparkType::TimestampNtz { "TimestampNTZType" } else { "TimestampType" };
        match self {
            Self::ToMicros => Some(format!(", {}, LongType", timestamp(&args.first().map_or(SparkType::Timestamp, Expr::data_type)))),
            Self::FromMicros { ntz } => Some(format!(", LongType, {}", timestamp(if ntz { &SparkType::TimestampNtz } else { &SparkType::Timestamp }))),
            _ => None,
        }
    }
}

/// The time zone Arrow labels a timestamp of this type with (none without a time zone).
fn zone_of(data_type: &SparkType) -> Option<Arc<str>> {
    match data_type.to_arrow() {
        arrow::datatypes::DataType::Timestamp(_, zone) => zone,
        _ => None,
    }
}

/// `struct<start:T,end:T>` for a time column of type `T`.
pub fn window_type(time: SparkType) -> SparkType {
    let time = if time == SparkType::TimestampNtz { time } else { SparkType::Timestamp };
    SparkType::struct_of(vec![SparkField::new("start", time.clone(), true), SparkField::new("end", time, true)])
}

/// `window(time, window_duration[, slide_duration[, start_time]])`, its durations given as text (`'1 hour'`),
/// checked as Spark's analyzer checks them.
pub fn window_call(time: Expr, window: &str, slide: Option<&str>, start: Option<&str>) -> Result<Expr> {
    let window = duration_micros(window)?;
    let slide = slide.map(duration_micros).transpose()?.unwrap_or(window);
    let start = start.map(duration_micros).transpose()?.unwrap_or(0);
    let shown = format!("window({}, {window}, {slide}, {start})", time.sql_name());
    let call = Expr::Function {
        function: ScalarFunction::TimeWindow(TimeWindowFunction::Window),
        args: vec![time, lit(window), lit(slide), lit(start)],
    };
    let violation = |class: &str, detail: String| {
        EngineError::Analysis(format!(
            "[DATATYPE_MISMATCH.{class}] Cannot resolve \"{shown}\" due to data type mismatch: {detail} SQLSTATE: 42K09"
        ))
    };
    for (name, value) in [("window_duration", window), ("slide_duration", slide)] {
        if value <= 0 {
            return Err(violation(
                "VALUE_OUT_OF_RANGE",
                format!("The `{name}` must be between (0, 9223372036854775807] (current value = {value}L)."),
            ));
        }
    }
    if slide > window {
        return Err(violation(
            "PARAMETER_CONSTRAINT_VIOLATION",
            format!("The `slide_duration`({slide}L) must be <= the `window_duration`({window}L)."),
        ));
    }
    if start.abs() >= slide {
        return Err(violation(
            "PARAMETER_CONSTRAINT_VIOLATION",
            format!("The `abs(start_time)`({start}L) must be < the `slide_duration`({slide}L)."),
        ));
    }
    Ok(call)
}

/// The microseconds of a duration written as Spark reads an interval string: `1 hour`, `30 minutes`,
/// `1 day 2 hours`, `interval 10 seconds`. Months and years have no fixed length, so a window cannot use them.
pub fn duration_micros(text: &str) -> Result<i64> {
    let cannot_parse = || {
        EngineError::Analysis(format!(
            "[CANNOT_PARSE_INTERVAL] Unable to parse '{text}'. Please ensure that the value provided is in a valid \
             format for defining an interval. You can reference the documentation for the correct format. If the \
             issue persists, please double check that the input value is not null or empty and try again. SQLSTATE: \
             22006"
        ))
    };
    let lower = text.trim().to_ascii_lowercase();
    let mut words: Vec<&str> = lower.split_whitespace().collect();
    if words.first() == Some(&"interval") {
        words.remove(0);
    }
    if words.is_empty() || !words.len().is_multiple_of(2) {
        return Err(cannot_parse());
    }
    let (mut micros, mut months) = (0f64, 0i64);
    for pair in words.chunks(2) {
        let amount: f64 = pair[0].parse().map_err(|_| cannot_parse())?;
        let unit = pair[1].trim_end_matches('s');
        let per_unit = match unit {
            "year" => {
                months += (amount * 12.0) as i64;
                continue;
            }
            "month" => {
                months += amount as i64;
                continue;
            }
            "week" => 7.0 * 86_400e6,
            "day" => 86_400e6,
            "hour" => 3_600e6,
            "minute" => 60e6,
            "second" => 1e6,
            "millisecond" => 1e3,
            "microsecond" => 1.0,
            _ => return Err(cannot_parse()),
        };
        micros += amount * per_unit;
    }
    if months != 0 {
        return Err(EngineError::IllegalArgument(format!("Intervals greater than a month is not supported ({text}).")));
    }
    Ok(micros.round() as i64)
}
