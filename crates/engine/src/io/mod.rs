//! Reading data into Arrow record batches. Sources are bytes, so the same code serves files on disk (native)
//! and files fetched or uploaded in the browser.

pub mod csv;
pub mod file_partition;
pub mod json;
pub mod pages_ahead;
pub mod parquet;
pub mod partition_discovery;
pub mod pruning;
pub mod read_ahead;
pub mod text_lines;
pub mod vfs;
pub mod write;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;

/// A whole data set in memory: one schema, many record batches.
#[derive(Debug, Clone)]
pub struct Table {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl Table {
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// Whether a file is gzipped (`trips.csv.gz`): such a file is unzipped as it is read, and only from its start, so
/// it is never split.
pub fn is_gzipped(path: &str) -> bool {
    path.ends_with(".gz")
}
