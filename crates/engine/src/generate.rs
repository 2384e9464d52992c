//! Generate: how `explode` makes many rows out of one.
//!
//! `df.select("id", explode("trips"))` cannot be a projection: a projection gives one row per input row, and a row
//! whose `trips` array holds three elements must become three rows. Spark moves the generator out of the select
//! list into a `Generate` operator of its own: for each input row it emits one row per element (per entry of a
//! map), carrying along the input columns the query still needs (`[id#0]` in the plan) and appending the element's
//! columns (`col`, or `key` and `value`; `posexplode` adds `pos`). `explode_outer` keeps a row whose array is empty
//! or NULL, once, with NULLs. Like a filter or a projection it works row by row inside a stage: no shuffle.

use arrow::array::{ArrayRef, UInt32Array};
use arrow::compute::take;
use arrow::record_batch::RecordBatch;

use crate::expr::eval::evaluate;
use crate::expr::generator::{Generator, GeneratorKind};
use crate::expr::{Attribute, Expr};
use crate::hash_aggregate::batch_of;
use crate::value::{NestedParts, Value, array_of};
use crate::Result;

/// `Generate explode(arr#1), [id#0], false, [col#5]`, as plans print it: the generator, the input columns carried
/// along (left out when there are none), whether it is an outer generator, and the generated columns.
pub fn node_string(generator: &Generator, required: &[Attribute], generated: &[Attribute]) -> String {
    let names = |attributes: &[Attribute]| attributes.iter().map(Attribute::plan_string).collect::<Vec<_>>().join(", ");
    let call = Expr::Generator(Box::new(generator.clone())).plan_string();
    let carried = if required.is_empty() { String::new() } else { format!("[{}], ", names(required)) };
    format!("Generate {call}, {carried}{}, [{}]", generator.outer, names(generated))
}

/// The rows `batch` (whose columns are `input`) generates: each row's `required` columns once per element, then
/// the elements' columns (`output` is `required` followed by the generated columns).
pub fn generate_batch(
    generator: &Generator,
    required: &[Attribute],
    input: &[Attribute],
    output: &[Attribute],
    batch: &RecordBatch,
) -> Result<RecordBatch> {
    let values = evaluate(&generator.arg, batch, input)?;
    let generated_types: Vec<_> = output[required.len()..].iter().map(|a| a.data_type.clone()).collect();
    let mut source_rows: Vec<u32> = Vec::new();
    let mut generated: Vec<Vec<Value>> = vec![Vec::new(); generated_types.len()];
    for row in 0..batch.num_rows() {
        let parts = element_rows(generator, &Value::from_array(values.as_ref(), row)?);
        for parts in parts {
            source_rows.push(row as u32);
            for (column, value) in generated.iter_mut().zip(parts) {
                column.push(value);
            }
        }
    }
    let indices = UInt32Array::from(source_rows);
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(output.len());
    for attribute in required {
        let position = input.iter().position(|a| a.id == attribute.id).ok_or_else(|| {
            crate::EngineError::Internal(format!("{} is not an input of Generate", attribute.plan_string()))
        })?;
        columns.push(take(batch.column(position).as_ref(), &indices, None)?);
    }
    columns.extend(generated.iter().zip(&generated_types).map(|(values, data_type)| array_of(values, data_type)));
    batch_of(output, columns, indices.len())
}

/// The generated columns' values for each row one value generates: per element `[pos,] element` or
/// `[pos,] key, value`; for an outer generator over nothing, one row of NULLs.
fn element_rows(generator: &Generator, value: &Value) -> Vec<Vec<Value>> {
    if generator.kind == GeneratorKind::JsonTuple {
        return vec![json_fields(value)];
    }
    if generator.kind == GeneratorKind::Stack {
        return stacked_rows(generator, value);
    }
    let positioned = generator.kind == GeneratorKind::PosExplode;
    let inline = generator.kind == GeneratorKind::Inline;
    let mut rows: Vec<Vec<Value>> = match value.nested_parts() {
        Some(NestedParts::Array(elements)) if inline => elements
            .into_iter()
            .map(|e| match e.nested_parts() {
                Some(NestedParts::Struct(fields)) => fields.into_iter().map(|(_, v)| v).collect(),
                _ => vec![Value::Null; generator.columns().len()],
            })
            .collect(),
        Some(NestedParts::Array(elements)) => elements.into_iter().map(|e| vec![e]).collect(),
        Some(NestedParts::Map(entries)) => entries.into_iter().map(|(k, v)| vec![k, v]).collect(),
        _ => Vec::new(),
    };
    if positioned {
        for (position, row) in rows.iter_mut().enumerate() {
            row.insert(0, Value::Integer(position as i32));
        }
    }
    if rows.is_empty() && generator.outer {
        let width = generator.columns().len();
        rows.push(vec![Value::Null; width]);
    }
    rows
}

/// `stack`'s rows: the values after the count, a row's worth at a time, NULL past the last one.
fn stacked_rows(generator: &Generator, value: &Value) -> Vec<Vec<Value>> {
    let Some(NestedParts::Struct(fields)) = value.nested_parts() else { return Vec::new() };
    let values: Vec<Value> = fields.into_iter().skip(1).map(|(_, v)| v).collect();
    let (rows, _) = generator.stack_layout();
    let width = values.len().div_ceil(rows.max(1));
    (0..rows).map(|r| (0..width).map(|j| values.get(r * width + j).cloned().unwrap_or(Value::Null)).collect()).collect()
}

/// `json_tuple`'s one row: each named field of the JSON object (the array's first element) as text — a string as it
/// is, anything else as JSON — NULL where the field is missing or the text is no JSON object.
fn json_fields(value: &Value) -> Vec<Value> {
    let Some(NestedParts::Array(parts)) = value.nested_parts() else { return Vec::new() };
    let object = match parts.first() {
        Some(Value::String(text)) => serde_json::from_str::<serde_json::Value>(text).ok(),
        _ => None,
    };
    parts[1..]
        .iter()
        .map(|field| match (&object, field) {
            (Some(serde_json::Value::Object(object)), Value::String(name)) => match object.get(name) {
                None | Some(serde_json::Value::Null) => Value::Null,
                Some(serde_json::Value::String(text)) => Value::String(text.clone()),
                Some(other) => Value::String(other.to_string()),
            },
            _ => Value::Null,
        })
        .collect()
}
