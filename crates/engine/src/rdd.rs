//! RDDs: the layer under DataFrames, where the functions are the user's own.
//!
//! A resilient distributed dataset is a list of partitions and a recipe for computing each of them from its
//! parent's: `map`, `filter`, `flatMap` and `mapPartitions` work on one partition at a time (narrow: they chain
//! inside a stage), while `reduceByKey` and `groupByKey` need every value of a key together and so shuffle
//! (wide: a new stage). The engine cannot see into an RDD's elements or functions — in PySpark both are pickled
//! Python objects — so it runs them as [`MapPartitions`] nodes: opaque functions from a partition's rows to new
//! rows. Elements travel between stages as bytes in a binary column, just as PySpark's pickles do.
//!
//! PySpark decides where a key goes itself: the map side hashes each key with its `portable_hash` and sends the
//! hash along in the row's first column; the exchange ([`crate::exchange::Partitioning::KeyHash`]) only takes it
//! modulo the number of partitions — Spark's `PythonPartitioner`.

use std::fmt;
use std::sync::Arc;

use arrow::array::RecordBatch;

use crate::Result;
use crate::expr::Attribute;

/// A function from one partition's rows to new rows, which the engine runs without knowing what it does.
pub trait PartitionFunction: Send + Sync + fmt::Debug {
    /// How plans and the job views show the step (`PythonRDD [map, filter]`).
    fn name(&self) -> String;
    /// The rows of partition `partition`, whose columns are `input`, turned into rows of the node's output.
    fn apply(&self, partition: usize, batches: Vec<RecordBatch>, input: &[Attribute]) -> Result<Vec<RecordBatch>>;
}

/// A shared handle on a [`PartitionFunction`]; handles are equal only if they point at the same function.
#[derive(Clone, Debug)]
pub struct MapPartitions(pub Arc<dyn PartitionFunction>);

impl PartialEq for MapPartitions {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl MapPartitions {
    pub fn new(function: impl PartitionFunction + 'static) -> Self {
        Self(Arc::new(function))
    }

    pub fn name(&self) -> String {
        self.0.name()
    }

    pub fn apply(&self, partition: usize, batches: Vec<RecordBatch>, input: &[Attribute]) -> Result<Vec<RecordBatch>> {
        self.0.apply(partition, batches, input)
    }
}

/// The partition PySpark's partitioner gives a key hash: the hash modulo the number of partitions, never negative.
pub fn key_hash_partition(hash: i64, partitions: usize) -> u32 {
    hash.rem_euclid(partitions as i64) as u32
}
