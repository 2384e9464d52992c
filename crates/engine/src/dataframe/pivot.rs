//! `groupBy(keys).pivot(column).agg(…)`: one output column per value of the pivot column (per value and aggregate
//! when there are several), one row per group of the keys. Without a list of values, a job first finds the
//! column's distinct values, in order, as Spark does.
//!
//! The result is computed in two aggregations: by the keys and the pivot column, then by the keys alone, each
//! value's cell taking the aggregate of the rows with that value (NULL where there are none). Spark plans the
//! second step with its own `PivotFirst` aggregate; the cells are the same.

use crate::expr::{AggregateFunction, Attribute, Expr, lit, when};
use crate::logical::output_attribute;
use crate::sort::SortOrder;
use crate::value::Value;
use crate::{EngineError, Result};

use super::GroupedData;

/// Spark's `spark.sql.pivotMaxValues`: more distinct values than this is more likely a mistake than a table.
const MAX_VALUES: usize = 10_000;

/// The pivot column and the values that become columns.
#[derive(Clone)]
pub struct Pivot {
    column: Expr,
    values: Vec<Value>,
}

impl GroupedData {
    /// `pivot(column, values)`: with no values given, the column's distinct values, sorted.
    pub fn pivot(&self, column: Expr, values: Option<Vec<Value>>) -> Result<GroupedData> {
        let column = self.df.resolve_all(vec![column])?.remove(0);
        let values = match values {
            Some(values) => values,
            None => self.distinct_values(&column)?,
        };
        Ok(GroupedData { pivot: Some(Pivot { column, values }), ..self.clone() })
    }

    fn distinct_values(&self, column: &Expr) -> Result<Vec<Value>> {
        let read = Expr::Attribute(output_attribute(column));
        let distinct = self.df.select(vec![column.clone()])?.distinct()?.order_by(vec![SortOrder::new(read, true)])?;
        let values: Vec<Value> = distinct.limit(MAX_VALUES + 1).collect()?.into_iter().map(|mut row| row.remove(0)).collect();
        if values.len() > MAX_VALUES {
            return Err(EngineError::Analysis(format!(
                "The pivot column {} has more than {MAX_VALUES} distinct values, this could indicate an error. If this \
                 was intended, set spark.sql.pivotMaxValues to at least the number of distinct values of the pivot \
                 column.",
                column.sql_name()
            )));
        }
        Ok(values)
    }

    /// The pivot table of `aggregates` (already resolved and named).
    pub(super) fn pivoted(&self, pivot: &Pivot, aggregates: Vec<Expr>) -> Result<super::DataFrame> {
        let keys_and_column: Vec<Expr> = self.keys.iter().cloned().chain([pivot.column.clone()]).collect();
        let by_value = self.df.group_by(keys_and_column)?.agg(aggregates.clone())?;
        let read = |e: &Expr| Expr::Attribute(by_value_column(&by_value.attributes(), &output_attribute(e).name));
        let column = read(&pivot.column);
        let mut cells = Vec::new();
        for value in &pivot.values {
            let is_value = Expr::Binary {
                op: crate::expr::BinaryOp::NullSafeEq,
                left: Box::new(column.clone()),
                right: Box::new(lit(value.clone()).cast(pivot.column.data_type())),
            };
            for aggregate in &aggregates {
                let picked = Expr::Aggregate {
                    function: AggregateFunction::FirstIgnoreNulls,
                    args: vec![when(is_value.clone(), read(aggregate))],
                    distinct: false,
                    filter: None,
                };
                let name = match aggregates.len() {
                    1 => column_name(value),
                    _ => format!("{}_{}", column_name(value), output_attribute(aggregate).name),
                };
                cells.push(picked.alias(&name));
            }
        }
        let keys = self.keys.iter().map(|k| Expr::Attribute(by_value_column(&by_value.attributes(), &output_attribute(k).name))).collect();
        by_value.group_by(keys)?.agg(cells)
    }
}

fn by_value_column(columns: &[Attribute], name: &str) -> Attribute {
    columns.iter().find(|c| c.name == name).cloned().expect("the first aggregation outputs every key and aggregate")
}

/// A value as the name of its column: `null` for NULL, else its text.
fn column_name(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::String(text) => text.clone(),
        other => crate::expr::cast::cast_value(other.clone(), &crate::types::SparkType::String)
            .ok()
            .and_then(|v| if let Value::String(text) = v { Some(text) } else { None })
            .unwrap_or_else(|| other.to_string()),
    }
}
