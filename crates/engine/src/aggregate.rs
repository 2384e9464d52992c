//! Aggregate functions, split the way Spark splits them: each task first folds its own rows into a small
//! *partial state* per group (`partial_sum`), the shuffle brings every group's partial states together, and a
//! final step merges them and produces the value (`sum`). An average's state is a sum and a count; a variance's
//! the running moments of [`moments`].

pub mod by_value;
pub mod hyperloglog;
pub mod moments;
pub mod numeric_histogram;
pub mod quantile_summary;

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, ArrowPrimitiveType, AsArray, BooleanArray, Decimal128Array, Float64Array, Int64Array,
    PrimitiveArray, UInt32Array, new_null_array,
};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::compute::{cast, take};
use arrow::datatypes::{DataType, Decimal128Type, Float64Type, Int64Type};

use crate::expr::AggregateFunction;
use by_value::GroupStates;
use hyperloglog::GroupSketches;
use moments::GroupMoments;
use crate::types::{ArrayType, SparkType};
use crate::value::{NestedParts, Value, array_of};
use crate::{EngineError, Result};

/// The percentile `p` of sorted, non-NULL `values`: `percentile_approx` takes the value at rank ⌈p·n⌉ (Spark's
/// summary is exact while it holds every value); `percentile` and `median` interpolate between the two values
/// around position p·(n − 1).
fn percentile_of(function: AggregateFunction, values: &[Value], p: f64) -> Value {
    let n = values.len();
    if function == AggregateFunction::PercentileApprox {
        let rank = (p * n as f64).ceil() as usize;
        return values[rank.clamp(1, n) - 1].clone();
    }
    let position = p * (n - 1) as f64;
    let (lower, upper) = (position.floor() as usize, position.ceil() as usize);
    let (low, high) = (values[lower].as_f64().unwrap_or(f64::NAN), values[upper].as_f64().unwrap_or(f64::NAN));
    Value::Double(if lower == upper { low } else { low + (position - lower as f64) * (high - low) })
}

/// The type an aggregate returns for an argument of type `input` (Spark's rules).
pub fn result_type(function: AggregateFunction, input: SparkType) -> SparkType {
    use SparkType::*;
    match (function, input) {
        (AggregateFunction::Count | AggregateFunction::ApproxCountDistinct { .. }, _) => Long,
        (AggregateFunction::Sum, Decimal { precision, scale }) => Decimal { precision: (precision + 10).min(38), scale },
        (AggregateFunction::Sum, Float | Double) => Double,
        (AggregateFunction::Sum, _) => Long,
        (AggregateFunction::Avg, Decimal { precision, scale }) => {
            Decimal { precision: (precision + 4).min(38), scale: (scale + 4).min(38) }
        }
        (AggregateFunction::Avg | AggregateFunction::Statistic(_), _) => Double,
        (AggregateFunction::CollectList | AggregateFunction::CollectSet, t) => SparkType::array_of(t, false),
        (AggregateFunction::Percentile | AggregateFunction::Median | AggregateFunction::Product, _) => Double,
        (AggregateFunction::HistogramNumeric { .. }, t) => numeric_histogram::result_type(t),
        (_, t) => t,
    }
}

/// The type the argument is cast to before it is aggregated: sums of integers add longs, averages of numbers
/// add doubles; decimals are summed as they are (the state and the result are wider decimals).
pub fn input_type(function: AggregateFunction, input: SparkType) -> SparkType {
    match (function, input.clone()) {
        (
            AggregateFunction::Statistic(_) | AggregateFunction::Percentile | AggregateFunction::Median | AggregateFunction::Product,
            _,
        ) => SparkType::Double,
        (_, SparkType::Decimal { .. }) => input,
        (AggregateFunction::Sum, SparkType::Float | SparkType::Double) | (AggregateFunction::Avg, _) => SparkType::Double,
        (AggregateFunction::Sum, _) => SparkType::Long,
        (_, t) => t,
    }
}

/// Whether `function` accepts an argument of type `input`.
pub fn accepts(function: AggregateFunction, input: SparkType) -> bool {
    match function {
        AggregateFunction::Sum | AggregateFunction::Avg => input.is_numeric() || input == SparkType::Null,
        // Read as doubles, as Spark's implicit casts allow: numbers, and text that holds a number.
        AggregateFunction::Statistic(_) => input.is_numeric() || matches!(input, SparkType::Null | SparkType::String),
        AggregateFunction::BoolAnd | AggregateFunction::BoolOr => matches!(input, SparkType::Boolean | SparkType::Null),
        AggregateFunction::Product => input.is_numeric() || input == SparkType::Null,
        AggregateFunction::BitAnd | AggregateFunction::BitOr | AggregateFunction::BitXor => {
            matches!(input, SparkType::Byte | SparkType::Short | SparkType::Integer | SparkType::Long | SparkType::Null)
        }
        AggregateFunction::PercentileApprox | AggregateFunction::Percentile | AggregateFunction::Median => {
            input.is_numeric() || input == SparkType::Null
        }
        AggregateFunction::HistogramNumeric { .. } => {
            input.is_numeric()
                || matches!(
                    input,
                    SparkType::Null
                        | SparkType::Date
                        | SparkType::Timestamp
                        | SparkType::TimestampNtz
                        | SparkType::YearMonthInterval { .. }
                        | SparkType::DayTimeInterval { .. }
                        | SparkType::Time
                )
        }
        _ => true,
    }
}

/// The names of the partial state columns (`sum`, `count` for avg), as Spark names them.
pub fn state_names(function: AggregateFunction) -> Vec<&'static str> {
    match function {
        AggregateFunction::Avg => vec!["sum", "count"],
        AggregateFunction::First | AggregateFunction::FirstIgnoreNulls => vec!["first", "valueSet"],
        AggregateFunction::Last | AggregateFunction::LastIgnoreNulls => vec!["last", "valueSet"],
        AggregateFunction::Statistic(statistic) => moments::state_names(statistic).to_vec(),
        AggregateFunction::ApproxCountDistinct { p } => hyperloglog::state_names(u32::from(p)),
        AggregateFunction::MaxBy | AggregateFunction::MinBy => vec!["valueWithExtremumOrdering", "extremumOrdering"],
        AggregateFunction::Mode | AggregateFunction::HistogramNumeric { .. } => vec!["buf"],
        f if f.is_collection() => vec!["buf"],
        other => vec![other.name()],
    }
}

/// The types of the partial state columns for arguments of types `inputs` (already cast by [`input_type`]).
pub fn state_types(function: AggregateFunction, inputs: &[SparkType]) -> Vec<SparkType> {
    let input = inputs.first().cloned().unwrap_or(SparkType::Null);
    match function {
        AggregateFunction::MaxBy | AggregateFunction::MinBy => inputs.to_vec(),
        AggregateFunction::Count => vec![SparkType::Long],
        AggregateFunction::Sum => vec![result_type(AggregateFunction::Sum, input)],
        AggregateFunction::Avg => vec![result_type(AggregateFunction::Sum, input), SparkType::Long],
        f if f.picks_a_row() => vec![input, SparkType::Boolean],
        AggregateFunction::Statistic(statistic) => vec![SparkType::Double; moments::state_names(statistic).len()],
        AggregateFunction::ApproxCountDistinct { p } => vec![SparkType::Long; hyperloglog::words(u32::from(p))],
        AggregateFunction::Product => vec![SparkType::Double],
        AggregateFunction::Mode => vec![SparkType::map_of(input, SparkType::Long, false)],
        AggregateFunction::HistogramNumeric { .. } => vec![numeric_histogram::result_type(SparkType::Double)],
        AggregateFunction::CollectList | AggregateFunction::CollectSet => vec![result_type(function, input)],
        f if f.is_percentile() => vec![SparkType::array_of(input, false)],
        _ => vec![input],
    }
}

/// One aggregate's running states, one per group, in group-id order.
pub struct Accumulator {
    function: AggregateFunction,
    data_type: SparkType,
    counts: Vec<i64>,
    sums_f64: DoubleSums,
    sums_i64: Vec<Option<i64>>,
    sums_i128: Vec<Option<i128>>,
    /// Min and max of numbers, dates and timestamps: each group's value itself (see [`BestNumbers`]).
    best_numbers: Option<Box<dyn BestNumbers>>,
    /// Min and max of other types, and first: per group, where its current value is, as (chunk, row) of `chunks`.
    best: Vec<Option<(usize, usize)>>,
    /// The input arrays `best` points into (only those it points into: a batch no group took a value from is
    /// not kept).
    chunks: Vec<ArrayRef>,
    /// Variances, correlations, …: each group's running moments.
    moments: Option<GroupMoments>,
    /// `approx_count_distinct`: each group's registers.
    sketches: Option<GroupSketches>,
    /// `product`, `max_by`, `mode`, …: each group's values (see [`by_value`]).
    by_value: Option<Box<dyn GroupStates>>,
    /// `collect_list` / `collect_set` and the percentiles: each group's values so far.
    collected: Vec<Vec<Value>>,
    /// Where each partial state merged into a group's `collected` starts (`percentile_approx` summarises each
    /// task's values on its own, then merges the summaries, as Spark does).
    segments: Vec<Vec<usize>>,
    /// The percentages a percentile finds, and whether they were given as an array.
    percentages: Vec<f64>,
    percentages_as_array: bool,
    /// `percentile_approx`'s accuracy (its relative error is the inverse).
    accuracy: f64,
}

/// Sums of doubles, one per group: the running sum (8 bytes, where an `Option<f64>` takes 16) and whether a
/// value has come, as the sum of no values is NULL.
#[derive(Default)]
struct DoubleSums {
    sums: Vec<f64>,
    summed: Vec<bool>,
}

impl DoubleSums {
    fn grow(&mut self, groups: usize) {
        self.sums.resize(groups, 0.0);
        self.summed.resize(groups, false);
    }

    /// Adds each row's value to its group's sum; NULLs add nothing.
    fn add(&mut self, values: &Float64Array, group_ids: &[usize]) {
        let mut add = |group: usize, value: f64| {
            self.sums[group] += value;
            self.summed[group] = true;
        };
        match values.nulls().filter(|nulls| nulls.null_count() > 0) {
            None => group_ids.iter().zip(values.values()).for_each(|(&group, &value)| add(group, value)),
            Some(nulls) => nulls.valid_indices().for_each(|row| add(group_ids[row], values.value(row))),
        }
    }

    fn get(&self, group: usize) -> Option<f64> {
        self.summed[group].then(|| self.sums[group])
    }

    fn column(mut self, groups: usize) -> ArrayRef {
        self.sums.truncate(groups);
        let summed = BooleanBuffer::collect_bool(groups, |group| self.summed[group]);
        let nulls = Some(NullBuffer::new(summed)).filter(|nulls| nulls.null_count() > 0);
        Arc::new(Float64Array::new(self.sums.into(), nulls))
    }
}

impl Accumulator {
    /// An accumulator for `function` over values of `data_type` (the argument after [`input_type`]).
    pub fn new(function: AggregateFunction, data_type: SparkType) -> Self {
        let function = function.computed_as();
        Self {
            function,
            data_type: data_type.clone(),
            counts: Vec::new(),
            sums_f64: DoubleSums::default(),
            sums_i64: Vec::new(),
            sums_i128: Vec::new(),
            best_numbers: matches!(function, AggregateFunction::Min | AggregateFunction::Max)
                .then(|| best_numbers(&data_type.to_arrow()))
                .flatten(),
            best: Vec::new(),
            chunks: Vec::new(),
            moments: match function {
                AggregateFunction::Statistic(statistic) => Some(GroupMoments::new(statistic)),
                _ => None,
            },
            sketches: match function {
                AggregateFunction::ApproxCountDistinct { p } => Some(GroupSketches::new(u32::from(p))),
                _ => None,
            },
            by_value: by_value::group_states(function, &data_type),
            collected: Vec::new(),
            segments: Vec::new(),
            percentages: vec![0.5],
            percentages_as_array: false,
            accuracy: 10_000.0,
        }
    }

    /// `percentile_approx`'s accuracy: its summary is within 1/accuracy of the true ranks.
    pub fn with_accuracy(mut self, accuracy: &Value) -> Self {
        if let Some(accuracy) = accuracy.as_f64().filter(|a| *a > 0.0) {
            self.accuracy = accuracy;
        }
        self
    }

    /// A percentile's percentages: one number, or an array of them.
    pub fn with_percentages(mut self, percentages: &Value) -> Self {
        match percentages.nested_parts() {
            Some(NestedParts::Array(each)) => {
                self.percentages = each.iter().filter_map(Value::as_f64).collect();
                self.percentages_as_array = true;
            }
            _ => self.percentages = percentages.as_f64().into_iter().collect(),
        }
        self
    }

    /// Makes room for `groups` groups in the states this function keeps (and only those: a state per group of
    /// every kind would be ~100 bytes a group, most of it never read).
    fn grow(&mut self, groups: usize) {
        use AggregateFunction::*;
        if matches!(self.function, Count | Avg) {
            self.counts.resize(groups, 0);
        }
        if matches!(self.function, Sum | Avg) {
            match self.data_type {
                SparkType::Decimal { .. } => self.sums_i128.resize(groups, None),
                SparkType::Long => self.sums_i64.resize(groups, None),
                _ => self.sums_f64.grow(groups),
            }
        }
        if let Some(moments) = &mut self.moments {
            moments.grow(groups);
        }
        if let Some(sketches) = &mut self.sketches {
            sketches.grow(groups);
        }
        if let Some(states) = &mut self.by_value {
            states.grow(groups);
        }
        if self.function.is_collection() && self.collected.len() < groups {
            self.collected.resize_with(groups, Vec::new);
        }
        match &mut self.best_numbers {
            Some(numbers) => numbers.grow(groups),
            None if matches!(self.function, Min | Max) || self.function.picks_a_row() => self.best.resize(groups, None),
            None => {}
        }
    }

    /// Folds raw input values into the groups `group_ids` (one id per row): one column, or two for the
    /// statistics of pairs.
    pub fn update(&mut self, columns: &[ArrayRef], group_ids: &[usize], groups: usize) -> Result<()> {
        self.grow(groups);
        if let Some(moments) = &mut self.moments {
            moments.update(columns, group_ids);
            return Ok(());
        }
        if let Some(sketches) = &mut self.sketches {
            return sketches.update(&columns[0], group_ids);
        }
        if let Some(states) = &mut self.by_value {
            return states.update(columns, group_ids);
        }
        let values = &columns[0];
        match self.function {
            AggregateFunction::Count => {
                self.count_values(values, group_ids);
                Ok(())
            }
            AggregateFunction::Sum => self.add_sums(values, group_ids),
            AggregateFunction::Avg => {
                self.count_values(values, group_ids);
                self.add_sums(values, group_ids)
            }
            AggregateFunction::Min | AggregateFunction::Max => self.keep_best(values, group_ids),
            f if f.is_collection() => self.collect(values, group_ids),
            function => self.keep_picked(values, group_ids, None, function),
        }
    }

    /// Adds each row's non-NULL value to its group's collection (once, for a set).
    fn collect(&mut self, values: &ArrayRef, group_ids: &[usize]) -> Result<()> {
        let distinct = self.function == AggregateFunction::CollectSet;
        for (row, &g) in group_ids.iter().enumerate() {
            let value = Value::from_array(values.as_ref(), row)?;
            let skipped = value.is_null() || (distinct && self.collected[g].contains(&value));
            if !skipped {
                self.collected[g].push(value);
            }
        }
        Ok(())
    }

    /// Adds the elements of each partial state's array to its group's collection.
    fn merge_collected(&mut self, states: &ArrayRef, group_ids: &[usize]) -> Result<()> {
        let distinct = self.function == AggregateFunction::CollectSet;
        for (row, &g) in group_ids.iter().enumerate() {
            if self.function == AggregateFunction::PercentileApprox {
                if self.segments.len() <= g {
                    self.segments.resize(g + 1, Vec::new());
                }
                self.segments[g].push(self.collected[g].len());
            }
            if let Some(NestedParts::Array(elements)) = Value::from_array(states.as_ref(), row)?.nested_parts() {
                for value in elements {
                    if !(distinct && self.collected[g].contains(&value)) {
                        self.collected[g].push(value);
                    }
                }
            }
        }
        Ok(())
    }

    /// Each group's percentile(s) of its values.
    fn percentile_column(&mut self, groups: usize) -> ArrayRef {
        let single = result_type(self.function, self.data_type.clone());
        let segments = std::mem::take(&mut self.segments);
        let values: Vec<Value> = self.collected[..groups]
            .iter_mut()
            .enumerate()
            .map(|(g, values)| {
                if values.is_empty() {
                    return Value::Null;
                }
                let numeric = values.iter().all(|v| v.as_f64().is_some());
                let found: Vec<Value> = if self.function == AggregateFunction::PercentileApprox && numeric {
                    // Spark's summaries, one per task fed in the order the values came, merged (exact while they
                    // hold every value).
                    let starts = segments.get(g).map_or(&[][..], Vec::as_slice);
                    let summary = quantile_summary::QuantileSummary::of_parts(values, starts, 1.0 / self.accuracy);
                    self.percentages.iter().map(|&p| summary.query(p).unwrap_or(Value::Null)).collect()
                } else {
                    values.sort_by(Value::partial_cmp_value);
                    self.percentages.iter().map(|&p| percentile_of(self.function, values, p)).collect()
                };
                if self.percentages_as_array {
                    Value::new_array(&found, &ArrayType { element: single.clone(), contains_null: false })
                } else {
                    found.into_iter().next().unwrap_or(Value::Null)
                }
            })
            .collect();
        let result = if self.percentages_as_array { SparkType::array_of(single, false) } else { single };
        array_of(&values, &result)
    }

    /// Each group's collection as an array.
    fn collected_column(&mut self, groups: usize) -> ArrayRef {
        let array_type = ArrayType { element: self.data_type.clone(), contains_null: false };
        let values: Vec<Value> = self.collected[..groups].iter().map(|values| Value::new_array(values, &array_type)).collect();
        array_of(&values, &SparkType::Array(Arc::new(array_type)))
    }

    /// Folds partial states (as [`Accumulator::state`] produced them) into the groups `group_ids`.
    pub fn merge(&mut self, states: &[ArrayRef], group_ids: &[usize], groups: usize) -> Result<()> {
        self.grow(groups);
        if let Some(moments) = &mut self.moments {
            moments.merge(states, group_ids);
            return Ok(());
        }
        if let Some(sketches) = &mut self.sketches {
            sketches.merge(states, group_ids);
            return Ok(());
        }
        if let Some(by_value) = &mut self.by_value {
            return by_value.merge(states, group_ids);
        }
        match self.function {
            AggregateFunction::Count => {
                let counts = states[0].as_primitive::<Int64Type>();
                for (row, &g) in group_ids.iter().enumerate() {
                    self.counts[g] += counts.value(row);
                }
                Ok(())
            }
            AggregateFunction::Sum => self.add_sums(&states[0], group_ids),
            AggregateFunction::Avg => {
                let counts = states[1].as_primitive::<Int64Type>();
                for (row, &g) in group_ids.iter().enumerate() {
                    self.counts[g] += counts.value(row);
                }
                self.add_sums(&states[0], group_ids)
            }
            AggregateFunction::Min | AggregateFunction::Max => self.keep_best(&states[0], group_ids),
            f if f.is_collection() => self.merge_collected(&states[0], group_ids),
            function => self.keep_picked(&states[0], group_ids, Some(states[1].as_boolean()), function),
        }
    }

    /// Adds each row's non-NULL value to its group's count.
    fn count_values(&mut self, values: &ArrayRef, group_ids: &[usize]) {
        match values.logical_nulls() {
            None => group_ids.iter().for_each(|&g| self.counts[g] += 1),
            Some(nulls) => group_ids.iter().zip(nulls.iter()).for_each(|(&g, valid)| self.counts[g] += valid as i64),
        }
    }

    fn add_sums(&mut self, values: &ArrayRef, group_ids: &[usize]) -> Result<()> {
        match values.data_type() {
            DataType::Float64 => self.sums_f64.add(values.as_primitive::<Float64Type>(), group_ids),
            DataType::Int64 => {
                let values = values.as_primitive::<Int64Type>();
                for (row, &g) in group_ids.iter().enumerate() {
                    if values.is_valid(row) {
                        let sum = self.sums_i64[g].unwrap_or(0).checked_add(values.value(row)).ok_or_else(|| {
                            EngineError::Runtime(
                                "[ARITHMETIC_OVERFLOW] long overflow. Use 'try_sum' to tolerate overflow and return \
                                 NULL instead. SQLSTATE: 22003"
                                    .into(),
                            )
                        })?;
                        self.sums_i64[g] = Some(sum);
                    }
                }
            }
            DataType::Decimal128(_, _) => {
                let values = values.as_primitive::<Decimal128Type>();
                for (row, &g) in group_ids.iter().enumerate() {
                    if values.is_valid(row) {
                        self.sums_i128[g] = Some(self.sums_i128[g].unwrap_or(0) + values.value(row));
                    }
                }
            }
            DataType::Null => {}
            other => return Err(EngineError::Internal(format!("sum over {other}"))),
        }
        Ok(())
    }

    /// Keeps, per group, a reference to the smallest (min) or largest (max) value seen, NULLs ignored.
    fn keep_best(&mut self, values: &ArrayRef, group_ids: &[usize]) -> Result<()> {
        let want_max = self.function == AggregateFunction::Max;
        if let Some(numbers) = &mut self.best_numbers {
            return numbers.keep(values, group_ids, want_max);
        }
        let chunk = self.chunks.len();
        let mut taken = false;
        for (row, &g) in group_ids.iter().enumerate() {
            if values.is_null(row) {
                continue;
            }
            let better = match self.best[g] {
                None => true,
                Some((c, r)) => {
                    let stored = if c == chunk { values } else { &self.chunks[c] };
                    let ordering = compare(values, row, stored, r)?;
                    if want_max { ordering.is_gt() } else { ordering.is_lt() }
                }
            };
            if better {
                self.best[g] = Some((chunk, row));
                taken = true;
            }
        }
        if taken {
            self.chunks.push(values.clone());
        }
        Ok(())
    }

    /// Keeps, per group, the first or the last value seen (NULLs included unless `function` ignores them); `set`
    /// says which partial states hold a value.
    fn keep_picked(&mut self, values: &ArrayRef, group_ids: &[usize], set: Option<&BooleanArray>, function: AggregateFunction) -> Result<()> {
        let chunk = self.chunks.len();
        let mut taken = false;
        let last = matches!(function, AggregateFunction::Last | AggregateFunction::LastIgnoreNulls);
        for (row, &g) in group_ids.iter().enumerate() {
            let is_set = set.is_none_or(|s| s.value(row)) && !(function.ignores_nulls() && values.is_null(row));
            if is_set && (last || self.best[g].is_none()) {
                self.best[g] = Some((chunk, row));
                taken = true;
            }
        }
        if taken {
            self.chunks.push(values.clone());
        }
        Ok(())
    }

    /// The partial state columns, one row per group (groups that saw no rows hold an empty state). The states are
    /// moved out, not copied: the accumulator is done.
    pub fn state(&mut self, groups: usize) -> Result<Vec<ArrayRef>> {
        self.grow(groups);
        Ok(match self.function {
            AggregateFunction::Count => vec![self.count_column(groups)],
            AggregateFunction::Sum => vec![self.sum_column(groups)?],
            AggregateFunction::Avg => vec![self.sum_column(groups)?, self.count_column(groups)],
            AggregateFunction::Min | AggregateFunction::Max => vec![self.picked(groups)?],
            AggregateFunction::Statistic(_) => self.moments.as_ref().map_or_else(Vec::new, |m| m.state(groups)),
            AggregateFunction::ApproxCountDistinct { .. } => self.sketches.as_ref().map_or_else(Vec::new, |s| s.state(groups)),
            _ if self.by_value.is_some() => self.by_value.as_mut().map_or_else(Vec::new, |s| s.state(groups)),
            f if f.is_collection() => vec![self.collected_column(groups)],
            _ => {
                let set: BooleanArray = self.best[..groups].iter().map(|b| Some(b.is_some())).collect();
                vec![self.picked(groups)?, Arc::new(set)]
            }
        })
    }

    /// The final values, one row per group; the accumulator is done.
    pub fn finish(&mut self, groups: usize) -> Result<ArrayRef> {
        self.grow(groups);
        match (self.function, &self.moments) {
            (AggregateFunction::Avg, _) => self.average(groups),
            (f, _) if f.is_percentile() => Ok(self.percentile_column(groups)),
            (_, Some(moments)) => Ok(moments.finish(groups)),
            _ if self.by_value.is_some() => Ok(self.by_value.as_mut().map_or_else(|| new_null_array(&DataType::Null, groups), |s| s.finish(groups))),
            (AggregateFunction::ApproxCountDistinct { .. }, _) => Ok(self.sketches.as_ref().map_or_else(|| new_null_array(&DataType::Int64, groups), |s| s.finish(groups))),
            _ => Ok(self.state(groups)?.swap_remove(0)),
        }
    }

    fn count_column(&mut self, groups: usize) -> ArrayRef {
        let mut counts = std::mem::take(&mut self.counts);
        counts.truncate(groups);
        Arc::new(Int64Array::from(counts))
    }

    fn sum_column(&mut self, groups: usize) -> Result<ArrayRef> {
        Ok(match &self.data_type {
            SparkType::Double => std::mem::take(&mut self.sums_f64).column(groups),
            SparkType::Long => Arc::new(Int64Array::from(self.sums_i64[..groups].to_vec())),
            SparkType::Decimal { .. } => {
                let SparkType::Decimal { precision, scale } = result_type(AggregateFunction::Sum, self.data_type.clone()) else {
                    unreachable!("the sum of decimals is a decimal")
                };
                Arc::new(Decimal128Array::from(self.sums_i128[..groups].to_vec()).with_precision_and_scale(precision, scale)?)
            }
            SparkType::Null => new_null_array(&DataType::Float64, groups),
            other => return Err(EngineError::Internal(format!("sum over {other}"))),
        })
    }

    fn average(&self, groups: usize) -> Result<ArrayRef> {
        let counts = &self.counts[..groups];
        match self.data_type {
            SparkType::Decimal { scale, .. } => {
                let SparkType::Decimal { precision, scale: out_scale } = result_type(AggregateFunction::Avg, self.data_type.clone()) else {
                    unreachable!("the average of decimals is a decimal")
                };
                let factor = 10i128.pow((out_scale - scale) as u32);
                let averages: Decimal128Array = self.sums_i128[..groups]
                    .iter()
                    .zip(counts)
                    .map(|(sum, &n)| sum.filter(|_| n > 0).map(|s| divide_half_up(s * factor, n as i128)))
                    .collect();
                Ok(Arc::new(averages.with_precision_and_scale(precision, out_scale)?))
            }
            _ => {
                let sums = (0..groups).map(|group| self.sums_f64.get(group)).zip(counts);
                Ok(Arc::new(sums.map(|(s, &n)| s.filter(|_| n > 0).map(|s| s / n as f64)).collect::<Float64Array>()))
            }
        }
    }

    fn picked(&mut self, groups: usize) -> Result<ArrayRef> {
        let data_type = self.data_type.to_arrow();
        if let Some(numbers) = &mut self.best_numbers {
            let picked = numbers.column(groups);
            return Ok(if picked.data_type() == &data_type { picked } else { cast(&picked, &data_type)? });
        }
        if self.chunks.is_empty() {
            return Ok(new_null_array(&data_type, groups));
        }
        let all = arrow::compute::concat(&self.chunks.iter().map(|c| c.as_ref()).collect::<Vec<_>>())?;
        let offsets: Vec<usize> = self
            .chunks
            .iter()
            .scan(0, |start, c| {
                let here = *start;
                *start += c.len();
                Some(here)
            })
            .collect();
        let indices: UInt32Array = self.best[..groups].iter().map(|b| b.map(|(c, r)| (offsets[c] + r) as u32)).collect();
        let picked = take(&all, &indices, None)?;
        Ok(if picked.data_type() == &data_type { picked } else { cast(&picked, &data_type)? })
    }
}

/// Min and max over numbers, dates and timestamps keep each group's best value itself, compared natively: no
/// input batch has to stay in memory for them (a `max` over a hundred million rows kept them all).
trait BestNumbers {
    fn grow(&mut self, groups: usize);
    /// Takes each row's value where it beats its group's (NULLs ignored).
    fn keep(&mut self, values: &ArrayRef, group_ids: &[usize], want_max: bool) -> Result<()>;
    /// The groups' values; NULL for a group that saw none.
    fn column(&mut self, groups: usize) -> ArrayRef;
}

struct Best<T: ArrowPrimitiveType, O> {
    values: Vec<T::Native>,
    present: Vec<bool>,
    /// Spark's order: NaN above every other number, -0.0 equal to 0.0 (a type parameter, so that it is inlined).
    order: O,
    /// The input's own type (a timestamp's zone, a decimal's precision), once a batch has been seen.
    data_type: Option<DataType>,
}

impl<T: ArrowPrimitiveType, O: Fn(T::Native, T::Native) -> std::cmp::Ordering> BestNumbers for Best<T, O> {
    fn grow(&mut self, groups: usize) {
        self.values.resize(groups, T::Native::default());
        self.present.resize(groups, false);
    }

    fn keep(&mut self, values: &ArrayRef, group_ids: &[usize], want_max: bool) -> Result<()> {
        let values = values.as_primitive_opt::<T>().ok_or_else(|| {
            EngineError::Internal(format!("min/max of {} given {}", T::DATA_TYPE, values.data_type()))
        })?;
        self.data_type.get_or_insert_with(|| values.data_type().clone());
        let mut keep = |g: usize, value: T::Native| {
            let better = !self.present[g] || {
                let ordering = (self.order)(value, self.values[g]);
                if want_max { ordering.is_gt() } else { ordering.is_lt() }
            };
            if better {
                self.values[g] = value;
                self.present[g] = true;
            }
        };
        let rows = group_ids.iter().zip(values.values());
        match values.logical_nulls() {
            None => rows.for_each(|(&g, &value)| keep(g, value)),
            Some(nulls) => rows.zip(nulls.iter()).filter(|(_, valid)| *valid).for_each(|((&g, &value), _)| keep(g, value)),
        }
        Ok(())
    }

    fn column(&mut self, groups: usize) -> ArrayRef {
        let mut values = std::mem::take(&mut self.values);
        values.truncate(groups);
        let nulls = NullBuffer::new(BooleanBuffer::collect_bool(groups, |group| self.present[group]));
        let array = PrimitiveArray::<T>::new(values.into(), Some(nulls).filter(|nulls| nulls.null_count() > 0));
        Arc::new(match &self.data_type {
            Some(data_type) => array.with_data_type(data_type.clone()),
            None => array,
        })
    }
}

fn best<T, O>(order: O) -> Option<Box<dyn BestNumbers>>
where
    T: ArrowPrimitiveType,
    O: Fn(T::Native, T::Native) -> std::cmp::Ordering + 'static,
{
    Some(Box::new(Best::<T, O> { values: Vec::new(), present: Vec::new(), order, data_type: None }))
}

/// The native min/max state for values of `data_type`, if it has one. Numbers order as Spark orders them in `min`
/// and `max`: NaN above every other value, and equal values (0.0 and -0.0 included) equal, so the one seen first
/// stays — as [`compare`] orders them for the other types.
fn best_numbers(data_type: &DataType) -> Option<Box<dyn BestNumbers>> {
    use arrow::datatypes::*;
    match data_type {
        DataType::Int8 => best::<Int8Type, _>(|x, y| x.cmp(&y)),
        DataType::Int16 => best::<Int16Type, _>(|x, y| x.cmp(&y)),
        DataType::Int32 => best::<Int32Type, _>(|x, y| x.cmp(&y)),
        DataType::Int64 => best::<Int64Type, _>(|x, y| x.cmp(&y)),
        DataType::Date32 => best::<Date32Type, _>(|x, y| x.cmp(&y)),
        DataType::Timestamp(TimeUnit::Microsecond, _) => best::<TimestampMicrosecondType, _>(|x, y| x.cmp(&y)),
        DataType::Decimal128(_, _) => best::<Decimal128Type, _>(|x, y| x.cmp(&y)),
        DataType::Float32 => best::<Float32Type, _>(|x, y| x.partial_cmp(&y).unwrap_or_else(|| x.is_nan().cmp(&y.is_nan()))),
        DataType::Float64 => best::<Float64Type, _>(|x, y| x.partial_cmp(&y).unwrap_or_else(|| x.is_nan().cmp(&y.is_nan()))),
        _ => None,
    }
}

fn divide_half_up(numerator: i128, denominator: i128) -> i128 {
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if remainder.abs() * 2 >= denominator.abs() { quotient + numerator.signum() * denominator.signum() } else { quotient }
}

/// Orders two values of the same type as Spark does: NaN above every other double.
fn compare(a: &ArrayRef, row_a: usize, b: &ArrayRef, row_b: usize) -> Result<std::cmp::Ordering> {
    use arrow::datatypes::*;
    macro_rules! primitive {
        ($t:ty) => {
            a.as_primitive::<$t>().value(row_a).partial_cmp(&b.as_primitive::<$t>().value(row_b))
        };
    }
    let ordering = match a.data_type() {
        DataType::Boolean => Some(a.as_boolean().value(row_a).cmp(&b.as_boolean().value(row_b))),
        DataType::Int8 => primitive!(Int8Type),
        DataType::Int16 => primitive!(Int16Type),
        DataType::Int32 => primitive!(Int32Type),
        DataType::Int64 => primitive!(Int64Type),
        DataType::Date32 => primitive!(Date32Type),
        DataType::Timestamp(_, _) => primitive!(TimestampMicrosecondType),
        DataType::Decimal128(_, _) => primitive!(Decimal128Type),
        DataType::Float32 => {
            let (x, y) = (a.as_primitive::<Float32Type>().value(row_a), b.as_primitive::<Float32Type>().value(row_b));
            Some(x.partial_cmp(&y).unwrap_or_else(|| x.is_nan().cmp(&y.is_nan())))
        }
        DataType::Float64 => {
            let (x, y) = (a.as_primitive::<Float64Type>().value(row_a), b.as_primitive::<Float64Type>().value(row_b));
            Some(x.partial_cmp(&y).unwrap_or_else(|| x.is_nan().cmp(&y.is_nan())))
        }
        DataType::Utf8 => Some(a.as_string::<i32>().value(row_a).cmp(b.as_string::<i32>().value(row_b))),
        other => return Err(EngineError::UnsupportedType(other.clone())),
    };
    Ok(ordering.unwrap_or(std::cmp::Ordering::Equal))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn aggregate(function: AggregateFunction, values: Vec<Value>, groups: &[usize]) -> Vec<Value> {
        let data_type = values[0].spark_type();
        let arrays: Vec<ArrayRef> =
            values.iter().map(|v| crate::expr::cast::cast(&v.to_array(1), &v.spark_type(), &data_type).unwrap()).collect();
        let column = arrow::compute::concat(&arrays.iter().map(|a| a.as_ref()).collect::<Vec<_>>()).unwrap();
        let count = groups.iter().max().unwrap() + 1;
        // Two partial accumulators over halves of the rows, merged — the shape of a real aggregation.
        let half = values.len() / 2;
        let mut finals = Accumulator::new(function, data_type.clone());
        for (start, end) in [(0, half), (half, values.len())] {
            let mut partial = Accumulator::new(function, data_type.clone());
            partial.update(&[column.slice(start, end - start)], &groups[start..end], count).unwrap();
            finals.merge(&partial.state(count).unwrap(), &(0..count).collect::<Vec<_>>(), count).unwrap();
        }
        let result = finals.finish(count).unwrap();
        (0..count).map(|g| Value::from_array(&result, g).unwrap()).collect()
    }

    #[test]
    fn sums_and_averages_of_nothing_but_nulls_are_null() {
        let values = vec![Value::Double(1.0), Value::Null, Value::Double(2.0), Value::Null];
        assert_eq!(aggregate(AggregateFunction::Sum, values.clone(), &[0, 1, 0, 1]), [Value::Double(3.0), Value::Null]);
        assert_eq!(aggregate(AggregateFunction::Avg, values.clone(), &[0, 1, 0, 1]), [Value::Double(1.5), Value::Null]);
        assert_eq!(aggregate(AggregateFunction::Count, values, &[0, 1, 0, 1]), [Value::Long(2), Value::Long(0)]);
    }

    #[test]
    fn min_max_and_first_keep_the_right_value() {
        let values = vec![Value::String("b".into()), Value::String("a".into()), Value::Null, Value::String("c".into())];
        assert_eq!(aggregate(AggregateFunction::Min, values.clone(), &[0, 0, 0, 0]), [Value::String("a".into())]);
        assert_eq!(aggregate(AggregateFunction::Max, values.clone(), &[0, 0, 0, 0]), [Value::String("c".into())]);
        assert_eq!(aggregate(AggregateFunction::First, values, &[0, 0, 0, 0]), [Value::String("b".into())]);
    }

    #[test]
    fn min_and_max_of_numbers_order_nan_last_and_skip_nulls() {
        let doubles = vec![Value::Double(1.0), Value::Double(f64::NAN), Value::Null, Value::Double(3.0)];
        let max = aggregate(AggregateFunction::Max, doubles.clone(), &[0, 0, 0, 0]);
        assert!(matches!(max[0], Value::Double(x) if x.is_nan()), "NaN is above every other double: {max:?}");
        assert_eq!(aggregate(AggregateFunction::Min, doubles, &[0, 0, 0, 0]), [Value::Double(1.0)]);
        let ints = vec![Value::Integer(5), Value::Null, Value::Integer(-2), Value::Null, Value::Integer(7), Value::Null];
        assert_eq!(aggregate(AggregateFunction::Min, ints.clone(), &[0, 1, 0, 2, 0, 2]), [Value::Integer(-2), Value::Null, Value::Null]);
        assert_eq!(aggregate(AggregateFunction::Max, ints, &[0, 1, 0, 2, 0, 1]), [Value::Integer(7), Value::Null, Value::Null]);
        let times = vec![Value::Timestamp(1_579_095_900_000_000), Value::Timestamp(1_579_000_000_000_000)];
        assert_eq!(aggregate(AggregateFunction::Min, times.clone(), &[0, 0]), [times[1].clone()]);
        assert_eq!(aggregate(AggregateFunction::Max, times.clone(), &[0, 0]), [times[0].clone()]);
    }

    #[test]
    fn min_and_max_keep_no_input_batch_they_do_not_point_into() {
        let batch = |values: &[i64]| -> ArrayRef { Arc::new(Int64Array::from(values.to_vec())) };
        let mut numbers = Accumulator::new(AggregateFunction::Max, SparkType::Long);
        for values in [[3, 1], [9, 2], [4, 4]] {
            numbers.update(&[batch(&values)], &[0, 0], 1).unwrap();
        }
        assert!(numbers.chunks.is_empty(), "numbers keep their best values themselves");
        assert_eq!(numbers.finish(1).unwrap().as_primitive::<Int64Type>().values(), &[9]);

        let strings = |values: &[&str]| -> ArrayRef { Arc::new(arrow::array::StringArray::from(values.to_vec())) };
        let mut text = Accumulator::new(AggregateFunction::Max, SparkType::String);
        for values in [["b", "a"], ["a", "a"], ["c", "a"]] {
            text.update(&[strings(&values)], &[0, 0], 1).unwrap();
        }
        assert_eq!(text.chunks.len(), 2, "the batch without a new maximum is not kept");
        assert_eq!(text.finish(1).unwrap().as_string::<i32>().value(0), "c");
    }

    #[test]
    fn a_long_sum_that_overflows_is_an_error() {
        let mut sum = Accumulator::new(AggregateFunction::Sum, SparkType::Long);
        let values: ArrayRef = Arc::new(Int64Array::from(vec![i64::MAX, 1]));
        let error = sum.update(&[values], &[0, 0], 1).unwrap_err();
        assert!(error.to_string().starts_with("[ARITHMETIC_OVERFLOW]"), "{error}");
    }
}
