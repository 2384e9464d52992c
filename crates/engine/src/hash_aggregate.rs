//! HashAggregate: grouping rows by key in a hash table, Spark's way of running `groupBy().agg()`.
//!
//! A group-by runs twice. In the first stage every task aggregates only its own partition (`partial_sum`,
//! `partial_count`): rows become one small partial state per key. An exchange then sends each key's partial states
//! to the partition `hash(key) mod n`, and in the second stage each task merges the states of the keys it received
//! into final values. Only the partial states travel through the shuffle, never the raw rows.
//!
//! Groups are kept in the order their keys first arrive, as Spark's hash map does, so a group-by without an
//! ordering lists rows in the same order Spark does for the same partitions.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::aggregate::Accumulator;
use crate::exchange::ShuffleRead;
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
    batches: impl Iterator<Item = Result<RecordBatch>>,
) -> Result<RecordBatch> {
    let grouped = group(mode, keys, calls, input, batches)?;
    finish(mode, results, grouped.attributes, grouped.columns, grouped.count)
}

/// Runs one HashAggregate task over a shuffle read that is hash-partitioned on grouping keys only.
///
/// Every row of a key then sits in one reduce partition, so each reduce partition can be aggregated on its own,
/// in a table small enough to stay in the processor's cache — a coalesced read of a million groups would otherwise
/// probe a table far bigger than the cache, one memory fetch per row. The groups are then put back in the order
/// one table would have given them: block after block in fetch order, each block's new groups in the order they
/// came. Every key still meets its rows in the same order, so the groups, their order and their sums are the same.
pub fn aggregate_shuffle_read(
    mode: AggregateMode,
    keys: &[Attribute],
    calls: &[AggregateCall],
    results: &[Expr],
    input: &[Attribute],
    read: &ShuffleRead,
) -> Result<RecordBatch> {
    let partitions = batches_by_reduce_partition(read);
    let grouped = partitions
        .iter()
        .map(|batches| group(mode, keys, calls, input, batches.iter().map(|&batch| Ok(read.batches[batch].clone()))))
        .collect::<Result<Vec<_>>>()?;
    let Some(first) = grouped.first() else {
        return aggregate_partition(mode, keys, calls, results, input, std::iter::empty());
    };
    let slices = new_groups_in_fetch_order(&partitions, &grouped, read.batches.len());
    let columns = (0..first.columns.len())
        .map(|column| {
            let pieces: Vec<ArrayRef> =
                slices.iter().map(|&(partition, start, len)| grouped[partition].columns[column].slice(start, len)).collect();
            concat_columns(&pieces, &first.columns[column])
        })
        .collect::<Result<Vec<_>>>()?;
    let count = slices.iter().map(|&(_, _, len)| len).sum();
    finish(mode, results, first.attributes.clone(), columns, count)
}

/// The read's batch numbers, reduce partition by reduce partition (each in fetch order).
fn batches_by_reduce_partition(read: &ShuffleRead) -> Vec<Vec<usize>> {
    let mut batches_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (batch, &reduce_partition) in read.reduce_partitions.iter().enumerate() {
        batches_of.entry(reduce_partition).or_default().push(batch);
    }
    batches_of.into_values().collect()
}

/// Where the groups each batch brought are, batch after batch in fetch order: (index into `grouped`, first
/// group, group count) — the order one table over all the batches would have given them.
fn new_groups_in_fetch_order(partitions: &[Vec<usize>], grouped: &[Grouped], batches: usize) -> Vec<(usize, usize, usize)> {
    let mut place_of_batch = vec![(0, 0); batches];
    for (partition, batches) in partitions.iter().enumerate() {
        for (place, &batch) in batches.iter().enumerate() {
            place_of_batch[batch] = (partition, place);
        }
    }
    let new_groups = |&(partition, place): &(usize, usize)| {
        let after = &grouped[partition].groups_after_batch;
        let start = if place == 0 { 0 } else { after[place - 1] };
        (partition, start, after[place] - start)
    };
    place_of_batch.iter().map(new_groups).filter(|&(_, _, len)| len > 0).collect()
}

fn concat_columns(pieces: &[ArrayRef], empty_like: &ArrayRef) -> Result<ArrayRef> {
    if pieces.is_empty() {
        return Ok(empty_like.slice(0, 0));
    }
    let pieces: Vec<&dyn Array> = pieces.iter().map(AsRef::as_ref).collect();
    Ok(arrow::compute::concat(&pieces)?)
}

/// The groups of one run of a HashAggregate: key columns then state (or final value) columns, one row per group in
/// order of first arrival.
struct Grouped {
    attributes: Vec<Attribute>,
    columns: Vec<ArrayRef>,
    count: usize,
    /// How many groups there were once each input batch had been added.
    groups_after_batch: Vec<usize>,
}

fn group(
    mode: AggregateMode,
    keys: &[Attribute],
    calls: &[AggregateCall],
    input: &[Attribute],
    mut batches: impl Iterator<Item = Result<RecordBatch>>,
) -> Result<Grouped> {
    let mut groups = Groups::new(keys)?;
    let mut accumulators: Vec<Accumulator> = calls.iter().map(|c| Accumulator::new(c.function, c.arg.data_type())).collect();
    let mut groups_after_batch = Vec::new();
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
        groups_after_batch.push(count);
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
    Ok(Grouped { attributes, columns, count, groups_after_batch })
}

/// The output of a HashAggregate from its groups: the groups themselves, or for a final aggregation `results`
/// evaluated over them.
fn finish(mode: AggregateMode, results: &[Expr], attributes: Vec<Attribute>, columns: Vec<ArrayRef>, count: usize) -> Result<RecordBatch> {
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

#[cfg(test)]
mod tests {
    use arrow::array::{AsArray, Float64Array, Int32Array};
    use arrow::datatypes::{Float64Type, Int32Type, Int64Type};

    use super::*;
    use crate::expr::AggregateFunction;
    use crate::types::SparkType;

    struct Case {
        key: Attribute,
        amount: Attribute,
        calls: Vec<AggregateCall>,
    }

    impl Case {
        fn new() -> Self {
            let key = Attribute::new("zone", SparkType::Integer, true);
            let amount = Attribute::new("amount", SparkType::Double, true);
            let call = |function: AggregateFunction, name: &str, state: Vec<Attribute>| AggregateCall {
                function,
                arg: Expr::Attribute(amount.clone()),
                distinct: false,
                mode: AggregateMode::Partial,
                result: Attribute::new(name, SparkType::Double, true),
                state,
            };
            let calls = vec![
                call(AggregateFunction::Sum, "sum(amount)", vec![Attribute::new("sum", SparkType::Double, true)]),
                call(AggregateFunction::Count, "count(amount)", vec![Attribute::new("count", SparkType::Long, false)]),
            ];
            Self { key, amount, calls }
        }

        fn batch(&self, rows: &[(Option<i32>, f64)]) -> RecordBatch {
            let keys: Int32Array = rows.iter().map(|&(key, _)| key).collect();
            let amounts: Float64Array = rows.iter().map(|&(_, amount)| Some(amount)).collect();
            batch_of(&[self.key.clone(), self.amount.clone()], vec![Arc::new(keys), Arc::new(amounts)], rows.len()).unwrap()
        }

        /// Blocks of raw rows as a reduce task would fetch them: map by map, reduce partition by reduce partition,
        /// each row in reduce partition `key mod 3` (NULL keys in 0).
        fn read(&self, maps: &[Vec<(Option<i32>, f64)>]) -> ShuffleRead {
            let mut read = ShuffleRead::default();
            for rows in maps {
                for reduce_partition in 0..3 {
                    let block: Vec<_> =
                        rows.iter().copied().filter(|(key, _)| key.unwrap_or(0).rem_euclid(3) as usize == reduce_partition).collect();
                    for half in [&block[..block.len() / 2], &block[block.len() / 2..]] {
                        read.batches.push(self.batch(half));
                        read.reduce_partitions.push(reduce_partition);
                    }
                }
            }
            read
        }

        fn by_partition(&self, read: &ShuffleRead) -> RecordBatch {
            let input = [self.key.clone(), self.amount.clone()];
            aggregate_shuffle_read(AggregateMode::Partial, std::slice::from_ref(&self.key), &self.calls, &[], &input, read).unwrap()
        }

        fn in_one_table(&self, read: &ShuffleRead) -> RecordBatch {
            let input = [self.key.clone(), self.amount.clone()];
            let batches = read.batches.iter().cloned().map(Ok);
            aggregate_partition(AggregateMode::Partial, std::slice::from_ref(&self.key), &self.calls, &[], &input, batches).unwrap()
        }
    }

    fn groups(batch: &RecordBatch) -> Vec<(Option<i32>, u64, i64)> {
        let keys = batch.column(0).as_primitive::<Int32Type>();
        let sums = batch.column(1).as_primitive::<Float64Type>();
        let counts = batch.column(2).as_primitive::<Int64Type>();
        (0..batch.num_rows()).map(|row| (keys.is_valid(row).then(|| keys.value(row)), sums.value(row).to_bits(), counts.value(row))).collect()
    }

    #[test]
    fn groups_come_in_the_order_one_table_gives_them() {
        let case = Case::new();
        let map_0 = vec![(Some(5), 1.0), (Some(3), 2.0), (Some(4), 3.0), (Some(5), 4.0)];
        let map_1 = vec![(Some(7), 5.0), (Some(4), 6.0), (None, 7.0), (Some(2), 8.0)];
        let batch = case.by_partition(&case.read(&[map_0, map_1]));
        // Fetch order: map 0's partitions 0 (3), 1 (4), 2 (5, 5), then map 1's new keys: 0 (NULL), 1 (7), 2 (2).
        let expected = [(Some(3), 2.0, 1), (Some(4), 9.0, 2), (Some(5), 5.0, 2), (None, 7.0, 1), (Some(7), 5.0, 1), (Some(2), 8.0, 1)];
        let expected: Vec<_> = expected.iter().map(|&(key, sum, count)| (key, f64::to_bits(sum), count)).collect();
        assert_eq!(groups(&batch), expected);
    }

    #[test]
    fn a_read_aggregated_by_reduce_partition_equals_one_table_bit_for_bit() {
        let case = Case::new();
        // Amounts of very different sizes, so that adding them in another order would change the sums' last bits.
        let amount = |i: i32| [1e16, 1.0, -1e16, 0.1, 3.3e-5][i as usize % 5] * f64::from(i % 7 + 1);
        // Each map brings keys the ones before it did not have (0..560, 0..620, 0..680), and some NULL keys.
        let map = |seed: i32| {
            let key = |i: i32| ((i * 7919 + seed) % 37 != 0).then_some((i * 31 + seed) % (500 + 60 * seed));
            (0..4_000).map(|i| (key(i), amount(i + seed))).collect()
        };
        let read = case.read(&[map(1), map(2), map(3)]);
        let (by_partition, in_one_table) = (case.by_partition(&read), case.in_one_table(&read));
        assert_eq!(by_partition.num_rows(), 681);
        assert_eq!(groups(&by_partition), groups(&in_one_table));
    }
}
