//! JSON Lines, as Spark reads and writes it: one JSON object per line.
//!
//! Without a given schema, Spark reads every line once to infer one: a field's type is the widest of its values'
//! (a whole number is a `bigint`, a fraction a `double`, both a `double`; anything mixed with text is text), objects
//! become structs and lists arrays, a field that is only ever `null` is a string, and fields are sorted by name.
//! A line that is not a JSON object is kept, whole, in a `_corrupt_record` column (Spark's default PERMISSIVE mode),
//! its other columns NULL. Writing, Spark leaves NULL fields out, and writes dates and timestamps as ISO text.

use std::io::Read;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, TimeUnit};
use bytes::Bytes;
use serde_json::Value as Json;

use super::csv::SplitLines;
use crate::display::{date_string, java_double_string, java_float_string};
use crate::expr::Attribute;
use crate::hash_aggregate::batch_of;
use crate::schema::{SparkField, SparkSchema};
use crate::types::SparkType;
use crate::value::{NestedParts, Value, array_of};
use crate::{EngineError, Result};

/// The column Spark keeps unparsable lines in.
pub const CORRUPT_RECORD: &str = "_corrupt_record";

/// Rows per batch read.
const BATCH_ROWS: usize = 8192;

/// The schema Spark infers from the lines of `files` (path and bytes).
pub fn json_schema(files: &[(String, Bytes)]) -> Result<SparkSchema> {
    let mut inferred = SparkType::struct_of(Vec::new());
    let mut corrupt = false;
    for (path, bytes) in files {
        for line in text_lines(path, bytes.clone())? {
            match serde_json::from_str::<Json>(&line) {
                Ok(object @ Json::Object(_)) => inferred = merge(&inferred, &infer(&object)),
                _ => corrupt = true,
            }
        }
    }
    let SparkType::Struct(fields) = canonical(&inferred) else { unreachable!("objects infer as structs") };
    let mut fields: Vec<SparkField> = fields.to_vec();
    if corrupt {
        fields.push(SparkField::new(CORRUPT_RECORD, SparkType::String, true));
        fields.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(SparkSchema { fields })
}

/// The split's lines as rows of `schema`, [`BATCH_ROWS`] at a time.
pub fn json_batches(path: &str, lines: SplitLines, schema: &SparkSchema) -> Result<impl Iterator<Item = Result<RecordBatch>> + use<>> {
    let lines = text_lines(path, lines.bytes())?;
    let columns: Vec<Attribute> =
        schema.fields.iter().map(|f| Attribute::new(f.name.clone(), f.data_type.clone(), true)).collect();
    let mut rows = lines.into_iter().peekable();
    Ok(std::iter::from_fn(move || {
        rows.peek()?;
        let chunk: Vec<String> = rows.by_ref().take(BATCH_ROWS).collect();
        Some(rows_batch(&chunk, &columns))
    }))
}

/// The non-blank lines of a file's bytes (unzipped first for `.gz`).
fn text_lines(path: &str, bytes: Bytes) -> Result<Vec<String>> {
    let text = if super::is_gzipped(path) {
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(bytes.as_ref())
            .read_to_string(&mut unzipped)
            .map_err(|e| EngineError::Io { path: path.to_string(), message: e.to_string() })?;
        unzipped
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Ok(text.lines().filter(|line| !line.trim().is_empty()).map(str::to_string).collect())
}

fn rows_batch(lines: &[String], columns: &[Attribute]) -> Result<RecordBatch> {
    let mut values: Vec<Vec<Value>> = vec![Vec::with_capacity(lines.len()); columns.len()];
    for line in lines {
        let parsed = serde_json::from_str::<Json>(line);
        for (column, attribute) in values.iter_mut().zip(columns) {
            column.push(match &parsed {
                Ok(Json::Object(object)) => object.get(&attribute.name).map_or(Value::Null, |v| value_of(v, &attribute.data_type)),
                _ if attribute.name == CORRUPT_RECORD => Value::String(line.clone()),
                _ => Value::Null,
            });
        }
    }
    let arrays = values.iter().zip(columns).map(|(v, a)| array_of(v, &a.data_type)).collect();
    batch_of(columns, arrays, lines.len())
}

/// The Spark type of one JSON value, before NULL-only parts are made strings.
fn infer(json: &Json) -> SparkType {
    match json {
        Json::Null => SparkType::Null,
        Json::Bool(_) => SparkType::Boolean,
        Json::Number(n) if n.is_i64() => SparkType::Long,
        Json::Number(n) if n.is_u64() => SparkType::Decimal { precision: 20, scale: 0 },
        Json::Number(_) => SparkType::Double,
        Json::String(_) => SparkType::String,
        Json::Array(items) => SparkType::array_of(items.iter().map(infer).fold(SparkType::Null, |a, b| merge(&a, &b)), true),
        Json::Object(object) => {
            let mut fields: Vec<SparkField> = object.iter().map(|(name, v)| SparkField::new(name, infer(v), true)).collect();
            fields.sort_by(|a, b| a.name.cmp(&b.name));
            SparkType::struct_of(fields)
        }
    }
}

/// The type both `a` and `b` fit in (Spark's `compatibleType` for JSON): text when nothing narrower does.
fn merge(a: &SparkType, b: &SparkType) -> SparkType {
    use SparkType::*;
    match (a, b) {
        (a, b) if a == b => a.clone(),
        (Null, t) | (t, Null) => t.clone(),
        (Long, Double) | (Double, Long) | (Double, Decimal { .. }) | (Decimal { .. }, Double) => Double,
        (Long, Decimal { .. }) | (Decimal { .. }, Long) | (Decimal { .. }, Decimal { .. }) => {
            crate::analyzer::wider_type(a, b).unwrap_or(Double)
        }
        (Array(x), Array(y)) => SparkType::array_of(merge(&x.element, &y.element), true),
        (Struct(x), Struct(y)) => {
            let mut fields: Vec<SparkField> = x.to_vec();
            for field in y.iter() {
                match fields.iter_mut().find(|f| f.name == field.name) {
                    Some(existing) => existing.data_type = merge(&existing.data_type, &field.data_type),
                    None => fields.push(field.clone()),
                }
            }
            fields.sort_by(|a, b| a.name.cmp(&b.name));
            SparkType::struct_of(fields)
        }
        _ => String,
    }
}

/// A type with every part that only ever held NULL made a string.
fn canonical(data_type: &SparkType) -> SparkType {
    match data_type {
        SparkType::Null => SparkType::String,
        SparkType::Array(array) => SparkType::array_of(canonical(&array.element), true),
        SparkType::Struct(fields) => SparkType::struct_of(
            fields.iter().map(|f| SparkField::new(&f.name, canonical(&f.data_type), true)).collect(),
        ),
        other => other.clone(),
    }
}

/// A JSON value as a value of `data_type`; NULL when it cannot be one. Text columns take any value's JSON text.
fn value_of(json: &Json, data_type: &SparkType) -> Value {
    if json.is_null() {
        return Value::Null;
    }
    let from_text = |text: &str| crate::expr::cast::cast_value(Value::String(text.to_string()), data_type).unwrap_or(Value::Null);
    match (data_type, json) {
        (SparkType::String, Json::String(text)) => Value::String(text.clone()),
        (SparkType::String, other) => Value::String(other.to_string()),
        (SparkType::Boolean, Json::Bool(b)) => Value::Boolean(*b),
        (SparkType::Long | SparkType::Integer | SparkType::Short | SparkType::Byte, Json::Number(n)) if n.is_i64() || n.is_u64() => {
            from_text(&n.to_string())
        }
        (SparkType::Double | SparkType::Float | SparkType::Decimal { .. }, Json::Number(n)) => from_text(&n.to_string()),
        (SparkType::Date | SparkType::Timestamp | SparkType::TimestampNtz, Json::String(text)) => from_text(text),
        (SparkType::Array(array), Json::Array(items)) => {
            let elements: Vec<Value> = items.iter().map(|item| value_of(item, &array.element)).collect();
            Value::new_array(&elements, array)
        }
        (SparkType::Map(map), Json::Object(object)) => {
            let entries: Vec<(Value, Value)> =
                object.iter().map(|(k, v)| (Value::String(k.clone()), value_of(v, &map.value))).collect();
            Value::new_map(&entries, map)
        }
        (SparkType::Struct(fields), Json::Object(object)) => {
            let values: Vec<Value> =
                fields.iter().map(|f| object.get(&f.name).map_or(Value::Null, |v| value_of(v, &f.data_type))).collect();
            Value::new_struct(&values, fields)
        }
        _ => Value::Null,
    }
}

/// Rows as JSON Lines, as Spark writes them: fields in column order, NULL fields left out.
pub fn json_bytes(batches: &[RecordBatch], columns: &[Attribute]) -> Result<Vec<u8>> {
    let mut out = String::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            let mut fields = Vec::new();
            for (column, attribute) in batch.columns().iter().zip(columns) {
                if column.is_valid(row) {
                    fields.push(format!("{}:{}", quoted(&attribute.name), json_text(column.as_ref(), row)?));
                }
            }
            out.push('{');
            out.push_str(&fields.join(","));
            out.push_str("}\n");
        }
    }
    Ok(out.into_bytes())
}

fn quoted(text: &str) -> String {
    Json::String(text.to_string()).to_string()
}

/// One value as JSON text: numbers in Java's form (`1.0E7`; NaN and the infinities quoted), dates and timestamps
/// as ISO text, nested values as arrays and objects.
fn json_text(column: &dyn Array, row: usize) -> Result<String> {
    if column.is_null(row) {
        return Ok("null".into());
    }
    let number = |text: String| if text.parse::<f64>().is_ok_and(f64::is_finite) { text } else { quoted(&text) };
    Ok(match column.data_type() {
        DataType::Float64 => number(java_double_string(column.as_primitive::<arrow::datatypes::Float64Type>().value(row))),
        DataType::Float32 => number(java_float_string(column.as_primitive::<arrow::datatypes::Float32Type>().value(row))),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => quoted(&Value::from_array(column, row)?.to_string()),
        DataType::Date32 => quoted(&date_string(column.as_primitive::<arrow::datatypes::Date32Type>().value(row))?),
        DataType::Timestamp(TimeUnit::Microsecond, zone) => {
            let micros = column.as_primitive::<arrow::datatypes::TimestampMicrosecondType>().value(row);
            quoted(&crate::display::iso_timestamp(micros, zone.is_some())?)
        }
        DataType::Binary => {
            use base64::Engine;
            quoted(&base64::engine::general_purpose::STANDARD.encode(column.as_binary::<i32>().value(row)))
        }
        DataType::List(_) | DataType::Map(..) | DataType::Struct(_) => nested_text(&Value::from_array(column, row)?)?,
        _ => Value::from_array(column, row)?.to_string(),
    })
}

fn nested_text(value: &Value) -> Result<String> {
    let text_of = |value: &Value| -> Result<String> {
        if value.is_null() { Ok("null".into()) } else { json_text(value.to_array(1).as_ref(), 0) }
    };
    Ok(match value.nested_parts() {
        Some(NestedParts::Array(elements)) => {
            format!("[{}]", elements.iter().map(text_of).collect::<Result<Vec<_>>>()?.join(","))
        }
        Some(NestedParts::Map(entries)) => {
            let parts = entries.iter().map(|(k, v)| Ok(format!("{}:{}", quoted(&k.to_string()), text_of(v)?)));
            format!("{{{}}}", parts.collect::<Result<Vec<_>>>()?.join(","))
        }
        Some(NestedParts::Struct(fields)) => {
            let set = fields.iter().filter(|(_, v)| !v.is_null());
            let parts = set.map(|(name, v)| Ok(format!("{}:{}", quoted(name), text_of(v)?)));
            format!("{{{}}}", parts.collect::<Result<Vec<_>>>()?.join(","))
        }
        None => "null".into(),
    })
}

/// Spark's JSON reader options, with the schema settled when the DataFrame was made.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsonOptions {
    pub schema: Option<SparkSchema>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_of(lines: &str) -> Vec<(String, String)> {
        let schema = json_schema(&[("in.json".into(), Bytes::from(lines.to_string()))]).unwrap();
        schema.fields.into_iter().map(|f| (f.name, f.data_type.simple_string())).collect()
    }

    #[test]
    fn types_are_inferred_and_widened_as_spark_does() {
        let fields = schema_of("{\"b\": 1, \"a\": \"x\", \"c\": {\"z\": 1}}\n{\"a\": 2.5, \"b\": 2.5, \"d\": null, \"e\": [1, \"x\"]}\n");
        let expected = [("a", "string"), ("b", "double"), ("c", "struct<z:bigint>"), ("d", "string"), ("e", "array<string>")];
        assert_eq!(fields, expected.map(|(n, t)| (n.to_string(), t.to_string())));
    }

    #[test]
    fn a_line_that_is_no_object_goes_to_the_corrupt_record_column() {
        let fields = schema_of("{\"b\": 1}\n{bad json\n");
        assert_eq!(fields[0], (CORRUPT_RECORD.to_string(), "string".to_string()));
    }
}
