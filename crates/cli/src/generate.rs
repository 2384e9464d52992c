//! `kindling gen`: synthetic TLC-shaped data, one file or the course's folder layout
//! (`<out>/<kind>/<year>/<MM>/part-00000.snappy.parquet`), one file per month.

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use arrow::record_batch::RecordBatch;
use kindling_datagen::{Codec, TripSpec, fhv_trips, fhvhv_trips, green_trips, write_csv, write_parquet, yellow_trips, zone_lookup};

use crate::commands::{CliError, Compression, OutputFormat, TripKind, create_file};

/// What to generate.
pub struct Generation {
    pub kind: TripKind,
    pub year: i32,
    pub months: Months,
    /// Rows per month.
    pub rows: usize,
    pub seed: u64,
    pub compression: Compression,
    /// `None`: from `out`'s extension.
    pub format: Option<OutputFormat>,
    pub out: PathBuf,
}

/// Months of a year: `3`, `1-12` or `1,2,5`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Months(pub Vec<u32>);

pub fn parse_months(text: &str) -> Result<Months, String> {
    let mut months = Vec::new();
    for part in text.split(',') {
        let (first, last) = part.split_once('-').unwrap_or((part, part));
        let month = |m: &str| m.trim().parse::<u32>().ok().filter(|m| (1..=12).contains(m)).ok_or(format!("`{m}` is not a month (1-12)"));
        let (first, last) = (month(first)?, month(last)?);
        if first > last {
            return Err(format!("`{part}` runs backwards"));
        }
        months.extend(first..=last);
    }
    Ok(Months(months))
}

impl Generation {
    /// The format asked for, or the one `--out` names (`.csv`, `.csv.gz`), or the kind's usual one.
    fn format(&self) -> OutputFormat {
        let name = self.out.to_string_lossy();
        match self.format {
            Some(format) => format,
            None if name.ends_with(".csv") || name.ends_with(".csv.gz") => OutputFormat::Csv,
            None if matches!(self.kind, TripKind::Zones) && !name.ends_with(".parquet") => OutputFormat::Csv,
            None => OutputFormat::Parquet,
        }
    }

    /// The codec asked for; a `.gz` file name asks for gzip.
    fn compression(&self) -> Compression {
        if self.out.to_string_lossy().ends_with(".gz") { Compression::Gzip } else { self.compression }
    }

    pub fn run(&self) -> Result<(), CliError> {
        if matches!(self.kind, TripKind::Zones) {
            let path = if self.writes_one_file() { self.out.clone() } else { self.out.join("taxi_zone_lookup.csv") };
            return self.write(&zone_lookup(self.seed)?, &path);
        }
        if !self.writes_one_file() || self.months.0.len() > 1 {
            return self.months.0.iter().enumerate().try_for_each(|(index, month)| {
                let path = self.out.join(self.kind.name()).join(self.year.to_string()).join(format!("{month:02}")).join(self.part_file_name());
                self.write(&self.trips(*month, index)?, &path)
            });
        }
        self.write(&self.trips(self.months.0[0], 0)?, &self.out)
    }

    /// `--out` names a file (it has a data file's extension), not a folder.
    fn writes_one_file(&self) -> bool {
        let name = self.out.to_string_lossy();
        [".parquet", ".csv", ".csv.gz"].iter().any(|extension| name.ends_with(extension))
    }

    /// One month's trips; each further month gets the next seed, so months differ.
    fn trips(&self, month: u32, index: usize) -> Result<Vec<RecordBatch>, CliError> {
        let spec = TripSpec { year: self.year, month, rows: self.rows, seed: self.seed.wrapping_add(index as u64) };
        Ok(match self.kind {
            TripKind::Green => green_trips(&spec)?,
            TripKind::Yellow => yellow_trips(&spec)?,
            TripKind::Fhvhv => fhvhv_trips(&spec)?,
            TripKind::Fhv => fhv_trips(&spec)?,
            TripKind::Zones => zone_lookup(self.seed)?,
        })
    }

    /// As Spark names its output files.
    fn part_file_name(&self) -> &'static str {
        match (self.format(), self.compression()) {
            (OutputFormat::Parquet, Compression::Snappy) => "part-00000.snappy.parquet",
            (OutputFormat::Parquet, Compression::Gzip) => "part-00000.gz.parquet",
            (OutputFormat::Parquet, Compression::None) => "part-00000.parquet",
            (OutputFormat::Csv, Compression::Gzip) => "part-00000.csv.gz",
            (OutputFormat::Csv, _) => "part-00000.csv",
        }
    }

    fn write(&self, batches: &[RecordBatch], path: &Path) -> Result<(), CliError> {
        let file = BufWriter::new(create_file(path)?);
        match (self.format(), self.compression()) {
            (OutputFormat::Parquet, compression) => {
                let codec = match compression {
                    Compression::Snappy => Codec::Snappy,
                    Compression::Gzip => Codec::Gzip,
                    Compression::None => Codec::Uncompressed,
                };
                write_parquet(batches, codec, file)?
            }
            (OutputFormat::Csv, Compression::Gzip) => {
                let mut gzip = flate2::write::GzEncoder::new(file, flate2::Compression::default());
                write_csv(batches, &mut gzip)?;
                gzip.finish().map_err(|source| CliError::Io { path: path.to_path_buf(), source })?;
            }
            (OutputFormat::Csv, _) => write_csv(batches, file)?,
        }
        let written: usize = batches.iter().map(|b| b.num_rows()).sum();
        println!("wrote {written} {} rows to {}", self.kind.name(), path.display());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_one_a_range_or_a_list() {
        assert_eq!(parse_months("3"), Ok(Months(vec![3])));
        assert_eq!(parse_months("1-12"), Ok(Months((1..=12).collect())));
        assert_eq!(parse_months("1,2,5-6"), Ok(Months(vec![1, 2, 5, 6])));
        assert!(parse_months("0").is_err());
        assert!(parse_months("5-2").is_err());
        assert!(parse_months("13").is_err());
    }
}
