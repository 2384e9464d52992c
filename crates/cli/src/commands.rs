//! The subcommands and what each one does.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use clap::{Parser, Subcommand, ValueEnum};
use kindling_datagen::{Codec, TripSpec, green_trips, write_parquet};
use kindling_engine::clock::MonotonicClock;
use kindling_engine::executor::Executors;
use kindling_engine::display::{show_string, tree_string};
use kindling_engine::io::Table;
use kindling_engine::io::parquet::read_parquet;
use kindling_engine::schema::SparkSchema;
use kindling_engine::job::{SumPerPartition, display_sum, sum_per_partition};

use crate::master::Master;

#[derive(Debug, Parser)]
#[command(name = "kindling", version, about = "Spark's batch-processing model, runnable and visible.")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sum a numeric column of a Parquet file in each partition, one task per partition.
    Sum {
        /// The Parquet file to read.
        file: PathBuf,
        /// The column to sum (matched case-insensitively, as Spark does).
        #[arg(long, default_value = "total_amount")]
        column: String,
        /// How many partitions to cut the file into.
        #[arg(long, default_value_t = 8)]
        partitions: usize,
        /// Executor threads, as spark-submit takes them: local, local[N] or local[*].
        #[arg(long, default_value = "local[*]")]
        master: Master,
        /// Print the result and the job trace as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print a Parquet file's schema as Spark's printSchema() does.
    Schema {
        /// The Parquet file to read.
        file: PathBuf,
    },
    /// Print the first rows of a Parquet file as Spark's show() does.
    Show {
        /// The Parquet file to read.
        file: PathBuf,
        /// How many rows to show.
        #[arg(short = 'n', long, default_value_t = 20)]
        rows: usize,
        /// Cut cells longer than this many characters; 0 shows them whole.
        #[arg(long, default_value_t = 20)]
        truncate: usize,
    },
    /// Generate synthetic TLC-shaped taxi trips.
    Gen {
        #[arg(value_enum)]
        kind: TripKind,
        #[arg(long)]
        year: i32,
        /// 1..=12
        #[arg(long)]
        month: u32,
        #[arg(long)]
        rows: usize,
        /// The random seed: the same seed always gives the same file.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = Compression::Snappy)]
        compression: Compression,
        /// The Parquet file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TripKind {
    Green,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Compression {
    Snappy,
    Gzip,
    None,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    BadFile { path: PathBuf, source: kindling_engine::EngineError },
    #[error(transparent)]
    Engine(#[from] kindling_engine::EngineError),
    #[error(transparent)]
    Datagen(#[from] kindling_datagen::DatagenError),
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Sum { file, column, partitions, master, json } => {
            let table = read_parquet_file(&file)?;
            let executors = Executors::local(master.executors)?;
            let result = sum_per_partition(&table, &column, partitions, &executors, &MonotonicClock::new())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&result).expect("results serialise"));
            } else {
                print_sums(&result);
            }
            Ok(())
        }
        Command::Schema { file } => {
            let table = read_parquet_file(&file)?;
            let schema = SparkSchema::from_arrow(&table.schema).map_err(|source| CliError::BadFile { path: file, source })?;
            print!("{}", tree_string(&schema));
            Ok(())
        }
        Command::Show { file, rows, truncate } => {
            let table = read_parquet_file(&file)?;
            let schema = SparkSchema::from_arrow(&table.schema).map_err(|source| CliError::BadFile { path: file, source })?;
            println!("{}", show_string(&schema, &table.batches, rows, truncate)?);
            Ok(())
        }
        Command::Gen { kind: TripKind::Green, year, month, rows, seed, compression, out } => {
            let batches = green_trips(&TripSpec { year, month, rows, seed })?;
            let codec = match compression {
                Compression::Snappy => Codec::Snappy,
                Compression::Gzip => Codec::Gzip,
                Compression::None => Codec::Uncompressed,
            };
            write_parquet(&batches, codec, BufWriter::new(create_file(&out)?))?;
            println!("wrote {rows} green trips for {year}-{month:02} to {}", out.display());
            Ok(())
        }
    }
}

fn read_parquet_file(path: &Path) -> Result<Table, CliError> {
    let bytes = std::fs::read(path).map_err(|source| CliError::Io { path: path.to_path_buf(), source })?;
    read_parquet(Bytes::from(bytes)).map_err(|source| CliError::BadFile { path: path.to_path_buf(), source })
}

fn create_file(path: &Path) -> Result<File, CliError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| CliError::Io { path: parent.to_path_buf(), source })?;
    }
    File::create(path).map_err(|source| CliError::Io { path: path.to_path_buf(), source })
}

fn print_sums(result: &SumPerPartition) {
    let trace = &result.trace;
    println!(
        "sum({}) over {} partitions on {} executors ({:.1} ms)",
        result.column,
        result.partitions.len(),
        trace.executors,
        trace.duration_ms
    );
    println!("{:>9}  {:>10}  {:>8}  sum", "partition", "rows", "executor");
    for (partition, task) in result.partitions.iter().zip(&trace.tasks) {
        println!(
            "{:>9}  {:>10}  {:>8}  {}",
            partition.partition,
            partition.rows,
            task.executor,
            display_sum(partition.sum)
        );
    }
    println!("total: {}", display_sum(result.total));
}
