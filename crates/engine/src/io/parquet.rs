//! Parquet input, decoded by the `parquet` crate into Arrow batches.

use arrow::record_batch::{RecordBatch, RecordBatchReader};
use bytes::Bytes;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::{ProjectionMask, parquet_to_arrow_field_levels};
use parquet::basic::Type as PhysicalType;
use parquet::file::metadata::{PageIndexPolicy, RowGroupMetaData};

use super::Table;
use super::file_partition::FileSplit;
use super::pages_ahead::RowGroupsAhead;
use super::pruning::may_match;
use crate::Result;
use crate::expr::Expr;
use crate::schema::SparkSchema;
use crate::types::INSTANT_TIME_ZONE;

/// Rows per decoded record batch.
const BATCH_SIZE: usize = 8192;

/// Decodes a whole Parquet file held in memory.
pub fn read_parquet(file: Bytes) -> Result<Table> {
    decoding(|| {
        let reader = builder_for(file, ArrowReaderOptions::new())?.build()?;
        let schema = reader.schema();
        let batches = reader.collect::<Result<Vec<_>, _>>()?;
        Ok(Table { schema, batches })
    })
}

/// Runs a step of Parquet decoding. A damaged file can make the parquet crate panic (a page header whose counts
/// divide by zero, offsets that overflow); that becomes an error about the file, not a crash.
fn decoding<T>(step: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step)).unwrap_or_else(|panic| {
        let message = crate::scheduler::panic_message(&*panic);
        Err(crate::EngineError::Parquet(parquet::errors::ParquetError::General(format!("the file is damaged ({message})"))))
    })
}

/// Where a row group's bytes start (its first column's dictionary page, if it comes first) plus half their size.
fn midpoint(row_group: &RowGroupMetaData) -> u64 {
    let Some(first) = row_group.columns().first() else { return 0 };
    let start = first.dictionary_page_offset().map_or(first.data_page_offset(), |d| d.min(first.data_page_offset()));
    // A damaged footer may hold any sizes: saturate rather than overflow.
    let size = row_group.columns().iter().fold(0i64, |total, c| total.saturating_add(c.compressed_size()));
    start.saturating_add(size / 2).max(0) as u64
}

/// The Spark schema of a Parquet file, from its footer.
pub fn read_schema(file: Bytes) -> Result<SparkSchema> {
    decoding(|| {
        let builder = builder_for(file, ArrowReaderOptions::new())?;
        SparkSchema::from_arrow(builder.schema())
    })
}

/// A reader of `file` that decodes INT96 columns — the timestamps Spark writes by default — as Spark's
/// `timestamp` (microseconds, an instant), not as nanoseconds without a zone. `options` say which of the footer's
/// indexes to load.
fn builder_for(file: Bytes, options: ArrowReaderOptions) -> Result<ParquetRecordBatchReaderBuilder<Bytes>> {
    let plain = ArrowReaderMetadata::load(&file, options)?;
    let descriptor = plain.parquet_schema();
    let int96: Vec<String> = descriptor
        .columns()
        .iter()
        .filter(|c| c.physical_type() == PhysicalType::INT96 && c.path().parts().len() == 1)
        .map(|c| c.name().to_string())
        .collect();
    if int96.is_empty() {
        return Ok(ParquetRecordBatchReaderBuilder::new_with_metadata(file, plain).with_batch_size(BATCH_SIZE));
    }
    let fields: Vec<Field> = plain
        .schema()
        .fields()
        .iter()
        .map(|f| {
            if int96.contains(f.name()) {
                let instant = DataType::Timestamp(TimeUnit::Microsecond, Some(INSTANT_TIME_ZONE.into()));
                f.as_ref().clone().with_data_type(instant)
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    let hint: SchemaRef = Arc::new(Schema::new(fields));
    // The footer is parsed once; only the Arrow schema it maps to changes.
    let hinted = ArrowReaderMetadata::try_new(plain.metadata().clone(), ArrowReaderOptions::new().with_schema(hint))?;
    Ok(ParquetRecordBatchReaderBuilder::new_with_metadata(file, hinted).with_batch_size(BATCH_SIZE))
}

/// The rows of one split, reading only the top-level columns named in `columns` (case-insensitively) and only the
/// row groups whose statistics do not rule out `filters`. Where the file has an offset index, pages are
/// decompressed ahead by free executors (see [`RowGroupsAhead`]).
pub fn read_split_columns(
    file: Bytes,
    split: &FileSplit,
    columns: &[String],
    filters: &[Expr],
) -> Result<impl Iterator<Item = Result<RecordBatch>> + Send + 'static> {
    let mut reader = decoding(|| split_reader(file, split, columns, filters))?;
    Ok(std::iter::from_fn(move || decoding(|| Ok(reader.next().transpose()?)).transpose()))
}

fn split_reader(file: Bytes, split: &FileSplit, columns: &[String], filters: &[Expr]) -> Result<ParquetRecordBatchReader> {
    let builder = builder_for(file.clone(), ArrowReaderOptions::new().with_offset_index_policy(PageIndexPolicy::Optional))?;
    let roots: Vec<usize> = builder
        .schema()
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| columns.iter().any(|c| c.eq_ignore_ascii_case(f.name())))
        .map(|(i, _)| i)
        .collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let schema = builder.schema().clone();
    let row_groups: Vec<usize> = row_groups_in(builder.metadata().row_groups(), split)
        .into_iter()
        .filter(|&i| may_match(builder.metadata().row_group(i), &schema, filters))
        .collect();
    let levels = parquet_to_arrow_field_levels(builder.parquet_schema(), mask, Some(schema.fields()))?;
    // No row group left still builds a reader: it yields nothing.
    let row_groups = RowGroupsAhead::new(file, builder.metadata().clone(), row_groups);
    Ok(ParquetRecordBatchReader::try_new_with_row_groups(&levels, &row_groups, BATCH_SIZE, None)?)
}

fn row_groups_in(row_groups: &[RowGroupMetaData], split: &FileSplit) -> Vec<usize> {
    let split_range = split.start..split.start + split.length;
    row_groups
        .iter()
        .enumerate()
        .filter(|(_, row_group)| split_range.contains(&midpoint(row_group)))
        .map(|(index, _)| index)
        .collect()
}
