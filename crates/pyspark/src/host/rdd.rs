//! The RDD API: lineages of Python functions that the engine runs as opaque partition functions
//! ([`kindling_engine::rdd`]).
//!
//! Narrow steps (`map`, `filter`, `flatMap`, `mapPartitions`, …) are only recorded; when the RDD is used, all the
//! steps since the last shuffle become one engine node, and each task runs them in one go in its worker — as
//! PySpark pipelines consecutive Python functions into one `PythonRDD`. `reduceByKey` and `groupByKey` combine on
//! the map side, hash each key with PySpark's `portable_hash`, shuffle, and combine again on the reduce side.
//! Elements cross stage boundaries as bytes (monty's serialized objects), as PySpark's cross as pickles.

use std::fmt;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BinaryArray, Int64Array, RecordBatch};
use kindling_engine::dataframe::DataFrame;
use kindling_engine::expr::Attribute;
use kindling_engine::hash_aggregate::batch_of;
use kindling_engine::io::text_lines::{line_splits, split_lines};
use kindling_engine::rdd::{MapPartitions, PartitionFunction};
use kindling_engine::types::{SparkField, SparkType};
use kindling_engine::value::Value;
use kindling_engine::{EngineError, Result as EngineResult};
use monty_types::{MontyObject, ObjectRef};

use super::session::{Schema, parallelized_bounds, row_schema, schema_from_names_or_spec, typed_columns};
use super::{Args, Host, Object};
use crate::error::{PySparkError, Result};
use crate::portable_hash::portable_hash;
use crate::values::{PyValue, row_values};
use crate::worker::Workers;
use crate::{not_supported, type_error};

/// An RDD: an engine plan, and the narrow steps still to apply to its elements.
#[derive(Clone)]
pub(super) struct Rdd {
    base: DataFrame,
    input: Input,
    /// `(kind, function key)` of each step since the last shuffle, in order.
    steps: Vec<(String, i64)>,
}

/// What the rows of an RDD's base plan are.
#[derive(Clone, Debug)]
enum Input {
    /// A DataFrame's rows, which become `Row` objects with these field names (`df.rdd`).
    Rows(Vec<String>),
    /// Serialized elements, in the last column.
    Elements,
    /// Pairs of serialized elements, one in each of the first two columns (`cartesian`).
    Pairs,
}

/// What a partition function produces.
#[derive(Clone, Debug)]
enum Output {
    /// Serialized elements.
    Elements,
    /// Serialized `(key, value)` pairs after their key's portable hash, ready for a key-hash exchange.
    KeyHashed,
    /// `(partition number, element)` pairs made by a `partitionBy` function: the number, then the element.
    PartitionKeyed,
    /// Typed columns, from each element's fields (`toDF`).
    Rows(Vec<Attribute>),
}

impl Output {
    fn attributes(&self) -> Vec<Attribute> {
        let element = || Attribute::new("element", SparkType::Binary, false);
        match self {
            Output::Elements => vec![element()],
            Output::KeyHashed | Output::PartitionKeyed => vec![Attribute::new("hash", SparkType::Long, false), element()],
            Output::Rows(attributes) => attributes.clone(),
        }
    }
}

impl Host {
    pub(super) fn rdd_op(&mut self, name: &str, args: &Args) -> Result<MontyObject> {
        let made = match name {
            "text_file" => Some(self.text_file(args.str(0)?, args.opt_int(1)?)?),
            "whole_text_files" => Some(self.whole_text_files(args.str(0)?, args.opt_int(1)?)?),
            "save_text" => return self.save_text(args.str(0)?, args.list(1)?),
            _ => None,
        };
        if let Some(rdd) = made {
            return Ok(MontyObject::int(self.add(Object::Rdd(rdd)) as i64));
        }
        let mut rdd = self.rdd(args)?;
        match name {
            // The RDD itself under a handle (`sc.parallelize` makes its collection an RDD at once).
            "source" => {}
            "narrow" => rdd.steps.push((args.str(1)?.to_string(), args.int(2)?)),
            "reduce_by_key" => {
                let key = args.int(1)?;
                rdd = self.shuffle(rdd, Some(("combine", key)), Output::KeyHashed, Some(("combine", key)), args.opt_int(2)?)?;
            }
            "group_by_key" => {
                rdd = self.shuffle(rdd, Some(("group", 0)), Output::KeyHashed, Some(("merge_groups", 0)), args.opt_int(1)?)?
            }
            "combine_by_key" => {
                let (local, merge) = (Some(("combine_locally", args.int(1)?)), Some(("merge_combiners", args.int(2)?)));
                rdd = self.shuffle(rdd, local, Output::KeyHashed, merge, args.opt_int(3)?)?;
            }
            // `partitionBy(n, f)`: each pair to partition `f(key) % n` (the key's portable hash without `f`).
            "partition_by" => {
                let partitions = Some(args.int(1)?);
                rdd = match args.opt_int(2)? {
                    Some(f) => self.shuffle(rdd, Some(("partition_key", f)), Output::PartitionKeyed, None, partitions)?,
                    None => self.shuffle(rdd, None, Output::KeyHashed, None, partitions)?,
                };
            }
            "union" => {
                let other = self.rdd_at(args.get(1))?;
                let union = self.plan(&rdd, Output::Elements).union(&self.plan(&other, Output::Elements))?;
                rdd = Rdd { base: union, input: Input::Elements, steps: Vec::new() };
            }
            // Every element with every element of the other RDD: partition `i * n + j` pairs partition `i` of this
            // RDD with partition `j` of the other's `n`, as Spark's CartesianRDD does (the engine's CartesianProduct).
            "cartesian" => {
                let other = self.rdd_at(args.get(1))?;
                let product = self.plan(&rdd, Output::Elements).cross_join(&self.plan(&other, Output::Elements))?;
                rdd = Rdd { base: product, input: Input::Pairs, steps: Vec::new() };
            }
            "coalesce" => {
                let partitions = usize::try_from(args.int(1)?).ok().filter(|n| *n > 0);
                let partitions = partitions.ok_or_else(|| PySparkError::Value("numPartitions must be positive".into()))?;
                let base = self.plan(&rdd, Output::Elements);
                let base = if args.bool(2)? { base.repartition(partitions)? } else { base.coalesce(partitions)? };
                rdd = Rdd { base, input: Input::Elements, steps: Vec::new() };
            }
            "num_partitions" => return Ok(MontyObject::int(self.plan(&rdd, Output::Elements).num_partitions()? as i64)),
            "collect" => {
                self.before_job(args)?;
                let limit = args.opt_int(1)?.map(|n| n.max(0) as usize);
                return Ok(MontyObject::list(self.elements(&rdd, limit)?));
            }
            "count" => {
                self.before_job(args)?;
                let (batches, _) = self.plan(&rdd, Output::Elements).execute("count")?;
                return Ok(MontyObject::int(batches.iter().map(RecordBatch::num_rows).sum::<usize>() as i64));
            }
            "to_df" => {
                self.before_job(args)?;
                let attributes = self.to_df_columns(&rdd, args.get(1))?;
                let df = self.plan(&rdd, Output::Rows(attributes));
                return Ok(self.describe(df));
            }
            other => not_supported!("RDD.{other} is not supported by Kindling yet"),
        }
        Ok(MontyObject::int(self.add(Object::Rdd(rdd)) as i64))
    }

    /// The RDD the prelude's `_source` stands for: `('dataframe', h)`, `('rdd', h)` or `('parallelize', data, n)`.
    fn rdd(&self, args: &Args) -> Result<Rdd> {
        let source = args.get(0).items().unwrap_or(&[]);
        if let [PyValue::Str(kind), _, _, _] = source
            && kind == "parallelize"
        {
            return self.parallelized(args);
        }
        self.rdd_at(args.get(0))
    }

    /// An RDD given as a `('dataframe', h)` or `('rdd', h)` source.
    fn rdd_at(&self, source: &PyValue) -> Result<Rdd> {
        let source = source.items().unwrap_or(&[]);
        match source {
            [PyValue::Str(kind), handle] if kind == "dataframe" => {
                let df = self.dataframe(handle)?;
                Ok(Rdd { input: Input::Rows(df.columns()), base: df, steps: Vec::new() })
            }
            [PyValue::Str(kind), handle] if kind == "rdd" => match self.object(super::handle_of(handle)?)? {
                Object::Rdd(rdd) => Ok(rdd.clone()),
                _ => type_error!("expected an RDD"),
            },
            _ => type_error!("not an RDD"),
        }
    }

    /// `('parallelize', data, n, is_range)`: the collection, read from the call's own arguments.
    fn parallelized(&self, args: &Args) -> Result<Rdd> {
        match args.get(0).items().unwrap_or(&[]) {
            [_, _, slices, _] => {
                let data = args.object(0).and_then(|source| source.items()).and_then(|parts| parts.get(1)?.items());
                let elements = data.ok_or_else(|| PySparkError::Type("parallelize() needs a collection".into()))?;
                let slices = match slices {
                    PyValue::Int(n) if *n > 0 => *n as usize,
                    PyValue::None => self.session.default_parallelism(),
                    other => type_error!("numSlices must be a positive int, got {}", other.repr()),
                };
                // A `range` is cut evenly; any other collection as PySpark batches it.
                let bounds = match args.get(0).items().unwrap_or(&[]).get(3) {
                    Some(PyValue::Bool(true)) => kindling_engine::partition::even_bounds(elements.len(), slices),
                    _ => parallelized_bounds(elements.len(), slices),
                };
                self.parallelize(&elements, bounds)
            }
            _ => type_error!("not an RDD"),
        }
    }

    /// `sc.textFile(path, minPartitions)`: the lines of the files, one partition per piece of them as Hadoop cuts
    /// them (see [`kindling_engine::io::text_lines`]).
    fn text_file(&self, path: &str, min_partitions: Option<i64>) -> Result<Rdd> {
        let files = self.text_files(path)?;
        let splits = line_splits(&files, self.min_partitions(min_partitions));
        let mut lines = Vec::new();
        let mut bounds = vec![0];
        for split in &splits {
            lines.extend(split_lines(self.session.files.as_ref(), split)?.into_iter().map(MontyObject::string));
            bounds.push(lines.len());
        }
        self.parallelize_objects(&lines, bounds)
    }

    /// `sc.wholeTextFiles(path, minPartitions)`: a `(path, contents)` pair per file, files packed into partitions of
    /// about `total size / minPartitions` bytes.
    fn whole_text_files(&self, path: &str, min_partitions: Option<i64>) -> Result<Rdd> {
        let files = self.text_files(path)?;
        let total: u64 = files.iter().map(|f| f.size).sum();
        let most = total.div_ceil(self.min_partitions(min_partitions) as u64).max(1);
        let (mut pairs, mut bounds, mut packed) = (Vec::new(), vec![0], 0);
        for file in &files {
            let contents = self.session.files.read(&file.path)?;
            let text = MontyObject::string(String::from_utf8_lossy(&contents).into_owned());
            pairs.push(MontyObject::tuple([MontyObject::string(file.path.as_str()), text]));
            packed += file.size;
            if packed >= most {
                bounds.push(pairs.len());
                packed = 0;
            }
        }
        if bounds.last() != Some(&pairs.len()) || pairs.is_empty() {
            bounds.push(pairs.len());
        }
        self.parallelize_objects(&pairs, bounds)
    }

    /// The data files a text path names (a file, a folder or a glob).
    fn text_files(&self, path: &str) -> Result<Vec<kindling_engine::io::vfs::FileStatus>> {
        let files = kindling_engine::io::vfs::resolve(self.session.files.as_ref(), path)?;
        if files.is_empty() {
            return Err(PySparkError::from(EngineError::PathNotFound(path.to_string())));
        }
        Ok(files)
    }

    /// `minPartitions`, by default the smaller of the default parallelism and 2 (Spark's `defaultMinPartitions`).
    fn min_partitions(&self, given: Option<i64>) -> usize {
        given.map_or(self.session.default_parallelism().min(2), |n| n.max(1) as usize)
    }

    /// `rdd.saveAsTextFile(path)`: each partition's text (the prelude makes it) as `part-0000N`, then `_SUCCESS`.
    fn save_text(&self, path: &str, parts: &[PyValue]) -> Result<MontyObject> {
        let files = self.session.files.as_ref();
        for (index, part) in parts.iter().enumerate() {
            let text = match part {
                PyValue::Str(text) => text.clone(),
                other => type_error!("saveAsTextFile: a partition's text must be a str, got {}", other.type_name()),
            };
            files.write(&format!("{path}/part-{index:05}"), text.into_bytes().into())?;
        }
        files.write(&format!("{path}/_SUCCESS"), Default::default())?;
        Ok(MontyObject::none())
    }

    /// `sc.parallelize(data, n)`: the elements cut into slices of contiguous elements at `bounds`.
    fn parallelize(&self, elements: &[ObjectRef<'_>], bounds: Vec<usize>) -> Result<Rdd> {
        self.parallelize_objects(&elements.iter().map(|e| e.to_owned()).collect::<Vec<_>>(), bounds)
    }

    fn parallelize_objects(&self, elements: &[MontyObject], bounds: Vec<usize>) -> Result<Rdd> {
        let bytes = elements.iter().map(serialize).collect::<EngineResult<Vec<_>>>()?;
        let column: ArrayRef = Arc::new(BinaryArray::from_iter_values(bytes));
        let fields: Vec<SparkField> = Output::Elements.attributes().into_iter().map(|a| SparkField::new(a.name, a.data_type, a.nullable)).collect();
        let base = self.local_dataframe(&fields, vec![column], elements.len(), bounds)?;
        Ok(Rdd { base, input: Input::Elements, steps: Vec::new() })
    }

    /// A wide step: the map side ends with `map_side`, then each element goes to the partition its key's hash
    /// (`keyed` says how it is found) picks; after the exchange the reduce side starts with `reduce_side`. Without
    /// `numPartitions`, as many partitions as the parent has (PySpark's default).
    fn shuffle(&self, mut rdd: Rdd, map_side: Option<(&str, i64)>, keyed: Output, reduce_side: Option<(&str, i64)>, partitions: Option<i64>) -> Result<Rdd> {
        let partitions = match partitions {
            Some(n) if n > 0 => n as usize,
            Some(n) => return Err(PySparkError::Value(format!("numPartitions must be positive, got {n}"))),
            None => self.plan(&rdd, Output::Elements).num_partitions()?,
        };
        rdd.steps.extend(map_side.map(|(kind, key)| (kind.to_string(), key)));
        let shuffled = self.plan(&rdd, keyed).repartition_by_key_hash(partitions)?;
        let steps = reduce_side.map(|(kind, key)| (kind.to_string(), key)).into_iter().collect();
        Ok(Rdd { base: shuffled, input: Input::Elements, steps })
    }

    /// The engine plan of `rdd` with its pending steps as one partition function.
    fn plan(&self, rdd: &Rdd, output: Output) -> DataFrame {
        let attributes = output.attributes();
        let function = PythonSteps { input: rdd.input.clone(), steps: rdd.steps.clone(), output, workers: self.workers.clone() };
        rdd.base.map_partitions(MapPartitions::new(function), attributes)
    }

    /// The RDD's elements (`collect`), or its first `limit` (`take`). Like PySpark's `take`, that looks at the
    /// first partition alone, then at more partitions job after job until it has enough: 4 times as many as so far
    /// while nothing turned up, else as many as the elements found so far suggest, plus half. Shuffles written by
    /// the first job are read by the next ones, whose map stages are skipped.
    fn elements(&self, rdd: &Rdd, limit: Option<usize>) -> Result<Vec<MontyObject>> {
        let plan = self.plan(rdd, Output::Elements);
        let Some(wanted) = limit else {
            let (batches, _) = plan.execute("collect")?;
            return decoded(&batches);
        };
        let total = plan.num_partitions()?;
        let mut elements = Vec::new();
        let mut scanned = 0;
        while elements.len() < wanted && scanned < total {
            let to_try = match (scanned, elements.len()) {
                (0, _) => 1,
                (_, 0) => scanned * 4,
                (_, found) => ((1.5 * wanted as f64 * scanned as f64 / found as f64) as usize).saturating_sub(scanned).clamp(1, scanned * 4),
            };
            let (batches, _) = plan.execute_partitions(&format!("take({wanted})"), Some(scanned..scanned + to_try))?;
            elements.extend(decoded(&batches)?);
            scanned += to_try;
        }
        elements.truncate(wanted);
        Ok(elements)
    }

    /// The columns of `rdd.toDF(schema)`: the schema's, or inferred from the first element as PySpark does, which
    /// takes a job.
    fn to_df_columns(&self, rdd: &Rdd, schema: &PyValue) -> Result<Vec<Attribute>> {
        if let Schema::Full(_) = schema_from_names_or_spec(schema)? {
            return Ok(attributes_of(row_schema(schema, &[])?));
        }
        let first: Vec<PyValue> = self.elements(rdd, Some(1))?.iter().map(|e| PyValue::decode(e.as_ref())).collect();
        Ok(attributes_of(row_schema(schema, &first)?))
    }
}

fn attributes_of(fields: Vec<SparkField>) -> Vec<Attribute> {
    fields.into_iter().map(|f| Attribute::new(f.name, f.data_type, f.nullable)).collect()
}

/// One stage's Python steps over a partition, run in a worker copy of the program.
struct PythonSteps {
    input: Input,
    steps: Vec<(String, i64)>,
    output: Output,
    workers: Arc<Workers>,
}

impl fmt::Debug for PythonSteps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())
    }
}

impl PartitionFunction for PythonSteps {
    fn name(&self) -> String {
        let kinds: Vec<&str> = self.steps.iter().map(|(kind, _)| kind.as_str()).collect();
        format!("PythonRDD [{}]", kinds.join(", "))
    }

    fn apply(&self, partition: usize, batches: Vec<RecordBatch>, input: &[Attribute]) -> EngineResult<Vec<RecordBatch>> {
        let mut elements = Vec::new();
        for batch in &batches {
            match &self.input {
                Input::Rows(names) => elements.extend(rows_as_objects(names.len(), batch, input)?),
                Input::Elements => elements.extend(decode_elements(batch)?),
                Input::Pairs => elements.extend(decode_pairs(batch)?),
            }
        }
        let steps = self.steps.iter().map(|(kind, key)| MontyObject::tuple([MontyObject::string(kind.as_str()), MontyObject::int(*key)]));
        // A DataFrame's rows come as tuples of values, with the column names the prelude makes them `Row`s with.
        let names = match &self.input {
            Input::Rows(names) => MontyObject::tuple(names.iter().cloned().map(MontyObject::string)),
            Input::Elements | Input::Pairs => MontyObject::none(),
        };
        let args = vec![MontyObject::list(steps), MontyObject::int(partition as i64), MontyObject::list(elements), names];
        let describe = |noted: &MontyObject| {
            let noted = PyValue::decode(noted.as_ref());
            (noted != PyValue::None).then(|| noted.repr())
        };
        let result = self.workers.call("_kindling_rdd_partition", args, &describe)?;
        let items = result.as_ref().items().ok_or_else(|| EngineError::Internal("the RDD steps returned no list".into()))?;
        Ok(vec![self.encode(&items)?])
    }
}

impl PythonSteps {
    fn encode(&self, items: &[ObjectRef<'_>]) -> EngineResult<RecordBatch> {
        let attributes = self.output.attributes();
        let columns: Vec<ArrayRef> = match &self.output {
            Output::Elements => vec![Arc::new(binary_column(items)?)],
            Output::KeyHashed => {
                let hashes = items.iter().map(key_hash).collect::<EngineResult<Int64Array>>()?;
                vec![Arc::new(hashes), Arc::new(binary_column(items)?)]
            }
            Output::PartitionKeyed => {
                let (numbers, elements) = items.iter().map(numbered_element).collect::<EngineResult<(Vec<i64>, Vec<MontyObject>)>>()?;
                let bytes = elements.iter().map(serialize).collect::<EngineResult<Vec<_>>>()?;
                vec![Arc::new(Int64Array::from(numbers)), Arc::new(BinaryArray::from_iter_values(bytes))]
            }
            Output::Rows(attributes) => {
                let rows: Vec<PyValue> = items.iter().map(|item| PyValue::decode(*item)).collect();
                let types: Vec<SparkType> = attributes.iter().map(|a| a.data_type.clone()).collect();
                typed_columns(&rows, &types)
            }
        };
        batch_of(&attributes, columns, items.len())
    }
}

/// A DataFrame partition's rows as tuples of their first `width` values.
fn rows_as_objects(width: usize, batch: &RecordBatch, input: &[Attribute]) -> EngineResult<Vec<MontyObject>> {
    let columns: Vec<&ArrayRef> = (0..width.min(input.len())).map(|i| batch.column(i)).collect();
    (0..batch.num_rows())
        .map(|row| {
            let values = columns.iter().map(|c| Value::from_array(c.as_ref(), row)).collect::<EngineResult<Vec<_>>>()?;
            Ok(row_values(&values))
        })
        .collect()
}

fn binary_column(items: &[ObjectRef<'_>]) -> EngineResult<BinaryArray> {
    Ok(BinaryArray::from_iter_values(items.iter().map(|item| serialize(&item.to_owned())).collect::<EngineResult<Vec<_>>>()?))
}

/// The portable hash of a `(key, value)` pair's key.
fn key_hash(pair: &ObjectRef<'_>) -> EngineResult<i64> {
    let pair = PyValue::decode(*pair);
    let key = match pair.items() {
        Some([key, _]) => key,
        _ => {
            return Err(EngineError::Runtime(format!(
                "reduceByKey and groupByKey need (key, value) pairs, got {}",
                pair.repr()
            )));
        }
    };
    portable_hash(key).ok_or_else(|| EngineError::Runtime(format!("TypeError: unhashable type: '{}'", key.type_name())))
}

/// A `(partition number, element)` pair of `partitionBy`'s map side.
fn numbered_element(pair: &ObjectRef<'_>) -> EngineResult<(i64, MontyObject)> {
    let parts = pair.items().unwrap_or_default();
    match (parts.first().and_then(|n| n.as_int()), parts.get(1)) {
        (Some(number), Some(element)) => Ok((number, element.to_owned())),
        _ => Err(EngineError::Runtime(format!(
            "TypeError: a partitionBy function must return an int, got {}",
            parts.first().map_or("nothing".to_string(), |n| n.py_repr())
        ))),
    }
}

fn serialize(element: &MontyObject) -> EngineResult<Vec<u8>> {
    postcard::to_allocvec(element).map_err(|e| EngineError::Internal(format!("cannot serialize an RDD element: {e}")))
}

fn decoded(batches: &[RecordBatch]) -> Result<Vec<MontyObject>> {
    let mut elements = Vec::new();
    for batch in batches {
        elements.extend(decode_elements(batch)?);
    }
    Ok(elements)
}

/// The elements in the last column of `batch`.
fn decode_elements(batch: &RecordBatch) -> EngineResult<Vec<MontyObject>> {
    decode_column(batch.column(batch.num_columns() - 1))
}

/// `(left, right)` tuples of the elements in the first two columns of `batch`.
fn decode_pairs(batch: &RecordBatch) -> EngineResult<Vec<MontyObject>> {
    let (left, right) = (decode_column(batch.column(0))?, decode_column(batch.column(1))?);
    Ok(left.into_iter().zip(right).map(|(l, r)| MontyObject::tuple([l, r])).collect())
}

fn decode_column(column: &ArrayRef) -> EngineResult<Vec<MontyObject>> {
    let bytes = column.as_binary_opt::<i32>().ok_or_else(|| EngineError::Internal("RDD elements are not bytes".into()))?;
    (0..bytes.len())
        .map(|i| {
            postcard::from_bytes(bytes.value(i))
                .map_err(|e| EngineError::Internal(format!("cannot read an RDD element: {e}")))
        })
        .collect()
}
