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

use arrow::array::{Array, ArrayRef, AsArray, DictionaryArray, RecordBatch, UInt32Array};
use arrow::compute::{cast, take};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, UInt32Type};

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
    /// The values folded (one, or a pair for `corr`), over the partial aggregate's input.
    pub args: Vec<Expr>,
    /// The arguments as the query wrote them, which plans show (`sum(fare#3)` where an int is summed as a long).
    pub shown: Vec<Expr>,
    /// `count(DISTINCT x)`: the argument's duplicates were removed by an earlier aggregation.
    pub distinct: bool,
    /// `FILTER (WHERE condition)`: only the rows where it holds are folded (in the partial step, which reads rows).
    pub filter: Option<Expr>,
    /// Whether this call reads raw values (partial) or partial states (merge, final).
    pub mode: AggregateMode,
    /// The column holding the final value, e.g. `sum(total_amount)#31`.
    pub result: Attribute,
    /// The columns of the partial state, e.g. `sum#40, count#41` for an average.
    pub state: Vec<Attribute>,
}

impl AggregateCall {
    /// A fresh accumulator for this call; a percentile's percentages are the constant second argument.
    fn accumulator(&self) -> Result<Accumulator> {
        let accumulator = Accumulator::new(self.function, self.args[0].data_type());
        match (self.function, self.args.get(1)) {
            (function, Some(percentages)) if function.is_percentile() => {
                let value = crate::expr::eval::constant_value(percentages)?;
                let accumulator = accumulator.with_percentages(&value);
                match (function, self.args.get(2)) {
                    (AggregateFunction::PercentileApprox, Some(accuracy)) => {
                        Ok(accumulator.with_accuracy(&crate::expr::eval::constant_value(accuracy)?))
                    }
                    _ => Ok(accumulator),
                }
            }
            _ => Ok(accumulator),
        }
    }

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
        let args: Vec<String> = self.shown.iter().map(Expr::plan_string).collect();
        let call = format!("{prefix}{}({distinct}{}", self.function.name(), args.join(", "));
        // Spark's object aggregates show their buffer offsets, and some a flag: collect_* that they pass NULLs over,
        // percentile that it is not reversed.
        let ignore_nulls = match self.function {
            f if f.picks_a_row() => format!(", {}", f.ignores_nulls()),
            AggregateFunction::CollectList | AggregateFunction::CollectSet => ", 0, 0, true".to_string(),
            AggregateFunction::PercentileApprox
            | AggregateFunction::ApproxCountDistinct { .. }
            | AggregateFunction::HistogramNumeric { .. } => ", 0, 0".to_string(),
            AggregateFunction::Mode => ", 0, 0, None".to_string(),
            AggregateFunction::Percentile | AggregateFunction::Median => ", 0, 0, false".to_string(),
            _ => String::new(),
        };
        // `median(x)` is `percentile(x, 0.5, 1)` in plans.
        let call = if self.function == AggregateFunction::Median {
            format!("{prefix}percentile({}, 0.5, 1", args.join(", "))
        } else {
            call
        };
        match (&self.filter, self.mode) {
            (Some(filter), AggregateMode::Partial) => format!("{call}{ignore_nulls}) FILTER (WHERE {})", filter.plan_string()),
            _ => format!("{call}{ignore_nulls})"),
        }
    }

    /// Folds the rows of `batch` (whose columns are `input`) that pass the call's filter into `accumulator`.
    fn update(&self, accumulator: &mut Accumulator, batch: &RecordBatch, input: &[Attribute], group_ids: &[usize], groups: usize) -> Result<()> {
        let values = self.args.iter().map(|arg| evaluate(arg, batch, input)).collect::<Result<Vec<_>>>()?;
        let Some(filter) = &self.filter else { return accumulator.update(&values, group_ids, groups) };
        let mask = evaluate(filter, batch, input)?;
        let kept = crate::expr::eval::is_true(mask.as_boolean());
        let rows: Vec<usize> = kept.values().set_indices().collect();
        let kept_groups: Vec<usize> = rows.iter().map(|&row| group_ids[row]).collect();
        let kept_values = values.iter().map(|v| Ok(arrow::compute::filter(v, &kept)?)).collect::<Result<Vec<_>>>()?;
        accumulator.update(&kept_values, &kept_groups, groups)
    }
}

/// The groups of one task: a key table, or for an aggregation without keys one group for all rows — even for no
/// rows, as `count()` of nothing is 0.
enum Groups {
    Global,
    Keyed(Box<KeyTable>),
}

impl Groups {
    fn new(keys: &[Attribute]) -> Result<Self> {
        if keys.is_empty() {
            return Ok(Self::Global);
        }
        Ok(Self::Keyed(Box::new(KeyTable::new(&keys.iter().map(|a| a.data_type.to_arrow()).collect::<Vec<_>>())?)))
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

    fn expect_few_repeats(&mut self) {
        if let Self::Keyed(table) = self {
            table.expect_few_repeats();
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
///
/// The groups go out as batches that slice the reduce partitions' own columns instead of one batch copied from
/// them: copying a million groups into fresh memory costs more than all the batches' bookkeeping downstream.
pub fn aggregate_shuffle_read(
    mode: AggregateMode,
    keys: &[Attribute],
    calls: &[AggregateCall],
    results: &[Expr],
    input: &[Attribute],
    read: &ShuffleRead,
) -> Result<Vec<RecordBatch>> {
    let partitions = batches_by_reduce_partition(read);
    let grouped = partitions
        .iter()
        .map(|batches| group(mode, keys, calls, input, batches.iter().map(|&batch| Ok(read.batches[batch].clone()))))
        .collect::<Result<Vec<_>>>()?;
    let slices = new_groups_in_fetch_order(&partitions, &grouped, read.batches.len());
    if slices.is_empty() {
        return Ok(vec![aggregate_partition(mode, keys, calls, results, input, std::iter::empty())?]);
    }
    let attributes = &grouped[0].attributes;
    runs_of_output_size(&slices)
        .map(|run| {
            let columns = (0..attributes.len())
                .map(|column| joined(run.iter().map(|&(partition, start, len)| grouped[partition].columns[column].slice(start, len))))
                .collect::<Result<Vec<_>>>()?;
            let count = run.iter().map(|&(_, _, len)| len).sum();
            finish(mode, results, attributes.clone(), columns, count)
        })
        .collect()
}

/// Groups an output batch holds at least, unless it is the last: fewer, smaller slices are joined into one.
const MIN_OUTPUT_GROUPS: usize = 1024;

/// The slices, cut into runs of at least [`MIN_OUTPUT_GROUPS`] groups (but the last): a read whose blocks each
/// bring a few new groups would otherwise go out as thousands of tiny batches.
fn runs_of_output_size(slices: &[(usize, usize, usize)]) -> impl Iterator<Item = &[(usize, usize, usize)]> {
    let mut rest = slices;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut groups = 0;
        let end = rest.iter().position(|&(_, _, len)| {
            groups += len;
            groups >= MIN_OUTPUT_GROUPS
        });
        let (run, after) = rest.split_at(end.map_or(rest.len(), |last| last + 1));
        rest = after;
        Some(run)
    })
}

/// One array of the pieces in order: the piece itself when there is one, else a copy of them all.
fn joined(pieces: impl Iterator<Item = ArrayRef>) -> Result<ArrayRef> {
    let pieces: Vec<ArrayRef> = pieces.collect();
    if let [one] = pieces.as_slice() {
        return Ok(one.clone());
    }
    let pieces: Vec<&dyn Array> = pieces.iter().map(AsRef::as_ref).collect();
    Ok(arrow::compute::concat(&pieces)?)
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
    let mut running = Running::new(mode, keys, calls)?;
    if mode != AggregateMode::Partial {
        running.groups.expect_few_repeats();
    }
    while let Some(batch) = batches.next() {
        let batch = &batch?;
        if running.groups.count() == 0 && mode != AggregateMode::Partial {
            // Merged partial states mostly have distinct keys (each task's partial aggregate already merged its
            // own): room for all of them at once spares the table from growing step by step.
            let (more_batches, _) = batches.size_hint();
            running.groups.reserve(batch.num_rows() * (1 + more_batches));
        }
        let key_columns = keys
            .iter()
            .map(|k| evaluate(&Expr::Attribute(k.clone()), batch, input).map(|column| normalized_floats(&column)))
            .collect::<Result<Vec<_>>>()?;
        let group_ids = running.groups.assign(&key_columns, batch.num_rows())?;
        running.add(&group_ids, batch, input)?;
    }
    running.finish(keys)
}

/// A floating-point key column with -0.0 written as 0.0 and every NaN as the one NaN, as Spark normalizes grouping
/// keys (`knownfloatingpointnormalized(normalizenanandzero(x))`): 0.0 and -0.0 are one group. Other columns as they are.
fn normalized_floats(column: &ArrayRef) -> ArrayRef {
    use arrow::array::{AsArray, Float32Array, Float64Array};
    use arrow::datatypes::{Float32Type, Float64Type};
    match column.data_type() {
        arrow::datatypes::DataType::Float64 => {
            let normalized: Float64Array = column.as_primitive::<Float64Type>().unary(|x| if x.is_nan() { f64::NAN } else { x + 0.0 });
            Arc::new(normalized)
        }
        arrow::datatypes::DataType::Float32 => {
            let normalized: Float32Array = column.as_primitive::<Float32Type>().unary(|x| if x.is_nan() { f32::NAN } else { x + 0.0 });
            Arc::new(normalized)
        }
        _ => column.clone(),
    }
}

/// The groups of a task as its batches come: the key table, every call's states, and how many groups there were
/// after each batch.
struct Running<'c> {
    mode: AggregateMode,
    calls: &'c [AggregateCall],
    groups: Groups,
    accumulators: Vec<Accumulator>,
    groups_after_batch: Vec<usize>,
}

impl<'c> Running<'c> {
    fn new(mode: AggregateMode, keys: &[Attribute], calls: &'c [AggregateCall]) -> Result<Self> {
        let accumulators = calls.iter().map(AggregateCall::accumulator).collect::<Result<_>>()?;
        Ok(Self { mode, calls, groups: Groups::new(keys)?, accumulators, groups_after_batch: Vec::new() })
    }

    /// Folds one batch whose rows belong to the groups `group_ids` (already in the table); the calls read their
    /// arguments from `batch`, whose columns are `input`.
    fn add(&mut self, group_ids: &[usize], batch: &RecordBatch, input: &[Attribute]) -> Result<()> {
        let count = self.groups.count();
        for (call, accumulator) in self.calls.iter().zip(&mut self.accumulators) {
            match call.mode {
                AggregateMode::Partial => call.update(accumulator, batch, input, group_ids, count)?,
                AggregateMode::PartialMerge | AggregateMode::Final => {
                    let states = call
                        .state
                        .iter()
                        .map(|s| evaluate(&Expr::Attribute(s.clone()), batch, input))
                        .collect::<Result<Vec<_>>>()?;
                    accumulator.merge(&states, group_ids, count)?
                }
            }
        }
        self.groups_after_batch.push(count);
        Ok(())
    }

    fn finish(mut self, keys: &[Attribute]) -> Result<Grouped> {
        let count = self.groups.count();
        let mut columns = self.groups.key_columns()?;
        let mut attributes: Vec<Attribute> = keys.to_vec();
        for (call, accumulator) in self.calls.iter().zip(&mut self.accumulators) {
            if self.mode == AggregateMode::Final {
                columns.push(accumulator.finish(count)?);
                attributes.push(call.result.clone());
            } else {
                columns.extend(accumulator.state(count)?);
                attributes.extend(call.state.iter().cloned());
            }
        }
        Ok(Grouped { attributes, columns, count, groups_after_batch: self.groups_after_batch })
    }
}

/// A partial aggregation's one string key as the projection below it computes it, from string columns alone
/// (`concat(coalesce(pu.Zone, 'Unknown'), ' / ', coalesce(do.Zone, 'Unknown'))`).
pub struct ComputedKey<'p> {
    /// The key's definition.
    pub definition: &'p Expr,
    /// The string columns it reads.
    pub strings: Vec<Attribute>,
    /// The projection's other columns, the ones the aggregate functions read.
    pub others: Vec<&'p Expr>,
}

/// Runs a partial HashAggregate task whose one key is computed from strings that broadcast joins hand on as
/// positions into their broadcasts (dictionary arrays; see `JoinSpec::deferred_strings`).
///
/// The key depends on those strings alone, so rows whose strings sit at the same positions share a key: the key
/// is worked out once per combination of positions, the first time a row brings it, and the rows of a known
/// combination go straight to its group. Rows reach their groups in the same order as when every row computes
/// its key, so the groups, their order and their states are the same. `batches` are the projection's input
/// (columns `below`).
pub fn aggregate_by_computed_key(
    keys: &[Attribute],
    calls: &[AggregateCall],
    key: &ComputedKey,
    below: &[Attribute],
    batches: impl Iterator<Item = Result<RecordBatch>>,
) -> Result<RecordBatch> {
    let mut running = Running::new(AggregateMode::Partial, keys, calls)?;
    let others: Vec<Attribute> = key.others.iter().map(|e| crate::logical::output_attribute(e)).collect();
    let mut memo = PositionMemo::default();
    for batch in batches {
        let batch = &batch?;
        let group_ids = memo.group_ids(&mut running.groups, key, batch, below)?;
        let columns = key.others.iter().map(|e| evaluate(e, batch, below)).collect::<Result<Vec<_>>>()?;
        running.add(&group_ids, &batch_of(&others, columns, batch.num_rows())?, &others)?;
    }
    let grouped = running.finish(keys)?;
    finish(AggregateMode::Partial, &[], grouped.attributes, grouped.columns, grouped.count)
}

/// The group of every combination of broadcast positions seen so far.
#[derive(Default)]
struct PositionMemo {
    /// The broadcast columns the positions point into.
    dictionaries: Vec<ArrayRef>,
    /// Each combination of positions, numbered in order of first arrival.
    combinations: Option<Combinations>,
    /// By combination number: its group.
    group_of: Vec<usize>,
}

impl PositionMemo {
    fn group_ids(&mut self, groups: &mut Groups, key: &ComputedKey, batch: &RecordBatch, below: &[Attribute]) -> Result<Vec<usize>> {
        let rows = batch.num_rows();
        let strings = key.strings.iter().map(|s| evaluate(&Expr::Attribute(s.clone()), batch, below)).collect::<Result<Vec<_>>>()?;
        let Some(dictionaries) = strings.iter().map(|c| c.as_dictionary_opt::<UInt32Type>()).collect::<Option<Vec<_>>>() else {
            // Some of the strings come as themselves: the key is computed row by row.
            return groups.assign(&[computed_key(key, &strings, rows)?], rows);
        };
        let combinations = self.combinations_over(&dictionaries)?;
        let known = combinations.count();
        let combination_ids = combinations.numbers(&dictionaries)?;
        let first_rows = first_rows_of_new_ids(&combination_ids, known);
        if !first_rows.is_empty() {
            let first_rows = UInt32Array::from(first_rows);
            let sampled = strings.iter().map(|c| Ok(take(c, &first_rows, None)?)).collect::<Result<Vec<_>>>()?;
            let keys = computed_key(key, &sampled, first_rows.len())?;
            self.group_of.extend(groups.assign(&[keys], first_rows.len())?);
        }
        Ok(combination_ids.iter().map(|&id| self.group_of[id]).collect())
    }

    /// The combinations over these broadcast columns, emptied if they are not the ones seen so far.
    fn combinations_over(&mut self, dictionaries: &[&DictionaryArray<UInt32Type>]) -> Result<&mut Combinations> {
        let same = self.dictionaries.len() == dictionaries.len()
            && self.dictionaries.iter().zip(dictionaries).all(|(seen, d)| Arc::ptr_eq(seen, d.values()));
        if !same || self.combinations.is_none() {
            self.dictionaries = dictionaries.iter().map(|d| d.values().clone()).collect();
            self.combinations = Some(Combinations::over(dictionaries)?);
            self.group_of.clear();
        }
        Ok(self.combinations.as_mut().expect("set above"))
    }
}

/// Combinations of positions seen so far, each with its number (in order of first arrival).
enum Combinations {
    /// Over small broadcasts (two zone lookups: 266 × 266 places): an array with a place for every combination,
    /// found from the positions themselves (each column's position, or one place past its broadcast for NULL,
    /// times the column's stride) — one read a row, no hash.
    Direct { strides: Vec<usize>, numbers: Vec<u32>, count: u32 },
    /// Over bigger ones: a key table of the positions.
    Table(KeyTable),
}

/// The most places a [`Combinations::Direct`] array may have (4 MB).
const DIRECT_COMBINATIONS: usize = 1 << 20;

/// In a [`Combinations::Direct`] array: no combination has come to this place yet.
const NO_COMBINATION: u32 = u32::MAX;

impl Combinations {
    fn over(dictionaries: &[&DictionaryArray<UInt32Type>]) -> Result<Self> {
        let places: Vec<usize> = dictionaries.iter().map(|d| d.values().len() + 1).collect();
        let total = places.iter().try_fold(1usize, |total, &p| total.checked_mul(p)).filter(|&t| t <= DIRECT_COMBINATIONS);
        let Some(total) = total else {
            return Ok(Self::Table(KeyTable::new(&vec![DataType::Int32; dictionaries.len()])?));
        };
        let strides = places.iter().scan(1, |stride, &p| Some(std::mem::replace(stride, *stride * p))).collect();
        Ok(Self::Direct { strides, numbers: vec![NO_COMBINATION; total], count: 0 })
    }

    fn count(&self) -> usize {
        match self {
            Self::Direct { count, .. } => *count as usize,
            Self::Table(table) => table.key_count(),
        }
    }

    /// Each row's combination number, numbering new combinations as they come.
    fn numbers(&mut self, dictionaries: &[&DictionaryArray<UInt32Type>]) -> Result<Vec<usize>> {
        match self {
            Self::Direct { strides, numbers, count } => {
                let mut places = vec![0usize; dictionaries.first().map_or(0, |d| d.len())];
                for (dictionary, &stride) in dictionaries.iter().zip(strides.iter()) {
                    add_places(&mut places, dictionary, stride);
                }
                Ok(places
                    .into_iter()
                    .map(|place| {
                        let number = &mut numbers[place];
                        if *number == NO_COMBINATION {
                            *number = *count;
                            *count += 1;
                        }
                        *number as usize
                    })
                    .collect())
            }
            Self::Table(table) => {
                let positions = dictionaries.iter().map(|d| Ok(cast(d.keys(), &DataType::Int32)?)).collect::<Result<Vec<_>>>()?;
                table.insert(&positions)
            }
        }
    }
}

/// Adds each row's place along one column — its position, or one past the broadcast's last for NULL — times
/// `stride`.
fn add_places(places: &mut [usize], dictionary: &DictionaryArray<UInt32Type>, stride: usize) {
    let keys = dictionary.keys();
    let null_place = dictionary.values().len();
    match keys.nulls().filter(|nulls| nulls.null_count() > 0) {
        None => places.iter_mut().zip(keys.values().iter()).for_each(|(place, &key)| *place += key as usize * stride),
        Some(nulls) => {
            for ((place, &key), valid) in places.iter_mut().zip(keys.values().iter()).zip(nulls.iter()) {
                *place += if valid { key as usize } else { null_place } * stride;
            }
        }
    }
}

/// The rows where ids from `known` on first appear (ids are handed out in order of first appearance).
fn first_rows_of_new_ids(ids: &[usize], known: usize) -> Vec<u32> {
    let mut first_rows = Vec::new();
    for (row, &id) in ids.iter().enumerate() {
        if id == known + first_rows.len() {
            first_rows.push(row as u32);
        }
    }
    first_rows
}

/// The computed key of rows given by its string columns (positions into a broadcast are looked up first).
fn computed_key(key: &ComputedKey, strings: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
    let plain = strings
        .iter()
        .map(|c| match c.data_type() {
            DataType::Dictionary(..) => Ok(cast(c, &DataType::Utf8)?),
            _ => Ok(c.clone()),
        })
        .collect::<Result<Vec<_>>>()?;
    evaluate(key.definition, &batch_of(&key.strings, plain, rows)?, &key.strings)
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
                args: vec![Expr::Attribute(amount.clone())],
                shown: vec![Expr::Attribute(amount.clone())],
                distinct: false,
                filter: None,
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
            let batches = aggregate_shuffle_read(AggregateMode::Partial, std::slice::from_ref(&self.key), &self.calls, &[], &input, read).unwrap();
            arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap()
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

    /// A column of positions into `values`, as a broadcast join hands on a deferred string column.
    fn positions(values: &ArrayRef, rows: impl Iterator<Item = Option<u32>>) -> ArrayRef {
        Arc::new(DictionaryArray::<UInt32Type>::try_new(UInt32Array::from_iter(rows), values.clone()).unwrap())
    }

    #[test]
    fn a_key_computed_from_positions_groups_as_the_key_computed_row_by_row_bit_for_bit() {
        use crate::expr::call;
        use crate::functions::ScalarFunction;
        let [a, b] = ["pu_zone", "do_zone"].map(|name| Attribute::new(name, SparkType::String, true));
        let amount = Attribute::new("amount", SparkType::Double, true);
        let pair = Attribute::new("pair", SparkType::String, true);
        let named = |zone: &Attribute| call(ScalarFunction::Coalesce, vec![Expr::Attribute(zone.clone()), crate::expr::lit("Unknown")]);
        let concat = call(ScalarFunction::Concat, vec![named(&a), crate::expr::lit(" / "), named(&b)]);
        let definition = Expr::Alias { expr: Box::new(concat), name: pair.name.clone(), id: pair.id };
        let amount_expr = Expr::Attribute(amount.clone());
        let key = ComputedKey { definition: &definition, strings: vec![a.clone(), b.clone()], others: vec![&amount_expr] };
        let mut calls = Case::new().calls;
        for call in &mut calls {
            call.args = vec![amount_expr.clone()];
        }
        // Two names twice (different positions, one key), a NULL name, and positions of no row (NULL).
        let names = |list: [Option<&str>; 5]| -> ArrayRef { Arc::new(arrow::array::StringArray::from(list.to_vec())) };
        let pu_names = names([Some("Astoria"), Some("Midtown"), Some("Midtown"), None, Some("Unknown")]);
        let do_names = names([Some("Harlem"), None, Some("Astoria"), Some("Harlem"), Some("SoHo")]);
        let other_names = names([Some("SoHo"), Some("Astoria"), Some("Queens"), Some("Midtown"), None]);
        let position = |i: u32, seed: u32| (!(i * 7 + seed).is_multiple_of(13)).then_some((i * i + seed) % 5);
        let amount_of = |i: u32| [1e16, 1.0, -1e16, 0.1, 3.3e-5][i as usize % 5] * f64::from(i % 7 + 1);
        let below = [a.clone(), b.clone(), amount.clone()];
        let batch = |pu: &ArrayRef, dropoff: &ArrayRef, seed: u32, deferred: bool| {
            let (pu, dropoff) = (positions(pu, (0..900).map(|i| position(i, seed))), positions(dropoff, (0..900).map(|i| position(i, seed + 3))));
            let plain = |c: ArrayRef| if deferred { c } else { cast(&c, &DataType::Utf8).unwrap() };
            let amounts: ArrayRef = Arc::new(Float64Array::from_iter_values((0..900).map(|i| amount_of(i + seed))));
            batch_of(&below, vec![plain(pu), plain(dropoff), amounts], 900).unwrap()
        };
        // Batches over the same broadcasts, then one over another broadcast, then one of plain strings.
        let batches = [
            batch(&pu_names, &do_names, 1, true),
            batch(&pu_names, &do_names, 2, true),
            batch(&other_names, &do_names, 3, true),
            batch(&pu_names, &do_names, 4, false),
            batch(&pu_names, &do_names, 5, true),
        ];
        let ours = aggregate_by_computed_key(std::slice::from_ref(&pair), &calls, &key, &below, batches.iter().cloned().map(Ok)).unwrap();

        let projected_columns = [pair.clone(), amount.clone()];
        let projected = batches.iter().map(|batch| {
            let strings = [batch.column(0).clone(), batch.column(1).clone()];
            let columns = vec![computed_key(&key, &strings, batch.num_rows())?, batch.column(2).clone()];
            batch_of(&projected_columns, columns, batch.num_rows())
        });
        let row_by_row = aggregate_partition(AggregateMode::Partial, std::slice::from_ref(&pair), &calls, &[], &projected_columns, projected).unwrap();
        let groups = |batch: &RecordBatch| -> Vec<(Option<String>, u64, i64)> {
            let (keys, sums, counts) = (batch.column(0).as_string::<i32>(), batch.column(1).as_primitive::<Float64Type>(), batch.column(2).as_primitive::<Int64Type>());
            (0..batch.num_rows()).map(|row| (keys.is_valid(row).then(|| keys.value(row).to_string()), sums.value(row).to_bits(), counts.value(row))).collect()
        };
        assert_eq!(groups(&ours), groups(&row_by_row));
        // "Unknown / Harlem": a NULL name, no row, and the name "Unknown" all make it.
        assert!(groups(&ours).iter().any(|(key, _, _)| key.as_deref() == Some("Unknown / Harlem")));
    }

    #[test]
    fn big_slices_go_out_alone_and_small_ones_are_joined_up_to_the_output_size() {
        let slices: Vec<(usize, usize, usize)> = [2000, 10, 500, 600, 3].iter().enumerate().map(|(i, &len)| (i, 0, len)).collect();
        let runs: Vec<Vec<usize>> = runs_of_output_size(&slices).map(|run| run.iter().map(|&(_, _, len)| len).collect()).collect();
        assert_eq!(runs, [vec![2000], vec![10, 500, 600], vec![3]]);
    }

    #[test]
    fn combinations_get_the_same_numbers_in_an_array_as_in_a_key_table() {
        // The same positions (some NULL) into broadcasts small enough for an array, and into ones too big for it.
        let rows = |seed: u32| -> Vec<[Option<u32>; 2]> {
            let position = |i: u32, side: u32| (!(i * 7 + seed + side).is_multiple_of(11 + side)).then_some((i * (3 + 4 * side) + seed) % 40);
            (0..3000).map(|i| [position(i, 0), position(i, 1)]).collect()
        };
        let numbers = |values: usize| {
            let names: ArrayRef = Arc::new(arrow::array::StringArray::from_iter_values((0..values).map(|v| format!("zone {v}"))));
            let column = |rows: &[[Option<u32>; 2]], side: usize| DictionaryArray::<UInt32Type>::try_new(rows.iter().map(|r| r[side]).collect(), names.clone()).unwrap();
            let batches = [rows(1), rows(2)];
            let first: Vec<_> = (0..2).map(|side| column(&batches[0], side)).collect();
            let mut combinations = Combinations::over(&first.iter().collect::<Vec<_>>()).unwrap();
            let direct = matches!(combinations, Combinations::Direct { .. });
            let numbers: Vec<usize> = batches
                .iter()
                .flat_map(|batch| {
                    let columns: Vec<_> = (0..2).map(|side| column(batch, side)).collect();
                    combinations.numbers(&columns.iter().collect::<Vec<_>>()).unwrap()
                })
                .collect();
            (direct, numbers, combinations.count())
        };
        let (small, big) = (numbers(265), numbers(2000));
        assert!(small.0 && !big.0);
        assert_eq!(small.1, big.1);
        assert_eq!(small.2, big.2);
        assert_eq!(small.2, small.1.iter().copied().collect::<std::collections::HashSet<_>>().len());
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
