//! The subcommands and what each one does.

use std::fs::File;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use clap::{Parser, Subcommand, ValueEnum};
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
use std::time::Duration;

use crate::generate::{Generation, Months, parse_months};
use crate::master::Master;
use crate::submit::{Submission, parse_conf, write_trace};

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
    /// Run a PySpark program as spark-submit would (what it prints goes to stdout, an uncaught exception to
    /// stderr as a Python traceback), or a SQL file as `spark-sql -f` would (each query's rows, tab-separated).
    Run {
        #[command(flatten)]
        submission: SubmissionArgs,
        /// Write every job's trace to this JSON file; the web page shows it with "Open trace".
        #[arg(long)]
        trace: Option<PathBuf>,
    },
    /// Write a PySpark program as a standalone script for spark-submit or Dataproc: its paths become required
    /// argparse arguments and `.master(...)` goes.
    Export {
        /// The program (`.py`).
        program: PathBuf,
        /// Where to write the script; standard output if omitted.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print the physical plan of each query of a SQL file, or of each job a PySpark program runs.
    Explain {
        #[command(flatten)]
        submission: SubmissionArgs,
    },
    /// Generate synthetic TLC-shaped taxi trips.
    Gen {
        #[arg(value_enum)]
        kind: TripKind,
        /// The trips' year (not asked of the zone lookup).
        #[arg(long, required_if_eq_any([("kind", "green"), ("kind", "yellow"), ("kind", "fhvhv"), ("kind", "fhv")]))]
        year: Option<i32>,
        /// One month (`3`), a range (`1-12`) or a list (`1,2,5`).
        #[arg(long, alias = "month", default_value = "1", value_parser = parse_months)]
        months: Months,
        /// Rows per month (not asked of the zone lookup, whose 265 zones are the real ones).
        #[arg(long, required_if_eq_any([("kind", "green"), ("kind", "yellow"), ("kind", "fhvhv"), ("kind", "fhv")]))]
        rows: Option<usize>,
        /// The random seed: the same seed always gives the same file.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Parquet: snappy (default), gzip or none. CSV: gzip writes `.csv.gz`; snappy and none write plain CSV.
        #[arg(long, value_enum, default_value_t = Compression::Snappy)]
        compression: Compression,
        /// parquet or csv; by default what `--out`'s extension says (`.csv`, `.csv.gz`), else Parquet (the zone
        /// lookup: CSV, as the TLC publishes it).
        #[arg(long, value_enum)]
        format: Option<OutputFormat>,
        /// A file (`trips.parquet`, `fhvhv_tripdata_2021-02.csv.gz`) for one month, or a folder that gets the
        /// course's layout: `<out>/<kind>/<year>/<MM>/part-00000.snappy.parquet`.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
pub struct SubmissionArgs {
    /// The program (`.py`) or SQL file (`.sql`).
    program: PathBuf,
    /// Executor threads: local, local[N] or local[*]; the program's own `master(...)` overrides it.
    #[arg(long, default_value = "local[*]")]
    master: Master,
    /// A Spark setting, as spark-submit's `--conf` (repeatable): `--conf spark.sql.shuffle.partitions=8`.
    #[arg(long = "conf", value_name = "KEY=VALUE", value_parser = parse_conf)]
    conf: Vec<(String, String)>,
    /// The most seconds of Python time the program may take.
    #[arg(long, default_value_t = 3600)]
    time_limit: u64,
    /// The program's own arguments, after `--`: its `sys.argv[1:]`, what argparse reads.
    #[arg(last = true)]
    args: Vec<String>,
}

impl SubmissionArgs {
    fn into_submission(self) -> Submission {
        Submission {
            program: self.program,
            master: self.master,
            conf: self.conf,
            time_limit: Duration::from_secs(self.time_limit),
            args: self.args,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TripKind {
    Green,
    Yellow,
    /// High-volume for-hire trips, in the course's seven-column form.
    Fhvhv,
    /// Other for-hire vehicle trips, with the TLC fhv file's columns.
    Fhv,
    /// The taxi zone lookup (265 zones; it needs no `--year`, `--months` or `--rows`).
    Zones,
}

impl TripKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Yellow => "yellow",
            Self::Fhvhv => "fhvhv",
            Self::Fhv => "fhv",
            Self::Zones => "zone",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Parquet,
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Compression {
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
    /// The program called `sys.exit(code)` (argparse after `--help`, or on bad arguments).
    #[error("exit {0}")]
    Exit(i32),
    /// `SystemExit` with a message (argparse's usage and error): printed, exit code 2 as argparse's.
    #[error("{0}")]
    ExitWithMessage(String),
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
        Command::Run { submission, trace } => {
            let jobs = submission.into_submission().run()?;
            match trace {
                Some(path) => write_trace(&path, &jobs),
                None => Ok(()),
            }
        }
        Command::Explain { submission } => submission.into_submission().explain(),
        Command::Export { program, out } => export_program(&program, out.as_deref()),
        Command::Gen { kind, year, months, rows, seed, compression, format, out } => {
            // clap asks trips for both; the zone lookup reads neither.
            let (year, rows) = (year.unwrap_or_default(), rows.unwrap_or_default());
            Generation { kind, year, months, rows, seed, compression, format, out }.run()
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

fn export_program(program: &Path, out: Option<&Path>) -> Result<(), CliError> {
    let source = std::fs::read_to_string(program).map_err(|source| CliError::Io { path: program.to_path_buf(), source })?;
    let name = program.file_name().map_or_else(|| program.display().to_string(), |n| n.to_string_lossy().into_owned());
    let exported = kindling_pyspark::export::export(&source, &name).map_err(|(message, offset)| {
        let line = source[..offset.min(source.len())].matches('\n').count() + 1;
        CliError::Program(format!("{}:{line}: SyntaxError: {message}", program.display()))
    })?;
    let Some(out) = out else {
        print!("{}", exported.script);
        return Ok(());
    };
    std::fs::write(out, &exported.script).map_err(|source| CliError::Io { path: out.to_path_buf(), source })?;
    let arguments: Vec<String> = exported.arguments.iter().map(|a| format!("--{} {}", a.name, a.was)).collect();
    eprintln!("wrote {}; run it with:\n  spark-submit {} {}", out.display(), out.display(), arguments.join(" "));
    Ok(())
}

pub fn create_file(path: &Path) -> Result<File, CliError> {
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
