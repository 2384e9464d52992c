//! HashAggregate: grouping rows by key in a hash table, Spark's way of running `groupBy().agg()`.
//!
//! A group-by runs twice. In the first stage every task aggregates only its own partition (`partial_sum`,
//! `partial_count`): rows become one small partial state per key. An exchange then sends each key's partial states
//! to the partition `hash(key) mod n`, and in the second stage each task merges the states of the keys it received
//! into final values. Only the partial states travel through the shuffle, never the raw rows.
//!
//! Groups are kept in the order their keys first arrive, as Spark's hash map does, so a group-by without an
//! ordering lists rows in the same order Spark does for the same partitions.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::aggregate::Accumulator;
use crate::expr::eval::evaluate;
use crate::expr::{AggregateFunction, Attribute, Expr};
use crate::key_table::KeyTable;
use crate::Result;

/// Which step of a multi-step aggregation an operator (or one call in it) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateMode {
    /// Raw rows in, one partial state per key out (`partial_sum`).
    Partial,
    /// Partial states in, merged partial states out (`merge_sum`): the middle steps of a DISTINCT aggregation.
    PartialMerge,
    /// Partial states in, final values out (`sum`).
    Final,
}

/// One aggregate function call in a HashAggregate.
#[derive(Debug, Clone)]
pub struct AggregateCall {
    pub function: AggregateFunction,
    /// The argument, over the partial aggregate's input.
    pub arg: Expr,
    /// `count(DISTINCT x)`: the argument's duplicates were removed by an earlier aggregation.
    pub distinct: bool,
    /// Whether this call reads raw values (partial) or partial states (merge, final).
    pub mode: AggregateMode,
    /// The column holding the final value, e.g. `sum(total_amount)#31`.
    pub result: Attribute,
    /// The columns of the partial state, e.g. `sum#40, count#41` for an average.
    pub state: Vec<Attribute>,
}

impl AggregateCall {
    /// The same call in another step.
    pub fn in_mode(&self, mode: AggregateMode) -> Self {
        Self { mode, ..self.clone() }
    }

    /// `partial_sum(total_amount#16)`, `merge_sum(…)` or `sum(total_amount#16)`, as explain prints it.
    pub fn plan_string(&self) -> String {
        let prefix = match self.mode {
            AggregateMode::Partial => "partial_",
            AggregateMode::PartialMerge => "merge_",
            AggregateMode::Final => "",
        };
        let distinct = if self.distinct { "distinct " } else { "" };
        format!("{prefix}{}({distinct}{})", self.function.name(), self.arg.plan_string())
    }
}

/// The groups of one task: a key table, or for an aggregation without keys one group for all rows — even for no
/// rows, as `count()` of nothing is 0.
enum Groups {
    Global,
    Keyed(KeyTable),
}

impl Groups {
    fn new(keys: &[Attribute]) -> Result<Self> {
        if keys.is_empty() {
            return Ok(Self::Global);
        }
        Ok(Self::Keyed(KeyTable::new(&keys.iter().map(|a| a.data_type.to_arrow()).collect::<Vec<_>>())?))
    }

    /// The group id of every row, adding new groups as they appear.
    fn assign(&mut self, key_columns: &[ArrayRef], rows: usize) -> Result<Vec<usize>> {
        match self {
            Self::Global => Ok(vec![0; rows]),
            Self::Keyed(table) => table.insert(key_columns),
        }
    }

    fn reserve(&mut self, keys: usize) {
        if let Self::Keyed(table) = self {
            table.reserve(keys);
        }
    }

    fn count(&self) -> usize {
        match self {
            Self::Global => 1,
            Self::Keyed(table) => table.key_count(),
        }
    }

    fn key_columns(&self) -> Result<Vec<ArrayRef>> {
        match self {
            Self::Global => Ok(Vec::new()),
            Self::Keyed(table) => table.key_columns(),
        }
    }
}

/// Runs one HashAggregate task over the batches of one partition.
///
/// `keys` are attributes of `input`. Each call folds raw values or merges partial states, as its own mode says.
/// Unless `mode` is [`AggregateMode::Final`] the output is the keys then every call's state columns; a final
/// aggregation outputs `results`, evaluated over the keys and the calls' final values.
pub fn aggregate_partition(
    mode: AggregateMode,
    keys: &[Attribute],
    calls: &[AggregateCall],
    results: &[Expr],
    input: &[Attribute],
    mut batches: impl Iterator<Item = Result<RecordBatch>>,
) -> Result<RecordBatch> {
    let mut groups = Groups::new(keys)?;
    let mut accumulators: Vec<Accumulator> = calls.iter().map(|c| Accumulator::new(c.function, c.arg.data_type())).collect();
    while let Some(batch) = batches.next() {
        let batch = &batch?;
        if groups.count() == 0 && mode != AggregateMode::Partial {
            // Merged partial states mostly have distinct keys (each task's partial aggregate already merged its
            // own): room for all of them at once spares the table from growing step by step.
            let (more_batches, _) = batches.size_hint();
            groups.reserve(batch.num_rows() * (1 + more_batches));
        }
        let key_columns = keys.iter().map(|k| evaluate(&Expr::Attribute(k.clone()), batch, input)).collect::<Result<Vec<_>>>()?;
        let group_ids = groups.assign(&key_columns, batch.num_rows())?;
        let count = groups.count();
        for (call, accumulator) in calls.iter().zip(&mut accumulators) {
            match call.mode {
                AggregateMode::Partial => accumulator.update(&evaluate(&call.arg, batch, input)?, &group_ids, count)?,
                AggregateMode::PartialMerge | AggregateMode::Final => {
                    let states = call
                        .state
                        .iter()
                        .map(|s| evaluate(&Expr::Attribute(s.clone()), batch, input))
                        .collect::<Result<Vec<_>>>()?;
                    accumulator.merge(&states, &group_ids, count)?
                }
            }
        }
    }
    let count = groups.count();
    let mut columns = groups.key_columns()?;
    let mut attributes: Vec<Attribute> = keys.to_vec();
    for (call, accumulator) in calls.iter().zip(&mut accumulators) {
        if mode == AggregateMode::Final {
            columns.push(accumulator.finish(count)?);
            attributes.push(call.result.clone());
        } else {
            columns.extend(accumulator.state(count)?);
            attributes.extend(call.state.iter().cloned());
        }
    }
    let batch = batch_of(&attributes, columns, count)?;
    if mode != AggregateMode::Final {
        return Ok(batch);
    }
    let values = results.iter().map(|e| evaluate(e, &batch, &attributes)).collect::<Result<Vec<_>>>()?;
    let outputs: Vec<Attribute> = results.iter().map(crate::logical::output_attribute).collect();
    batch_of(&outputs, values, count)
}

/// A record batch whose columns are `attributes`.
pub fn batch_of(attributes: &[Attribute], columns: Vec<ArrayRef>, rows: usize) -> Result<RecordBatch> {
    let deferred = |column: &ArrayRef| matches!(column.data_type(), DataType::Dictionary(..));
    let schema = if columns.iter().any(deferred) {
        // A broadcast's strings handed on by position (see `JoinSpec::deferred_strings`): the field says so.
        let fields = attributes.iter().zip(&columns).map(|(a, c)| {
            let data_type = if deferred(c) { c.data_type().clone() } else { a.data_type.to_arrow() };
            Field::new(&a.name, data_type, true)
        });
        Arc::new(Schema::new(fields.collect::<Vec<_>>()))
    } else {
        schema_of(attributes)
    };
    let options = arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(RecordBatch::try_new_with_options(schema, columns, &options)?)
}

/// The Arrow schema of a list of attributes. Every field is nullable: Spark's nullability is a promise about the
/// data, kept in the attributes; Arrow's is a check Kindling does not need.
pub fn schema_of(attributes: &[Attribute]) -> SchemaRef {
    Arc::new(Schema::new(
        attributes.iter().map(|a| Field::new(&a.name, a.data_type.to_arrow(), true)).collect::<Vec<_>>(),
    ))
}
