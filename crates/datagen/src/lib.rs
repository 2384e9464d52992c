//! # kindling-datagen
//!
//! Synthetic NYC TLC taxi trips for Kindling's bundled samples, tests and benchmarks. The real TLC files may not be
//! redistributed with the app, so the app ships data this generator makes: the same column names and types as the
//! real files, plausible values (busy zones, rush hours, fares that add up), and the NULLs real data has.
//!
//! Generation is deterministic: the same [`TripSpec`] gives the same rows on every machine.

mod fhvhv;
mod green;
mod yellow;
mod zones;

pub use fhvhv::{fhv_schema, fhv_trips, fhvhv_schema, fhvhv_trips};
pub use green::{green_schema, green_trips};
pub use yellow::{yellow_schema, yellow_trips};
pub use zones::{zone_lookup, zones_schema};

use std::io::Write;

use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
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
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
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

/// Writes `batches` as one CSV file with a header, as the TLC's CSV files look: timestamps as
/// `2021-02-01 00:10:40`, NULL as an empty field.
pub fn write_csv(batches: &[RecordBatch], out: impl Write) -> Result<()> {
    let Some(first) = batches.first() else {
        return Err(DatagenError::InvalidSpec("no rows to write".into()));
    };
    let mut writer = std::io::BufWriter::new(out);
    let header: Vec<&str> = first.schema_ref().fields().iter().map(|f| f.name().as_str()).collect();
    writeln!(writer, "{}", header.join(","))?;
    let options = FormatOptions::default().with_timestamp_format(Some("%Y-%m-%d %H:%M:%S")).with_null("");
    for batch in batches {
        let formatters = batch.columns().iter().map(|c| ArrayFormatter::try_new(c.as_ref(), &options)).collect::<std::result::Result<Vec<_>, _>>()?;
        for row in 0..batch.num_rows() {
            let fields: Vec<String> = formatters.iter().map(|f| f.value(row).to_string()).collect();
            writeln!(writer, "{}", fields.join(","))?;
        }
    }
    Ok(writer.flush()?)
}
