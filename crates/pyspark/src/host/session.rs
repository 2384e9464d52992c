//! SparkSession: the builder's settings, `spark.read`, `spark.sql`, `spark.table`, the runtime config and the
//! catalog of temporary views.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::datatypes::{Field, Schema as ArrowSchema};
use kindling_engine::dataframe::DataFrame;
use kindling_engine::executor::Executors;
use kindling_engine::types::SparkType;
use kindling_engine::io::Table;
use kindling_engine::value::{Value, array_of};
use kindling_sql::Parameters;
use kindling_engine::io::csv::CsvOptions;
use kindling_engine::schema::{SparkField, SparkSchema};
use kindling_engine::session::{SPARK_VERSION, Session};
use monty_types::MontyObject;

use super::dataframe::option_text;
use super::{Args, Host};
use crate::error::{PySparkError, Result};
use crate::values::{PyValue, inferred_type, to_declared_type};
use crate::{not_supported, type_error};

impl Host {
    pub(super) fn session_op(&mut self, op: &str, args: &Args) -> Result<MontyObject> {
        let df = match op {
            "session.get_or_create" => return self.get_or_create(args),
            "session.sql" => kindling_sql::sql_with_parameters(&self.session, args.str(0)?, self.sql_parameters(args.get(1))?)?,
            "session.table" => self.session.table(args.str(0)?)?,
            "session.read" => self.read(args)?,
            "session.create_dataframe" => self.create_dataframe(args)?,
            "session.range" => self.range(args)?,
            "session.stop" => return Ok(MontyObject::none()),
            // A warning PySpark's `warnings.warn` would show, on stderr.
            "session.warn" => {
                self.write_err(&format!("{}\n", args.str(0)?));
                return Ok(MontyObject::none());
            }
            "conf.set" => {
                // In place, as Spark's runtime config: DataFrames made before see the new setting when they run.
                self.session.set_conf(args.str(0)?, &option_text(args.get(1)).unwrap_or_default())?;
                return Ok(MontyObject::none());
            }
            "conf.get" => return self.conf_get(args.str(0)?, args.get(1)),
            "conf.unset" => {
                self.session.unset_conf(args.str(0)?)?;
                return Ok(MontyObject::none());
            }
            "catalog.list_tables" => {
                let names = self.session.catalog.view_names();
                return Ok(MontyObject::list(names.into_iter().map(MontyObject::string)));
            }
            "catalog.clear_cache" => {
                self.session.cache.clear();
                return Ok(MontyObject::none());
            }
            "fs.exists" => return Ok(MontyObject::bool(self.session.files.entry(args.str(0)?)?.is_some())),
            "fs.temp_root" => return Ok(MontyObject::string(self.session.files.temp_dir())),
            "fs.make_temp_dir" => return self.make_temp_dir(args),
            "fs.remove" => {
                self.session.files.delete(args.str(0)?)?;
                return Ok(MontyObject::none());
            }
            "catalog.drop_temp_view" => return Ok(MontyObject::bool(self.session.catalog.drop_view(args.str(0)?))),
            "catalog.table_exists" => return Ok(MontyObject::bool(self.session.catalog.view(args.str(0)?).is_some())),
            other => not_supported!("{other} is not supported by Kindling yet"),
        };
        Ok(self.describe(df))
    }

    /// `tempfile.mkdtemp(suffix, prefix, dir)`: a new, empty directory in `dir` named as Python names it (`tmp`
    /// and eight random letters, digits or `_`), made in the session's file system.
    fn make_temp_dir(&mut self, args: &Args) -> Result<MontyObject> {
        const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_";
        let (suffix, prefix) = (args.str(0)?, args.str(1)?);
        let parent = args.str(2)?;
        let mut random = kindling_engine::random::XorShiftRandom::new(kindling_engine::clock::wall_clock_micros());
        loop {
            let name: String = (0..8).map(|_| LETTERS[random.next_int(LETTERS.len() as i32) as usize] as char).collect();
            let path = format!("{}/{prefix}{name}{suffix}", parent.trim_end_matches('/'));
            if self.session.files.entry(&path)?.is_none() {
                self.session.files.create_dir(&path)?;
                return Ok(MontyObject::string(path));
            }
        }
    }

    /// `spark.sql`'s `args`: a dict for `:name` markers, a list for `?` markers; each value a literal or a Column.
    fn sql_parameters(&self, args: &PyValue) -> Result<Parameters> {
        Ok(match args {
            PyValue::None => Parameters::None,
            PyValue::Dict(pairs) => Parameters::Named(
                pairs.iter().map(|(name, value)| Ok((parameter_name(name)?, self.expr_or_literal(value)?))).collect::<Result<_>>()?,
            ),
            PyValue::List(values) | PyValue::Tuple(values) => {
                Parameters::Positional(values.iter().map(|value| self.expr_or_literal(value)).collect::<Result<_>>()?)
            }
            other => type_error!("[INVALID_TYPE] Argument `args` should be a dict or list, got {}.", other.type_name()),
        })
    }

    /// `getOrCreate()`: applies the builder's settings over the ones the program was started with (the
    /// notebook's knobs, `--conf`); `master("local[N]")` sets the number of executors.
    fn get_or_create(&mut self, args: &Args) -> Result<MontyObject> {
        let mut config = self.base.config();
        let (mut app_name, mut master) = ("pyspark-shell".to_string(), "local[*]".to_string());
        for pair in args.list(0)? {
            let [PyValue::Str(key), value] = pair.items().unwrap_or(&[]) else { continue };
            let value = option_text(value).unwrap_or_default();
            match key.as_str() {
                "spark.app.name" => app_name = value,
                "spark.master" => master = value,
                key => config.set(key, &value)?,
            }
        }
        self.session = self.session_for_master(&master)?.with_config(config);
        Ok(MontyObject::tuple([
            MontyObject::string(SPARK_VERSION),
            MontyObject::string(app_name),
            MontyObject::string(master),
            MontyObject::int(self.session.default_parallelism() as i64),
        ]))
    }

    /// `local[N]` runs on N executor threads where the platform can start them; `local[*]` and `local` keep the
    /// executors the program was started with.
    fn session_for_master(&self, master: &str) -> Result<Arc<Session>> {
        let threads = master.strip_prefix("local[").and_then(|m| m.strip_suffix(']'));
        match threads.map(str::parse::<usize>) {
            Some(Ok(n)) if n != self.base.executors.count() => match Executors::local(n) {
                Ok(executors) => Ok(self.base.with_executors(executors)),
                Err(_) => Ok(self.base.clone()),
            },
            Some(Err(_)) if threads != Some("*") => {
                Err(PySparkError::Value(format!("Could not parse Master URL: '{master}'")))
            }
            _ => Ok(self.base.clone()),
        }
    }

    /// `spark.createDataFrame(rows, schema)`: local rows (tuples, lists, `Row`s or dicts).
    fn create_dataframe(&self, args: &Args) -> Result<DataFrame> {
        let dict_rows = rows_of_dicts(args.list(0)?, args.get(1))?;
        let rows = dict_rows.as_deref().unwrap_or(args.list(0)?);
        // Fields, not attributes: the DataFrame's columns get their ids when it is made, as Spark's do.
        let fields = row_schema(args.get(1), rows)?;
        // A lone value is a row of one field — given a schema of one field to read it by (`"int"`).
        if let Some(row) = rows.iter().find(|row| row.items().is_none())
            && fields.len() != 1
        {
            return Err(cannot_infer_schema_for(row));
        }
        let types: Vec<SparkType> = fields.iter().map(|f| f.data_type.clone()).collect();
        let columns = typed_columns(rows, &types);
        // PySpark parallelizes the rows over the default parallelism.
        let bounds = parallelized_bounds(rows.len(), self.session.default_parallelism());
        self.local_dataframe(&fields, columns, rows.len(), bounds)
    }

    /// `spark.range(start, end, step, numPartitions)`: a bigint column `id`.
    fn range(&self, args: &Args) -> Result<DataFrame> {
        let (start, end, step) = (args.int(0)?, args.int(1)?, args.int(2)?);
        if step == 0 {
            return Err(PySparkError::Value("step must not be 0".into()));
        }
        // PySpark asks for the default parallelism when no number is given; plans show it as given.
        let partitions = args.opt_int(3)?.map_or_else(|| self.session.default_parallelism(), |n| n.max(1) as usize);
        Ok(self.session.range(start, end, step, Some(partitions))?)
    }

    /// A DataFrame over columns held in memory, cut at `bounds` (each slice's first row, then the end).
    pub(super) fn local_dataframe(&self, fields: &[SparkField], columns: Vec<ArrayRef>, rows: usize, bounds: Vec<usize>) -> Result<DataFrame> {
        // The schema's nullability holds: a None where a field may not be NULL is PySpark's error.
        if let Some((field, _)) = fields.iter().zip(&columns).find(|(f, c)| !f.nullable && c.null_count() > 0) {
            return Err(PySparkError::Value(format!(
                "[FIELD_NOT_NULLABLE_WITH_NAME] field {}: This field is not nullable, but got None.",
                field.name
            )));
        }
        let fields: Vec<Field> = fields.iter().map(SparkField::to_arrow).collect();
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        let batch = RecordBatch::try_new_with_options(Arc::new(ArrowSchema::new(fields)), columns, &options)
            .map_err(kindling_engine::EngineError::from)?;
        Ok(self.session.create_dataframe_from_rdd(Table { schema: batch.schema(), batches: vec![batch] }, bounds)?)
    }

    /// `spark.conf.get(key[, default])`: the prelude passes a default of its own sentinel when none is given, and a
    /// setting that is neither set nor defaulted is Spark's SQL_CONF_NOT_FOUND error.
    fn conf_get(&self, key: &str, default: &PyValue) -> Result<MontyObject> {
        if let Some(value) = self.session.config().get(key) {
            return Ok(MontyObject::string(value));
        }
        match default {
            PyValue::Instance { class, .. } if class == "_NoDefault" => Err(PySparkError::Spark {
                class: "SparkNoSuchElementException",
                message: format!(
                    "[SQL_CONF_NOT_FOUND] The SQL config \"{key}\" cannot be found. Please verify that the config \
                     exists. SQLSTATE: 42K0I"
                ),
            }),
            other => Ok(option_text(other).map_or_else(MontyObject::none, MontyObject::string)),
        }
    }

    /// `spark.read….load(paths)`: `(format, paths, options, schema)`.
    fn read(&self, args: &Args) -> Result<kindling_engine::dataframe::DataFrame> {
        let format = args.str(0)?.to_ascii_lowercase();
        let paths: Vec<String> = args
            .list(1)?
            .iter()
            .map(|p| match p {
                PyValue::Str(s) => Ok(s.clone()),
                other => type_error!("a path must be a string, got {}", other.type_name()),
            })
            .collect::<Result<_>>()?;
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        let schema = schema_from(args.get(3))?;
        let options = match args.get(2) {
            PyValue::Dict(pairs) => pairs.clone(),
            _ => Vec::new(),
        };
        match format.as_str() {
            "parquet" => {
                if schema.is_some() {
                    not_supported!("a schema for Parquet files is not supported by Kindling yet");
                }
                Ok(self.session.read_parquet(&paths)?)
            }
            "csv" => Ok(self.session.read_csv(&paths, csv_options(&options, schema)?)?),
            "json" => Ok(self.session.read_json(&paths, schema)?),
            other => not_supported!("reading the {other} format is not supported by Kindling yet"),
        }
    }
}

fn csv_options(options: &[(PyValue, PyValue)], schema: Option<SparkSchema>) -> Result<CsvOptions> {
    let mut csv = CsvOptions { schema, ..CsvOptions::default() };
    for (key, value) in options {
        let PyValue::Str(key) = key else { continue };
        let text = option_text(value).unwrap_or_default();
        csv.set(key, &text).map_err(|error| match error {
            kindling_engine::EngineError::InvalidArgument(message) if message.starts_with("unknown CSV mode") => {
                PySparkError::Value(message)
            }
            kindling_engine::EngineError::InvalidArgument(message) => PySparkError::NotSupported(message),
            other => other.into(),
        })?;
    }
    Ok(csv)
}

/// A schema argument: the full schema, only column names, or nothing.
pub(super) enum Schema {
    Full(Vec<SparkField>),
    Names(Vec<String>),
    Inferred,
}

pub(super) fn schema_from_names_or_spec(value: &PyValue) -> Result<Schema> {
    if let Some(items) = value.items()
        && let Some(names) = items.iter().map(|i| if let PyValue::Str(s) = i { Some(s.clone()) } else { None }).collect::<Option<Vec<_>>>()
    {
        return Ok(Schema::Names(names));
    }
    Ok(schema_from(value)?.map_or(Schema::Inferred, |schema| Schema::Full(schema.fields)))
}

/// The columns of rows given a `schema` argument: the full schema, or names (given, a `Row`'s fields, or `_1`,
/// `_2`, …) with the types PySpark infers — the first non-None value of each column decides.
pub(super) fn row_schema(schema: &PyValue, rows: &[PyValue]) -> Result<Vec<SparkField>> {
    let schema = schema_from_names_or_spec(schema)?;
    if let Schema::Full(fields) = schema {
        return Ok(fields);
    }
    let Some(first) = rows.first() else {
        return Err(PySparkError::Value("[CANNOT_INFER_EMPTY_SCHEMA] Can not infer schema from an empty dataset.".into()));
    };
    let names = match (schema, first) {
        (Schema::Names(names), _) => names,
        (_, PyValue::NamedTuple { fields, .. }) => fields.clone(),
        (_, PyValue::Tuple(values) | PyValue::List(values)) => (1..=values.len()).map(|i| format!("_{i}")).collect(),
        (_, other) => return Err(cannot_infer_schema_for(other)),
    };
    let field = |row: &PyValue, i: usize| row.items().and_then(|fields| fields.get(i)).cloned().unwrap_or(PyValue::None);
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let first_value = rows.iter().map(|row| field(row, i)).find(|v| *v != PyValue::None).unwrap_or(PyValue::None);
            Ok(SparkField::new(name, inferred_type(&first_value)?, true))
        })
        .collect()
}

/// Dict rows as PySpark reads them: with a full schema, each field's value by its name; otherwise each dict's
/// values in the order of its sorted keys, as rows named after the keys of all the dicts (each dict's new keys, sorted,
/// after those seen before) unless names are given. `None` when the rows are not dicts.
fn rows_of_dicts(rows: &[PyValue], schema: &PyValue) -> Result<Option<Vec<PyValue>>> {
    if !matches!(rows.first(), Some(PyValue::Dict(_))) {
        return Ok(None);
    }
    let dict = |row: &PyValue| -> Result<Vec<(String, PyValue)>> {
        let PyValue::Dict(entries) = row else { return Err(cannot_infer_schema_for(row)) };
        let mut entries: Vec<(String, PyValue)> = entries
            .iter()
            .map(|(key, value)| match key {
                PyValue::Str(name) => Ok((name.clone(), value.clone())),
                other => Err(cannot_infer_schema_for(other)),
            })
            .collect::<Result<_>>()?;
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(entries)
    };
    let dicts = rows.iter().map(dict).collect::<Result<Vec<_>>>()?;
    let names: Vec<String> = match schema_from_names_or_spec(schema)? {
        Schema::Full(fields) => fields.into_iter().map(|f| f.name).collect(),
        _ => {
            let mut names: Vec<String> = Vec::new();
            for (key, _) in dicts.iter().flatten() {
                if !names.contains(key) {
                    names.push(key.clone());
                }
            }
            names
        }
    };
    let value_of = |entries: &[(String, PyValue)], name: &str| entries.iter().find(|(k, _)| k == name).map_or(PyValue::None, |(_, v)| v.clone());
    let row = |entries: &Vec<(String, PyValue)>| PyValue::NamedTuple {
        type_name: "Row".into(),
        fields: names.clone(),
        values: names.iter().map(|name| value_of(entries, name)).collect(),
    };
    Ok(Some(dicts.iter().map(row).collect()))
}

fn cannot_infer_schema_for(row: &PyValue) -> PySparkError {
    PySparkError::Type(format!("[CANNOT_INFER_SCHEMA_FOR_TYPE] Can not infer schema for type: `{}`.", row.type_name()))
}

/// Rows as typed columns: each row's fields (a lone value is a one-field row) in the attributes' types.
pub(super) fn typed_columns(rows: &[PyValue], types: &[SparkType]) -> Vec<ArrayRef> {
    let field = |row: &PyValue, i: usize| match row.items() {
        Some(fields) => fields.get(i).cloned(),
        None => (i == 0).then(|| row.clone()),
    };
    types
        .iter()
        .enumerate()
        .map(|(i, data_type)| {
            let values: Vec<Value> = rows.iter().map(|row| field(row, i).map_or(Value::Null, |v| to_declared_type(&v, data_type))).collect();
            array_of(&values, data_type)
        })
        .collect()
}

/// A schema as the prelude sends it: field specs `[(name, type, nullable)]` or a DDL string `a INT, b STRING`.
fn schema_from(value: &PyValue) -> Result<Option<SparkSchema>> {
    let fields = match value {
        PyValue::None => return Ok(None),
        PyValue::Str(ddl) => {
            return kindling_engine::schema::parse_ddl_schema(ddl)
                .map(Some)
                .map_err(|error| PySparkError::Spark { class: "ParseException", message: error.to_string() });
        }
        PyValue::List(specs) => specs.iter().map(super::type_spec::field_from_spec).collect::<Result<_>>()?,
        other => type_error!("a schema must be a StructType or a DDL string, got {}", other.type_name()),
    };
    Ok(Some(SparkSchema { fields }))
}

fn parameter_name(name: &PyValue) -> Result<String> {
    match name {
        PyValue::Str(name) => Ok(name.clone()),
        other => type_error!("[INVALID_TYPE] The keys of `args` should be str, got {}.", other.type_name()),
    }
}

/// Where `sc.parallelize(list, slices)` cuts a list of `rows` elements: PySpark sends the elements in batches of
/// `rows / slices` (at least 1, at most 1024) and the slices split the batches evenly, so a slice boundary falls
/// between batches (8 elements in 3 slices: 2, 2 and 4).
pub(super) fn parallelized_bounds(rows: usize, slices: usize) -> Vec<usize> {
    let slices = slices.max(1);
    let batch = (rows / slices).clamp(1, 1024);
    let batches = rows.div_ceil(batch);
    (0..=slices).map(|i| (i * batches / slices * batch).min(rows)).collect()
}
