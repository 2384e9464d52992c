//! `df.describe()` / `df.summary()`: a few statistics of each numeric and string column, as a small table of
//! text — one row per statistic (`count`, `mean`, `stddev`, `min`, `max`, percentiles such as `25%`, distinct counts),
//! one column per input column, each value
//! cast to a string as Spark casts it. The statistics are computed by one aggregation over the DataFrame; the
//! table is built from its single row.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};

use crate::analyzer::resolve_name;
use crate::expr::{AggregateFunction, Attribute, Expr, Statistic, aggregate, lit};
use crate::io::Table;
use crate::types::SparkType;
use crate::value::Value;
use crate::{EngineError, Result};

use super::DataFrame;

/// The statistics `describe()` shows.
pub const DESCRIBE: [&str; 5] = ["count", "mean", "stddev", "min", "max"];

impl DataFrame {
    /// `describe(cols…)`: count, mean, stddev, min and max of the columns (every numeric and string column when
    /// none is named).
    pub fn describe(&self, columns: &[&str]) -> Result<DataFrame> {
        self.summarize(&DESCRIBE, columns)
    }

    /// `summary(statistics…)`: the statistics named, over every numeric and string column.
    pub fn summary(&self, statistics: &[&str]) -> Result<DataFrame> {
        let statistics = if statistics.is_empty() { vec!["count", "mean", "stddev", "min", "25%", "50%", "75%", "max"] } else { statistics.to_vec() };
        self.summarize(&statistics, &[])
    }

    fn summarize(&self, statistics: &[&str], names: &[&str]) -> Result<DataFrame> {
        let input = self.attributes();
        let columns: Vec<Attribute> = if names.is_empty() {
            input.into_iter().filter(|a| a.data_type.is_numeric() || a.data_type == SparkType::String).collect()
        } else {
            names.iter().map(|name| resolve_name(name, &input)).collect::<Result<_>>()?
        };
        let mut cells = Vec::new();
        for statistic in statistics {
            for (i, column) in columns.iter().enumerate() {
                cells.push(statistic_of(statistic, column)?.cast(SparkType::String).alias(&format!("{statistic}_{i}")));
            }
        }
        let computed = if cells.is_empty() { Vec::new() } else { self.select(cells)?.collect()?.remove(0) };
        let mut text_columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from(statistics.to_vec()))];
        for i in 0..columns.len() {
            let values = (0..statistics.len()).map(|s| match &computed[s * columns.len() + i] {
                Value::String(text) => Some(text.clone()),
                _ => None,
            });
            text_columns.push(Arc::new(values.collect::<StringArray>()));
        }
        let fields: Vec<Field> = std::iter::once("summary")
            .chain(columns.iter().map(|c| c.name.as_str()))
            .map(|name| Field::new(name, DataType::Utf8, true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), text_columns)?;
        self.session().create_dataframe(Table { schema, batches: vec![batch] }, 1)
    }
}

/// One statistic of one column; mean and stddev of text are NULL.
fn statistic_of(statistic: &str, column: &Attribute) -> Result<Expr> {
    let read = Expr::Attribute(column.clone());
    let numeric = column.data_type.is_numeric();
    Ok(match statistic {
        "count" => aggregate(AggregateFunction::Count, read),
        "mean" if numeric => aggregate(AggregateFunction::Avg, read),
        "stddev" if numeric => aggregate(AggregateFunction::Statistic(Statistic::StddevSamp), read),
        "mean" | "stddev" => lit(Value::Null),
        "min" => aggregate(AggregateFunction::Min, read),
        "max" => aggregate(AggregateFunction::Max, read),
        "count_distinct" => Expr::Aggregate { function: AggregateFunction::Count, args: vec![read], distinct: true, filter: None },
        "approx_count_distinct" => crate::expr::approx_count_distinct(read, None)?,
        // A percentile is Spark's approximate one at its default accuracy, in the column's own type.
        percentile if percentile.ends_with('%') => match percentile.trim_end_matches('%').parse::<f64>() {
            Ok(percent) if numeric => Expr::Aggregate {
                function: AggregateFunction::PercentileApprox,
                args: vec![read, lit(percent / 100.0), lit(10_000)],
                distinct: false,
                filter: None,
            },
            Ok(_) => lit(Value::Null),
            Err(_) => return Err(unrecognised(percentile)),
        },
        other => return Err(unrecognised(other)),
    })
}

fn unrecognised(statistic: &str) -> EngineError {
    EngineError::Analysis(format!(
        "{statistic} is not a recognised statistic: use count, count_distinct, approx_count_distinct, mean, stddev, \
         min, max or a percentile"
    ))
}
