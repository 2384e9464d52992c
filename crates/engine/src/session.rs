//! The session: settings, files and executors shared by every DataFrame built from it (Spark's `SparkSession`).

use std::sync::{Arc, Mutex, RwLock};

use crate::analyzer::cast_to;
use crate::catalog::{Catalog, CatalogTable, view_not_found};
use crate::clock::{Clock, MonotonicClock};
use crate::dataframe::DataFrame;
use crate::executor::Executors;
use crate::expr::{Attribute, Expr};
use crate::io::write::{SaveMode, WriteFormat, WriteOptions};
use crate::io::Table;
use crate::io::csv::{CsvOptions, csv_schema};
use crate::io::file_partition::SplitSettings;
use crate::io::partition_discovery::discover;
use crate::io::vfs::{FileSystem, LocalDisk, resolve};
use crate::logical::{FileFormat, LogicalPlan, Scan, Source};
use crate::schema::SparkSchema;
use crate::time_zone::TimeZone;
use crate::trace::JobTrace;
use crate::{EngineError, Result};

/// The Spark release whose behaviour Kindling reproduces: the goldens in `tests/golden` are recorded on it, and
/// `spark.version` reports it.
pub const SPARK_VERSION: &str = "4.3.0";

/// The settings Kindling honours, with Spark 4's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `spark.sql.shuffle.partitions`
    pub shuffle_partitions: usize,
    /// `spark.sql.autoBroadcastJoinThreshold`, in bytes
    pub auto_broadcast_join_threshold: i64,
    /// `spark.sql.adaptive.enabled`
    pub adaptive_enabled: bool,
    /// `spark.sql.adaptive.coalescePartitions.enabled`
    pub coalesce_partitions_enabled: bool,
    /// `spark.sql.adaptive.advisoryPartitionSizeInBytes`
    pub advisory_partition_size: u64,
    /// `spark.sql.adaptive.coalescePartitions.minPartitionSize`
    pub min_partition_size: u64,
    /// `spark.sql.files.maxPartitionBytes`
    pub max_partition_bytes: u64,
    /// `spark.sql.files.openCostInBytes`
    pub open_cost_in_bytes: u64,
    /// `spark.sql.session.timeZone`: UTC unless set (Spark's default is the JVM's zone; Kindling's is the same
    /// everywhere, so results do not depend on the machine).
    pub session_time_zone: TimeZone,
    /// `spark.sql.ansi.enabled`
    pub ansi_enabled: bool,
    /// Settings outside `spark.sql.*` (`spark.executor.memory`, an application's own keys): kept and readable, as
    /// Spark keeps them, though nothing in Kindling reads them.
    pub other: std::collections::BTreeMap<String, String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            shuffle_partitions: 200,
            auto_broadcast_join_threshold: 10 * 1024 * 1024,
            adaptive_enabled: true,
            coalesce_partitions_enabled: true,
            advisory_partition_size: 64 * 1024 * 1024,
            min_partition_size: 1024 * 1024,
            max_partition_bytes: 128 * 1024 * 1024,
            open_cost_in_bytes: 4 * 1024 * 1024,
            session_time_zone: TimeZone::UTC,
            ansi_enabled: true,
            other: Default::default(),
        }
    }
}

impl Config {
    /// Sets a setting by its Spark name (`spark.conf.set`), e.g. `spark.sql.shuffle.partitions` = `8`.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let number = || -> Result<u64> {
            parse_bytes(value).ok_or_else(|| EngineError::InvalidArgument(format!("{key}: `{value}` is not a number")))
        };
        let flag = || -> Result<bool> {
            value.parse().map_err(|_| EngineError::InvalidArgument(format!("{key}: `{value}` is not true or false")))
        };
        match key {
            "spark.sql.shuffle.partitions" => self.shuffle_partitions = (number()? as usize).max(1),
            "spark.sql.autoBroadcastJoinThreshold" => {
                self.auto_broadcast_join_threshold = if value.trim() == "-1" { -1 } else { number()? as i64 }
            }
            "spark.sql.adaptive.enabled" => self.adaptive_enabled = flag()?,
            "spark.sql.ansi.enabled" => self.ansi_enabled = flag()?,
            "spark.sql.adaptive.coalescePartitions.enabled" => self.coalesce_partitions_enabled = flag()?,
            "spark.sql.adaptive.advisoryPartitionSizeInBytes" => self.advisory_partition_size = number()?,
            "spark.sql.adaptive.coalescePartitions.minPartitionSize" => self.min_partition_size = number()?,
            "spark.sql.files.maxPartitionBytes" => self.max_partition_bytes = number()?,
            "spark.sql.files.openCostInBytes" => self.open_cost_in_bytes = number()?,
            "spark.sql.session.timeZone" => {
                self.session_time_zone = TimeZone::parse(value).ok_or_else(|| {
                    EngineError::Analysis(format!(
                        "[INVALID_CONF_VALUE.TIME_ZONE] The value '{value}' in the config \"spark.sql.session.timeZone\" \
                         is invalid. Cannot resolve the given timezone. SQLSTATE: 22022"
                    ))
                })?
            }
            other if other.starts_with("spark.sql.") => {
                crate::invalid_argument!("the setting `{other}` is not supported by Kindling")
            }
            other => {
                self.other.insert(other.to_string(), value.to_string());
            }
        }
        Ok(())
    }

    /// `spark.conf.unset(key)`: back to the default.
    pub fn unset(&mut self, key: &str) -> Result<()> {
        if self.other.remove(key).is_some() {
            return Ok(());
        }
        match Config::default().get(key) {
            Some(default) => self.set(key, &default),
            None => Ok(()),
        }
    }
}

impl Config {
    /// A setting's value as `spark.conf.get` and `SET key` show it, for the settings Kindling honours.
    pub fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "spark.sql.shuffle.partitions" => self.shuffle_partitions.to_string(),
            "spark.sql.autoBroadcastJoinThreshold" => self.auto_broadcast_join_threshold.to_string(),
            "spark.sql.adaptive.enabled" => self.adaptive_enabled.to_string(),
            "spark.sql.adaptive.coalescePartitions.enabled" => self.coalesce_partitions_enabled.to_string(),
            "spark.sql.ansi.enabled" => self.ansi_enabled.to_string(),
            "spark.sql.session.timeZone" => self.session_time_zone.name(),
            other => return self.other.get(other).cloned(),
        })
    }
}

impl Config {
    /// The settings a query reads while it runs (see [`crate::query_settings`]).
    pub fn query_settings(&self) -> crate::query_settings::QuerySettings {
        crate::query_settings::QuerySettings { time_zone: self.session_time_zone, ansi: self.ansi_enabled }
    }
}

/// `10485760`, `10m`, `64MB`, `1g` as bytes (Spark's byte-size strings).
fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim().to_ascii_lowercase();
    let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let number: u64 = text[..digits_end].parse().ok()?;
    let unit = match text[digits_end..].trim_end_matches('b') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return None,
    };
    number.checked_mul(unit)
}

/// Everything a query needs besides its plan.
pub struct Session {
    /// Read when a query is planned and run, so `spark.conf.set` reaches DataFrames made before it, as in Spark.
    config: RwLock<Config>,
    pub files: Arc<dyn FileSystem>,
    pub executors: Arc<Executors>,
    pub clock: Arc<dyn Clock>,
    /// The temporary views SQL can query.
    pub catalog: Arc<Catalog>,
    /// The cached DataFrames and their kept partitions.
    pub cache: Arc<crate::cache::CacheManager>,
    /// The trace of every job run so far, oldest first (Spark UI's job list); shared by the session's copies with
    /// other settings or executors, as one application's job list.
    jobs: Arc<Mutex<Vec<JobTrace>>>,
}

impl Session {
    /// A session on `executors`, reading files from `files`.
    pub fn new(files: Arc<dyn FileSystem>, executors: Executors, clock: Arc<dyn Clock>) -> Arc<Self> {
        let executors = Arc::new(executors);
        Arc::new(Self { config: RwLock::new(Config::default()), files, executors, clock, catalog: Arc::default(), cache: Arc::default(), jobs: Arc::default() })
    }

    /// A native session: files on disk, `local[n]` executors.
    pub fn local(executors: usize) -> Result<Arc<Self>> {
        Ok(Self::new(Arc::new(LocalDisk), Executors::local(executors)?, Arc::new(MonotonicClock::new())))
    }

    /// The same session (files, executors, views) with other settings (the knobs re-run a query with a changed
    /// copy).
    pub fn with_config(self: &Arc<Self>, config: Config) -> Arc<Self> {
        Arc::new(Self { config: RwLock::new(config), ..self.shallow_copy() })
    }

    /// The session's settings now.
    pub fn config(&self) -> Config {
        self.config.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// `spark.conf.set(key, value)`: changes a setting of this session, for every query planned from now on —
    /// those of DataFrames made before too.
    pub fn set_conf(&self, key: &str, value: &str) -> Result<()> {
        self.config.write().unwrap_or_else(|poisoned| poisoned.into_inner()).set(key, value)?;
        self.take_up_settings();
        Ok(())
    }

    /// `spark.conf.unset(key)`
    pub fn unset_conf(&self, key: &str) -> Result<()> {
        self.config.write().unwrap_or_else(|poisoned| poisoned.into_inner()).unset(key)?;
        self.take_up_settings();
        Ok(())
    }

    /// The driver's thread takes up the settings at once: expressions built before the next job (`current_timezone()`
    /// folded to a constant) see the time zone just set.
    fn take_up_settings(&self) {
        crate::query_settings::set_current(self.config().query_settings());
    }

    /// The same session (files, settings, views, job list) on other executors (`master("local[N]")`).
    pub fn with_executors(self: &Arc<Self>, executors: Executors) -> Arc<Self> {
        // One application, one progress bar and one cancel switch, whatever executors its jobs run on.
        let executors = executors.with_control(self.executors.control().clone());
        Arc::new(Self { executors: Arc::new(executors), ..self.shallow_copy() })
    }

    fn shallow_copy(&self) -> Self {
        Self {
            config: RwLock::new(self.config()),
            files: self.files.clone(),
            executors: self.executors.clone(),
            clock: self.clock.clone(),
            catalog: self.catalog.clone(),
            cache: self.cache.clone(),
            jobs: self.jobs.clone(),
        }
    }

    /// `spark.table(name)`: the temporary view `name`, whose columns can also be named `name.<column>`.
    pub fn table(self: &Arc<Self>, name: &str) -> Result<DataFrame> {
        if let Some(view) = self.catalog.view(name) {
            return Ok(DataFrame::new(self.clone(), LogicalPlan::SubqueryAlias { alias: view.name, input: view.plan }));
        }
        let table = self.catalog.table(name).ok_or_else(|| view_not_found(name))?;
        let has_files = resolve(self.files.as_ref(), &table.location).is_ok_and(|files| !files.is_empty());
        let rows = if has_files {
            self.read_parquet(&[&table.location])?
        } else {
            let schema = Arc::new(table.schema.to_arrow());
            self.create_dataframe(Table { schema, batches: vec![] }, 1)?
        };
        Ok(rows.alias(&table.name))
    }

    /// `CREATE [OR REPLACE] TABLE name (columns) USING parquet`: an empty table.
    pub fn create_table(&self, name: &str, schema: SparkSchema, replace: bool) -> Result<()> {
        if replace {
            self.drop_table(name, true)?;
        }
        self.catalog.create_table(CatalogTable::managed(name, schema), false)
    }

    /// `CREATE [OR REPLACE] TABLE name AS query` (`df.write.saveAsTable(name)`): a table holding the rows of `df`.
    pub fn create_table_as(&self, name: &str, df: &DataFrame, replace: bool) -> Result<()> {
        let table = CatalogTable::managed(name, df.schema());
        if !replace && self.catalog.table(name).is_some() {
            return self.catalog.create_table(table, false);
        }
        self.drop_table(name, true)?;
        df.write(WriteFormat::Parquet, &table.location, WriteOptions { mode: SaveMode::Overwrite, ..WriteOptions::default() })?;
        self.catalog.create_table(table, false)
    }

    /// `INSERT INTO` (or, with `overwrite`, `INSERT OVERWRITE`) the table `name` the rows of `df`, whose columns are
    /// matched to the table's by position and cast to their types.
    pub fn insert_into(&self, name: &str, df: &DataFrame, overwrite: bool) -> Result<()> {
        if self.catalog.view(name).is_some() {
            return Err(EngineError::Analysis(
                "[UNSUPPORTED_INSERT.RDD_BASED] Can't insert into the target. An RDD-based table is not allowed. \
                 SQLSTATE: 42809"
                    .into(),
            ));
        }
        let table = self.catalog.table(name).ok_or_else(|| view_not_found(name))?;
        let data = df.attributes();
        if data.len() != table.schema.fields.len() {
            let reason = if data.len() < table.schema.fields.len() { "NOT_ENOUGH_DATA_COLUMNS" } else { "TOO_MANY_DATA_COLUMNS" };
            let names = |names: Vec<&str>| names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            return Err(EngineError::Analysis(format!(
                "[INSERT_COLUMN_ARITY_MISMATCH.{reason}] Cannot write to `spark_catalog`.`default`.`{}`, the reason is \
                 {}:\nTable columns: {}.\nData columns: {}. SQLSTATE: 21S01",
                table.name,
                reason.to_ascii_lowercase().replace('_', " "),
                names(table.schema.fields.iter().map(|f| f.name.as_str()).collect()),
                names(data.iter().map(|a| a.name.as_str()).collect())
            )));
        }
        let columns = data
            .into_iter()
            .zip(&table.schema.fields)
            .map(|(column, field)| cast_to(Expr::Attribute(column), field.data_type.clone()).alias(&field.name))
            .collect();
        let mode = if overwrite { SaveMode::Overwrite } else { SaveMode::Append };
        df.select(columns)?.write(WriteFormat::Parquet, &table.location, WriteOptions { mode, ..WriteOptions::default() })?;
        Ok(())
    }

    /// `DROP TABLE [IF EXISTS] name`: the table leaves the catalog and its files are deleted.
    pub fn drop_table(&self, name: &str, if_exists: bool) -> Result<()> {
        match self.catalog.drop_table(name) {
            Some(table) => self.files.delete(&table.location),
            None if if_exists => Ok(()),
            None => Err(view_not_found(name)),
        }
    }

    /// Appends a finished job's trace to the job log.
    pub fn record_job(&self, trace: JobTrace) {
        for cached in self.cache.entries() {
            cached.note_job(&trace);
        }
        self.jobs.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(trace);
    }

    /// Every job run so far.
    pub fn jobs(&self) -> Vec<JobTrace> {
        self.jobs_since(0)
    }

    /// How many jobs have run so far: where the next one will be in the job log.
    pub fn job_count(&self) -> usize {
        self.jobs.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).len()
    }

    /// The jobs from number `first` on (a notebook cell's jobs), without copying the earlier ones.
    pub fn jobs_since(&self, first: usize) -> Vec<JobTrace> {
        let jobs = self.jobs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        jobs.get(first..).unwrap_or_default().to_vec()
    }

    /// Spark's `defaultParallelism` in local mode: the number of executor threads.
    pub fn default_parallelism(&self) -> usize {
        self.executors.count()
    }

    pub fn split_settings(&self) -> SplitSettings {
        SplitSettings {
            max_partition_bytes: self.config().max_partition_bytes,
            open_cost_in_bytes: self.config().open_cost_in_bytes,
            min_partitions: self.default_parallelism(),
        }
    }

    /// `spark.read.parquet(paths…)`: the schema comes from the first file's footer.
    pub fn read_parquet(self: &Arc<Self>, paths: &[&str]) -> Result<DataFrame> {
        let files = self.resolve_all(paths)?;
        let first = self.files.read(&files[0].path)?;
        let schema = crate::io::parquet::read_schema(first)?;
        self.file_scan(FileFormat::Parquet, paths, files, schema)
    }

    /// `spark.read.csv(paths…)` with reader options; without an explicit schema it is taken from the first file.
    pub fn read_csv(self: &Arc<Self>, paths: &[&str], options: CsvOptions) -> Result<DataFrame> {
        let files = self.resolve_all(paths)?;
        let schema = csv_schema(&files[0].path, self.files.read(&files[0].path)?, &options)?;
        let options = CsvOptions { schema: Some(schema.clone()), ..options };
        self.file_scan(FileFormat::Csv(options), paths, files, schema)
    }

    /// `spark.read.json(paths…)`: JSON Lines; without `schema`, Spark's inference over every line of every file.
    pub fn read_json(self: &Arc<Self>, paths: &[&str], schema: Option<SparkSchema>) -> Result<DataFrame> {
        let files = self.resolve_all(paths)?;
        let schema = match schema {
            Some(schema) => schema,
            None => {
                let contents = files.iter().map(|f| Ok((f.path.clone(), self.files.read(&f.path)?))).collect::<Result<Vec<_>>>()?;
                crate::io::json::json_schema(&contents)?
            }
        };
        let options = crate::io::json::JsonOptions { schema: Some(schema.clone()) };
        self.file_scan(FileFormat::Json(options), paths, files, schema)
    }

    /// `spark.range(start, end, step)` / SQL's `range(…)`: a bigint column `id` counting from `start` by `step` up
    /// to `end` (excluded), in `partitions` slices (the default parallelism when not given).
    pub fn range(self: &Arc<Self>, start: i64, end: i64, step: i64, partitions: Option<usize>) -> Result<DataFrame> {
        if step == 0 {
            crate::invalid_argument!("range: the step must not be 0");
        }
        let range = crate::range::Range { start, end, step, slices: partitions.map(|n| n.max(1)) };
        let schema = SparkSchema { fields: vec![crate::types::SparkField::new("id", crate::types::SparkType::Long, false)] };
        Ok(DataFrame::new(self.clone(), scan_of(Source::Range(range), &schema)))
    }

    /// A DataFrame over rows already in memory, cut into `partitions` even slices.
    pub fn create_dataframe(self: &Arc<Self>, table: Table, partitions: usize) -> Result<DataFrame> {
        let bounds = crate::partition::even_bounds(table.num_rows(), partitions);
        self.create_sliced_dataframe(table, bounds)
    }

    /// A DataFrame over rows already in memory, cut at `bounds` (each slice's first row, then the end).
    pub fn create_sliced_dataframe(self: &Arc<Self>, table: Table, bounds: Vec<usize>) -> Result<DataFrame> {
        let schema = SparkSchema::from_arrow(&table.schema)?;
        let source = Source::Memory { table, bounds, from_rdd: false };
        Ok(DataFrame::new(self.clone(), scan_of(source, &schema)))
    }

    /// A DataFrame over the rows of a Python RDD, slice by slice (see [`Source::Memory`]).
    pub fn create_dataframe_from_rdd(self: &Arc<Self>, table: Table, bounds: Vec<usize>) -> Result<DataFrame> {
        let schema = SparkSchema::from_arrow(&table.schema)?;
        let source = Source::Memory { table, bounds, from_rdd: true };
        Ok(DataFrame::new(self.clone(), scan_of(source, &schema)))
    }

    fn resolve_all(&self, paths: &[&str]) -> Result<Vec<crate::io::vfs::FileStatus>> {
        let mut files = Vec::new();
        for path in paths {
            files.extend(resolve(self.files.as_ref(), path)?);
        }
        if files.is_empty() {
            crate::invalid_argument!("no data files under {}", paths.join(", "));
        }
        Ok(files)
    }

    fn file_scan(
        self: &Arc<Self>,
        format: FileFormat,
        paths: &[&str],
        files: Vec<crate::io::vfs::FileStatus>,
        schema: SparkSchema,
    ) -> Result<DataFrame> {
        let partition_columns = discover(paths, &files)?;
        let mut schema = schema;
        for field in &partition_columns.fields {
            if !schema.fields.iter().any(|f| f.name.eq_ignore_ascii_case(&field.name)) {
                schema.fields.push(field.clone());
            }
        }
        let paths = paths.iter().map(|p| p.to_string()).collect();
        let source = Source::Files { format, paths, files, partition_columns };
        Ok(DataFrame::new(self.clone(), scan_of(source, &schema)))
    }
}

fn scan_of(source: Source, schema: &SparkSchema) -> LogicalPlan {
    let columns: Vec<Attribute> =
        schema.fields.iter().map(|f| Attribute::new(f.name.clone(), f.data_type.clone(), f.nullable)).collect();
    LogicalPlan::Scan(Scan { source: Arc::new(source), output: columns.clone(), columns, pushed_filters: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_take_spark_names_and_byte_sizes() {
        let mut config = Config::default();
        config.set("spark.sql.shuffle.partitions", "8").unwrap();
        config.set("spark.sql.autoBroadcastJoinThreshold", "-1").unwrap();
        config.set("spark.sql.adaptive.advisoryPartitionSizeInBytes", "1m").unwrap();
        assert_eq!(config.shuffle_partitions, 8);
        assert_eq!(config.auto_broadcast_join_threshold, -1);
        assert_eq!(config.advisory_partition_size, 1 << 20);
        assert!(config.set("spark.sql.unknown", "1").is_err());
    }
}
