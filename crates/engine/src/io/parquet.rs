//! Parquet input, decoded by the `parquet` crate into Arrow batches.

use arrow::record_batch::RecordBatchReader;
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::Table;
use crate::Result;

/// Rows per decoded record batch.
const BATCH_SIZE: usize = 8192;

/// Decodes a whole Parquet file held in memory.
pub fn read_parquet(file: Bytes) -> Result<Table> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)?
        .with_batch_size(BATCH_SIZE)
        .build()?;
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>()?;
    Ok(Table { schema, batches })
}
