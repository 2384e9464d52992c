//! Jobs: what one action runs.
//!
//! An action (`count()`, `show()`, `collect()`, a write) makes Spark plan a job and run it as stages of tasks.
//! The job here is the first one the course meets: read a file, cut it into partitions, and sum a column in each
//! partition in parallel — one stage, one task per partition, no shuffle.

use arrow::array::{Array, Float64Array};
use arrow::compute::{cast, sum};
use arrow::datatypes::DataType;
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::executor::Executors;
use crate::io::Table;
use crate::partition::{Partition, PartitionSize, split_evenly};
use crate::scheduler::run_stage;
use crate::schema::resolve_column;
use crate::trace::JobTrace;
use crate::{EngineError, Result};

/// One partition's share of a column sum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionSum {
    pub partition: usize,
    pub rows: u64,
    /// `None` when the partition holds no non-NULL value (Spark's SUM of no values is NULL).
    pub sum: Option<f64>,
}

/// The result of [`sum_per_partition`] and the trace of the job that computed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SumPerPartition {
    pub column: String,
    pub partitions: Vec<PartitionSum>,
    /// The partition sums added in partition order; `None` when every value is NULL.
    pub total: Option<f64>,
    pub trace: JobTrace,
}

/// Cuts `table` into `partition_count` partitions and sums `column` in each, one task per partition.
pub fn sum_per_partition(
    table: &Table,
    column: &str,
    partition_count: usize,
    executors: &Executors,
    clock: &dyn Clock,
) -> Result<SumPerPartition> {
    let index = resolve_column(&table.schema, column)?;
    let column = table.schema.field(index).name().clone();
    let partitions = split_evenly(table, partition_count);
    let job_start = clock.now_ms();
    let stage = run_stage(0, &partitions, executors, clock, job_start, |partition| {
        sum_column(partition, index, &column)
    })?;
    let trace = JobTrace {
        description: format!("sum({column}) per partition"),
        executors: executors.count(),
        partitions: partitions.iter().map(size_of).collect(),
        tasks: stage.tasks,
        duration_us: crate::scheduler::micros_since(clock, job_start),
        ..JobTrace::default()
    };
    let partition_sums: Vec<PartitionSum> = partitions
        .iter()
        .zip(stage.results)
        .map(|(partition, sum)| PartitionSum { partition: partition.id, rows: partition.num_rows() as u64, sum })
        .collect();
    let total = partition_sums.iter().filter_map(|p| p.sum).reduce(|a, b| a + b);
    Ok(SumPerPartition { column, partitions: partition_sums, total, trace })
}

/// The sum of one numeric column over a partition, skipping NULLs.
fn sum_column(partition: &Partition, index: usize, name: &str) -> Result<Option<f64>> {
    let mut total: Option<f64> = None;
    for batch in &partition.batches {
        let values = batch.column(index);
        if !values.data_type().is_numeric() && values.data_type() != &DataType::Null {
            return Err(EngineError::NotNumeric { column: name.to_string(), data_type: values.data_type().clone() });
        }
        let doubles = cast(values, &DataType::Float64)?;
        let doubles = doubles.as_any().downcast_ref::<Float64Array>().expect("cast to Float64 gives Float64Array");
        if let Some(batch_sum) = sum(doubles) {
            total = Some(total.unwrap_or(0.0) + batch_sum);
        }
    }
    Ok(total)
}

/// A sum as Kindling prints it everywhere (CLI and browser alike): the shortest text that reads back as the same
/// double, or `NULL`.
pub fn display_sum(sum: Option<f64>) -> String {
    sum.map_or_else(|| "NULL".to_string(), |s| s.to_string())
}

fn size_of(partition: &Partition) -> PartitionSize {
    PartitionSize { partition: partition.id, rows: partition.num_rows() as u64, bytes: partition.size_bytes() as u64 }
}
