//! CSV text in columns: `from_csv(text, schema[, options])` reads one CSV record as a struct of the schema's fields
//! (Spark's PERMISSIVE reading: a field that does not parse as its type is NULL), and `to_csv(struct[, options])`
//! writes a struct's fields as one record. Options: `sep` (the field separator, `,` by default), `dateFormat` and
//! `timestampFormat` (datetime patterns, checked as `to_date`'s are).

use std::collections::HashMap;

use crate::expr::Expr;
use crate::types::SparkType;
use crate::value::{NestedParts, Value, array_of};
use crate::{EngineError, Result};

use super::datetime_pattern::DatetimePattern;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvFunction {
    FromCsv,
    ToCsv,
}

use CsvFunction::*;

impl CsvFunction {
    pub fn name(self) -> &'static str {
        match self {
            FromCsv => "from_csv",
            ToCsv => "to_csv",
        }
    }

    pub fn by_name(name: &str) -> Option<Self> {
        [FromCsv, ToCsv].into_iter().find(|f| f.name() == name)
    }

    pub fn arity(self) -> (usize, usize) {
        match self {
            FromCsv => (2, 3),
            ToCsv => (1, 2),
        }
    }

    /// The types the arguments are cast to (the struct, the options map and the schema stay as they are).
    pub fn argument_types(self, args: &[Expr]) -> Vec<SparkType> {
        let mut types: Vec<SparkType> = args.iter().map(Expr::data_type).collect();
        if self == FromCsv {
            types[0] = SparkType::String;
        }
        types
    }

    pub fn return_type(self, args: &[Expr]) -> SparkType {
        match self {
            FromCsv => args.get(1).and_then(|schema| super::json::target_type(schema).ok()).unwrap_or(SparkType::Null),
            ToCsv => SparkType::String,
        }
    }

    /// The schema and the options must be constants Spark accepts.
    pub fn check(self, args: &[Expr]) -> Result<()> {
        if self == FromCsv {
            super::json::target_type(&args[1])?;
        }
        match args.get(if self == FromCsv { 2 } else { 1 }) {
            None => Ok(()),
            Some(options) => {
                let value = crate::expr::eval::constant_value(options).map_err(|_| invalid_options(options))?;
                if !matches!(value.nested_parts(), Some(NestedParts::Map(_))) {
                    return Err(invalid_options(options));
                }
                CsvOptions::of(Some(&value)).map(|_| ())
            }
        }
    }

    /// Every row's value, from the arguments' arrays (the options are one constant map).
    pub fn evaluate(self, args: &[arrow::array::ArrayRef], rows: usize, result_type: &SparkType) -> Result<arrow::array::ArrayRef> {
        let options_at = if self == FromCsv { 2 } else { 1 };
        let options = match args.get(options_at) {
            Some(options) if rows > 0 => CsvOptions::of(Some(&Value::from_array(options.as_ref(), 0)?))?,
            _ => CsvOptions::of(None)?,
        };
        let values = super::row_by_row(args, rows, |row| match row.first() {
            None | Some(Value::Null) => Ok(Value::Null),
            Some(Value::String(text)) if self == FromCsv => Ok(options.record(text, result_type)),
            Some(value) => Ok(options.write(value)),
        })?;
        Ok(array_of(&values, result_type))
    }
}

/// The options the functions read.
struct CsvOptions {
    separator: u8,
    date_format: Option<DatetimePattern>,
    timestamp_format: Option<DatetimePattern>,
}

impl CsvOptions {
    /// The options map (`map('sep', ';')`), or the defaults.
    fn of(options: Option<&Value>) -> Result<Self> {
        let mut given: HashMap<String, String> = HashMap::new();
        match options.map(Value::nested_parts) {
            None => {}
            Some(Some(NestedParts::Map(entries))) => {
                for (key, value) in entries {
                    given.insert(key.to_string().to_ascii_lowercase(), value.to_string());
                }
            }
            Some(_) => return Err(EngineError::Analysis("the options must be a map".into())),
        }
        let pattern = |key: &str| given.get(key).map(|p| DatetimePattern::parse(p)).transpose();
        let separator = match given.get("sep").or_else(|| given.get("delimiter")).map(String::as_bytes) {
            None => b',',
            Some([one]) => *one,
            Some(_) => return Err(EngineError::Analysis("Kindling reads a one-character CSV separator (sep)".into())),
        };
        Ok(Self { separator, date_format: pattern("dateformat")?, timestamp_format: pattern("timestampformat")? })
    }

    /// One record read as a struct of `result_type`'s fields: missing fields are NULL, extra ones are dropped.
    fn record(&self, text: &str, result_type: &SparkType) -> Value {
        let SparkType::Struct(fields) = result_type else { return Value::Null };
        let mut reader = csv::ReaderBuilder::new().has_headers(false).delimiter(self.separator).from_reader(text.as_bytes());
        let record = reader.records().next().and_then(|r| r.ok()).unwrap_or_default();
        let values: Vec<Value> = fields.iter().enumerate().map(|(i, field)| self.field(record.get(i), &field.data_type)).collect();
        Value::new_struct(&values, fields)
    }

    /// A field's text as `data_type`; NULL when it is empty or does not parse.
    fn field(&self, text: Option<&str>, data_type: &SparkType) -> Value {
        let Some(text) = text.filter(|t| !t.is_empty()) else { return Value::Null };
        let pattern = match data_type {
            SparkType::Date => self.date_format.as_ref(),
            SparkType::Timestamp | SparkType::TimestampNtz => self.timestamp_format.as_ref(),
            _ => None,
        };
        match pattern {
            Some(pattern) => pattern.read(text).map_or(Value::Null, |(local, _)| match data_type {
                SparkType::Date => Value::Date((local.date() - chrono::NaiveDate::default()).num_days() as i32),
                SparkType::TimestampNtz => Value::TimestampNtz(local.and_utc().timestamp_micros()),
                _ => Value::Timestamp(crate::time_zone::current().utc_micros(local.and_utc().timestamp_micros())),
            }),
            None => crate::expr::cast::cast_value(Value::String(text.to_string()), data_type).unwrap_or(Value::Null),
        }
    }

    /// A struct's fields as one record (NULL fields left empty, quoted where the text needs it).
    fn write(&self, value: &Value) -> Value {
        let Some(NestedParts::Struct(fields)) = value.nested_parts() else { return Value::Null };
        let mut writer = csv::WriterBuilder::new().delimiter(self.separator).from_writer(Vec::new());
        let texts: Vec<String> = fields.iter().map(|(_, v)| if v.is_null() { String::new() } else { v.to_string() }).collect();
        let written = writer.write_record(&texts).ok().and_then(|_| writer.into_inner().ok());
        written.map_or(Value::Null, |bytes| Value::String(String::from_utf8_lossy(&bytes).trim_end_matches(['\r', '\n']).to_string()))
    }
}

fn invalid_options(options: &Expr) -> EngineError {
    EngineError::Analysis(format!(
        "[INVALID_OPTIONS.NON_MAP_FUNCTION] Invalid options: Must use the `map()` function for options, not {}. \
         SQLSTATE: 42K06",
        options.sql_name()
    ))
}
