//! Exchanges: the shuffle boundary between two stages.
//!
//! Some operations need rows with equal keys together (a group-by, a join) or simply a different number of
//! partitions (`repartition`). Spark then ends the stage: every map task splits its partition's rows by target
//! partition and writes them out (the *shuffle write*); the next stage's tasks each fetch their share from every
//! map task (the *shuffle read*). The [`ShuffleMatrix`] records how many rows went from which map partition to which
//! reduce partition — the picture of a reshuffle.

use arrow::array::{ArrayRef, RecordBatch, UInt32Array};
use arrow::compute::take_record_batch;
use serde::{Deserialize, Serialize};

use crate::partition::Partition;
use crate::partitioner::{hash_partition_ids, round_robin_start};
use crate::schema::resolve_column;
use crate::Result;

/// How an exchange assigns rows to output partitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partitioning {
    /// `hashpartitioning(keys, n)`: by Spark's Murmur3 hash of the key columns.
    Hash { keys: Vec<String>, partitions: usize },
    /// `roundrobinpartitioning(n)`: evenly, each map partition starting at its own place.
    RoundRobin { partitions: usize },
}

impl Partitioning {
    pub fn partition_count(&self) -> usize {
        match self {
            Self::Hash { partitions, .. } | Self::RoundRobin { partitions } => *partitions,
        }
    }
}

/// Rows sent from each map partition (outer index) to each reduce partition (inner index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShuffleMatrix {
    pub rows: Vec<Vec<u64>>,
}

impl ShuffleMatrix {
    /// Rows each reduce partition receives.
    pub fn rows_per_reduce_partition(&self) -> Vec<u64> {
        let width = self.rows.first().map_or(0, Vec::len);
        (0..width).map(|reduce| self.rows.iter().map(|row| row[reduce]).sum()).collect()
    }
}

/// The map side of one task: splits a partition's rows into one list of batches per reduce partition.
pub fn shuffle_write(partition: &Partition, partitioning: &Partitioning) -> Result<Vec<Vec<RecordBatch>>> {
    let count = partitioning.partition_count();
    if count == 0 {
        crate::invalid_argument!("an exchange into 0 partitions");
    }
    let mut buckets: Vec<Vec<RecordBatch>> = vec![Vec::new(); count];
    let mut next_round_robin = round_robin_start(partition.id, count);
    for batch in &partition.batches {
        let targets: Vec<u32> = match partitioning {
            Partitioning::Hash { keys, .. } => {
                let columns = keys.iter().map(|key| key_column(batch, key)).collect::<Result<Vec<_>>>()?;
                hash_partition_ids(&columns, count)?
            }
            Partitioning::RoundRobin { .. } => (0..batch.num_rows())
                .map(|_| {
                    next_round_robin = (next_round_robin + 1) % count;
                    next_round_robin as u32
                })
                .collect(),
        };
        let mut rows_by_target: Vec<Vec<u32>> = vec![Vec::new(); count];
        for (row, target) in targets.into_iter().enumerate() {
            rows_by_target[target as usize].push(row as u32);
        }
        for (bucket, rows) in buckets.iter_mut().zip(rows_by_target) {
            if !rows.is_empty() {
                bucket.push(take_record_batch(batch, &UInt32Array::from(rows))?);
            }
        }
    }
    Ok(buckets)
}

/// The reduce side: gathers every map task's output for each reduce partition, in map-partition order.
pub fn shuffle_read(map_outputs: Vec<Vec<Vec<RecordBatch>>>, partitions: usize) -> (Vec<Partition>, ShuffleMatrix) {
    let matrix = ShuffleMatrix {
        rows: map_outputs
            .iter()
            .map(|buckets| buckets.iter().map(|b| b.iter().map(|batch| batch.num_rows() as u64).sum()).collect())
            .collect(),
    };
    let mut reduced: Vec<Partition> = (0..partitions).map(|id| Partition { id, batches: Vec::new() }).collect();
    for buckets in map_outputs {
        for (partition, batches) in reduced.iter_mut().zip(buckets) {
            partition.batches.extend(batches);
        }
    }
    (reduced, matrix)
}

fn key_column(batch: &RecordBatch, key: &str) -> Result<ArrayRef> {
    Ok(batch.column(resolve_column(&batch.schema(), key)?).clone())
}
