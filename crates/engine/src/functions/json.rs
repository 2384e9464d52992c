//! JSON text in columns: `get_json_object(j, '$.a.b[0]')` picks a part by a JSON path, `from_json(j, schema)` reads
//! the text as a value of a Spark type (Spark's PERMISSIVE reading: a struct of NULLs for text that is no JSON),
//! `to_json(x)` writes a struct, array or map, `schema_of_json('…')` names the type Spark would infer, and
//! `json_array_length` / `json_object_keys` measure the text. The conversions are [`crate::value::json`]'s.

use serde_json::Value as Json;

use crate::expr::Expr;
use crate::types::SparkType;
use crate::value::json::{canonical, infer, nested_text, value_of};
use crate::value::{Value, array_of};
use crate::{EngineError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonFunction {
    GetJsonObject,
    FromJson,
    ToJson,
    SchemaOfJson,
    JsonArrayLength,
    JsonObjectKeys,
}

use JsonFunction::*;

const ALL: [JsonFunction; 6] = [GetJsonObject, FromJson, ToJson, SchemaOfJson, JsonArrayLength, JsonObjectKeys];

impl JsonFunction {
    pub fn name(self) -> &'static str {
        match self {
            GetJsonObject => "get_json_object",
            FromJson => "from_json",
            ToJson => "to_json",
            SchemaOfJson => "schema_of_json",
            JsonArrayLength => "json_array_length",
            JsonObjectKeys => "json_object_keys",
        }
    }

    pub fn by_name(name: &str) -> Option<Self> {
        ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn arity(self) -> (usize, usize) {
        match self {
            GetJsonObject | FromJson => (2, 2),
            _ => (1, 1),
        }
    }

    /// The types the arguments are cast to (`to_json` takes its value as it is).
    pub fn argument_types(self, args: &[Expr]) -> Vec<SparkType> {
        match self {
            ToJson => args.iter().map(Expr::data_type).collect(),
            _ => vec![SparkType::String; args.len()],
        }
    }

    pub fn return_type(self, args: &[Expr]) -> SparkType {
        match self {
            FromJson => args.get(1).and_then(|schema| target_type(schema).ok()).unwrap_or(SparkType::Null),
            JsonArrayLength => SparkType::Integer,
            JsonObjectKeys => SparkType::array_of(SparkType::String, true),
            _ => SparkType::String,
        }
    }

    /// Checks what only the arguments' types and constants can tell: `from_json`'s schema, `to_json`'s value.
    pub fn check(self, args: &[Expr]) -> Result<()> {
        match self {
            FromJson => target_type(&args[1]).map(|_| ()),
            ToJson => match args[0].data_type() {
                SparkType::Struct(_) | SparkType::Array(_) | SparkType::Map(_) => Ok(()),
                other => Err(EngineError::Analysis(format!(
                    "[DATATYPE_MISMATCH.INVALID_JSON_SCHEMA] Cannot resolve \"to_json({})\" due to data type mismatch: \
                     Input schema \"{}\" must be a struct, an array, a map or a variant. SQLSTATE: 42K09",
                    args[0].sql_name(),
                    other.simple_string().to_uppercase()
                ))),
            },
            _ => Ok(()),
        }
    }

    pub fn nullable(self) -> bool {
        self != SchemaOfJson
    }

    /// The value for one row's non-NULL arguments, of type `result_type`.
    pub fn apply(self, args: &[Value], result_type: &SparkType) -> Result<Value> {
        let text = |i: usize| if let Value::String(s) = &args[i] { s.as_str() } else { "" };
        let parsed = || serde_json::from_str::<Json>(text(0)).ok();
        Ok(match self {
            GetJsonObject => parsed().and_then(|json| json_path(&json, text(1))).map_or(Value::Null, Value::String),
            FromJson => match parsed() {
                Some(json) => value_of(&json, result_type),
                // Spark's PERMISSIVE mode: a struct of NULLs for text that is no JSON.
                None if matches!(result_type, SparkType::Struct(_)) => value_of(&Json::Object(Default::default()), result_type),
                None => Value::Null,
            },
            ToJson => Value::String(nested_text(&args[0])?),
            SchemaOfJson => match parsed() {
                Some(json) => Value::String(canonical(&infer(&json)).sql()),
                None => return Err(EngineError::Runtime(format!("Cannot infer a schema from the text '{}', which is no JSON.", text(0)))),
            },
            JsonArrayLength => match parsed() {
                Some(Json::Array(items)) => Value::Integer(items.len() as i32),
                _ => Value::Null,
            },
            JsonObjectKeys => match parsed() {
                Some(Json::Object(object)) => {
                    let keys: Vec<Value> = object.keys().map(|k| Value::String(k.clone())).collect();
                    let SparkType::Array(array) = result_type else { return Ok(Value::Null) };
                    Value::new_array(&keys, array)
                }
                _ => Value::Null,
            },
        })
    }

    /// Every row's value, from the arguments' arrays.
    pub fn evaluate(self, args: &[arrow::array::ArrayRef], rows: usize, result_type: &SparkType) -> Result<arrow::array::ArrayRef> {
        let values = super::row_by_row(args, rows, |row| {
            if row.first().is_none_or(Value::is_null) { Ok(Value::Null) } else { self.apply(row, result_type) }
        })?;
        Ok(array_of(&values, result_type))
    }
}

/// The type `from_json`'s schema argument names: a type (`array<int>`, `struct<a:int>`) or a DDL field list
/// (`a INT, b STRING`). It must be a constant.
pub(super) fn target_type(schema: &Expr) -> Result<SparkType> {
    let Expr::Literal(Value::String(text)) = schema else {
        return Err(EngineError::Analysis(format!(
            "[INVALID_SCHEMA.NON_STRING_LITERAL] The input schema \"{}\" is not a valid schema string. The input \
             expression must be string literal and not null. SQLSTATE: 42K07",
            schema.sql_name()
        )));
    };
    SparkType::parse(text).or_else(|_| crate::schema::parse_ddl_schema(text).map(|schema| SparkType::struct_of(schema.fields)))
}

/// The part of `json` a path (`$`, `.name`, `['name']`, `[0]`, `[*]`) picks, as text: a string as it is, anything
/// else as compact JSON. A wildcard collects what it matches into a JSON array (one match stands alone).
fn json_path(json: &Json, path: &str) -> Option<String> {
    let steps = path_steps(path)?;
    let mut current: Vec<&Json> = vec![json];
    let mut widened = false;
    for step in &steps {
        current = match step {
            Step::Field(name) => current.iter().filter_map(|j| j.get(name.as_str())).collect(),
            Step::Index(i) => current.iter().filter_map(|j| j.get(*i)).collect(),
            Step::All => {
                widened = true;
                current.iter().filter_map(|j| j.as_array()).flatten().collect()
            }
        };
    }
    let text = |j: &Json| match j {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    match current.as_slice() {
        [] | [Json::Null] => None,
        [one] => Some(text(one)),
        many if widened => Some(Json::Array(many.iter().map(|j| (*j).clone()).collect()).to_string()),
        _ => None,
    }
}

enum Step {
    Field(String),
    Index(usize),
    All,
}

fn path_steps(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.trim().strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end == 0 {
                return None;
            }
            steps.push(Step::Field(after[..end].to_string()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let inside = after[..end].trim();
            steps.push(match inside {
                "*" => Step::All,
                quoted if quoted.starts_with('\'') && quoted.ends_with('\'') && quoted.len() >= 2 => {
                    Step::Field(quoted[1..quoted.len() - 1].to_string())
                }
                number => Step::Index(number.parse().ok()?),
            });
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spark's answers for `get_json_object`.
    #[test]
    fn paths_pick_parts_as_spark_does() {
        let json: Json = serde_json::from_str(r#"{"a": 1, "b": {"c": [1, 2.5, "x"]}, "e": "t", "l": [{"b": 1}, {"b": 2}]}"#).unwrap();
        assert_eq!(json_path(&json, "$.a").as_deref(), Some("1"));
        assert_eq!(json_path(&json, "$.b.c[1]").as_deref(), Some("2.5"));
        assert_eq!(json_path(&json, "$.b").as_deref(), Some(r#"{"c":[1,2.5,"x"]}"#));
        assert_eq!(json_path(&json, "$.e").as_deref(), Some("t"));
        assert_eq!(json_path(&json, "$.l[*].b").as_deref(), Some("[1,2]"));
        assert_eq!(json_path(&json, "$.zz"), None);
    }
}
