//! Partitions: the unit of parallelism.
//!
//! Spark never processes a data set as a whole. It cuts it into *partitions* and runs one task per partition, so
//! N partitions can be worked on by up to N executors at once. Here a partition is a list of Arrow record batches;
//! cutting a table into partitions slices its batches without copying any data.

use arrow::record_batch::RecordBatch;
use serde::{Deserialize, Serialize};

use crate::io::Table;

/// One slice of a data set, processed by one task.
#[derive(Debug, Clone)]
pub struct Partition {
    pub id: usize,
    pub batches: Vec<RecordBatch>,
}

impl Partition {
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// Bytes of Arrow memory this partition's data occupies.
    pub fn size_bytes(&self) -> usize {
        self.batches.iter().map(RecordBatch::get_array_memory_size).sum()
    }
}

/// Rows and bytes of one partition, as the UI's partition view shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionSize {
    pub partition: usize,
    pub rows: u64,
    pub bytes: u64,
}

/// Cuts `table` into `count` partitions of contiguous rows whose sizes differ by at most one row.
/// Partition `i` holds rows `[i*n/count, (i+1)*n/count)` of the table's `n` rows, in order.
pub fn split_evenly(table: &Table, count: usize) -> Vec<Partition> {
    split_at(table, &even_bounds(table.num_rows(), count))
}

/// Where `count` even slices of `rows` rows start, and the end: `[0, n/count, 2n/count, …, n]`.
pub fn even_bounds(rows: usize, count: usize) -> Vec<usize> {
    let count = count.max(1);
    (0..=count).map(|i| i * rows / count).collect()
}

/// Cuts `table` at `bounds` (the first row of each partition, then the end).
pub fn split_at(table: &Table, bounds: &[usize]) -> Vec<Partition> {
    bounds
        .windows(2)
        .enumerate()
        .map(|(id, range)| Partition { id, batches: slice_rows(&table.batches, range[0], range[1]) })
        .collect()
}

/// The rows `[start, end)` of a sequence of batches, as zero-copy slices.
fn slice_rows(batches: &[RecordBatch], start: usize, end: usize) -> Vec<RecordBatch> {
    let mut slices = Vec::new();
    let mut batch_start = 0;
    for batch in batches {
        let batch_end = batch_start + batch.num_rows();
        let from = start.max(batch_start);
        let to = end.min(batch_end);
        if from < to {
            slices.push(batch.slice(from - batch_start, to - from));
        }
        batch_start = batch_end;
    }
    slices
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Array, Int64Array};
    use arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    fn table_of_batches(sizes: &[i64]) -> Table {
        let schema = Arc::new(Schema::new(vec![Field::new("v", DataType::Int64, false)]));
        let mut next = 0;
        let batches = sizes
            .iter()
            .map(|&size| {
                let values = Int64Array::from_iter_values(next..next + size);
                next += size;
                RecordBatch::try_new(schema.clone(), vec![Arc::new(values)]).unwrap()
            })
            .collect();
        Table { schema, batches }
    }

    fn values(partition: &Partition) -> Vec<i64> {
        partition
            .batches
            .iter()
            .flat_map(|b| b.column(0).as_any().downcast_ref::<Int64Array>().unwrap().values().to_vec())
            .collect()
    }

    #[test]
    fn partitions_cover_every_row_once_in_order() {
        let table = table_of_batches(&[5, 7, 1, 10]);
        for count in 1..=30 {
            let partitions = split_evenly(&table, count);
            assert_eq!(partitions.len(), count);
            let all: Vec<i64> = partitions.iter().flat_map(values).collect();
            assert_eq!(all, (0..23).collect::<Vec<_>>(), "count = {count}");
        }
    }

    #[test]
    fn partition_sizes_differ_by_at_most_one_row() {
        let table = table_of_batches(&[100, 3, 50]);
        let sizes: Vec<usize> = split_evenly(&table, 7).iter().map(Partition::num_rows).collect();
        let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        assert!(max - min <= 1, "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), 153);
    }

    #[test]
    fn more_partitions_than_rows_leaves_some_empty() {
        let table = table_of_batches(&[2]);
        let partitions = split_evenly(&table, 4);
        let sizes: Vec<usize> = partitions.iter().map(Partition::num_rows).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 2);
        assert!(partitions.iter().all(|p| p.batches.iter().all(|b| !b.column(0).is_empty())));
    }
}
