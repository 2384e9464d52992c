//! Parquet input, decoded by the `parquet` crate into Arrow batches.

use arrow::record_batch::{RecordBatch, RecordBatchReader};
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::metadata::RowGroupMetaData;

use super::Table;
use super::file_partition::{FilePartition, FileSplit};
use super::vfs::FileSystem;
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

/// The rows of one input split: the row groups whose middle byte lies in the split (Spark's rule, so every row
/// group is read by exactly one task however the file was cut).
pub fn read_parquet_split(file: Bytes, split: &FileSplit) -> Result<Vec<RecordBatch>> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)?.with_batch_size(BATCH_SIZE);
    let split_range = split.start..split.start + split.length;
    let row_groups: Vec<usize> = builder
        .metadata()
        .row_groups()
        .iter()
        .enumerate()
        .filter(|(_, row_group)| split_range.contains(&midpoint(row_group)))
        .map(|(index, _)| index)
        .collect();
    if row_groups.is_empty() {
        return Ok(Vec::new());
    }
    let reader = builder.with_row_groups(row_groups).build()?;
    Ok(reader.collect::<Result<Vec<_>, _>>()?)
}

/// Where a row group's bytes start (its first column's dictionary page, if it comes first) plus half their size.
fn midpoint(row_group: &RowGroupMetaData) -> u64 {
    let Some(first) = row_group.columns().first() else { return 0 };
    let start = first.dictionary_page_offset().map_or(first.data_page_offset(), |d| d.min(first.data_page_offset()));
    let size: i64 = row_group.columns().iter().map(|c| c.compressed_size()).sum();
    (start + size / 2).max(0) as u64
}

/// Reads every split of one input partition from `fs`: the work of one scan task.
pub fn read_file_partition(fs: &dyn FileSystem, partition: &FilePartition) -> Result<Vec<RecordBatch>> {
    let mut batches = Vec::new();
    for split in &partition.splits {
        batches.extend(read_parquet_split(fs.read(&split.path)?, split)?);
    }
    Ok(batches)
}
