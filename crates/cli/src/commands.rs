//! The subcommands and what each one does.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use clap::{Parser, Subcommand, ValueEnum};
use kindling_datagen::{Codec, TripSpec, fhvhv_trips, green_trips, write_csv, write_parquet, yellow_trips, zone_lookup};
use kindling_engine::clock::MonotonicClock;
use kindling_engine::executor::Executors;
use kindling_engine::display::{show_string, tree_string};
use kindling_engine::io::Table;
use kindling_engine::io::csv::{CsvOptions, read_csv};
use kindling_engine::io::parquet::read_parquet;
use kindling_engine::io::vfs::resolve;
use kindling_engine::io::write::{SaveMode, WriteFormat, WriteOptions};
use kindling_engine::schema::SparkSchema;
use kindling_engine::session::Session;
use kindling_engine::job::{SumPerPartition, display_sum, sum_per_partition};
use kindling_pyspark::RunOptions;
use std::time::Duration;

use crate::master::Master;

#[derive(Debug, Parser)]
#[command(name = "kindling", version, about = "Spark's batch-processing model, runnable and visible.")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How to read an input file: Parquet by default, CSV when the name ends in `.csv` or `.csv.gz`.
#[derive(Debug, clap::Args)]
struct Input {
    /// The Parquet or CSV file to read.
    file: PathBuf,
    /// CSV: the first line names the columns (Spark's `header` option).
    #[arg(long)]
    header: bool,
    /// CSV: infer column types instead of reading every column as a string (Spark's `inferSchema`).
    #[arg(long)]
    infer_schema: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sum a numeric column of a file in each partition, one task per partition.
    Sum {
        #[command(flatten)]
        input: Input,
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
    /// Print a file's schema as Spark's printSchema() does.
    Schema {
        #[command(flatten)]
        input: Input,
    },
    /// Print the first rows of a file as Spark's show() does.
    Show {
        #[command(flatten)]
        input: Input,
        /// How many rows to show.
        #[arg(short = 'n', long, default_value_t = 20)]
        rows: usize,
        /// Cut cells longer than this many characters; 0 shows them whole.
        #[arg(long, default_value_t = 20)]
        truncate: usize,
    },
    /// Read files and write them out again as Spark would (`spark.read…` then `df.repartition(n).write…`): the
    /// course's CSV → Parquet step. Paths may be globs or folders.
    Convert {
        /// The files, folder or glob to read.
        input: String,
        /// CSV input: the first line names the columns.
        #[arg(long)]
        header: bool,
        /// CSV input: infer column types.
        #[arg(long)]
        infer_schema: bool,
        /// The output folder.
        #[arg(long)]
        out: String,
        /// The output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Parquet)]
        to: OutputFormat,
        /// Repartition to this many partitions (and so files) first.
        #[arg(long)]
        partitions: Option<usize>,
        /// overwrite, append, ignore or error (the default, as in Spark).
        #[arg(long, default_value = "error")]
        mode: String,
        /// snappy (Parquet's default), gzip or none.
        #[arg(long)]
        compression: Option<String>,
        /// Write one folder per value of these columns.
        #[arg(long, value_delimiter = ',')]
        partition_by: Vec<String>,
        #[arg(long, default_value = "local[*]")]
        master: Master,
    },
    /// Run a PySpark program as spark-submit would: what it prints goes to stdout, an uncaught exception to
    /// stderr as a Python traceback.
    Run {
        /// The program (`.py`).
        program: PathBuf,
        /// Executor threads: local, local[N] or local[*]; the program's own `master(...)` overrides it.
        #[arg(long, default_value = "local[*]")]
        master: Master,
        /// The most seconds of Python time the program may take.
        #[arg(long, default_value_t = 3600)]
        time_limit: u64,
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
        /// Parquet: snappy (default), gzip or none. CSV: gzip writes `.csv.gz`; snappy and none write plain CSV.
        #[arg(long, value_enum, default_value_t = Compression::Snappy)]
        compression: Compression,
        #[arg(long, value_enum, default_value_t = OutputFormat::Parquet)]
        format: OutputFormat,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TripKind {
    Green,
    Yellow,
    /// High-volume for-hire trips, in the course's seven-column form.
    Fhvhv,
    /// The taxi zone lookup (265 zones; `--year`, `--month` and `--rows` are ignored).
    Zones,
}

impl TripKind {
    fn name(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Yellow => "yellow",
            Self::Fhvhv => "fhvhv",
            Self::Zones => "zone",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Parquet,
    Csv,
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
    /// A program that ended with an uncaught exception: its traceback.
    #[error("{0}")]
    Program(String),
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Sum { input, column, partitions, master, json } => {
            let table = read_input(&input)?;
            let executors = Executors::local(master.executors)?;
            let result = sum_per_partition(&table, &column, partitions, &executors, &MonotonicClock::new())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&result).expect("results serialise"));
            } else {
                print_sums(&result);
            }
            Ok(())
        }
        Command::Schema { input } => {
            let table = read_input(&input)?;
            let schema = SparkSchema::from_arrow(&table.schema)?;
            print!("{}", tree_string(&schema));
            Ok(())
        }
        Command::Show { input, rows, truncate } => {
            let table = read_input(&input)?;
            let schema = SparkSchema::from_arrow(&table.schema)?;
            println!("{}", show_string(&schema, &table.batches, rows, truncate)?);
            Ok(())
        }
        Command::Convert { input, header, infer_schema, out, to, partitions, mode, compression, partition_by, master } => {
            let session = Session::local(master.executors)?;
            let csv = input.ends_with(".csv") || input.ends_with(".csv.gz");
            let df = if csv || header || infer_schema {
                session.read_csv(&[&input], CsvOptions { header, infer_schema, ..CsvOptions::default() })?
            } else {
                session.read_parquet(&[&input])?
            };
            let df = match partitions {
                Some(n) => df.repartition(n)?,
                None => df,
            };
            let format = if to == OutputFormat::Csv { WriteFormat::Csv } else { WriteFormat::Parquet };
            let options = WriteOptions { mode: SaveMode::parse(&mode)?, compression, partition_by, header: true };
            match df.write(format, &out, options)? {
                Some(trace) => {
                    let files = resolve(session.files.as_ref(), &out)?;
                    let rows: u64 = trace.tasks.iter().filter(|t| t.stage + 1 == trace.stages.len()).map(|t| t.rows_out).sum();
                    println!("wrote {rows} rows as {} files to {out}", files.len());
                }
                None => println!("{out} exists; nothing written (mode ignore)"),
            }
            Ok(())
        }
        Command::Run { program, master, time_limit } => {
            let source = std::fs::read_to_string(&program)
                .map_err(|source| CliError::Io { path: program.clone(), source })?;
            let session = Session::local(master.executors)?;
            let file_name = program.display().to_string();
            let options = RunOptions { file_name, time_limit: Duration::from_secs(time_limit) };
            let output = kindling_pyspark::run(&session, &source, &options);
            print!("{}", output.stdout);
            match output.error {
                Some(error) => Err(CliError::Program(error.traceback)),
                None => Ok(()),
            }
        }
        Command::Gen { kind, year, month, rows, seed, compression, format, out } => {
            let spec = TripSpec { year, month, rows, seed };
            let batches = match kind {
                TripKind::Green => green_trips(&spec)?,
                TripKind::Yellow => yellow_trips(&spec)?,
                TripKind::Fhvhv => fhvhv_trips(&spec)?,
                TripKind::Zones => zone_lookup(seed)?,
            };
            let file = BufWriter::new(create_file(&out)?);
            match (format, compression) {
                (OutputFormat::Parquet, compression) => {
                    let codec = match compression {
                        Compression::Snappy => Codec::Snappy,
                        Compression::Gzip => Codec::Gzip,
                        Compression::None => Codec::Uncompressed,
                    };
                    write_parquet(&batches, codec, file)?
                }
                (OutputFormat::Csv, Compression::Gzip) => {
                    let mut gzip = flate2::write::GzEncoder::new(file, flate2::Compression::default());
                    write_csv(&batches, &mut gzip)?;
                    gzip.finish().map_err(|source| CliError::Io { path: out.clone(), source })?;
                }
                (OutputFormat::Csv, _) => write_csv(&batches, file)?,
            }
            let written: usize = batches.iter().map(|b| b.num_rows()).sum();
            println!("wrote {written} {} rows to {}", kind.name(), out.display());
            Ok(())
        }
    }
}

fn read_input(input: &Input) -> Result<Table, CliError> {
    let path = &input.file;
    let bytes = Bytes::from(std::fs::read(path).map_err(|source| CliError::Io { path: path.clone(), source })?);
    let name = path.to_string_lossy();
    if name.ends_with(".csv") || name.ends_with(".csv.gz") {
        let options = CsvOptions { header: input.header, infer_schema: input.infer_schema, ..CsvOptions::default() };
        // CSV errors already name the file and line.
        Ok(read_csv(&name, bytes, &options)?)
    } else {
        read_parquet(bytes).map_err(|source| CliError::BadFile { path: path.clone(), source })
    }
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
        trace.duration_us as f64 / 1e3
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
