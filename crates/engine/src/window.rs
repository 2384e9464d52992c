//! The window operator: `rank() OVER (PARTITION BY zone ORDER BY fare DESC)`, running totals, moving averages.
//!
//! A window function needs every row of its *window partition* (the rows with the same `PARTITION BY` keys) in
//! one place and in `ORDER BY` order. So Spark plans it in three steps, which the job views show: an
//! `Exchange hashpartitioning(keys)` sends each key's rows to one task (without `PARTITION BY`, everything to a
//! single task), a `Sort` orders each task's rows by the keys and then the `ORDER BY`, and the `Window` operator
//! walks the sorted rows once. For each row it finds the row's *frame* — the rows of its window partition that
//! the function sees, `ROWS BETWEEN 1 PRECEDING AND CURRENT ROW` or, by default with an `ORDER BY`, every row up
//! to the current one and its ties — and computes the function over it. Every input row comes out, with one new
//! column per window function.
//!
//! Window expressions that share a `PARTITION BY` and `ORDER BY` are computed by one operator; others get an
//! exchange, sort and window of their own.

pub mod group_limit;

use arrow::array::{Array, ArrayRef, RecordBatch};
use arrow::compute::concat_batches;
use arrow::row::Rows;

use crate::expr::eval::evaluate;
use crate::expr::window::{FrameBound, FrameKind, WindowFrame, WindowFunction, WindowSpec};
use crate::expr::{AggregateFunction, Attribute, Expr, SortOrder};
use crate::aggregate::moments::{CoMoments, Moments, Regression};
use crate::hash_aggregate::{batch_of, schema_of};
use crate::sort::SortKeys;
use crate::types::SparkType;
use crate::value::{Value, array_of};
use crate::{EngineError, Result};

/// Computes `exprs` (aliased [`Expr::Window`]s) over one task's rows, already sorted by `partition_by` then
/// `order_by`: the input columns, then one column per expression.
pub fn window_partition(
    exprs: &[Expr],
    partition_by: &[Expr],
    order_by: &[SortOrder],
    batches: &[RecordBatch],
    input: &[Attribute],
    output: &[Attribute],
) -> Result<Vec<RecordBatch>> {
    let all = concat_batches(&schema_of(input), batches)?;
    if all.num_rows() == 0 {
        return Ok(Vec::new());
    }
    let partitions = runs(&keys_of(partition_by, &all, input)?, 0..all.num_rows());
    let order_keys = keys_of(&order_by.iter().map(|o| o.expr.clone()).collect::<Vec<_>>(), &all, input)?;
    let mut columns: Vec<ArrayRef> = all.columns().to_vec();
    for expr in exprs {
        let Expr::Window { function, spec } = unaliased(expr) else {
            return Err(EngineError::Internal(format!("{} is not a window expression", expr.sql_name())));
        };
        let order_values = match (&spec.frame.kind, spec.order_by.as_slice()) {
            (FrameKind::Range, [order]) if has_offset(&spec.frame) => Some(values_of(&order.expr, &all, input)?),
            _ => None,
        };
        let rows = WindowRows { partitions: &partitions, order_keys: &order_keys, order_values, spec };
        columns.push(rows.compute(function, &all, input)?);
    }
    Ok(vec![batch_of(output, columns, all.num_rows())?])
}

fn unaliased(expr: &Expr) -> &Expr {
    match expr {
        Expr::Alias { expr, .. } => unaliased(expr),
        other => other,
    }
}

/// The keys in Arrow's row format, so rows compare as wholes.
fn keys_of(keys: &[Expr], batch: &RecordBatch, input: &[Attribute]) -> Result<Option<Rows>> {
    if keys.is_empty() {
        return Ok(None);
    }
    let order: Vec<SortOrder> = keys.iter().map(|k| SortOrder::new(k.clone(), true)).collect();
    Ok(Some(SortKeys::new(&order)?.rows(&order, batch, input)?))
}

/// The runs of equal keys within `range`, as row ranges (the whole range when there are no keys).
fn runs(keys: &Option<Rows>, range: std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
    let Some(keys) = keys else { return vec![range] };
    let mut runs = Vec::new();
    let mut start = range.start;
    for row in range.start + 1..range.end {
        if keys.row(row) != keys.row(row - 1) {
            runs.push(start..row);
            start = row;
        }
    }
    runs.push(start..range.end);
    runs
}

/// Every row's value of `expr`.
fn values_of(expr: &Expr, batch: &RecordBatch, input: &[Attribute]) -> Result<Vec<Value>> {
    let array = evaluate(expr, batch, input)?;
    (0..array.len()).map(|row| Value::from_array(array.as_ref(), row)).collect()
}

/// One window expression's view of a task's rows.
struct WindowRows<'a> {
    partitions: &'a [std::ops::Range<usize>],
    order_keys: &'a Option<Rows>,
    /// The one ordering value of every row, for a RANGE frame with an offset.
    order_values: Option<Vec<Value>>,
    spec: &'a WindowSpec,
}

impl WindowRows<'_> {
    /// The window function's value for every row. Its arguments are worked out once for all the task's rows, then
    /// each window partition reads its own rows of them.
    fn compute(&self, function: &Expr, batch: &RecordBatch, input: &[Attribute]) -> Result<ArrayRef> {
        let mut values = vec![Value::Null; batch.num_rows()];
        let computed = unaliased(function);
        let arguments: Vec<Vec<Value>> = match computed {
            Expr::Aggregate { function, args, filter, .. } => crate::expr::aggregated_values(*function, args)
                .into_iter()
                .chain(filter.as_deref().cloned())
                .map(|e| values_of(&e, batch, input))
                .collect::<Result<_>>()?,
            Expr::WindowFunction { function: WindowFunction::Lag | WindowFunction::Lead | WindowFunction::NthValue, args, .. } => {
                args.iter().map(|arg| values_of(arg, batch, input)).collect::<Result<_>>()?
            }
            _ => Vec::new(),
        };
        for partition in self.partitions {
            let peers = runs(self.order_keys, partition.clone());
            match computed {
                Expr::WindowFunction { function, args, ignore_nulls } => {
                    let arguments = Arguments { exprs: args, values: &arguments, ignore_nulls: *ignore_nulls };
                    self.ranking(*function, &arguments, partition, &peers, &mut values)?
                }
                Expr::Aggregate { function, args, distinct: false, filter } => {
                    let frames = self.frames(partition, &peers)?;
                    let folded = arguments.len() - usize::from(filter.is_some());
                    let input_type = args[0].data_type();
                    let inputs = FrameInputs { values: &arguments[..folded], passes: arguments.get(folded) };
                    aggregate_frames(*function, input_type, &inputs, &frames, partition.start, &mut values)?;
                }
                other => {
                    return Err(EngineError::Analysis(format!(
                        "[UNSUPPORTED_FEATURE] {} over a window is not supported by Kindling yet (real Spark runs \
                         it). SQLSTATE: 0A000",
                        other.sql_name()
                    )));
                }
            }
        }
        Ok(array_of(&values, &function.data_type()))
    }

    /// Functions that number or look at neighbouring rows.
    fn ranking(
        &self,
        function: WindowFunction,
        arguments: &Arguments,
        partition: &std::ops::Range<usize>,
        peers: &[std::ops::Range<usize>],
        values: &mut [Value],
    ) -> Result<()> {
        let size = partition.len();
        let literal = |i: usize, default: i64| -> Result<i64> {
            match arguments.exprs.get(i) {
                None => Ok(default),
                Some(Expr::Literal(value)) => value.as_i64().ok_or_else(|| non_literal(function, value)),
                Some(other) => Err(non_literal(function, &Value::String(other.sql_name()))),
            }
        };
        match function {
            WindowFunction::RowNumber => {
                for (n, row) in partition.clone().enumerate() {
                    values[row] = Value::Integer(n as i32 + 1);
                }
            }
            WindowFunction::Rank | WindowFunction::DenseRank | WindowFunction::PercentRank | WindowFunction::CumeDist => {
                for (dense, run) in peers.iter().enumerate() {
                    let rank = run.start - partition.start + 1;
                    for row in run.clone() {
                        values[row] = match function {
                            WindowFunction::Rank => Value::Integer(rank as i32),
                            WindowFunction::DenseRank => Value::Integer(dense as i32 + 1),
                            WindowFunction::PercentRank if size == 1 => Value::Double(0.0),
                            WindowFunction::PercentRank => Value::Double((rank - 1) as f64 / (size - 1) as f64),
                            _ => Value::Double((run.end - partition.start) as f64 / size as f64),
                        };
                    }
                }
            }
            WindowFunction::Ntile => {
                let buckets = literal(0, 1)?.max(1) as usize;
                let (per_bucket, remainder) = (size / buckets, size % buckets);
                for (n, row) in partition.clone().enumerate() {
                    let bucket = if n < remainder * (per_bucket + 1) {
                        n / (per_bucket + 1)
                    } else {
                        remainder + (n - remainder * (per_bucket + 1)) / per_bucket.max(1)
                    };
                    values[row] = Value::Integer(bucket as i32 + 1);
                }
            }
            WindowFunction::Lag | WindowFunction::Lead => {
                let offset = literal(1, 1)?;
                let (inputs, defaults) = (&arguments.values[0], arguments.values.get(2));
                let backwards = (function == WindowFunction::Lag) != (offset < 0);
                for row in partition.clone() {
                    // The rows after (lead) or before (lag) this one, nearest first.
                    let mut others: Box<dyn Iterator<Item = usize>> =
                        if backwards { Box::new((partition.start..row).rev()) } else { Box::new(row + 1..partition.end) };
                    let found = match offset.unsigned_abs() as usize {
                        0 => Some(row),
                        n if arguments.ignore_nulls => others.filter(|&r| !inputs[r].is_null()).nth(n - 1),
                        n => others.nth(n - 1),
                    };
                    values[row] = match found {
                        Some(other) => inputs[other].clone(),
                        None => defaults.map_or(Value::Null, |defaults| defaults[row].clone()),
                    };
                }
            }
            WindowFunction::NthValue => {
                let n = literal(1, 1)?;
                let inputs = &arguments.values[0];
                for (row, frame) in partition.clone().zip(self.frames(partition, peers)?) {
                    let mut in_frame = frame.filter(|&r| !(arguments.ignore_nulls && inputs[r].is_null()));
                    let nth = if n >= 1 { in_frame.nth(n as usize - 1) } else { None };
                    values[row] = nth.map_or(Value::Null, |r| inputs[r].clone());
                }
            }
        }
        Ok(())
    }

    /// Each row's frame, as a range of rows of the batch.
    fn frames(&self, partition: &std::ops::Range<usize>, peers: &[std::ops::Range<usize>]) -> Result<Vec<std::ops::Range<usize>>> {
        let frame = &self.spec.frame;
        let mut run_of_row = vec![0; partition.len()];
        for (i, run) in peers.iter().enumerate() {
            run_of_row[run.start - partition.start..run.end - partition.start].fill(i);
        }
        let peer_of = |row: usize| peers[run_of_row[row - partition.start]].clone();
        let range_keys = match frame.kind {
            FrameKind::Range if has_offset(frame) => Some(self.range_keys(partition)?),
            _ => None,
        };
        let mut frames = Vec::with_capacity(partition.len());
        for row in partition.clone() {
            let bound = |bound: &FrameBound, is_start: bool| -> Result<usize> {
                Ok(match (frame.kind, bound) {
                    (_, FrameBound::UnboundedPreceding) => partition.start,
                    (_, FrameBound::UnboundedFollowing) => partition.end,
                    (FrameKind::Rows, FrameBound::CurrentRow) => if is_start { row } else { row + 1 },
                    (FrameKind::Range, FrameBound::CurrentRow) => {
                        let peers = peer_of(row);
                        if is_start { peers.start } else { peers.end }
                    }
                    (FrameKind::Rows, FrameBound::Preceding(n) | FrameBound::Following(n)) => {
                        let n = n.as_i64().unwrap_or(0);
                        let n = if matches!(bound, FrameBound::Preceding(_)) { -n } else { n };
                        let at = (row as i64).saturating_add(n).saturating_add(i64::from(!is_start));
                        at.clamp(partition.start as i64, partition.end as i64) as usize
                    }
                    (FrameKind::Range, FrameBound::Preceding(n) | FrameBound::Following(n)) => {
                        let keys = range_keys.as_ref().expect("range keys for an offset frame");
                        let preceding = matches!(bound, FrameBound::Preceding(_));
                        match self.range_target(row, n, preceding)? {
                            Some(target) => range_bound(keys, partition, target, is_start),
                            // A NULL ordering value's frame is its peers.
                            None if is_start => peer_of(row).start,
                            None => peer_of(row).end,
                        }
                    }
                })
            };
            let (start, end) = (bound(&frame.start, true)?, bound(&frame.end, false)?);
            frames.push(start..end.max(start));
        }
        Ok(frames)
    }

    /// The one ordering value of each row of the partition as a number, signed so that the order is ascending;
    /// NULLs are -∞ or +∞, where the sort put them.
    fn range_keys(&self, partition: &std::ops::Range<usize>) -> Result<Vec<f64>> {
        let (order, values) = self.range_ordering()?;
        let sign = if order.ascending { 1.0 } else { -1.0 };
        let null = if order.nulls_first { f64::NEG_INFINITY } else { f64::INFINITY };
        Ok(partition.clone().map(|row| values[row].as_f64().map_or(null, |v| sign * v)).collect())
    }

    fn range_ordering(&self) -> Result<(&SortOrder, &Vec<Value>)> {
        let [order] = self.spec.order_by.as_slice() else {
            return Err(EngineError::Internal("a RANGE frame with an offset needs exactly one ORDER BY key".into()));
        };
        let Some(values) = &self.order_values else {
            return Err(EngineError::Internal("the ordering values of a RANGE frame were not worked out".into()));
        };
        Ok((order, values))
    }

    /// The key (as [`WindowRows::range_keys`] signs it) `amount` before or after `row`'s ordering value: before
    /// means smaller values in an ascending order, larger in a descending one. An interval moves a date or a
    /// timestamp as `+` would (a month is a calendar month). `None` for a NULL ordering value.
    fn range_target(&self, row: usize, amount: &Value, preceding: bool) -> Result<Option<f64>> {
        let (order, values) = self.range_ordering()?;
        let current = &values[row];
        if current.is_null() {
            return Ok(None);
        }
        let backwards = preceding == order.ascending;
        let sign = if order.ascending { 1.0 } else { -1.0 };
        let moved = match amount {
            Value::YearMonthInterval { months, start, end } => {
                let months = if backwards { -months } else { *months };
                let interval = Value::YearMonthInterval { months, start: *start, end: *end };
                crate::functions::plus_interval(current, &interval)
            }
            Value::DayTimeInterval { micros, start, end } => {
                let micros = if backwards { -micros } else { *micros };
                crate::functions::plus_interval(current, &Value::DayTimeInterval { micros, start: *start, end: *end })
            }
            number => {
                let offset = number.as_f64().unwrap_or(0.0);
                current.as_f64().map(|v| Value::Double(if backwards { v - offset } else { v + offset }))
            }
        };
        // A bound past the calendar's end reaches every row on that side.
        Ok(Some(moved.and_then(|v| v.as_f64()).map_or(if backwards { -sign * f64::INFINITY } else { sign * f64::INFINITY }, |v| sign * v)))
    }
}

fn has_offset(frame: &WindowFrame) -> bool {
    [&frame.start, &frame.end].iter().any(|b| matches!(b, FrameBound::Preceding(_) | FrameBound::Following(_)))
}

/// Where a `RANGE n PRECEDING/FOLLOWING` bound falls: the first row (for a start) or just past the last row (for an
/// end) whose key is within `target`.
fn range_bound(keys: &[f64], partition: &std::ops::Range<usize>, target: f64, is_start: bool) -> usize {
    let past = if is_start {
        keys.partition_point(|key| *key < target)
    } else {
        keys.partition_point(|key| *key <= target)
    };
    partition.start + past
}

fn non_literal(function: WindowFunction, value: &Value) -> EngineError {
    EngineError::Analysis(format!(
        "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve \"{}\" due to data type mismatch: the input should be \
         a foldable integer expression; however, got \"{value}\". SQLSTATE: 42K09",
        function.name()
    ))
}

/// An aggregate over each row's frame. Frames that keep their start grow row by row and are aggregated
/// incrementally; a frame whose start moved is aggregated again from its start, as Spark's sliding frames are
/// (so sums of doubles add in the same order and give the same digits).
/// What a window aggregate folds: each row's value (or pair of values), and whether the row passes the
/// aggregate's FILTER.
struct FrameInputs<'a> {
    values: &'a [Vec<Value>],
    passes: Option<&'a Vec<Value>>,
}

impl FrameInputs<'_> {
    fn add_rows(&self, rows: std::ops::Range<usize>, state: &mut Accumulator) -> Result<()> {
        for row in rows {
            if self.passes.is_none_or(|passes| passes[row] == Value::Boolean(true)) {
                match self.values {
                    [x, y] => state.add_pair(&x[row], &y[row]),
                    [values, ..] => state.add(&values[row])?,
                    [] => {}
                }
            }
        }
        Ok(())
    }
}

fn aggregate_frames(
    function: AggregateFunction,
    input_type: SparkType,
    inputs: &FrameInputs,
    frames: &[std::ops::Range<usize>],
    first_row: usize,
    values: &mut [Value],
) -> Result<()> {
    let result_type = crate::aggregate::result_type(function, input_type);
    let mut state = Accumulator::new(function);
    let mut current: Option<std::ops::Range<usize>> = None;
    for (n, frame) in frames.iter().enumerate() {
        match &current {
            Some(seen) if seen.start == frame.start && seen.end <= frame.end => {
                inputs.add_rows(seen.end..frame.end, &mut state)?;
            }
            _ => {
                state = Accumulator::new(function);
                inputs.add_rows(frame.clone(), &mut state)?;
            }
        }
        current = Some(frame.clone());
        values[first_row + n] = state.result(result_type.clone())?;
    }
    Ok(())
}

/// A window function's arguments: as written, and their values for every row of the task.
struct Arguments<'a> {
    exprs: &'a [Expr],
    values: &'a [Vec<Value>],
    ignore_nulls: bool,
}

/// The running state of one aggregate over a frame.
struct Accumulator {
    function: AggregateFunction,
    count: i64,
    /// Sums of longs and of decimals' unscaled values.
    whole: i128,
    real: f64,
    /// min / max / first.
    chosen: Option<Value>,
    first_seen: bool,
    moments: Moments,
    co_moments: CoMoments,
    regression: Regression,
    /// collect_list / collect_set: the values so far.
    collected: Vec<Value>,
}

impl Accumulator {
    fn new(function: AggregateFunction) -> Self {
        let function = function.computed_as();
        let (moments, co_moments, regression) = Default::default();
        Self { function, count: 0, whole: 0, real: 0.0, chosen: None, first_seen: false, moments, co_moments, regression, collected: Vec::new() }
    }

    /// Folds a pair of values (`corr(x, y)`, `regr_slope(y, x)`); a pair with a NULL is passed over.
    fn add_pair(&mut self, first: &Value, second: &Value) {
        if let (Value::Double(first), Value::Double(second)) = (first, second) {
            if matches!(self.function, AggregateFunction::Statistic(s) if s.regresses()) {
                self.regression.add(*first, *second);
            } else {
                self.co_moments.add(*first, *second);
            }
        }
    }

    fn add(&mut self, value: &Value) -> Result<()> {
        if self.function.picks_a_row() {
            let counts = !(self.function.ignores_nulls() && value.is_null());
            let last = matches!(self.function, AggregateFunction::Last | AggregateFunction::LastIgnoreNulls);
            if counts && (last || !self.first_seen) {
                self.chosen = Some(value.clone());
                self.first_seen = true;
            }
            return Ok(());
        }
        if value.is_null() {
            return Ok(());
        }
        self.count += 1;
        match (self.function, value) {
            (AggregateFunction::CollectList, _) => self.collected.push(value.clone()),
            (AggregateFunction::CollectSet, _) => {
                if !self.collected.contains(value) {
                    self.collected.push(value.clone());
                }
            }
            (AggregateFunction::Min | AggregateFunction::Max, _) => {
                let better = match &self.chosen {
                    None => true,
                    Some(chosen) => {
                        let ordering = value.partial_cmp_value(chosen);
                        if self.function == AggregateFunction::Min { ordering.is_lt() } else { ordering.is_gt() }
                    }
                };
                if better {
                    self.chosen = Some(value.clone());
                }
            }
            (AggregateFunction::Statistic(_), Value::Double(v)) => self.moments.add(*v),
            (_, Value::Double(v)) => self.real += v,
            (_, Value::Decimal { value, .. }) => self.whole += value,
            (_, other) => self.whole += i128::from(other.as_i64().unwrap_or(0)),
        }
        Ok(())
    }

    fn result(&self, result_type: SparkType) -> Result<Value> {
        let empty = self.count == 0;
        Ok(match (self.function, result_type) {
            (AggregateFunction::Count, _) => Value::Long(self.count),
            (
                AggregateFunction::Min
                | AggregateFunction::Max
                | AggregateFunction::BoolAnd
                | AggregateFunction::BoolOr
                | AggregateFunction::First
                | AggregateFunction::FirstIgnoreNulls
                | AggregateFunction::Last
                | AggregateFunction::LastIgnoreNulls,
                _,
            ) => self.chosen.clone().unwrap_or(Value::Null),
            (AggregateFunction::Statistic(statistic), _) => {
                let value = match statistic {
                    s if s.regresses() => self.regression.statistic(s),
                    s if s.takes_pairs() => self.co_moments.statistic(s),
                    s => self.moments.statistic(s),
                };
                value.map_or(Value::Null, Value::Double)
            }
            (AggregateFunction::CollectList | AggregateFunction::CollectSet, SparkType::Array(array)) => {
                Value::new_array(&self.collected, &array)
            }
            (AggregateFunction::CollectList | AggregateFunction::CollectSet, other) => {
                return Err(EngineError::Internal(format!("a collection cannot be a {other}")));
            }
            (
                function @ (AggregateFunction::PercentileApprox
                | AggregateFunction::Percentile
                | AggregateFunction::Median
                | AggregateFunction::ApproxCountDistinct { .. }
                | AggregateFunction::Product
                | AggregateFunction::BitAnd
                | AggregateFunction::BitOr
                | AggregateFunction::BitXor
                | AggregateFunction::MaxBy
                | AggregateFunction::MinBy
                | AggregateFunction::Mode
                | AggregateFunction::HistogramNumeric { .. }),
                _,
            ) => {
                return Err(EngineError::InvalidArgument(format!("{} over a window is not supported by Kindling yet", function.name())));
            }
            (_, _) if empty => Value::Null,
            (AggregateFunction::Sum, SparkType::Double) => Value::Double(self.real),
            (AggregateFunction::Sum, SparkType::Decimal { precision, scale }) => Value::Decimal { value: self.whole, precision, scale },
            (AggregateFunction::Sum, _) => Value::Long(i64::try_from(self.whole).map_err(|_| long_overflow())?),
            (AggregateFunction::Avg, SparkType::Decimal { precision, scale }) => {
                let scaled = self.whole * 10_000;
                let count = i128::from(self.count);
                let rounded = (scaled.abs() * 2 + count) / (2 * count) * scaled.signum();
                Value::Decimal { value: rounded, precision, scale }
            }
            (AggregateFunction::Avg, _) => Value::Double(self.real / self.count as f64),
        })
    }
}

fn long_overflow() -> EngineError {
    EngineError::Runtime(
        "[ARITHMETIC_OVERFLOW] long overflow. Use 'try_sum' to tolerate overflow and return NULL instead. If necessary \
         set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: 22003"
            .into(),
    )
}
