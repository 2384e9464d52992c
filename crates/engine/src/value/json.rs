//! Values to and from JSON, as Spark converts them: reading JSON Lines and `from_json` take a JSON value as a value
//! of a Spark type (NULL where it cannot be one); `to_json` and writing JSON Lines write numbers in Java's form,
//! dates and timestamps as ISO text, and leave a struct's NULL fields out; schema inference widens types as Spark's
//! `compatibleType` does.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, TimeUnit};
use serde_json::Value as Json;

use super::{NestedParts, Value};
use crate::Result;
use crate::display::{date_string, java_double_string, java_float_string};
use crate::schema::SparkField;
use crate::types::SparkType;

/// The Spark type of one JSON value, before NULL-only parts are made strings.
pub fn infer(json: &Json) -> SparkType {
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
pub fn merge(a: &SparkType, b: &SparkType) -> SparkType {
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
pub fn canonical(data_type: &SparkType) -> SparkType {
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
pub fn value_of(json: &Json, data_type: &SparkType) -> Value {
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

pub fn quoted(text: &str) -> String {
    Json::String(text.to_string()).to_string()
}

/// One value as JSON text: numbers in Java's form (`1.0E7`; NaN and the infinities quoted), dates and timestamps
/// as ISO text, nested values as arrays and objects.
pub fn json_text(column: &dyn Array, row: usize) -> Result<String> {
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

pub fn nested_text(value: &Value) -> Result<String> {
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
