//! Size estimates: how big the planner thinks each part of a query is, before running it.
//!
//! To pick a join strategy Spark needs to know whether one side is small enough to copy to every executor
//! (`spark.sql.autoBroadcastJoinThreshold`, 10 MB). Without collected statistics it guesses from what it knows: a
//! file scan is as big as its files; a projection shrinks its input in proportion to the row width it keeps (a
//! column counts 4 bytes for an int, 8 for a double, 20 for a string, plus 8 per row); a filter keeps the size of
//! its input; a join of two inputs may be as big as their product. Kindling makes the same guesses, so it picks the
//! strategies Spark picks.

use crate::expr::Attribute;
use crate::join::JoinType;
use crate::logical::{LogicalPlan, Source};
use crate::types::SparkType;

/// The estimated size of `plan`'s output in bytes (Spark's `sizeInBytes` without cost-based statistics).
pub fn size_in_bytes(plan: &LogicalPlan) -> u128 {
    match plan {
        // A scan that reads only some columns stands for Spark's projection over the relation: the files' size,
        // scaled to the columns read.
        LogicalPlan::Scan(scan) => {
            let whole = match scan.source.as_ref() {
                Source::Files { files, .. } => files.iter().map(|f| f.size as u128).sum(),
                // An RDD's size is unknown to Spark (`LogicalRDD`): `spark.sql.defaultSizeInBytes`, never broadcast.
                Source::Memory { from_rdd: true, .. } => i64::MAX as u128,
                Source::Memory { table, .. } => table.num_rows() as u128 * row_size(&scan.columns),
                Source::Range(range) => range.count().saturating_mul(row_size(&scan.columns)),
            };
            if scan.output.len() == scan.columns.len() {
                whole
            } else {
                (whole * row_size(&scan.output) / row_size(&scan.columns)).max(1)
            }
        }
        LogicalPlan::Aggregate { group, .. } if group.is_empty() => row_size(&plan.output()),
        LogicalPlan::Join { left, right, join_type, .. } => match join_type {
            JoinType::LeftSemi | JoinType::LeftAnti => size_in_bytes(left),
            _ => size_in_bytes(left).saturating_mul(size_in_bytes(right)),
        },
        LogicalPlan::Union { inputs, .. } => inputs.iter().map(|i| size_in_bytes(i)).fold(0, u128::saturating_add),
        LogicalPlan::Limit { count, .. } => *count as u128 * row_size(&plan.output()),
        // Spark cannot estimate what a Python function produces: `spark.sql.defaultSizeInBytes`, never broadcast.
        LogicalPlan::MapPartitions { .. } => i64::MAX as u128,
        LogicalPlan::InMemoryRelation { cache, .. } => size_in_bytes(&cache.plan),
        LogicalPlan::Sample { sample, input } => (size_in_bytes(input) as f64 * (sample.upper - sample.lower)) as u128,
        // Each row once per projection.
        LogicalPlan::Expand { projections, input, .. } => size_in_bytes(input).saturating_mul(projections.len() as u128),
        LogicalPlan::Project { input, .. }
        | LogicalPlan::Generate { input, .. }
        | LogicalPlan::Window { input, .. }
        | LogicalPlan::Filter { input, .. }
        | LogicalPlan::Aggregate { input, .. }
        | LogicalPlan::Repartition { input, .. }
        | LogicalPlan::Coalesce { input, .. }
        | LogicalPlan::Sort { input, .. }
        | LogicalPlan::BroadcastHint { input }
        | LogicalPlan::SubqueryAlias { input, .. } => {
            // A node keeps its input's rows; its size scales with the width of the rows it outputs.
            let (output, input_width) = (row_size(&plan.output()), row_size(&input.output()));
            (size_in_bytes(input).saturating_mul(output) / input_width.max(1)).max(1)
        }
    }
}

/// Spark's estimated row width: 8 bytes of overhead plus each column's default size.
fn row_size(columns: &[Attribute]) -> u128 {
    8 + columns.iter().map(|a| default_size(&a.data_type)).sum::<u128>()
}

/// Spark's `DataType.defaultSize`.
fn default_size(data_type: &SparkType) -> u128 {
    match data_type {
        SparkType::Null | SparkType::Boolean | SparkType::Byte => 1,
        SparkType::Short => 2,
        SparkType::Integer | SparkType::Float | SparkType::Date | SparkType::YearMonthInterval { .. } => 4,
        SparkType::Long | SparkType::Double | SparkType::Timestamp | SparkType::TimestampNtz | SparkType::Time => 8,
        SparkType::DayTimeInterval { .. } => 8,
        SparkType::Decimal { precision, .. } => if *precision <= 18 { 8 } else { 16 },
        SparkType::String => 20,
        SparkType::Binary => 100,
        // Spark counts one element, one entry, every field.
        SparkType::Array(array) => default_size(&array.element),
        SparkType::Map(map) => default_size(&map.key) + default_size(&map.value),
        SparkType::Struct(fields) => fields.iter().map(|f| default_size(&f.data_type)).sum(),
    }
}
