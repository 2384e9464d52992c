//! CSV input, read the way Spark's CSV source reads it.
//!
//! - `header`: the first line names the columns; otherwise they are `_c0`, `_c1`, ...
//! - Without `inferSchema` every column is a string. With it, each column gets the narrowest type all its values
//!   parse as — integer, long, double, date, timestamp, boolean — and falls back to string when they disagree; a
//!   column with no values at all is a string too.
//! - An empty field is NULL. Quoted fields may hold commas; `.csv.gz` files are unzipped as they are read.
//! - A file is parsed a batch of lines at a time: memory holds one batch, not the file's rows.
//! - A malformed row (a value that does not parse as its column's type, or the wrong number of fields) is kept with
//!   NULLs (`PERMISSIVE`, the default), dropped (`DROPMALFORMED`), or stops the read with the file and line
//!   (`FAILFAST`).

use std::io::{Cursor, Read};
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

impl CsvOptions {
    /// Sets one reader option by Spark's name (`header`, `inferSchema`, `mode`), as `.option(k, v)` and SQL's
    /// `OPTIONS (k v)` give them.
    pub fn set(&mut self, key: &str, value: &str) -> crate::Result<()> {
        let yes = value.eq_ignore_ascii_case("true");
        match key.to_ascii_lowercase().as_str() {
            "header" => self.header = yes,
            "inferschema" => self.infer_schema = yes,
            "mode" => {
                self.mode = match value.to_ascii_uppercase().as_str() {
                    "PERMISSIVE" => ParseMode::Permissive,
                    "DROPMALFORMED" => ParseMode::DropMalformed,
                    "FAILFAST" => ParseMode::FailFast,
                    _ => crate::invalid_argument!("unknown CSV mode {value}"),
                }
            }
            "sep" | "delimiter" if value == "," => {}
            other => crate::invalid_argument!("the CSV option {other} is not supported by Kindling yet"),
        }
        Ok(())
    }
}

/// One data line: where it came from and its fields (`None` for an empty field).
struct Line {
    number: u64,
    record: csv::StringRecord,
}

impl Line {
    fn width(&self) -> usize {
        self.record.len()
    }

    /// Field `i`: `None` when it is empty or missing.
    fn field(&self, i: usize) -> Option<&str> {
        self.record.get(i).filter(|field| !field.is_empty())
    }
}

/// Rows per batch: a file is parsed a batch at a time, so a task's memory does not grow with the file.
const BATCH_ROWS: usize = 8192;

/// Reads a whole CSV file into memory, its schema given or found as [`csv_schema`] finds it. `path` names the file
/// in errors and decides whether it is gzipped.
pub fn read_csv(path: &str, file: Bytes, options: &CsvOptions) -> Result<Table> {
    let schema = csv_schema(path, file.clone(), options)?;
    let whole = SplitLines { range: 0..file.len(), file, has_header: options.header };
    let mut batches = csv_batches(path, whole, &schema, options.mode)?.collect::<Result<Vec<_>>>()?;
    if batches.is_empty() {
        batches.push(RecordBatch::new_empty(Arc::new(schema.to_arrow())));
    }
    Ok(Table { schema: batches[0].schema(), batches })
}

/// The schema Spark's reader gives a CSV file: the one given; else the header's names (or `_c0`, `_c1`, …) with
/// every column a string, or with `inferSchema` each column's type from one pass over all its values (Spark reads
/// the data for inference too). Only the header line is kept in memory.
pub fn csv_schema(path: &str, file: Bytes, options: &CsvOptions) -> Result<SparkSchema> {
    if let Some(schema) = &options.schema {
        return Ok(schema.clone());
    }
    let mut lines = lines(path, file);
    let first = lines.next().transpose()?;
    let (header, first_row) = if options.header { (first, None) } else { (None, first) };
    let width = header.as_ref().or(first_row.as_ref()).map_or(0, Line::width);
    let names = column_names(header.as_ref(), width);
    let types = if options.infer_schema {
        let mut types = vec![SparkType::Null; width];
        for line in first_row.map(Ok).into_iter().chain(lines) {
            infer_types(&mut types, &line?);
        }
        types.into_iter().map(|t| if t == SparkType::Null { SparkType::String } else { t }).collect()
    } else {
        vec![SparkType::String; width]
    };
    let fields = names.into_iter().zip(types).map(|(name, data_type)| SparkField { name, data_type, nullable: true });
    Ok(SparkSchema { fields: fields.collect() })
}

/// The lines of a CSV file that one split of it reads.
pub struct SplitLines {
    file: Bytes,
    /// Where in `file` the lines are.
    range: std::ops::Range<usize>,
    /// Whether the first of these lines is the file's header (to be skipped).
    has_header: bool,
}

impl SplitLines {
    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }

    /// The bytes of these lines.
    pub fn bytes(&self) -> Bytes {
        self.file.slice(self.range.clone())
    }

    /// How many lines of the file come before these: counted only for an error's line number.
    fn lines_before(&self) -> u64 {
        self.file[..self.range.start].iter().filter(|&&b| b == b'\n').count() as u64
    }
}

/// The lines of `file` that the split `[start, start + length)` reads, as Hadoop's line reader (under Spark's CSV
/// source) gives them out: each line to the split it starts in — a split skips the end of a line begun before it
/// and reads on past its end to finish its last line. A gzipped file is read whole by its split at 0.
pub fn split_lines(path: &str, file: Bytes, start: u64, length: u64, header: bool) -> SplitLines {
    let whole = super::is_gzipped(path);
    let after_newline_from = |at: u64| {
        let at = (at as usize).min(file.len());
        file[at..].iter().position(|&b| b == b'\n').map_or(file.len(), |newline| at + newline + 1)
    };
    let (first, end) = match (whole, start) {
        (true, 0) => (0, file.len()),
        (true, _) => (0, 0),
        (false, 0) => (0, after_newline_from(start + length)),
        (false, _) => (after_newline_from(start), after_newline_from(start + length)),
    };
    SplitLines { file, range: first..end.max(first), has_header: header && start == 0 }
}

/// The rows of some CSV lines as batches of `schema`, parsed [`BATCH_ROWS`] lines at a time as the batches are
/// taken. A malformed row is handled as `mode` says; a read stops at the first error.
pub fn csv_batches(
    path: &str,
    lines: SplitLines,
    schema: &SparkSchema,
    mode: ParseMode,
) -> Result<impl Iterator<Item = Result<RecordBatch>> + use<>> {
    if let Some(field) = schema.fields.iter().find(|f| !CSV_TYPES.contains(&f.data_type)) {
        return Err(EngineError::InvalidArgument(format!(
            "reading CSV column `{}` as {} is not supported yet (supported: int, bigint, double, boolean, date, timestamp, string)",
            field.name, field.data_type
        )));
    }
    let mut rows = self::lines(path, lines.file.slice(lines.range.clone())).skip(usize::from(lines.has_header));
    let (path, schema) = (path.to_string(), schema.clone());
    let mut failed = false;
    let batches = std::iter::from_fn(move || {
        if failed {
            return None;
        }
        let chunk = rows.by_ref().take(BATCH_ROWS).collect::<Result<Vec<Line>>>();
        let batch = match chunk {
            Ok(chunk) if chunk.is_empty() => return None,
            Ok(chunk) => build_batch(&path, &schema, &chunk, mode),
            Err(error) => Err(error),
        };
        failed = batch.is_err();
        Some(batch.map_err(|error| counted_from_file_start(error, &lines)))
    });
    Ok(batches.filter(|batch| batch.as_ref().map_or(true, |b| b.num_rows() > 0)))
}

/// An error's line number, counted in the split's lines, as a line of the whole file.
fn counted_from_file_start(error: EngineError, lines: &SplitLines) -> EngineError {
    match error {
        EngineError::Csv { path, line, message } if lines.range.start > 0 => {
            EngineError::Csv { path, line: lines.lines_before() + line, message }
        }
        other => other,
    }
}

/// The file's lines one at a time, parsed straight from its bytes (unzipped on the way for `.gz`).
fn lines(path: &str, file: Bytes) -> impl Iterator<Item = Result<Line>> + use<> {
    let gzipped = super::is_gzipped(path);
    let source: Box<dyn Read + Send> =
        if gzipped { Box::new(GzDecoder::new(Cursor::new(file))) } else { Box::new(Cursor::new(file)) };
    let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(source);
    let path = path.to_string();
    reader.into_records().map(move |record| {
        let record = record.map_err(|error| read_error(&path, gzipped, error))?;
        let number = record.position().map_or(0, |p| p.line());
        Ok(Line { number, record })
    })
}

fn read_error(path: &str, gzipped: bool, error: csv::Error) -> EngineError {
    match error.kind() {
        csv::ErrorKind::Io(io) if gzipped => {
            EngineError::Io { path: path.to_string(), message: format!("not a valid gzip file: {io}") }
        }
        _ => EngineError::Csv { path: path.to_string(), line: error.position().map_or(0, |p| p.line()), message: error.to_string() },
    }
}

fn column_names(header: Option<&Line>, width: usize) -> Vec<String> {
    (0..width)
        .map(|i| match header.and_then(|h| h.field(i)) {
            Some(name) => name.to_string(),
            None => format!("_c{i}"),
        })
        .collect()
}

/// Spark's CSV schema inference, one line at a time: every value narrows or widens its column's type, starting
/// from "no values" (`Null`, read as string at the end).
fn infer_types(types: &mut [SparkType], line: &Line) {
    for column in 0..types.len().min(line.width()) {
        if let Some(text) = line.field(column) {
            types[column] = widen(types[column].clone(), infer_value(types[column].clone(), text));
        }
    }
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
    LADDER[first..].iter().find(|t| parses_as(t, text)).cloned().unwrap_or(SparkType::String)
}

fn parses_as(spark_type: &SparkType, text: &str) -> bool {
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
    match (a.clone(), b.clone()) {
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
/// session time zone. Returns microseconds since the epoch.
fn parse_timestamp(text: &str) -> Option<i64> {
    const LOCAL: [&str; 2] = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"];
    const ZONED: [&str; 2] = ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M:%S%.f%:z"];
    let (wall_clock, zone) = match text.strip_suffix('Z') {
        Some(utc) => (utc, crate::time_zone::TimeZone::UTC),
        None => (text, crate::time_zone::current()),
    };
    LOCAL
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(wall_clock, format).ok())
        .map(|t| zone.utc_micros(t.and_utc().timestamp_micros()))
        .or_else(|| ZONED.iter().find_map(|format| DateTime::parse_from_str(text, format).ok()).map(|t| t.timestamp_micros()))
}

fn build_batch(path: &str, schema: &SparkSchema, lines: &[Line], mode: ParseMode) -> Result<RecordBatch> {
    let mut columns: Vec<ColumnBuilder> = schema.fields.iter().map(|f| ColumnBuilder::new(f.data_type.clone())).collect();
    for line in lines {
        let parsed: Vec<Result<Value, ()>> = schema
            .fields
            .iter()
            .enumerate()
            .map(|(i, field)| parse_field(field.data_type.clone(), line.field(i)))
            .collect();
        let malformed = line.width() != schema.fields.len() || parsed.iter().any(Result::is_err);
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
enum Value<'a> {
    Null,
    Integer(i32),
    Long(i64),
    Double(f64),
    Boolean(bool),
    Date(i32),
    Timestamp(i64),
    String(&'a str),
}

impl Value<'_> {
    /// As Spark renders a parsed record's values in error messages.
    fn render(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Integer(v) | Value::Date(v) => v.to_string(),
            Value::Long(v) | Value::Timestamp(v) => v.to_string(),
            Value::Double(v) => java_double_string(*v),
            Value::Boolean(v) => v.to_string(),
            Value::String(v) => v.to_string(),
        }
    }
}

/// `Err` when the text does not parse as the type.
fn parse_field(data_type: SparkType, text: Option<&str>) -> Result<Value<'_>, ()> {
    let Some(text) = text else { return Ok(Value::Null) };
    let value = match data_type {
        SparkType::Integer => text.parse().ok().map(Value::Integer),
        SparkType::Long => text.parse().ok().map(Value::Long),
        SparkType::Double => parse_double(text).map(Value::Double),
        SparkType::Boolean => parse_boolean(text).map(Value::Boolean),
        SparkType::Date => parse_date(text).map(Value::Date),
        SparkType::Timestamp => parse_timestamp(text).map(Value::Timestamp),
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
