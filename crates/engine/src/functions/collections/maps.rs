//! Maps built and read: `map_concat`, `map_entries`, `map_from_arrays`, `map_from_entries`, `map_contains_key`
//! and `str_to_map`. A map never holds a key twice or a NULL key: Spark's errors for either.

use crate::types::MapType;
use crate::value::{NestedParts, Value};
use crate::{EngineError, Result};

/// The entries of a map value, or `None` for NULL.
pub fn entries(value: &Value) -> Option<Vec<(Value, Value)>> {
    match value.nested_parts() {
        Some(NestedParts::Map(entries)) => Some(entries),
        _ => None,
    }
}

/// A map of `entries`, checked: no NULL key, no key twice.
pub fn checked_map(entries: Vec<(Value, Value)>, map_type: &MapType) -> Result<Value> {
    let mut kept: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        if key.is_null() {
            return Err(null_map_key());
        }
        if kept.iter().any(|(k, _)| *k == key) {
            return Err(duplicated_map_key(&key));
        }
        kept.push((key, value));
    }
    Ok(Value::new_map(&kept, map_type))
}

pub(crate) fn null_map_key() -> EngineError {
    EngineError::Runtime("[NULL_MAP_KEY] Cannot use null as map key. SQLSTATE: 2200E".into())
}

/// A key met twice, under Spark's default `spark.sql.mapKeyDedupPolicy` (EXCEPTION).
pub(crate) fn duplicated_map_key(key: &Value) -> EngineError {
    EngineError::Runtime(format!(
        "[DUPLICATED_MAP_KEY] Duplicate map key {key} was found, please check the input data.\nIf you want to \
         remove the duplicated keys, you can set \"spark.sql.mapKeyDedupPolicy\" to \"LAST_WIN\" so that the key \
         inserted at last takes precedence. SQLSTATE: 23505"
    ))
}

/// `map_from_arrays(keys, values)`: the `i`th key with the `i`th value; both arrays as long.
pub fn from_arrays(keys: Vec<Value>, values: Vec<Value>, map_type: &MapType) -> Result<Value> {
    if keys.len() != values.len() {
        return Err(EngineError::Runtime("The key array and value array of MapData must have the same length.".into()));
    }
    checked_map(keys.into_iter().zip(values).collect(), map_type)
}

/// `map_from_entries(array_of_pairs)`: each struct's first field as key, second as value; NULL if a pair is NULL.
pub fn from_entries(pairs: Vec<Value>, map_type: &MapType) -> Result<Value> {
    let mut entries = Vec::with_capacity(pairs.len());
    for pair in pairs {
        match pair.nested_parts() {
            Some(NestedParts::Struct(fields)) if fields.len() == 2 => {
                let mut fields = fields.into_iter().map(|(_, v)| v);
                entries.push((fields.next().unwrap_or(Value::Null), fields.next().unwrap_or(Value::Null)));
            }
            _ => return Ok(Value::Null),
        }
    }
    checked_map(entries, map_type)
}

/// `str_to_map(text, pair_delimiter, key_value_delimiter)`: the delimiters are regular expressions; a pair without
/// the second delimiter maps its key to NULL.
pub fn from_text(text: &str, pair_delimiter: &str, key_value_delimiter: &str, map_type: &MapType) -> Result<Value> {
    let mut entries = Vec::new();
    for pair in super::super::regex::split(text, pair_delimiter, -1)? {
        let mut parts = super::super::regex::split(&pair, key_value_delimiter, 2)?.into_iter();
        let key = parts.next().map_or(Value::Null, Value::String);
        let value = parts.next().map_or(Value::Null, Value::String);
        entries.push((key, value));
    }
    checked_map(entries, map_type)
}
