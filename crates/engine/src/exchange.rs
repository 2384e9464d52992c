//! Exchanges: the shuffle boundary between two stages.
//!
//! Some operations need rows with equal keys together (a group-by, a join) or simply a different number of
//! partitions (`repartition`). Spark then ends the stage: every map task splits its partition's rows by target
//! partition and writes them out (the *shuffle write*); the next stage's tasks each fetch their share from every
//! map task (the *shuffle read*). The [`ShuffleMatrix`] records how many rows went from which map partition to which
//! reduce partition — the picture of a reshuffle.

use arrow::array::{AsArray, RecordBatch, UInt32Array};
use arrow::datatypes::Int64Type;
use arrow::compute::take_record_batch;
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
    for batch in batches {
        let targets: Vec<u32> = match partitioning {
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
