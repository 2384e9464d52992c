//! Exchanges: the shuffle boundary between two stages.
//!
//! Some operations need rows with equal keys together (a group-by, a join) or simply a different number of
//! partitions (`repartition`). Spark then ends the stage: every map task splits its partition's rows by target
//! partition and writes them out (the *shuffle write*); the next stage's tasks each fetch their share from every
//! map task (the *shuffle read*). The [`ShuffleMatrix`] records how many rows went from which map partition to which
//! reduce partition — the picture of a reshuffle.

use arrow::array::{AsArray, RecordBatch, UInt32Array};
use arrow::compute::{interleave_record_batch, take_record_batch};
use arrow::datatypes::Int64Type;
use serde::{Deserialize, Serialize};

use crate::partitioner::{hash_partition_ids, round_robin_start};
use crate::rdd::key_hash_partition;
use crate::shuffle_dependency::ShuffleDependency;
use crate::expr::eval::evaluate;
use crate::expr::{Attribute, Expr};
use crate::sort::{RangeBounds, SortOrder};
use crate::Result;

/// How an exchange assigns rows to output partitions.
#[derive(Debug, Clone, PartialEq)]
pub enum Partitioning {
    /// `hashpartitioning(keys, n)`: by Spark's Murmur3 hash of the key values.
    Hash { keys: Vec<Expr>, partitions: usize },
    /// `roundrobinpartitioning(n)`: evenly, each map partition starting at its own place.
    RoundRobin { partitions: usize },
    /// `rangepartitioning(order, n)`: by where each key falls between sampled boundaries (a global sort).
    Range { order: Vec<SortOrder>, partitions: usize },
    /// Everything into one partition (a global aggregate or limit).
    Single,
    /// By the key hash each row carries in its first column, modulo `partitions` (PySpark's RDD shuffles, whose
    /// map outputs the dependency keeps).
    KeyHash { partitions: usize, dependency: ShuffleDependency },
}

impl Partitioning {
    pub fn partition_count(&self) -> usize {
        match self {
            Self::Hash { partitions, .. }
            | Self::RoundRobin { partitions }
            | Self::Range { partitions, .. }
            | Self::KeyHash { partitions, .. } => *partitions,
            Self::Single => 1,
        }
    }

    /// As explain prints it: `hashpartitioning(PULocationID#3, 200)`.
    pub fn plan_string(&self) -> String {
        match self {
            Self::Hash { keys, partitions } => {
                let keys: Vec<String> = keys.iter().map(Expr::plan_string).collect();
                format!("hashpartitioning({}, {partitions})", keys.join(", "))
            }
            Self::RoundRobin { partitions } => format!("RoundRobinPartitioning({partitions})"),
            Self::Range { order, partitions } => format!("rangepartitioning({}, {partitions})", crate::logical::sort_list(order)),
            Self::Single => "SinglePartition".to_string(),
            Self::KeyHash { partitions, .. } => format!("PythonPartitioner({partitions})"),
        }
    }
}

/// Rows and bytes sent from each map partition (outer index) to each reduce partition (inner index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShuffleMatrix {
    pub rows: Vec<Vec<u64>>,
    /// Bytes as Spark would write them: rows in Spark's `UnsafeRow` layout (see [`row_bytes`]).
    #[serde(default)]
    pub bytes: Vec<Vec<u64>>,
}

impl ShuffleMatrix {
    /// Rows each reduce partition receives.
    pub fn rows_per_reduce_partition(&self) -> Vec<u64> {
        column_sums(&self.rows)
    }

    /// Bytes each reduce partition receives (what adaptive execution looks at).
    pub fn bytes_per_reduce_partition(&self) -> Vec<u64> {
        column_sums(&self.bytes)
    }
}

fn column_sums(matrix: &[Vec<u64>]) -> Vec<u64> {
    let width = matrix.first().map_or(0, Vec::len);
    (0..width).map(|reduce| matrix.iter().map(|row| row[reduce]).sum()).collect()
}

/// The size of a batch's rows in Spark's `UnsafeRow` format: a null bitmap word per 64 columns, 8 bytes per
/// column, and variable-length values (strings) rounded up to whole 8-byte words.
pub fn row_bytes(batch: &RecordBatch) -> u64 {
    let rows = batch.num_rows() as u64;
    let columns = batch.num_columns() as u64;
    let fixed = rows * (8 * columns.div_ceil(64) + 8 * columns);
    let variable: u64 = batch
        .columns()
        .iter()
        .filter_map(|c| c.as_string_opt::<i32>())
        .map(|strings| strings.iter().flatten().map(|s| (s.len() as u64).div_ceil(8) * 8).sum::<u64>())
        .sum();
    fixed + variable
}

/// The map side of one task: splits the rows of map partition `map_partition` (whose columns are `input`) into
/// one list of batches per reduce partition. A range exchange needs its boundaries.
///
/// Small batches are split together, [`SPLIT_ROWS`] rows at a time: split one by one, a batch of 8192 rows would
/// leave about 40 rows in each of 200 reduce partitions — a block, an allocation per column, for so few rows.
/// Each reduce partition's rows keep their order.
pub fn shuffle_write(
    map_partition: usize,
    batches: &[RecordBatch],
    partitioning: &Partitioning,
    input: &[Attribute],
    range: Option<&RangeBounds>,
) -> Result<Vec<Vec<RecordBatch>>> {
    let count = partitioning.partition_count();
    if count == 0 {
        crate::invalid_argument!("an exchange into 0 partitions");
    }
    let mut buckets: Vec<Vec<RecordBatch>> = vec![Vec::new(); count];
    let mut next_round_robin = round_robin_start(map_partition, count);
    for chunk in split_together(batches) {
        // Row numbers counted across the chunk's batches.
        let mut rows_by_target: Vec<Vec<u32>> = vec![Vec::new(); count];
        let mut chunk_row = 0u32;
        for batch in chunk {
            for target in targets(batch, partitioning, input, range, &mut next_round_robin)? {
                rows_by_target[target as usize].push(chunk_row);
                chunk_row += 1;
            }
        }
        for (bucket, rows) in buckets.iter_mut().zip(rows_by_target) {
            match (rows.is_empty(), chunk) {
                (true, _) => {}
                // One batch (a partial aggregation's output): a plain gather.
                (false, [batch]) => bucket.push(take_record_batch(batch, &UInt32Array::from(rows))?),
                (false, _) => {
                    let batches: Vec<&RecordBatch> = chunk.iter().collect();
                    bucket.push(interleave_record_batch(&batches, &batch_and_row(chunk, &rows))?);
                }
            }
        }
    }
    Ok(buckets)
}

/// Rows a map task splits at a time, at least: small batches are split together up to this many rows.
const SPLIT_ROWS: usize = 65_536;

/// Runs of consecutive batches of about [`SPLIT_ROWS`] rows; a bigger batch is a run of its own.
fn split_together(batches: &[RecordBatch]) -> Vec<&[RecordBatch]> {
    let mut chunks = Vec::new();
    let (mut start, mut rows) = (0, 0);
    for (index, batch) in batches.iter().enumerate() {
        if batch.num_rows() >= SPLIT_ROWS {
            if start < index {
                chunks.push(&batches[start..index]);
            }
            chunks.push(&batches[index..=index]);
            (start, rows) = (index + 1, 0);
            continue;
        }
        rows += batch.num_rows();
        if rows >= SPLIT_ROWS {
            chunks.push(&batches[start..=index]);
            (start, rows) = (index + 1, 0);
        }
    }
    if start < batches.len() {
        chunks.push(&batches[start..]);
    }
    chunks
}

/// The reduce partition of every row of `batch`.
fn targets(
    batch: &RecordBatch,
    partitioning: &Partitioning,
    input: &[Attribute],
    range: Option<&RangeBounds>,
    next_round_robin: &mut usize,
) -> Result<Vec<u32>> {
    let count = partitioning.partition_count();
    Ok(match partitioning {
        Partitioning::Hash { keys, .. } => {
            let columns = keys.iter().map(|key| evaluate(key, batch, input)).collect::<Result<Vec<_>>>()?;
            hash_partition_ids(&columns, count)?
        }
        Partitioning::Single => vec![0; batch.num_rows()],
        Partitioning::KeyHash { .. } => {
            let hashes = batch.column(0).as_primitive_opt::<Int64Type>().ok_or_else(|| {
                crate::EngineError::Internal("a key-hash exchange over rows without a hash column".into())
            })?;
            hashes.values().iter().map(|&hash| key_hash_partition(hash, count)).collect()
        }
        Partitioning::Range { order, .. } => match range {
            Some(bounds) => bounds.partition_ids(order, batch, input)?,
            None => return Err(crate::EngineError::Internal("a range exchange without boundaries".into())),
        },
        Partitioning::RoundRobin { .. } => (0..batch.num_rows())
            .map(|_| {
                *next_round_robin = (*next_round_robin + 1) % count;
                *next_round_robin as u32
            })
            .collect(),
    })
}

/// Rows numbered across `batches` (in increasing order) as (batch, row in it).
pub(crate) fn batch_and_row(batches: &[RecordBatch], rows: &[u32]) -> Vec<(usize, usize)> {
    let mut found = Vec::with_capacity(rows.len());
    let (mut batch, mut start) = (0, 0);
    for &row in rows {
        let row = row as usize;
        while row >= start + batches[batch].num_rows() {
            start += batches[batch].num_rows();
            batch += 1;
        }
        found.push((batch, row - start));
    }
    found
}

/// What every map task wrote, by map partition and then reduce partition.
pub type MapOutputs = Vec<Vec<Vec<RecordBatch>>>;

/// The shuffle matrix of finished map outputs.
pub fn shuffle_matrix(map_outputs: &MapOutputs) -> ShuffleMatrix {
    let per_cell = |size: fn(&RecordBatch) -> u64| -> Vec<Vec<u64>> {
        map_outputs.iter().map(|buckets| buckets.iter().map(|b| b.iter().map(size).sum()).collect()).collect()
    };
    ShuffleMatrix { rows: per_cell(|batch| batch.num_rows() as u64), bytes: per_cell(row_bytes) }
}

/// What one reduce task fetches: its blocks' batches in fetch order, each beside the reduce partition it was
/// written for (so an aggregation on the shuffle's keys can take one reduce partition at a time).
#[derive(Debug, Clone, Default)]
pub struct ShuffleRead {
    pub batches: Vec<RecordBatch>,
    pub reduce_partitions: Vec<usize>,
}

/// The reduce side: the rows of each range `[start, end)` of reduce partitions (one range per reduce task; a
/// range longer than one is a coalesced read). Rows come map partition by map partition, and within one map
/// partition reduce partition by reduce partition — the order in which Spark fetches the blocks.
pub fn shuffle_read(map_outputs: &MapOutputs, ranges: &[(usize, usize)]) -> Vec<ShuffleRead> {
    ranges
        .iter()
        .map(|&(start, end)| {
            let mut read = ShuffleRead::default();
            for buckets in map_outputs {
                for (reduce_partition, bucket) in (start..end).zip(&buckets[start..end]) {
                    read.batches.extend(bucket.iter().cloned());
                    read.reduce_partitions.extend(std::iter::repeat_n(reduce_partition, bucket.len()));
                }
            }
            read
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::Int32Array;
    use arrow::datatypes::Int32Type;

    use super::*;
    use crate::hash_aggregate::batch_of;
    use crate::types::SparkType;

    #[test]
    fn small_batches_are_split_together_and_every_partition_keeps_its_rows_in_order() {
        let id = Attribute::new("id", SparkType::Integer, true);
        let partitioning = Partitioning::Hash { keys: vec![Expr::Attribute(id.clone())], partitions: 7 };
        // Small batches on both sides of a big one (bigger than SPLIT_ROWS, split on its own).
        let sizes = [10, 3000, 70_000, 5, 20_000, 1];
        let mut next = 0;
        let batches: Vec<RecordBatch> = sizes
            .iter()
            .map(|&rows| {
                let ids = Int32Array::from_iter((next..next + rows).map(|i| (i % 11 != 0).then_some(i)));
                next += rows;
                batch_of(std::slice::from_ref(&id), vec![Arc::new(ids)], rows as usize).unwrap()
            })
            .collect();
        let buckets = shuffle_write(0, &batches, &partitioning, std::slice::from_ref(&id), None).unwrap();
        let ids_of = |blocks: &[RecordBatch]| -> Vec<Option<i32>> {
            blocks.iter().flat_map(|b| b.column(0).as_primitive::<Int32Type>().iter().collect::<Vec<_>>()).collect()
        };
        for (partition, blocks) in buckets.iter().enumerate() {
            let expected: Vec<Option<i32>> = batches
                .iter()
                .flat_map(|batch| {
                    let targets = hash_partition_ids(batch.columns(), 7).unwrap();
                    let ids: Vec<Option<i32>> = batch.column(0).as_primitive::<Int32Type>().iter().collect();
                    ids.into_iter().zip(targets).filter(move |&(_, target)| target as usize == partition).map(|(id, _)| id)
                })
                .collect();
            assert_eq!(ids_of(blocks), expected, "partition {partition}");
            // The first two small batches make one block, the big one its own, the last three one more.
            assert_eq!(blocks.len(), 3, "partition {partition}");
        }
    }
}
