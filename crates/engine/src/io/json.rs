//! JSON Lines, as Spark reads and writes it: one JSON object per line.
//!
//! Without a given schema, Spark reads every line once to infer one: a field's type is the widest of its values'
//! (a whole number is a `bigint`, a fraction a `double`, both a `double`; anything mixed with text is text), objects
//! become structs and lists arrays, a field that is only ever `null` is a string, and fields are sorted by name.
//! A line that is not a JSON object is kept, whole, in a `_corrupt_record` column (Spark's default PERMISSIVE mode),
//! its other columns NULL. Writing, Spark leaves NULL fields out, and writes dates and timestamps as ISO text.

use std::io::Read;

use arrow::array::{Array, RecordBatch};
use bytes::Bytes;
use serde_json::Value as Json;

use super::csv::SplitLines;
use crate::expr::Attribute;
use crate::hash_aggregate::batch_of;
use crate::schema::{SparkField, SparkSchema};
use crate::types::SparkType;
use crate::value::json::{canonical, infer, json_text, merge, quoted, value_of};
use crate::value::{Value, array_of};
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
