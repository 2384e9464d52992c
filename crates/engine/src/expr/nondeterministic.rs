//! Nondeterministic expressions: values that depend on *where* a row is met, not only on what it holds.
//!
//! `rand(42)` draws a number for each row from a generator that each task seeds with `42 + partition index`;
//! `monotonically_increasing_id()` is the partition index in the upper bits and the row's position in its
//! partition in the lower 33; `uuid()` a random version-4 UUID per row from a generator seeded per task (Spark seeds
//! it from a random number, so the values differ from Spark's and from run to run, as they do between Spark
//! runs); `spark_partition_id()` is the partition index; `input_file_name()` the file the
//! task's scan is reading as the row passes (nothing after a shuffle). So the same query over the same
//! partitions gives the same values, but the values change when the data is split differently — and the optimizer
//! must not move such an expression (below a filter, into two places) where it would meet other rows.
//!
//! A task evaluates them with [`TaskExprs`]: each batch gets one extra column per such expression, computed in
//! row order, and the expressions read those columns instead.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{Field, Schema};

use super::{Attribute, Expr, ExprId};
use crate::{EngineError, Result};
use crate::random::XorShiftRandom;
use crate::types::SparkType;

/// An expression whose value depends on the row's partition and position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Nondeterministic {
    /// `rand(seed)`: uniform in [0, 1).
    Rand { seed: i64 },
    /// `randn(seed)`: standard normal.
    Randn { seed: i64 },
    MonotonicallyIncreasingId,
    SparkPartitionId,
    /// `input_file_name()`: the file the task's scan is reading, or `''` when no scan in the task reads one.
    InputFileName,
    /// `uuid()`: a random version-4 UUID as text.
    Uuid { seed: i64 },
}

impl Nondeterministic {
    /// The name Spark shows: `rand(42)`, `monotonically_increasing_id()`, `SPARK_PARTITION_ID()`.
    pub fn name(self) -> String {
        match self {
            Self::Rand { seed } => format!("rand({seed})"),
            Self::Randn { seed } => format!("randn({seed})"),
            Self::MonotonicallyIncreasingId => "monotonically_increasing_id()".into(),
            Self::SparkPartitionId => "SPARK_PARTITION_ID()".into(),
            Self::InputFileName => "input_file_name()".into(),
            Self::Uuid { .. } => "uuid()".into(),
        }
    }

    /// The call `name(args)` (lower-case name), if `name` is one of these functions: `rand`/`random`/`randn` take
    /// an optional whole-number seed (a fresh one when left out, NULL meaning 0), the others nothing.
    pub fn call(name: &str, args: &[Expr]) -> Option<Result<Self>> {
        let seeded = |random: fn(i64) -> Self| -> Result<Self> {
            match args {
                [] => Ok(random(crate::random::fresh_seed())),
                [seed] => Ok(random(literal_seed(name, seed)?)),
                _ => Err(wrong_arguments(name, "[0, 1]", args.len())),
            }
        };
        let plain = |leaf: Self| if args.is_empty() { Ok(leaf) } else { Err(wrong_arguments(name, "0", args.len())) };
        Some(match name {
            "rand" | "random" => seeded(|seed| Self::Rand { seed }),
            "randn" => seeded(|seed| Self::Randn { seed }),
            "monotonically_increasing_id" => plain(Self::MonotonicallyIncreasingId),
            "spark_partition_id" => plain(Self::SparkPartitionId),
            "input_file_name" => plain(Self::InputFileName),
            "uuid" => plain(Self::Uuid { seed: crate::random::fresh_seed() }),
            _ => return None,
        })
    }

    pub fn data_type(self) -> SparkType {
        match self {
            Self::Rand { .. } | Self::Randn { .. } => SparkType::Double,
            Self::MonotonicallyIncreasingId => SparkType::Long,
            Self::SparkPartitionId => SparkType::Integer,
            Self::InputFileName | Self::Uuid { .. } => SparkType::String,
        }
    }
}

/// A seed must be a whole-number constant (NULL is 0).
fn literal_seed(name: &str, seed: &Expr) -> Result<i64> {
    if seed.any(&|e| matches!(e, Expr::Column(_) | Expr::Attribute(_))) {
        return Err(EngineError::Analysis(format!(
            "[SEED_EXPRESSION_IS_UNFOLDABLE] The seed expression \"{}\" of the expression \"{name}({})\" must be \
             foldable. SQLSTATE: 42K08",
            seed.sql_name(),
            seed.sql_name()
        )));
    }
    let seed_type = seed.data_type();
    if !matches!(seed_type, SparkType::Integer | SparkType::Long | SparkType::Null) {
        return Err(EngineError::Analysis(format!(
            "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{name}({})\" due to data type mismatch: The \
             first parameter requires the (\"INT\" or \"BIGINT\") type, however \"{}\" has the type \"{}\". \
             SQLSTATE: 42K09",
            seed.sql_name(),
            seed.sql_name(),
            seed_type.simple_string().to_uppercase()
        )));
    }
    Ok(super::eval::constant_value(seed)?.as_i64().unwrap_or(0))
}

fn wrong_arguments(name: &str, expected: &str, actual: usize) -> EngineError {
    EngineError::Analysis(format!(
        "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{name}` requires {expected} parameters but the actual number is \
         {actual}. Please, refer to 'https://spark.apache.org/docs/latest/sql-ref-functions.html' for a fix. \
         SQLSTATE: 42605"
    ))
}

thread_local! {
    /// The file the scan of the task running on this thread is reading (Spark's `InputFileBlockHolder`).
    static INPUT_FILE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Tells `input_file_name()` which file the task on this thread reads now; `None` as a task starts.
pub fn set_input_file(uri: Option<&str>) {
    INPUT_FILE.with(|file| {
        let mut file = file.borrow_mut();
        file.clear();
        file.push_str(uri.unwrap_or(""));
    });
}

/// Whether the expression reads a nondeterministic value anywhere.
pub fn is_nondeterministic(expr: &Expr) -> bool {
    expr.any(&|e| matches!(e, Expr::Nondeterministic(_)))
}

/// An operator's expressions as one task evaluates them: with their nondeterministic values drawn in row order.
pub struct TaskExprs {
    exprs: Vec<Expr>,
    input: Vec<Attribute>,
    values: Option<TaskValues>,
}

struct TaskValues {
    generators: Vec<Generator>,
    partition: usize,
    rows_before: u64,
}

enum Generator {
    Uniform(XorShiftRandom),
    Normal(XorShiftRandom),
    RowId,
    PartitionId,
    FileName,
    Uuid(XorShiftRandom),
}

impl TaskExprs {
    /// `exprs` over columns `input` in partition `partition`; each nondeterministic value becomes a column that
    /// [`TaskExprs::evaluate`] appends to each batch.
    pub fn new(exprs: &[Expr], input: &[Attribute], partition: usize) -> Self {
        let mut found = Vec::new();
        let exprs: Vec<Expr> = exprs.iter().map(|e| replace_leaves(e.clone(), &mut found)).collect();
        let mut input = input.to_vec();
        input.extend(found.iter().enumerate().map(|(i, leaf)| extra_column(i, *leaf)));
        let values = (!found.is_empty()).then(|| TaskValues {
            generators: found.iter().map(|leaf| Generator::new(*leaf, partition)).collect(),
            partition,
            rows_before: 0,
        });
        Self { exprs, input, values }
    }

    /// The value of every expression for the rows of `batch` (the task's next batch).
    pub fn evaluate(&mut self, batch: &RecordBatch) -> Result<Vec<ArrayRef>> {
        let extended;
        let batch = match &mut self.values {
            Some(values) => {
                extended = values.extend(batch)?;
                &extended
            }
            None => batch,
        };
        self.exprs.iter().map(|e| super::eval::evaluate(e, batch, &self.input)).collect()
    }
}

impl TaskValues {
    /// `batch` with one more column per nondeterministic value, for its rows in order.
    fn extend(&mut self, batch: &RecordBatch) -> Result<RecordBatch> {
        let rows = batch.num_rows();
        let mut fields: Vec<Arc<Field>> = batch.schema().fields().iter().cloned().collect();
        let mut columns = batch.columns().to_vec();
        for (i, generator) in self.generators.iter_mut().enumerate() {
            let column = generator.values(rows, self.partition, self.rows_before);
            fields.push(Arc::new(Field::new(format!("_nondeterministic_{i}"), column.data_type().clone(), false)));
            columns.push(column);
        }
        self.rows_before += rows as u64;
        Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?)
    }
}

impl Generator {
    fn new(leaf: Nondeterministic, partition: usize) -> Self {
        let seeded = |seed: i64| XorShiftRandom::new(seed.wrapping_add(partition as i64));
        match leaf {
            Nondeterministic::Rand { seed } => Self::Uniform(seeded(seed)),
            Nondeterministic::Randn { seed } => Self::Normal(seeded(seed)),
            Nondeterministic::MonotonicallyIncreasingId => Self::RowId,
            Nondeterministic::SparkPartitionId => Self::PartitionId,
            Nondeterministic::InputFileName => Self::FileName,
            Nondeterministic::Uuid { seed } => Self::Uuid(seeded(seed)),
        }
    }

    fn values(&mut self, rows: usize, partition: usize, rows_before: u64) -> ArrayRef {
        match self {
            Self::Uniform(random) => Arc::new(Float64Array::from_iter_values((0..rows).map(|_| random.next_double()))),
            Self::Normal(random) => Arc::new(Float64Array::from_iter_values((0..rows).map(|_| random.next_gaussian()))),
            Self::RowId => {
                let first = ((partition as i64) << 33) + rows_before as i64;
                Arc::new(Int64Array::from_iter_values((0..rows as i64).map(|row| first + row)))
            }
            Self::PartitionId => Arc::new(Int32Array::from_value(partition as i32, rows)),
            Self::FileName => Arc::new(StringArray::from(vec![INPUT_FILE.with(|file| file.borrow().clone()); rows])),
            Self::Uuid(random) => Arc::new(StringArray::from_iter_values((0..rows).map(|_| version_4_uuid(random)))),
        }
    }
}

/// A version-4 UUID from two random longs, with its version and variant bits set as `java.util.UUID` does.
fn version_4_uuid(random: &mut XorShiftRandom) -> String {
    let high = (random.next_long() as u64 & !0xF000) | 0x4000;
    let low = (random.next_long() as u64 | 0x8000_0000_0000_0000) & !0x4000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xFFFF,
        high & 0xFFFF,
        low >> 48,
        low & 0xFFFF_FFFF_FFFF
    )
}

/// Ids no plan hands out: the columns exist only inside one operator's evaluation.
fn extra_column(index: usize, leaf: Nondeterministic) -> Attribute {
    Attribute {
        id: ExprId(u64::MAX - index as u64),
        name: format!("_nondeterministic_{index}"),
        data_type: leaf.data_type(),
        nullable: false,
        qualifier: None,
        origin: None,
        hidden: false,
    }
}

fn replace_leaves(expr: Expr, found: &mut Vec<Nondeterministic>) -> Expr {
    let replaced: std::result::Result<Expr, std::convert::Infallible> = expr.transform_up(&mut |e| match e {
        Expr::Nondeterministic(leaf) => {
            found.push(leaf);
            Ok(Expr::Attribute(extra_column(found.len() - 1, leaf)))
        }
        other => Ok(other),
    });
    replaced.unwrap_or_else(|never| match never {})
}
