//! Writing a DataFrame out as files, laid out as Spark lays them out.
//!
//! A write is a job whose tasks each write their own partition as one file, `part-00000-<job id>-c000.snappy.parquet`
//! for partition 0 — so `repartition(6)` before a write gives six files. When every task is done, an empty
//! `_SUCCESS` file marks the folder as complete. With `partitionBy("year")`, each task writes one file per year it
//! holds, into `year=2024/`, and leaves the column out of the files (the folder name holds it).

use std::sync::atomic::{AtomicU64, Ordering};

use arrow::array::{Array, AsArray, RecordBatch, UInt32Array};
use arrow::compute::take_record_batch;
use arrow::datatypes::{DataType, Date32Type, Float32Type, Float64Type, TimeUnit, TimestampMicrosecondType};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, GzipLevel};
use parquet::file::properties::WriterProperties;

use super::vfs::FileSystem;
use crate::display::{date_string, java_double_string, java_float_string};
use crate::expr::Attribute;
use crate::hash_aggregate::schema_of;
use crate::value::Value;
use crate::{EngineError, Result};

/// What to do when the output path exists (`mode=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SaveMode {
    #[default]
    ErrorIfExists,
    Overwrite,
    Append,
    Ignore,
}

impl SaveMode {
    pub fn parse(mode: &str) -> Result<Self> {
        Ok(match mode.to_ascii_lowercase().as_str() {
            "error" | "errorifexists" | "default" => Self::ErrorIfExists,
            "overwrite" => Self::Overwrite,
            "append" => Self::Append,
            "ignore" => Self::Ignore,
            other => crate::invalid_argument!(
                "Unknown save mode: {other}. Accepted save modes are 'overwrite', 'append', 'ignore', 'error', \
                 'errorifexists', 'default'."
            ),
        })
    }
}

/// The file format of a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteFormat {
    Json,
    Parquet,
    Csv,
}

/// A write's options, with Spark's defaults.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    pub mode: SaveMode,
    /// `compression=`: `snappy` (Parquet's default), `gzip`, `none`/`uncompressed`.
    pub compression: Option<String>,
    pub partition_by: Vec<String>,
    /// CSV only: write a header line.
    pub header: bool,
}

/// Where and how one write job puts its files.
pub struct FileWriter<'a> {
    pub files: &'a dyn FileSystem,
    pub path: String,
    pub format: WriteFormat,
    pub options: WriteOptions,
    pub columns: Vec<Attribute>,
    job_id: String,
}

impl<'a> FileWriter<'a> {
    /// Prepares a write to `path`, applying the save mode. `None` means there is nothing to do (`ignore` mode and
    /// the path exists).
    pub fn open(
        files: &'a dyn FileSystem,
        path: &str,
        format: WriteFormat,
        options: WriteOptions,
        columns: Vec<Attribute>,
    ) -> Result<Option<Self>> {
        let path = path.trim_end_matches('/').to_string();
        if let (WriteFormat::Csv, Some(nested)) = (format, columns.iter().find(|c| c.data_type.is_nested())) {
            return Err(EngineError::Analysis(format!(
                "[UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE] The CSV datasource doesn't support the column `{}` of the type \
                 \"{}\". SQLSTATE: 0A000",
                nested.name,
                nested.data_type.simple_string().to_uppercase().replace(',', ", ")
            )));
        }
        let exists = files.entry(&path)?.is_some();
        match (options.mode, exists) {
            (SaveMode::ErrorIfExists, true) => {
                return Err(EngineError::Analysis(format!(
                    "[PATH_ALREADY_EXISTS] Path {} already exists. Set mode as \"overwrite\" to overwrite the \
                     existing path. SQLSTATE: 42K04",
                    files.qualified(&path)
                )));
            }
            (SaveMode::Ignore, true) => return Ok(None),
            (SaveMode::Overwrite, true) => files.delete(&path)?,
            _ => {}
        }
        for name in &options.partition_by {
            if !columns.iter().any(|c| c.name.eq_ignore_ascii_case(name)) {
                return Err(EngineError::ColumnNotFound {
                    name: name.clone(),
                    available: columns.iter().map(|c| c.name.clone()).collect(),
                });
            }
        }
        compression_of(format, options.compression.as_deref())?;
        Ok(Some(Self { files, path, format, options, columns, job_id: job_id() }))
    }

    /// The work of one write task: partition `task`'s rows as one file (one per `partitionBy` value). Returns the
    /// number of bytes written.
    pub fn write_task(&self, task: usize, batches: &[RecordBatch]) -> Result<u64> {
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        if rows == 0 {
            return Ok(0);
        }
        if self.options.partition_by.is_empty() {
            return self.write_file(&self.path, task, batches, &self.columns);
        }
        let mut written = 0;
        for (directory, rows) in self.split_by_partition_values(batches)? {
            let (kept, data_columns) = self.without_partition_columns(&rows);
            written += self.write_file(&format!("{}/{directory}", self.path), task, &kept, &data_columns)?;
        }
        Ok(written)
    }

    /// Marks the output complete; a write of no rows at all still leaves a file with the schema, as Spark does.
    pub fn commit(&self, rows_written: u64) -> Result<()> {
        if rows_written == 0 && self.options.partition_by.is_empty() && self.format == WriteFormat::Parquet {
            let empty = RecordBatch::new_empty(schema_of(&self.columns));
            self.write_file(&self.path, 0, &[empty], &self.columns)?;
        }
        self.files.write(&format!("{}/_SUCCESS", self.path), Bytes::new())
    }

    fn write_file(&self, directory: &str, task: usize, batches: &[RecordBatch], columns: &[Attribute]) -> Result<u64> {
        let (compression, suffix) = compression_of(self.format, self.options.compression.as_deref())?;
        let extension = match self.format {
            WriteFormat::Parquet => format!("{suffix}parquet"),
            WriteFormat::Csv if compression == Compression::UNCOMPRESSED => "csv".to_string(),
            WriteFormat::Csv => "csv.gz".to_string(),
            WriteFormat::Json if compression == Compression::UNCOMPRESSED => "json".to_string(),
            WriteFormat::Json => "json.gz".to_string(),
        };
        // Spark separates the file counter with a dot when it writes into partition folders.
        let separator = if self.options.partition_by.is_empty() { '-' } else { '.' };
        let name = format!("{directory}/part-{task:05}-{}{separator}c000.{extension}", self.job_id);
        let bytes = match self.format {
            WriteFormat::Parquet => parquet_bytes(batches, columns, compression)?,
            WriteFormat::Csv => csv_bytes(batches, columns, self.options.header, compression != Compression::UNCOMPRESSED)?,
            WriteFormat::Json => gzipped_if(super::json::json_bytes(batches, columns)?, compression != Compression::UNCOMPRESSED)?,
        };
        let size = bytes.len() as u64;
        self.files.write(&name, Bytes::from(bytes))?;
        Ok(size)
    }

    /// Rows grouped by their `partitionBy` values, as `year=2024/month=1` directories, in first-seen order.
    fn split_by_partition_values(&self, batches: &[RecordBatch]) -> Result<Vec<(String, Vec<RecordBatch>)>> {
        let positions: Vec<usize> = self
            .options
            .partition_by
            .iter()
            .map(|name| self.columns.iter().position(|c| c.name.eq_ignore_ascii_case(name)).expect("checked in open"))
            .collect();
        let mut groups: Vec<(String, Vec<RecordBatch>)> = Vec::new();
        for batch in batches {
            let mut rows_of: Vec<(String, Vec<u32>)> = Vec::new();
            for row in 0..batch.num_rows() {
                let directory = positions
                    .iter()
                    .map(|&p| {
                        let value = Value::from_array(batch.column(p), row)?;
                        let text = if value.is_null() { "__HIVE_DEFAULT_PARTITION__".to_string() } else { value.to_string() };
                        Ok(format!("{}={}", self.columns[p].name, escape_path_name(&text)))
                    })
                    .collect::<Result<Vec<_>>>()?
                    .join("/");
                match rows_of.iter_mut().find(|(d, _)| *d == directory) {
                    Some((_, rows)) => rows.push(row as u32),
                    None => rows_of.push((directory, vec![row as u32])),
                }
            }
            for (directory, rows) in rows_of {
                let taken = take_record_batch(batch, &UInt32Array::from(rows))?;
                match groups.iter_mut().find(|(d, _)| *d == directory) {
                    Some((_, batches)) => batches.push(taken),
                    None => groups.push((directory, vec![taken])),
                }
            }
        }
        Ok(groups)
    }

    fn without_partition_columns(&self, batches: &[RecordBatch]) -> (Vec<RecordBatch>, Vec<Attribute>) {
        let keep: Vec<usize> = (0..self.columns.len())
            .filter(|&i| !self.options.partition_by.iter().any(|p| p.eq_ignore_ascii_case(&self.columns[i].name)))
            .collect();
        let columns = keep.iter().map(|&i| self.columns[i].clone()).collect();
        let batches = batches.iter().map(|b| b.project(&keep).expect("indices are columns of the batch")).collect();
        (batches, columns)
    }
}

/// The codec and the file-name part Spark uses for it: `snappy.` in `part-….snappy.parquet`.
fn compression_of(format: WriteFormat, compression: Option<&str>) -> Result<(Compression, &'static str)> {
    let default = if format == WriteFormat::Parquet { "snappy" } else { "none" };
    Ok(match compression.unwrap_or(default).to_ascii_lowercase().as_str() {
        "snappy" if format == WriteFormat::Parquet => (Compression::SNAPPY, "snappy."),
        "gzip" => (Compression::GZIP(GzipLevel::default()), "gz."),
        "none" | "uncompressed" => (Compression::UNCOMPRESSED, ""),
        other => crate::invalid_argument!("the compression codec `{other}` is not supported for this format"),
    })
}

/// A unique id for one write job (Spark uses a random UUID).
fn job_id() -> String {
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let count = WRITES.fetch_add(1, Ordering::Relaxed);
    let nanos = web_time::SystemTime::now().duration_since(web_time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    let mixed = (nanos ^ count.rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let other = mixed.rotate_left(17) ^ count;
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        mixed >> 32,
        (mixed >> 16) & 0xffff,
        mixed & 0xfff,
        other >> 52,
        other & 0xffff_ffff_ffff
    )
}

/// Characters Spark escapes in partition directory names (`/` becomes `%2F`).
fn escape_path_name(text: &str) -> String {
    text.chars()
        .map(|c| if matches!(c, '/' | '\\' | ':' | '=' | '%' | '"' | '\'' | '#' | '*' | '?' | '[' | ']' | '{' | '}' | '^') {
            format!("%{:02X}", c as u32)
        } else {
            c.to_string()
        })
        .collect()
}

fn parquet_bytes(batches: &[RecordBatch], columns: &[Attribute], compression: Compression) -> Result<Vec<u8>> {
    let schema = schema_of(columns);
    let properties = WriterProperties::builder().set_compression(compression).build();
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, schema.clone(), Some(properties))?;
    for batch in batches {
        writer.write(&RecordBatch::try_new(schema.clone(), batch.columns().to_vec())?)?;
    }
    writer.close()?;
    Ok(out)
}

/// CSV as Spark writes it: `\\`-escaped quotes, ISO-8601 timestamps, empty fields for NULL.
fn csv_bytes(batches: &[RecordBatch], columns: &[Attribute], header: bool, gzip: bool) -> Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new().double_quote(false).escape(b'\\').from_writer(Vec::new());
    let csv_error = |e: csv::Error| EngineError::Io { path: "csv output".into(), message: e.to_string() };
    if header {
        writer.write_record(columns.iter().map(|c| c.name.as_str())).map_err(csv_error)?;
    }
    for batch in batches {
        for row in 0..batch.num_rows() {
            let fields = batch.columns().iter().map(|c| csv_field(c.as_ref(), row)).collect::<Result<Vec<_>>>()?;
            writer.write_record(&fields).map_err(csv_error)?;
        }
    }
    let text = writer.into_inner().map_err(|e| EngineError::Io { path: "csv output".into(), message: e.to_string() })?;
    gzipped_if(text, gzip)
}

/// `text`, gzipped when `gzip` is set.
fn gzipped_if(text: Vec<u8>, gzip: bool) -> Result<Vec<u8>> {
    if !gzip {
        return Ok(text);
    }
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&text).map_err(|e| EngineError::Io { path: "output".into(), message: e.to_string() })?;
    encoder.finish().map_err(|e| EngineError::Io { path: "output".into(), message: e.to_string() })
}

fn csv_field(column: &dyn Array, row: usize) -> Result<String> {
    if column.is_null(row) {
        return Ok(String::new());
    }
    Ok(match column.data_type() {
        DataType::Float64 => java_double_string(column.as_primitive::<Float64Type>().value(row)),
        DataType::Float32 => java_float_string(column.as_primitive::<Float32Type>().value(row)),
        DataType::Date32 => date_string(column.as_primitive::<Date32Type>().value(row))?,
        DataType::Timestamp(TimeUnit::Microsecond, zone) => {
            let micros = column.as_primitive::<TimestampMicrosecondType>().value(row);
            crate::display::iso_timestamp(micros, zone.is_some())?
        }
        _ => Value::from_array(column, row)?.to_string(),
    })
}
