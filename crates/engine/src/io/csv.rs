//! CSV input, read the way Spark's CSV source reads it.
//!
//! - `header`: the first line names the columns; otherwise they are `_c0`, `_c1`, ...
//! - Without `inferSchema` every column is a string. With it, each column gets the narrowest type all its values
//!   parse as — integer, long, double, date, timestamp, boolean — and falls back to string when they disagree; a
//!   column with no values at all is a string too.
//! - An empty field is NULL. Quoted fields may hold commas; `.csv.gz` files are unzipped first.
//! - A malformed row (a value that does not parse as its column's type, or the wrong number of fields) is kept with
//!   NULLs (`PERMISSIVE`, the default), dropped (`DROPMALFORMED`), or stops the read with the file and line
//!   (`FAILFAST`).

use std::io::Read;
use std::sync::Arc;

use arrow::array::{
    ArrayBuilder, ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow::record_batch::RecordBatch;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use flate2::read::GzDecoder;

use super::Table;
use crate::display::java_double_string;
use crate::schema::{SparkField, SparkSchema};
use crate::types::{INSTANT_TIME_ZONE, SparkType};
use crate::{EngineError, Result};

/// What to do with a row that does not fit the schema (Spark's `mode` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParseMode {
    #[default]
    Permissive,
    DropMalformed,
    FailFast,
}

/// The reader options Kindling supports, with Spark's defaults.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    pub header: bool,
    pub infer_schema: bool,
    /// An explicit schema (`.schema(...)`): no inference, columns taken by position.
    pub schema: Option<SparkSchema>,
    pub mode: ParseMode,
}

/// One data line: where it came from and its fields (`None` for an empty field).
struct Line {
    number: u64,
    fields: Vec<Option<String>>,
}

/// Reads a whole CSV file. `path` names the file in errors and decides whether it is gzipped.
pub fn read_csv(path: &str, file: Bytes, options: &CsvOptions) -> Result<Table> {
    let text = decompress(path, file)?;
    let mut lines = parse_lines(path, &text)?;
    let header = if options.header && !lines.is_empty() { Some(lines.remove(0)) } else { None };
    let schema = match &options.schema {
        Some(schema) => schema.clone(),
        None => {
            let width = header.as_ref().or(lines.first()).map_or(0, |l| l.fields.len());
            let names = column_names(header.as_ref(), width);
            let types = if options.infer_schema { infer_types(&lines, width) } else { vec![SparkType::String; width] };
            let fields = names.into_iter().zip(types).map(|(name, data_type)| SparkField { name, data_type, nullable: true });
            SparkSchema { fields: fields.collect() }
        }
    };
    let batch = build_batch(path, &schema, &lines, options.mode)?;
    Ok(Table { schema: batch.schema(), batches: vec![batch] })
}

fn decompress(path: &str, file: Bytes) -> Result<Vec<u8>> {
    if !path.ends_with(".gz") {
        return Ok(file.to_vec());
    }
    let mut text = Vec::new();
    GzDecoder::new(file.as_ref()).read_to_end(&mut text).map_err(|e| EngineError::Io {
        path: path.to_string(),
        message: format!("not a valid gzip file: {e}"),
    })?;
    Ok(text)
}

fn parse_lines(path: &str, text: &[u8]) -> Result<Vec<Line>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| EngineError::Csv {
            path: path.to_string(),
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        })?;
        let number = record.position().map_or(0, |p| p.line());
        let fields = record.iter().map(|f| (!f.is_empty()).then(|| f.to_string())).collect();
        lines.push(Line { number, fields });
    }
    Ok(lines)
}

fn column_names(header: Option<&Line>, width: usize) -> Vec<String> {
    (0..width)
        .map(|i| match header.and_then(|h| h.fields.get(i).cloned().flatten()) {
            Some(name) => name,
            None => format!("_c{i}"),
        })
        .collect()
}

/// Spark's CSV schema inference: every value narrows or widens its column's type, starting from "no values".
fn infer_types(lines: &[Line], width: usize) -> Vec<SparkType> {
    let mut types = vec![SparkType::Null; width];
    for line in lines {
        for (column, value) in line.fields.iter().take(width).enumerate() {
            if let Some(text) = value {
                types[column] = widen(types[column], infer_value(types[column], text));
            }
        }
    }
    types.into_iter().map(|t| if t == SparkType::Null { SparkType::String } else { t }).collect()
}

/// The type of one value, trying only types at least as wide as the column's current type (Spark's order).
fn infer_value(current: SparkType, text: &str) -> SparkType {
    const LADDER: [SparkType; 6] = [
        SparkType::Integer,
        SparkType::Long,
        SparkType::Double,
        SparkType::Date,
        SparkType::Timestamp,
        SparkType::Boolean,
    ];
    let first = LADDER.iter().position(|t| *t == current).unwrap_or(0);
    LADDER[first..].iter().copied().find(|t| parses_as(*t, text)).unwrap_or(SparkType::String)
}

fn parses_as(spark_type: SparkType, text: &str) -> bool {
    match spark_type {
        SparkType::Integer => text.parse::<i32>().is_ok(),
        SparkType::Long => text.parse::<i64>().is_ok(),
        SparkType::Double => parse_double(text).is_some(),
        SparkType::Date => parse_date(text).is_some(),
        SparkType::Timestamp => parse_timestamp(text).is_some(),
        SparkType::Boolean => parse_boolean(text).is_some(),
        _ => true,
    }
}

/// The narrowest type holding both (Spark's `compatibleType`), or string.
fn widen(a: SparkType, b: SparkType) -> SparkType {
    use SparkType::*;
    match (a, b) {
        _ if a == b => a,
        (Null, other) | (other, Null) => other,
        (Integer, Long) | (Long, Integer) => Long,
        (Integer | Long, Double) | (Double, Integer | Long) => Double,
        (Date, Timestamp) | (Timestamp, Date) => Timestamp,
        _ => String,
    }
}

/// Java's `Double.parseDouble`, which Spark uses: plain and scientific numbers, `NaN`, `Infinity`.
fn parse_double(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    match trimmed {
        "NaN" => Some(f64::NAN),
        "Infinity" | "+Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ if trimmed.chars().any(|c| c.is_ascii_alphabetic() && !matches!(c, 'e' | 'E')) => None,
        _ => trimmed.parse().ok(),
    }
}

fn parse_boolean(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn parse_date(text: &str) -> Option<i32> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch is a date");
    i32::try_from(date.signed_duration_since(epoch).num_days()).ok()
}

/// `yyyy-MM-dd HH:mm:ss[.fraction]` (or with `T`), optionally with `Z` or `±HH:MM`; zone-less times are in the
/// session time zone (UTC). Returns microseconds since the epoch.
fn parse_timestamp(text: &str) -> Option<i64> {
    const LOCAL: [&str; 2] = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"];
    const ZONED: [&str; 2] = ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M:%S%.f%:z"];
    let local = text.strip_suffix('Z').unwrap_or(text);
    LOCAL
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(local, format).ok())
        .map(|t| t.and_utc().timestamp_micros())
        .or_else(|| ZONED.iter().find_map(|format| DateTime::parse_from_str(text, format).ok()).map(|t| t.timestamp_micros()))
}

fn build_batch(path: &str, schema: &SparkSchema, lines: &[Line], mode: ParseMode) -> Result<RecordBatch> {
    if let Some(field) = schema.fields.iter().find(|f| !CSV_TYPES.contains(&f.data_type)) {
        return Err(EngineError::InvalidArgument(format!(
            "reading CSV column `{}` as {} is not supported yet (supported: int, bigint, double, boolean, date, timestamp, string)",
            field.name, field.data_type
        )));
    }
    let mut columns: Vec<ColumnBuilder> = schema.fields.iter().map(|f| ColumnBuilder::new(f.data_type)).collect();
    for line in lines {
        let parsed: Vec<Result<Value, ()>> = schema
            .fields
            .iter()
            .enumerate()
            .map(|(i, field)| parse_field(field.data_type, line.fields.get(i).cloned().flatten()))
            .collect();
        let malformed = line.fields.len() != schema.fields.len() || parsed.iter().any(Result::is_err);
        match (malformed, mode) {
            (true, ParseMode::DropMalformed) => continue,
            (true, ParseMode::FailFast) => {
                return Err(EngineError::Csv { path: path.to_string(), line: line.number, message: malformed_message(&parsed) });
            }
            _ => {
                for (column, value) in columns.iter_mut().zip(parsed) {
                    column.append(value.unwrap_or(Value::Null));
                }
            }
        }
    }
    let arrays: Vec<ArrayRef> = columns.into_iter().map(ColumnBuilder::finish).collect();
    Ok(RecordBatch::try_new(Arc::new(schema.to_arrow()), arrays)?)
}

fn malformed_message(parsed: &[Result<Value, ()>]) -> String {
    let values: Vec<String> = parsed.iter().map(|v| v.as_ref().map_or("null".into(), Value::render)).collect();
    format!(
        "[MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION] Malformed records are detected in record parsing: [{}]. \
         Parse Mode: FAILFAST. To process malformed records as null result, try setting the option 'mode' as 'PERMISSIVE'.",
        values.join(",")
    )
}

/// The column types the CSV reader can produce.
const CSV_TYPES: [SparkType; 7] = [
    SparkType::Integer,
    SparkType::Long,
    SparkType::Double,
    SparkType::Boolean,
    SparkType::Date,
    SparkType::Timestamp,
    SparkType::String,
];

/// One parsed field.
enum Value {
    Null,
    Integer(i32),
    Long(i64),
    Double(f64),
    Boolean(bool),
    Date(i32),
    Timestamp(i64),
    String(String),
}

impl Value {
    /// As Spark renders a parsed record's values in error messages.
    fn render(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Integer(v) | Value::Date(v) => v.to_string(),
            Value::Long(v) | Value::Timestamp(v) => v.to_string(),
            Value::Double(v) => java_double_string(*v),
            Value::Boolean(v) => v.to_string(),
            Value::String(v) => v.clone(),
        }
    }
}

/// `Err` when the text does not parse as the type.
fn parse_field(data_type: SparkType, text: Option<String>) -> Result<Value, ()> {
    let Some(text) = text else { return Ok(Value::Null) };
    let value = match data_type {
        SparkType::Integer => text.parse().ok().map(Value::Integer),
        SparkType::Long => text.parse().ok().map(Value::Long),
        SparkType::Double => parse_double(&text).map(Value::Double),
        SparkType::Boolean => parse_boolean(&text).map(Value::Boolean),
        SparkType::Date => parse_date(&text).map(Value::Date),
        SparkType::Timestamp => parse_timestamp(&text).map(Value::Timestamp),
        _ => Some(Value::String(text)),
    };
    value.ok_or(())
}

/// An Arrow builder for one column of the schema's type.
enum ColumnBuilder {
    Integer(Int32Builder),
    Long(Int64Builder),
    Double(Float64Builder),
    Boolean(BooleanBuilder),
    Date(Date32Builder),
    Timestamp(TimestampMicrosecondBuilder),
    String(StringBuilder),
}

impl ColumnBuilder {
    fn new(data_type: SparkType) -> Self {
        match data_type {
            SparkType::Integer => Self::Integer(Int32Builder::new()),
            SparkType::Long => Self::Long(Int64Builder::new()),
            SparkType::Double => Self::Double(Float64Builder::new()),
            SparkType::Boolean => Self::Boolean(BooleanBuilder::new()),
            SparkType::Date => Self::Date(Date32Builder::new()),
            SparkType::Timestamp => Self::Timestamp(TimestampMicrosecondBuilder::new().with_timezone(INSTANT_TIME_ZONE)),
            _ => Self::String(StringBuilder::new()),
        }
    }

    fn append(&mut self, value: Value) {
        match (self, value) {
            (Self::Integer(b), Value::Integer(v)) => b.append_value(v),
            (Self::Long(b), Value::Long(v)) => b.append_value(v),
            (Self::Double(b), Value::Double(v)) => b.append_value(v),
            (Self::Boolean(b), Value::Boolean(v)) => b.append_value(v),
            (Self::Date(b), Value::Date(v)) => b.append_value(v),
            (Self::Timestamp(b), Value::Timestamp(v)) => b.append_value(v),
            (Self::String(b), Value::String(v)) => b.append_value(v),
            (builder, _) => builder.append_null(),
        }
    }

    fn append_null(&mut self) {
        match self {
            Self::Integer(b) => b.append_null(),
            Self::Long(b) => b.append_null(),
            Self::Double(b) => b.append_null(),
            Self::Boolean(b) => b.append_null(),
            Self::Date(b) => b.append_null(),
            Self::Timestamp(b) => b.append_null(),
            Self::String(b) => b.append_null(),
        }
    }

    fn finish(self) -> ArrayRef {
        match self {
            Self::Integer(mut b) => Arc::new(b.finish()),
            Self::Long(mut b) => Arc::new(b.finish()),
            Self::Double(mut b) => Arc::new(b.finish()),
            Self::Boolean(mut b) => Arc::new(b.finish()),
            Self::Date(mut b) => Arc::new(b.finish()),
            Self::Timestamp(mut b) => Arc::new(b.finish()),
            Self::String(mut b) => ArrayBuilder::finish(&mut b),
        }
    }
}
