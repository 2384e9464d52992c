//! Built-in scalar functions (`pyspark.sql.functions` / Spark SQL), each with Spark's name, argument types,
//! result type and behaviour. Dates and times are computed in UTC, Kindling's session time zone.

use std::fmt::Write;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Int32Array, Int64Array, PrimitiveArray, StringArray, StringBuilder,
    TimestampMicrosecondArray,
};
use arrow::array::BooleanBufferBuilder;
use arrow::buffer::NullBuffer;
use arrow::compute::kernels::{numeric, zip};
use arrow::datatypes::{Date32Type, Float64Type, TimestampMicrosecondType};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use crate::expr::Expr;
use crate::expr::cast::MICROS_PER_DAY;
pub use collections::CollectionFunction;
pub(crate) use collections::{duplicated_map_key, null_map_key};
pub use datetime::DateTimeFunction;
pub use csv_text::CsvFunction;
pub use json::JsonFunction;
pub use grouping::GroupingFunction;
pub use time_window::TimeWindowFunction;
pub use math::MathFunction;
pub use per_row::{PerRowFunction, plus_interval, unhex};
pub use text::TextFunction;

mod charset;
mod collections;
mod csv_text;
mod datetime_pattern;
mod datetime;
pub mod grouping;
mod digests;
mod java_format;
mod json;
mod math;
mod number_format;
mod per_row;
mod regex;
pub mod time_window;
mod text;
pub(crate) mod spelling;
use crate::types::{INSTANT_TIME_ZONE, SparkType};
use crate::{EngineError, Result};

/// A scalar function: one output value per input row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarFunction {
    DateTrunc,
    ToDate,
    ToTimestamp,
    Year,
    Month,
    DayOfMonth,
    DayOfWeek,
    Hour,
    Minute,
    Second,
    DateDiff,
    UnixTimestamp,
    DateFormat,
    Concat,
    ConcatWs,
    Upper,
    Lower,
    Trim,
    Substring,
    Length,
    Coalesce,
    Round,
    Abs,
    Greatest,
    Least,
    /// One of the long tail of functions computed a row at a time.
    PerRow(PerRowFunction),
    /// A function over arrays, maps or structs.
    Collection(CollectionFunction),
    /// `hash(a, b, …)`: Spark's Murmur3 hash of the values, seeded with 42 (the hash partitioning uses).
    Hash,
    /// `xxhash64(a, b, …)`: the same walk over the values with XXH64, seeded with 42.
    XxHash64,
    /// JSON text in a column (see [`json`]).
    Json(JsonFunction),
    /// CSV text in a column (see [`csv_text`]).
    Csv(CsvFunction),
    /// A time window and its parts (see [`time_window`]).
    TimeWindow(TimeWindowFunction),
    /// `grouping(key)`, `grouping_id()` (see [`grouping`]).
    Grouping(GroupingFunction),
}

use ScalarFunction::*;

/// Every function, for lookup by name.
const ALL: [ScalarFunction; 25] = [
    DateTrunc, ToDate, ToTimestamp, Year, Month, DayOfMonth, DayOfWeek, Hour, Minute, Second, DateDiff,
    UnixTimestamp, DateFormat, Concat, ConcatWs, Upper, Lower, Trim, Substring, Length, Coalesce, Round, Abs,
    Greatest, Least,
];

/// The argument types a function wants; the analyzer casts arguments to them.
pub enum Signature {
    /// Exactly these types.
    Exact(Vec<SparkType>),
    /// Any number of arguments of one common type.
    Common,
    /// Any number of strings.
    Strings,
    /// A date and a whole number of days that fits an INT (`date_add`): a BIGINT or a fraction is refused, as
    /// Spark refuses it.
    DateAndDays,
    /// A number, and maybe an integer scale.
    Numeric,
    /// Arrays, maps or structs: the analyzer checks and casts them by the function's own rules.
    Collection,
    /// Any arguments, as they are.
    AsGiven,
}

impl ScalarFunction {
    pub fn name(self) -> &'static str {
        match self {
            DateTrunc => "date_trunc",
            ToDate => "to_date",
            ToTimestamp => "to_timestamp",
            Year => "year",
            Month => "month",
            DayOfMonth => "dayofmonth",
            DayOfWeek => "dayofweek",
            Hour => "hour",
            Minute => "minute",
            Second => "second",
            DateDiff => "datediff",
            UnixTimestamp => "unix_timestamp",
            DateFormat => "date_format",
            Concat => "concat",
            ConcatWs => "concat_ws",
            Upper => "upper",
            Lower => "lower",
            Trim => "trim",
            Substring => "substring",
            Length => "length",
            Coalesce => "coalesce",
            Round => "round",
            Abs => "abs",
            Greatest => "greatest",
            Least => "least",
            PerRow(function) => function.name(),
            Collection(function) => function.name(),
            Hash => "hash",
            XxHash64 => "xxhash64",
            Json(function) => function.name(),
            Csv(function) => function.name(),
            TimeWindow(function) => function.name(),
            Grouping(function) => function.name(),
        }
    }

    /// The function called `name` (case-insensitive, with Spark's aliases).
    pub fn by_name(name: &str) -> Option<Self> {
        let name = name.to_ascii_lowercase();
        let alias = match name.as_str() {
            "day" => Some(DayOfMonth),
            "substr" => Some(Substring),
            "ucase" => Some(Upper),
            "lcase" => Some(Lower),
            "char_length" | "character_length" => Some(Length),
            _ => None,
        };
        alias
            .or_else(|| ALL.into_iter().find(|f| f.name() == name))
            .or_else(|| PerRowFunction::by_name(&name).map(PerRow))
            .or_else(|| CollectionFunction::by_name(&name).map(Collection))
            .or_else(|| (name == "hash").then_some(Hash))
            .or_else(|| (name == "xxhash64").then_some(XxHash64))
            .or_else(|| JsonFunction::by_name(&name).map(Json))
            .or_else(|| CsvFunction::by_name(&name).map(Csv))
            .or_else(|| TimeWindowFunction::by_name(&name).map(TimeWindow))
            .or_else(|| GroupingFunction::by_name(&name).map(Grouping))
    }

    /// Functions whose result depends on the session time zone; plans print the zone as their last argument.
    pub fn uses_time_zone(self) -> bool {
        matches!(self, DateTrunc | Hour | Minute | Second | DateFormat | UnixTimestamp | ToTimestamp)
    }

    /// How many arguments the function takes, as (minimum, maximum).
    pub fn arity(self) -> (usize, usize) {
        match self {
            DateTrunc | DateDiff | DateFormat => (2, 2),
            ToDate | ToTimestamp | UnixTimestamp | Round => (1, 2),
            Substring => (2, 3),
            // `trim(chars, s)` becomes btrim(s, chars) when it is named (the SQL front end's `named_call`).
            Trim => (1, 2),
            Concat | Coalesce => (1, usize::MAX),
            ConcatWs => (1, usize::MAX),
            Greatest | Least => (2, usize::MAX),
            PerRow(function) => function.arity(),
            Collection(function) => function.arity(),
            Hash | XxHash64 => (1, usize::MAX),
            Json(function) => function.arity(),
            Csv(function) => function.arity(),
            TimeWindow(function) => function.arity(),
            Grouping(function) => function.arity(),
            _ => (1, 1),
        }
    }

    /// The types the arguments are cast to before the function runs.
    pub fn signature(self, args: &[Expr]) -> Signature {
        use SparkType::*;
        let first = args.first().map(Expr::data_type).unwrap_or(Null);
        match self {
            DateTrunc => Signature::Exact(vec![String, Timestamp]),
            ToDate | ToTimestamp | UnixTimestamp if args.len() == 2 => Signature::Exact(vec![String, String]),
            ToDate => Signature::Exact(vec![Date]),
            ToTimestamp | UnixTimestamp => Signature::Exact(vec![if first == Date { Date } else { Timestamp }]),
            Year | Month | DayOfMonth | DayOfWeek => Signature::Exact(vec![Date]),
            // A timestamp without time zone is read as it is: its wall-clock time.
            Hour | Minute | Second if first == TimestampNtz => Signature::Exact(vec![TimestampNtz]),
            Hour | Minute | Second => Signature::Exact(vec![Timestamp]),
            DateDiff => Signature::Exact(vec![Date, Date]),
            DateFormat => Signature::Exact(vec![Timestamp, String]),
            Concat | ConcatWs => Signature::Strings,
            Upper | Lower | Trim | Length => Signature::Exact(vec![String]),
            Substring => Signature::Exact([String, Integer, Integer][..args.len()].to_vec()),
            Coalesce | Greatest | Least => Signature::Common,
            Round | Abs => Signature::Numeric,
            PerRow(function) => function.signature(args),
            Collection(_) => Signature::Collection,
            Hash | XxHash64 => Signature::AsGiven,
            Json(function) => Signature::Exact(function.argument_types(args)),
            Csv(function) => Signature::Exact(function.argument_types(args)),
            TimeWindow(function) => Signature::Exact(function.argument_types(args)),
            Grouping(_) => Signature::AsGiven,
        }
    }

    /// The result type for (already coerced) arguments.
    pub fn return_type(self, args: &[Expr]) -> SparkType {
        use SparkType::*;
        match self {
            DateTrunc | ToTimestamp => Timestamp,
            ToDate => Date,
            Year | Month | DayOfMonth | DayOfWeek | Hour | Minute | Second | DateDiff | Length => Integer,
            UnixTimestamp => Long,
            DateFormat | Concat | ConcatWs | Upper | Lower | Trim | Substring => String,
            Coalesce | Greatest | Least | Round | Abs => args.first().map(Expr::data_type).unwrap_or(Null),
            PerRow(PerRowFunction::ToNumber) => match args.get(1) {
                Some(Expr::Literal(crate::value::Value::String(format))) => {
                    number_format::result_type(format).unwrap_or(Decimal { precision: 38, scale: 0 })
                }
                _ => Decimal { precision: 38, scale: 0 },
            },
            PerRow(PerRowFunction::Ceil | PerRowFunction::Floor) if args.len() == 2 => match (args[0].data_type(), &args[1]) {
                (Decimal { precision, scale }, Expr::Literal(scale_value)) => {
                    per_row::rounded_at_scale_type(precision, scale, scale_value.as_i64().unwrap_or(0) as i32)
                }
                (first, _) => first,
            },
            PerRow(function) => function.return_type(&args.iter().map(Expr::data_type).collect::<Vec<_>>()),
            Collection(function) => {
                let types: Vec<SparkType> = args.iter().map(Expr::data_type).collect();
                let nullable: Vec<bool> = args.iter().map(Expr::nullable).collect();
                function.return_type(&types, &nullable, &field_names(function, args))
            }
            Hash => Integer,
            XxHash64 => Long,
            Json(function) => function.return_type(args),
            Csv(function) => function.return_type(args),
            TimeWindow(function) => function.return_type(args),
            Grouping(function) => function.return_type(),
        }
    }

    pub fn nullable(self, args: &[Expr]) -> bool {
        match self {
            Coalesce => args.iter().all(Expr::nullable),
            Greatest | Least => args.iter().all(Expr::nullable),
            ConcatWs | Hash | XxHash64 => false,
            Json(function) => function.nullable(),
            Csv(_) => true,
            TimeWindow(function) => function.nullable(args),
            Grouping(_) => false,
            // to_date(ts) is a cast; a truncation can fall outside the range of timestamps.
            ToDate if args.len() == 1 => args[0].nullable(),
            // Bit shifts and counts, intervals made of fields, are NULL only for NULL.
            PerRow(PerRowFunction::Math(
                MathFunction::ShiftLeft | MathFunction::ShiftRight | MathFunction::ShiftRightUnsigned | MathFunction::BitCount,
            ))
            | PerRow(PerRowFunction::DateTime(DateTimeFunction::MakeDtInterval | DateTimeFunction::MakeYmInterval)) => {
                args.iter().any(Expr::nullable)
            }
            DateTrunc | ToDate | ToTimestamp | Round | PerRow(_) => true,
            Collection(function) => {
                let types: Vec<SparkType> = args.iter().map(Expr::data_type).collect();
                function.nullable(&types, &args.iter().map(Expr::nullable).collect::<Vec<_>>())
            }
            _ => args.iter().any(Expr::nullable),
        }
    }

    /// Runs the function on evaluated arguments of the given Spark types.
    pub fn evaluate(self, args: &[ArrayRef], types: &[SparkType], rows: usize, result_type: &SparkType) -> Result<ArrayRef> {
        let arg = |i: usize| &args[i];
        Ok(match self {
            DateTrunc => date_trunc(literal_text(arg(0), "date_trunc")?, arg(1))?,
            ToDate if args.len() == 2 => {
                let zone = crate::time_zone::current();
                let micros = parse_with_format(arg(0), arg(1))?;
                Arc::new(micros.unary::<_, Date32Type>(|m| zone.local_micros(m).div_euclid(MICROS_PER_DAY) as i32))
            }
            ToDate => arg(0).clone(),
            ToTimestamp if args.len() == 2 => Arc::new(parse_with_format(arg(0), arg(1))?.with_timezone(INSTANT_TIME_ZONE)),
            ToTimestamp => crate::expr::cast::cast(arg(0), &types[0], &SparkType::Timestamp)?,
            UnixTimestamp => {
                let micros = if args.len() == 2 {
                    parse_with_format(arg(0), arg(1))?
                } else {
                    crate::expr::cast::cast(arg(0), &types[0], &SparkType::Timestamp)?
                        .as_primitive::<TimestampMicrosecondType>()
                        .clone()
                };
                Arc::new(Int64Array::from(micros.unary::<_, arrow::datatypes::Int64Type>(|m| m.div_euclid(1_000_000))))
            }
            Year => date_part(arg(0), |d| d.year()),
            Month => date_part(arg(0), |d| d.month() as i32),
            DayOfMonth => date_part(arg(0), |d| d.day() as i32),
            DayOfWeek => date_part(arg(0), |d| d.weekday().number_from_sunday() as i32),
            Hour => time_part(arg(0), |t| t.hour() as i32),
            Minute => time_part(arg(0), |t| t.minute() as i32),
            Second => time_part(arg(0), |t| t.second() as i32),
            DateDiff => {
                let (end, start) = (arg(0).as_primitive::<Date32Type>(), arg(1).as_primitive::<Date32Type>());
                let days: Int32Array = arrow::compute::binary(end, start, |e, s| e - s)?;
                Arc::new(days)
            }
            DateFormat => date_format(arg(0), literal_text(arg(1), "date_format")?)?,
            Concat => concat(args, None, rows),
            ConcatWs => {
                let separator = literal_text(arg(0), "concat_ws")?;
                concat(&args[1..], Some(&separator), rows)
            }
            Upper => map_strings(arg(0), |s| s.to_uppercase()),
            Lower => map_strings(arg(0), |s| s.to_lowercase()),
            Trim => map_strings(arg(0), |s| s.trim_matches(' ').to_string()),
            Length => character_length(arg(0)),
            Substring => spark_substring(arg(0), args.get(1), args.get(2))?,
            Coalesce => coalesce(args)?,
            Greatest | Least => extreme(self == Greatest, args)?,
            Abs => abs(arg(0))?,
            Round => round(arg(0), args.get(1), types[0].clone())?,
            PerRow(function) => function.evaluate(args, types, rows, result_type)?,
            Collection(function) => function.evaluate(args, rows, result_type)?,
            Hash => Arc::new(Int32Array::from(crate::partitioner::spark_hash(args)?)),
            XxHash64 => Arc::new(Int64Array::from(crate::partitioner::spark_xxhash64(args)?)),
            Json(function) => function.evaluate(args, rows, result_type)?,
            Csv(function) => function.evaluate(args, rows, result_type)?,
            TimeWindow(function) => function.evaluate(args, result_type)?,
            Grouping(function) => function.evaluate()?,
        })
    }
}

/// `value_of` applied to each row's argument values, for the functions computed a row at a time.
fn row_by_row(args: &[ArrayRef], rows: usize, mut value_of: impl FnMut(&[crate::value::Value]) -> Result<crate::value::Value>) -> Result<Vec<crate::value::Value>> {
    let mut values = Vec::with_capacity(rows);
    let mut row_args = Vec::with_capacity(args.len());
    for row in 0..rows {
        row_args.clear();
        for arg in args {
            row_args.push(crate::value::Value::from_array(arg.as_ref(), row)?);
        }
        values.push(value_of(&row_args)?);
    }
    Ok(values)
}

/// The name a column or an alias gives the value, if it has one.
fn column_name(arg: &Expr) -> Option<std::string::String> {
    match arg {
        Expr::Attribute(a) => Some(a.name.clone()),
        Expr::Alias { name, .. } => Some(name.clone()),
        _ => None,
    }
}

/// The field names of the struct `struct(…)` or `named_struct(…)` builds (a column's name, an alias, or `col2`
/// for the second argument when it has neither), of the structs `arrays_zip` builds, or the field `getfield` reads.
fn field_names(function: CollectionFunction, args: &[Expr]) -> Vec<std::string::String> {
    let literal_text = |e: &Expr| match e {
        Expr::Literal(crate::value::Value::String(name)) => name.clone(),
        other => other.sql_name(),
    };
    match function {
        CollectionFunction::Struct => args
            .iter()
            .enumerate()
            .map(|(i, arg)| match (column_name(arg), arg) {
                (Some(name), _) => name,
                (None, Expr::Function { function: Collection(CollectionFunction::GetField), args }) => literal_text(&args[1]),
                _ => format!("col{}", i + 1),
            })
            .collect(),
        CollectionFunction::NamedStruct => args.iter().step_by(2).map(literal_text).collect(),
        // A column keeps its name; any other array is known by its position.
        CollectionFunction::ArraysZip => args.iter().enumerate().map(|(i, arg)| column_name(arg).unwrap_or_else(|| i.to_string())).collect(),
        CollectionFunction::GetField => args.get(1).map(literal_text).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The text of an argument that must be a constant string (`date_trunc('month', …)`).
fn literal_text(array: &ArrayRef, function: &str) -> Result<String> {
    match repeated_string(array.as_string::<i32>()) {
        Some(text) => Ok(text.unwrap_or_default().to_string()),
        None => crate::invalid_argument!("{function} needs a constant format, not a column"),
    }
}

/// The one value every row of `strings` holds (`Some(None)`: every row is NULL, or there are no rows), or `None`
/// when the rows differ. A literal (`'green' AS service_type`) comes as such a column, a batch at a time.
///
/// Found without comparing row by row: the rows are the same string exactly when their offsets step by its length
/// and the value bytes, shifted by that length, equal themselves — one `memcmp` over the batch.
pub fn repeated_string(strings: &StringArray) -> Option<Option<&str>> {
    if strings.null_count() == strings.len() {
        return Some(None);
    }
    if strings.null_count() > 0 {
        return None;
    }
    let offsets = strings.value_offsets();
    let (start, step) = (i64::from(offsets[0]), i64::from(offsets[1] - offsets[0]));
    let evenly_spaced =
        offsets.iter().zip(0..).fold(true, |even, (&offset, row): (_, i64)| even & (i64::from(offset) == start + row * step));
    let bytes = &strings.value_data()[start as usize..offsets[offsets.len() - 1] as usize];
    let step = step as usize;
    (evenly_spaced && bytes[step..] == bytes[..bytes.len() - step]).then(|| Some(strings.value(0)))
}

/// Microseconds of a UTC-based calendar (a wall-clock time) as a date and time.
fn wall_clock(micros: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp_micros(micros).map(|t| t.naive_utc())
}

fn date_of(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days + crate::display::DAYS_FROM_CE_TO_UNIX_EPOCH)
}

fn date_part(dates: &ArrayRef, part: impl Fn(NaiveDate) -> i32) -> ArrayRef {
    let dates = dates.as_primitive::<Date32Type>();
    Arc::new(dates.iter().map(|d| d.and_then(date_of).map(&part)).collect::<Int32Array>())
}

/// A field of each instant's wall-clock time in the session time zone.
/// A part of each timestamp's wall-clock time in the session time zone (of a timestamp without time zone, its own).
fn time_part(timestamps: &ArrayRef, part: impl Fn(NaiveDateTime) -> i32) -> ArrayRef {
    let zone = crate::time_zone::current();
    let micros = timestamps.as_primitive::<TimestampMicrosecondType>();
    let without_zone = matches!(timestamps.data_type(), arrow::datatypes::DataType::Timestamp(_, None));
    let local = |m: i64| if without_zone { chrono::DateTime::from_timestamp_micros(m).map(|t| t.naive_utc()) } else { zone.local(m) };
    Arc::new(micros.iter().map(|m| m.and_then(local).map(&part)).collect::<Int32Array>())
}

/// `date_trunc(unit, ts)`: the timestamp cut down to the start of its year, month, day, hour, ...
fn date_trunc(unit: String, timestamps: &ArrayRef) -> Result<ArrayRef> {
    // Periods start at the session time zone's wall-clock boundaries: truncate the wall-clock time, then go back.
    let zone = crate::time_zone::current();
    let instants = timestamps.as_primitive::<TimestampMicrosecondType>();
    let wall_clock = if zone.is_utc() { instants.clone() } else { instants.unary(|m| zone.local_micros(m)) };
    let micros = &wall_clock;
    let fixed = |size: i64| micros.unary::<_, TimestampMicrosecondType>(|m| m - m.rem_euclid(size));
    let truncated = match unit.to_ascii_uppercase().as_str() {
        "YEAR" | "YYYY" | "YY" => by_period(micros, |d| months_from(d.with_day(1)?.with_month(1)?, 12)),
        "QUARTER" => by_period(micros, |d| months_from(d.with_day(1)?.with_month((d.month() - 1) / 3 * 3 + 1)?, 3)),
        "MONTH" | "MM" | "MON" => by_period(micros, |d| months_from(d.with_day(1)?, 1)),
        "WEEK" => by_period(micros, |d| {
            let monday = d.checked_sub_days(chrono::Days::new(d.weekday().num_days_from_monday() as u64))?;
            Some((monday, monday.checked_add_days(chrono::Days::new(7))?))
        }),
        "DAY" | "DD" => fixed(MICROS_PER_DAY),
        "HOUR" => fixed(3_600_000_000),
        "MINUTE" => fixed(60_000_000),
        "SECOND" => fixed(1_000_000),
        "MILLISECOND" => fixed(1_000),
        "MICROSECOND" => fixed(1),
        // Spark returns NULL for a unit it does not know.
        _ => TimestampMicrosecondArray::new_null(micros.len()),
    };
    let truncated = if zone.is_utc() { truncated } else { truncated.unary(|m| zone.utc_micros(m)) };
    Ok(Arc::new(truncated.with_timezone(INSTANT_TIME_ZONE)))
}

/// Truncates each wall-clock time to the start of its calendar period; `period` gives the first day of the period a
/// date is in and the first day after it. A file's rows mostly fall in one month, so the calendar work is done
/// once per run of rows in the same period, not once per row.
fn by_period(micros: &TimestampMicrosecondArray, period: fn(NaiveDate) -> Option<(NaiveDate, NaiveDate)>) -> TimestampMicrosecondArray {
    let bounds = |m: i64| {
        let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_micros());
        let (start, end) = period(wall_clock(m)?.date())?;
        Some((midnight(start)?, midnight(end)?))
    };
    // An empty period, so that the first row looks its own up.
    let (mut start, mut end) = (0, 0);
    let mut beyond_the_calendar = Vec::new();
    let starts: Vec<i64> = micros
        .values()
        .iter()
        .enumerate()
        .map(|(row, &m)| {
            if !(start..end).contains(&m) {
                match bounds(m) {
                    Some(period) => (start, end) = period,
                    None => {
                        beyond_the_calendar.push(row);
                        return 0;
                    }
                }
            }
            start
        })
        .collect();
    let nulls = if beyond_the_calendar.is_empty() {
        micros.nulls().cloned()
    } else {
        let mut valid = BooleanBufferBuilder::new(starts.len());
        valid.append_n(starts.len(), true);
        beyond_the_calendar.iter().for_each(|&row| valid.set_bit(row, false));
        NullBuffer::union(micros.nulls(), Some(&NullBuffer::new(valid.finish())))
    };
    TimestampMicrosecondArray::new(starts.into(), nulls)
}

/// The period of `months` months starting on `first`.
fn months_from(first: NaiveDate, months: u32) -> Option<(NaiveDate, NaiveDate)> {
    Some((first, first.checked_add_months(chrono::Months::new(months))?))
}

/// `date_format(ts, pattern)`: each instant written with the pattern as the session time zone's clock shows it.
fn date_format(timestamps: &ArrayRef, pattern: String) -> Result<ArrayRef> {
    let pattern = datetime_pattern::DatetimePattern::parse(&pattern)?;
    let zone = crate::time_zone::current();
    let micros = timestamps.as_primitive::<TimestampMicrosecondType>();
    let text: StringArray =
        micros.iter().map(|m| m.and_then(|m| datetime_pattern::Moment::of(m, zone)).map(|moment| pattern.format(&moment))).collect();
    Ok(Arc::new(text))
}

/// Reads text with a Spark datetime pattern into instants: a zone the text names, else the session time zone. Text
/// that does not match is an error under ANSI (CANNOT_PARSE_TIMESTAMP), as in Spark.
fn parse_with_format(text: &ArrayRef, pattern: &ArrayRef) -> Result<PrimitiveArray<TimestampMicrosecondType>> {
    let pattern_text = literal_text(pattern, "to_timestamp")?;
    let pattern = datetime_pattern::DatetimePattern::parse(&pattern_text)?;
    let session_zone = crate::time_zone::current();
    let ansi = crate::query_settings::ansi();
    let instant = |s: &str| -> Result<Option<i64>> {
        match pattern.read(s) {
            Some((wall_clock, zone)) => Ok(Some(zone.unwrap_or(session_zone).utc_micros(wall_clock.and_utc().timestamp_micros()))),
            // Outside ANSI mode text that does not match is NULL.
            None if !ansi => Ok(None),
            None => Err(EngineError::Runtime(format!(
                "[CANNOT_PARSE_TIMESTAMP] Text '{s}' could not be parsed with the pattern '{pattern_text}'. Use \
                 `try_to_timestamp` to tolerate invalid input string and return NULL instead. SQLSTATE: 22007"
            ))),
        }
    };
    text.as_string::<i32>().iter().map(|s| s.map_or(Ok(None), instant)).collect()
}

fn map_strings(strings: &ArrayRef, f: impl Fn(&str) -> String) -> ArrayRef {
    Arc::new(strings.as_string::<i32>().iter().map(|s| s.map(&f)).collect::<StringArray>())
}

/// `length(s)`: characters, not bytes (ASCII text, where the two agree, is counted without decoding).
fn character_length(strings: &ArrayRef) -> ArrayRef {
    let strings = strings.as_string::<i32>();
    let count = |s: &str| if s.is_ascii() { s.len() as i32 } else { s.chars().count() as i32 };
    Arc::new(strings.iter().map(|s| s.map(count)).collect::<Int32Array>())
}

/// `concat` is NULL if any part is; `concat_ws` skips NULL parts.
fn concat(parts: &[ArrayRef], separator: Option<&str>, rows: usize) -> ArrayRef {
    let strings: Vec<_> = parts.iter().map(|p| p.as_string::<i32>()).collect();
    let bytes = strings.iter().map(|s| s.values().len()).sum::<usize>() + separator.map_or(0, |sep| sep.len() * rows * parts.len());
    let mut joined = StringBuilder::with_capacity(rows, bytes);
    for row in 0..rows {
        // concat is NULL when any part is; concat_ws skips NULL parts.
        if separator.is_none() && strings.iter().any(|s| s.is_null(row)) {
            joined.append_null();
            continue;
        }
        let mut first = true;
        for part in strings.iter().filter(|s| s.is_valid(row)) {
            if let (Some(sep), false) = (separator, first) {
                joined.write_str(sep).expect("writing to a builder cannot fail");
            }
            joined.write_str(part.value(row)).expect("writing to a builder cannot fail");
            first = false;
        }
        joined.append_value("");
    }
    Arc::new(joined.finish())
}

/// Spark's 1-based `substring(s, pos, len)`; a negative `pos` counts from the end.
fn spark_substring(strings: &ArrayRef, position: Option<&ArrayRef>, length: Option<&ArrayRef>) -> Result<ArrayRef> {
    let first_int = |a: Option<&ArrayRef>| {
        a.and_then(|a| {
            let ints = a.as_primitive::<arrow::datatypes::Int32Type>();
            (!ints.is_empty() && ints.is_valid(0)).then(|| ints.value(0))
        })
    };
    let (position, length) = (first_int(position).unwrap_or(1), first_int(length));
    let strings = strings.as_string::<i32>();
    let cut: StringArray = strings
        .iter()
        .map(|s| {
            s.map(|s| {
                let chars: Vec<char> = s.chars().collect();
                let n = chars.len() as i64;
                let start = match position as i64 {
                    p if p > 0 => p - 1,
                    0 => 0,
                    p => n + p,
                };
                let end = length.map_or(n, |l| start.saturating_add(l.max(0) as i64));
                let (start, end) = (start.clamp(0, n) as usize, end.clamp(0, n) as usize);
                chars[start..end.max(start)].iter().collect::<String>()
            })
        })
        .collect();
    Ok(Arc::new(cut))
}

fn coalesce(args: &[ArrayRef]) -> Result<ArrayRef> {
    // Arguments after the first one without NULLs are never reached: a column that always has a value (a left
    // join's column where every row found its match) is the result as it is, with nothing copied.
    let reached = args.iter().position(|arg| arg.logical_null_count() == 0).map_or(args.len(), |first| first + 1);
    let mut result = args[reached - 1].clone();
    for candidate in args[..reached - 1].iter().rev() {
        let present = arrow::compute::is_not_null(candidate)?;
        result = zip::zip(&present, candidate, &result)?;
    }
    Ok(result)
}

/// `greatest`/`least` skip NULLs; they are NULL only when every argument is.
fn extreme(greatest: bool, args: &[ArrayRef]) -> Result<ArrayRef> {
    let mut result = args[0].clone();
    for candidate in &args[1..] {
        let better = if greatest {
            arrow::compute::kernels::cmp::gt(candidate, &result)?
        } else {
            arrow::compute::kernels::cmp::lt(candidate, &result)?
        };
        let result_missing = arrow::compute::is_null(&result)?;
        let take_candidate = arrow::compute::or(&crate::expr::eval::is_true(&better), &result_missing)?;
        result = zip::zip(&take_candidate, candidate, &result)?;
    }
    Ok(result)
}

fn abs(values: &ArrayRef) -> Result<ArrayRef> {
    let negative = arrow::compute::kernels::cmp::lt(values, &arrow::array::Scalar::new(zero_like(values)?))?;
    let negated = numeric::neg(values).map_err(crate::expr::eval::ansi_error)?;
    Ok(zip::zip(&crate::expr::eval::is_true(&negative), &negated, values)?)
}

fn zero_like(values: &ArrayRef) -> Result<ArrayRef> {
    let zero: ArrayRef = Arc::new(Int32Array::from(vec![0]));
    Ok(arrow::compute::cast(&zero, values.data_type())?)
}

/// `round(x, scale)` rounds half away from zero (Spark's HALF_UP), keeping the type of `x`.
fn round(values: &ArrayRef, scale: Option<&ArrayRef>, data_type: SparkType) -> Result<ArrayRef> {
    let scale = scale
        .map(|s| s.as_primitive::<arrow::datatypes::Int32Type>())
        .filter(|s| !s.is_empty() && s.is_valid(0))
        .map_or(0, |s| s.value(0));
    match data_type {
        SparkType::Double => Ok(Arc::new(values.as_primitive::<Float64Type>().unary::<_, Float64Type>(|v| round_half_up(v, scale)))),
        SparkType::Float => {
            let floats = values.as_primitive::<arrow::datatypes::Float32Type>();
            Ok(Arc::new(floats.unary::<_, arrow::datatypes::Float32Type>(|v| round_half_up(v as f64, scale) as f32)))
        }
        t if t.is_numeric() && scale >= 0 => Ok(values.clone()),
        t if t.is_numeric() => round_integers(values, scale, t),
        other => Err(EngineError::Analysis(format!("round does not take a {other} value"))),
    }
}

/// Rounds half away from zero on the double's shortest decimal form, as Spark does (`round(1.005, 2)` = 1.01,
/// because Spark rounds the decimal `1.005`, not the binary number nearest to it).
fn round_half_up(value: f64, scale: i32) -> f64 {
    if !value.is_finite() || value == 0.0 {
        return value;
    }
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific.split_once('e').expect("`{:e}` always has an exponent");
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
    let integer_digits = exponent.parse::<i64>().expect("`{:e}` writes an integer exponent") + 1;
    let kept = integer_digits + scale as i64;
    if kept >= digits.len() as i64 {
        return value;
    }
    if kept < 0 {
        return 0.0f64.copysign(value);
    }
    let mut rounded: Vec<u8> = digits[..kept as usize].to_vec();
    if digits[kept as usize] >= 5 {
        let mut carry = true;
        for digit in rounded.iter_mut().rev() {
            if !carry {
                break;
            }
            *digit = (*digit + 1) % 10;
            carry = *digit == 0;
        }
        if carry {
            rounded.insert(0, 1);
        }
    }
    // The kept digits, read as an integer, count units of 10^(integer_digits - kept).
    let text: String = rounded.iter().map(|d| char::from(b'0' + d)).collect();
    let magnitude: f64 = format!("{}e{}", if text.is_empty() { "0" } else { &text }, integer_digits - kept)
        .parse()
        .expect("digits and an exponent form a valid float");
    magnitude.copysign(value)
}

fn round_integers(values: &ArrayRef, scale: i32, data_type: SparkType) -> Result<ArrayRef> {
    let longs = crate::expr::cast::cast(values, &data_type, &SparkType::Long)?;
    let unit = 10i128.checked_pow((-scale) as u32).unwrap_or(i128::MAX);
    let (low, high) = integer_range(data_type.clone());
    let rounded: Int64Array = longs.as_primitive::<arrow::datatypes::Int64Type>().try_unary(|v| {
        let v = i128::from(v);
        let remainder = v.rem_euclid(unit);
        let down = v - remainder;
        let half_up = remainder * 2 >= unit && v >= 0 || (v < 0 && remainder * 2 > unit);
        let rounded = if half_up { down + unit } else { down };
        if rounded < low || rounded > high {
            return Err(arrow::error::ArrowError::ComputeError("overflow".into()));
        }
        Ok(rounded as i64)
    }).map_err(|_| {
        EngineError::Runtime(
            "[ARITHMETIC_OVERFLOW] Overflow. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this \
             error. SQLSTATE: 22003"
                .into(),
        )
    })?;
    crate::expr::cast::cast(&(Arc::new(rounded) as ArrayRef), &SparkType::Long, &data_type)
}

/// The values an integral type holds.
fn integer_range(data_type: SparkType) -> (i128, i128) {
    match data_type {
        SparkType::Byte => (i8::MIN.into(), i8::MAX.into()),
        SparkType::Short => (i16::MIN.into(), i16::MAX.into()),
        SparkType::Integer => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn run(function: ScalarFunction, args: Vec<Value>) -> Value {
        // A NULL argument here stands for a NULL string, as the analyzer's casts would make it.
        let types: Vec<SparkType> = args.iter().map(|v| if v.is_null() { SparkType::String } else { v.spark_type() }).collect();
        let arrays: Vec<ArrayRef> =
            args.iter().zip(&types).map(|(v, t)| crate::expr::cast::cast(&v.to_array(1), &v.spark_type(), t).unwrap()).collect();
        Value::from_array(&function.evaluate(&arrays, &types, 1, &function.return_type(&[])).unwrap(), 0).unwrap()
    }

    const JAN_15_2020_13_45: i64 = 1_579_095_900_000_000;

    #[test]
    fn date_trunc_cuts_to_the_unit() {
        let month = run(DateTrunc, vec![Value::String("month".into()), Value::Timestamp(JAN_15_2020_13_45)]);
        assert_eq!(month.to_string(), "2020-01-01 00:00:00");
        let hour = run(DateTrunc, vec![Value::String("HOUR".into()), Value::Timestamp(JAN_15_2020_13_45)]);
        assert_eq!(hour.to_string(), "2020-01-15 13:00:00");
    }

    #[test]
    fn date_trunc_of_a_column_follows_every_row_into_its_own_period() {
        let at = |y, m, d, h, s| NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, 0, s).unwrap().and_utc().timestamp_micros();
        // Months back and forth, the last microsecond of a month, before 1970, NULL, and a time past the calendar.
        let rows = [
            Some(at(2020, 1, 31, 23, 59) + 999_999),
            Some(at(2020, 2, 1, 0, 0)),
            Some(at(2020, 1, 2, 5, 0)),
            None,
            Some(at(1969, 12, 31, 23, 0)),
            Some(i64::MAX),
            Some(at(2020, 2, 29, 12, 0)),
        ];
        let timestamps: ArrayRef = Arc::new(TimestampMicrosecondArray::from(rows.to_vec()));
        let months = date_trunc("month".into(), &timestamps).unwrap();
        let expected = [
            Some(at(2020, 1, 1, 0, 0)),
            Some(at(2020, 2, 1, 0, 0)),
            Some(at(2020, 1, 1, 0, 0)),
            None,
            Some(at(1969, 12, 1, 0, 0)),
            None,
            Some(at(2020, 2, 1, 0, 0)),
        ];
        assert_eq!(months.as_primitive::<TimestampMicrosecondType>().iter().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn date_trunc_cuts_at_the_session_time_zone_s_boundaries() {
        let los_angeles = crate::time_zone::TimeZone::parse("America/Los_Angeles").unwrap();
        crate::query_settings::set_current(crate::query_settings::QuerySettings { time_zone: los_angeles, ansi: true });
        // 2021-03-01 03:00 in Los Angeles is 11:00 UTC.
        let instant = Value::Timestamp(1_614_596_400_000_000);
        let cut = |unit: &str| run(DateTrunc, vec![Value::String(unit.into()), instant.clone()]).to_string();
        let hour = run(Hour, vec![instant.clone()]);
        crate::query_settings::set_current(crate::query_settings::QuerySettings::default());
        assert_eq!(cut("MONTH"), "2021-03-01 00:00:00");
        assert_eq!(cut("YEAR"), "2021-01-01 00:00:00");
        assert_eq!(cut("DAY"), "2021-03-01 00:00:00");
        assert_eq!(hour, Value::Integer(3));
    }

    #[test]
    fn coalesce_takes_each_row_from_its_first_argument_with_a_value() {
        let strings = |values: &[Option<&str>]| -> ArrayRef { Arc::new(StringArray::from(values.to_vec())) };
        let zone = strings(&[Some("a"), None, None]);
        let other = strings(&[Some("x"), Some("b"), None]);
        let unknown = strings(&[Some("?"); 3]);
        let never = strings(&[Some("never"); 3]);
        let result = coalesce(&[zone, other, unknown.clone(), never]).unwrap();
        assert_eq!(result.as_string::<i32>(), &StringArray::from(vec!["a", "b", "?"]));
        let all_found = strings(&[Some("a"), Some("b"), Some("c")]);
        let result = coalesce(&[all_found.clone(), unknown]).unwrap();
        assert!(Arc::ptr_eq(&result, &all_found), "a column without NULLs is the result as it is");
    }

    #[test]
    fn a_repeated_string_is_found_only_when_every_row_holds_it() {
        let strings = |values: &[Option<&str>]| StringArray::from(values.to_vec());
        let green = strings(&[Some("green"); 5]);
        assert_eq!(repeated_string(&green), Some(Some("green")));
        assert_eq!(repeated_string(&strings(&[Some("green"), Some("greed"), Some("green")])), None);
        assert_eq!(repeated_string(&strings(&[Some("ab"), Some("aba"), Some("b")])), None, "same bytes, other rows");
        assert_eq!(repeated_string(&strings(&[Some("a"), None])), None);
        assert_eq!(repeated_string(&strings(&[None, None])), Some(None));
        assert_eq!(repeated_string(&strings(&[Some(""), Some("")])), Some(Some("")));
        let tail = strings(&[Some("yellow"), Some("green"), Some("green")]);
        assert_eq!(repeated_string(&tail.slice(1, 2)), Some(Some("green")), "a slice starts past offset 0");
        assert_eq!(repeated_string(&tail), None);
    }

    #[test]
    fn date_parts_follow_spark() {
        let day = Value::Date(18276); // 2020-01-15, a Wednesday
        assert_eq!(run(DayOfWeek, vec![day.clone()]), Value::Integer(4));
        assert_eq!(run(DayOfMonth, vec![day.clone()]), Value::Integer(15));
        assert_eq!(run(Hour, vec![Value::Timestamp(JAN_15_2020_13_45)]), Value::Integer(13));
        let formatted = run(DateFormat, vec![Value::Timestamp(JAN_15_2020_13_45), Value::String("yyyy-MM-dd HH:mm".into())]);
        assert_eq!(formatted, Value::String("2020-01-15 13:45".into()));
    }

    #[test]
    fn strings_functions_follow_spark() {
        let s = |v: &str| Value::String(v.into());
        assert_eq!(run(Concat, vec![s("a"), Value::Null, s("b")]), Value::Null);
        assert_eq!(run(ConcatWs, vec![s("/"), s("a"), Value::Null, s("b")]), s("a/b"));
        assert_eq!(run(Substring, vec![s("Manhattan"), Value::Integer(-3), Value::Integer(2)]), s("ta"));
        assert_eq!(run(Substring, vec![s("Manhattan"), Value::Integer(0), Value::Integer(3)]), s("Man"));
    }

    #[test]
    fn functions_of_an_empty_batch_are_empty() {
        let empty = |t: SparkType| arrow::array::new_empty_array(&t.to_arrow());
        let text = empty(SparkType::String);
        let result = Substring.evaluate(&[text, empty(SparkType::Integer), empty(SparkType::Integer)], &[SparkType::String, SparkType::Integer, SparkType::Integer], 0, &SparkType::String);
        assert_eq!(result.unwrap().len(), 0);
        let rounded = Round.evaluate(&[empty(SparkType::Double), empty(SparkType::Integer)], &[SparkType::Double, SparkType::Integer], 0, &SparkType::Double);
        assert_eq!(rounded.unwrap().len(), 0);
    }

    #[test]
    fn round_is_half_up() {
        assert_eq!(run(Round, vec![Value::Double(2.5)]), Value::Double(3.0));
        assert_eq!(run(Round, vec![Value::Double(-2.5)]), Value::Double(-3.0));
        assert_eq!(run(Round, vec![Value::Double(1.005), Value::Integer(2)]), Value::Double(1.01));
        assert_eq!(run(Round, vec![Value::Double(0.0049), Value::Integer(2)]), Value::Double(0.0));
        assert_eq!(run(Round, vec![Value::Double(9.96), Value::Integer(1)]), Value::Double(10.0));
        assert_eq!(run(Round, vec![Value::Integer(1250), Value::Integer(-2)]), Value::Integer(1300));
    }
}
