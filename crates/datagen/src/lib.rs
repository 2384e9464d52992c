//! # kindling-datagen
//!
//! Synthetic NYC TLC taxi trips for Kindling's bundled samples, tests and benchmarks. The real TLC files may not be
//! redistributed with the app, so the app ships data this generator makes: the same column names and types as the
//! real files, plausible values (busy zones, rush hours, fares that add up), and the NULLs real data has.
//!
//! Generation is deterministic: the same [`TripSpec`] gives the same rows on every machine.

mod green;
mod yellow;

pub use green::{green_schema, green_trips};
pub use yellow::{yellow_schema, yellow_trips};

use std::io::Write;

use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, GzipLevel};
use parquet::file::properties::WriterProperties;

/// Which rows to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TripSpec {
    pub year: i32,
    /// 1..=12
    pub month: u32,
    pub rows: usize,
    pub seed: u64,
}

/// Parquet compression codecs found in real TLC files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Snappy,
    Gzip,
    Uncompressed,
}

#[derive(Debug, thiserror::Error)]
pub enum DatagenError {
    #[error("invalid trip spec: {0}")]
    InvalidSpec(String),
    #[error("{0}")]
    Arrow(#[from] arrow::error::ArrowError),
    #[error("cannot write Parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
}

pub type Result<T, E = DatagenError> = std::result::Result<T, E>;

/// Writes `batches` as one Parquet file.
pub fn write_parquet(batches: &[RecordBatch], codec: Codec, out: impl Write + Send) -> Result<()> {
    let Some(first) = batches.first() else {
        return Err(DatagenError::InvalidSpec("no rows to write".into()));
    };
    let compression = match codec {
        Codec::Snappy => Compression::SNAPPY,
        Codec::Gzip => Compression::GZIP(GzipLevel::default()),
        Codec::Uncompressed => Compression::UNCOMPRESSED,
    };
    let properties = WriterProperties::builder().set_compression(compression).build();
    let mut writer = ArrowWriter::try_new(out, first.schema(), Some(properties))?;
    for batch in batches {
        writer.write(batch)?;
    }
    writer.close()?;
    Ok(())
}
