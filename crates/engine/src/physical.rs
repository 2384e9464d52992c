//! The physical plan: *how* a query runs — which operators, and where rows must move between partitions.
//!
//! The planner turns each logical node into operators Spark would pick: a group-by becomes
//! `HashAggregate(partial) → Exchange hashpartitioning → HashAggregate(final)`, a limit at the top becomes
//! `CollectLimit`. Operators between two exchanges run one after the other inside the same task, on the same
//! partition; an exchange is where one stage ends and the next begins (see [`crate::stage`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow::array::RecordBatch;
use arrow::compute::filter_record_batch;

use crate::exchange::{Partitioning, ShuffleRead};
use crate::expr::eval::evaluate;
use crate::expr::window::WindowFunction;
use crate::expr::nondeterministic::TaskExprs;
use crate::expr::{AggregateFunction, Attribute, Expr, ExprId};
use crate::window::group_limit::{GroupLimitMode, inferred_limit};
use crate::sort_aggregate::AggregateOperator;
use crate::hash_aggregate::{
    AggregateCall, AggregateMode, ComputedKey, aggregate_by_computed_key, aggregate_partition, aggregate_shuffle_read, batch_of,
};
use crate::io::csv::{csv_batches, split_lines};
use crate::io::file_partition::{FilePartition, FileSplit, plan_file_partitions};
use crate::io::parquet::read_split_columns;
use crate::io::read_ahead::ReadAhead;
use crate::expr::generator::Generator;
use crate::rdd::MapPartitions;
use crate::sample::Sample;
use crate::cache::CachedData;
use crate::logical::{FileFormat, LogicalPlan, RepartitionBy, Scan, Source, output_attribute};
use crate::partition::{Partition, split_at};
use crate::broadcast::{BroadcastTable, BuildSide, HashJoinTask};
use crate::join::{JoinKeys, JoinType, assemble, pairs_satisfying};
use crate::session::Session;
use crate::statistics::size_in_bytes;
use crate::sort_merge_join::MergeJoinTask;
use crate::sort::{SortOrder, sort_batches, top_rows};
use crate::metrics::{OperatorIds, TaskMetrics};
use crate::trace::JobTrace;
use crate::types::SparkType;
use crate::{EngineError, Result};

mod distinct_aggregate;
mod redundant_projects;

/// Why an exchange is in the plan, as explain prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShuffleOrigin {
    /// Added because an operator needs its input partitioned another way (a group-by's keys).
    EnsureRequirements,
    /// Asked for by the user: `repartition(n)`; adaptive execution keeps its partition count.
    RepartitionByNum,
    /// [`Self::EnsureRequirements`] inside a cached DataFrame's plan, whose partitions adaptive execution leaves
    /// as planned (Spark's `spark.sql.optimizer.canChangeCachedPlanOutputPartitioning` is off).
    EnsureRequirementsOfCachedPlan,
}

/// One physical operator and its inputs.
#[derive(Debug, Clone)]
pub enum PhysicalPlan {
    FileScan { scan: Scan, partitions: Vec<FilePartition> },
    LocalTableScan { scan: Scan, partitions: Vec<Partition> },
    /// A cached DataFrame's kept partitions (see [`crate::cache`]); until they are all kept, `cached` computes them.
    InMemoryTableScan { cache: Arc<CachedData>, output: Vec<Attribute>, predicates: Vec<Expr>, cached: Box<PhysicalPlan> },
    /// `spark.range`'s numbers, each task counting through its slice (see [`crate::range`]).
    Range { scan: Scan, range: crate::range::Range, slices: usize },
    Project { exprs: Vec<Expr>, input: Box<PhysicalPlan> },
    Filter { condition: Expr, input: Box<PhysicalPlan> },
    HashAggregate {
        mode: AggregateMode,
        keys: Vec<Attribute>,
        calls: Vec<AggregateCall>,
        /// Final mode: the output columns, over the keys and the calls' results.
        results: Vec<Expr>,
        input: Box<PhysicalPlan>,
    },
    Exchange { id: usize, partitioning: Partitioning, origin: ShuffleOrigin, input: Box<PhysicalPlan> },
    Union { inputs: Vec<PhysicalPlan>, output: Vec<Attribute> },
    /// `coalesce(n)`: merges neighbouring partitions without a shuffle.
    Coalesce { partitions: usize, input: Box<PhysicalPlan> },
    LocalLimit { count: usize, input: Box<PhysicalPlan> },
    GlobalLimit { count: usize, input: Box<PhysicalPlan> },
    /// A limit at the top of a query: each task stops early; the driver keeps the first `count` rows.
    CollectLimit { count: usize, input: Box<PhysicalPlan> },
    /// Sorts each partition; `global` when a range exchange below makes the partitions ordered among themselves.
    Sort { order: Vec<SortOrder>, global: bool, input: Box<PhysicalPlan> },
    /// Runs its input as a stage of its own and copies the collected rows, hashed on `keys`, to every executor.
    BroadcastExchange { id: usize, keys: Vec<Expr>, input: Box<PhysicalPlan> },
    /// Looks every row of the stream side up in the broadcast copy of the build side.
    BroadcastHashJoin { join: JoinSpec, build: BuildSide, broadcast: usize, left: Box<PhysicalPlan>, right: Box<PhysicalPlan> },
    /// Pairs every stream row with every row of the broadcast side for which the condition holds (a join without
    /// equal keys, or a cross join).
    BroadcastNestedLoopJoin { join: JoinSpec, build: BuildSide, broadcast: usize, left: Box<PhysicalPlan>, right: Box<PhysicalPlan> },
    /// Every partition of the left side with every partition of the right, one task per pair of partitions: an
    /// inner join without equal keys where neither side is small enough to broadcast.
    CartesianProduct { join: JoinSpec, left: Box<PhysicalPlan>, right: Box<PhysicalPlan> },
    /// Merges two inputs shuffled and sorted by the join keys, partition by partition.
    SortMergeJoin { join: JoinSpec, left: Box<PhysicalPlan>, right: Box<PhysicalPlan> },
    /// `orderBy(...).limit(n)` at the top of a query: each task keeps its first `limit` rows in order; the driver
    /// merges them, keeps the first `limit` and computes `project`.
    TakeOrderedAndProject { limit: usize, order: Vec<SortOrder>, project: Vec<Expr>, input: Box<PhysicalPlan> },
    /// An opaque function over each partition (an RDD's Python functions, see [`crate::rdd`]).
    MapPartitions { function: MapPartitions, output: Vec<Attribute>, input: Box<PhysicalPlan> },
    /// Rows made from each input row by `explode` and the like (see [`crate::generate`]).
    Generate { generator: Generator, required: Vec<Attribute>, generated: Vec<Attribute>, input: Box<PhysicalPlan> },
    /// The rows each task's random draws keep (see [`crate::sample`]).
    Sample { sample: Sample, input: Box<PhysicalPlan> },
    /// Each input row once per projection (Spark's `Expand`): how several DISTINCT aggregates share one
    /// aggregation (see [`distinct_aggregate`]).
    Expand { projections: Vec<Vec<Expr>>, output: Vec<Attribute>, input: Box<PhysicalPlan> },
    /// Window functions over each partition's rows, sorted by `partition_by` then `order_by` (see [`crate::window`]).
    Window { exprs: Vec<Expr>, partition_by: Vec<Expr>, order_by: Vec<SortOrder>, input: Box<PhysicalPlan> },
    /// Only the rows of each window partition whose rank can pass the filter over the window (see
    /// [`crate::window::group_limit`]).
    WindowGroupLimit {
        partition_by: Vec<Expr>,
        order_by: Vec<SortOrder>,
        function: WindowFunction,
        limit: usize,
        mode: GroupLimitMode,
        input: Box<PhysicalPlan>,
    },
}

/// What tasks can see while they run: the session and the finished shuffles, by exchange id.
pub struct ExecutionContext<'a> {
    pub session: &'a Session,
    /// Each finished exchange's reduce partitions (after adaptive coalescing), as read by the next stage.
    pub shuffles: HashMap<usize, Vec<ShuffleRead>>,
    /// Each finished broadcast, by exchange id: one table every executor reads.
    pub broadcasts: HashMap<usize, Arc<BroadcastTable>>,
    /// The plan's operators, numbered, so each task counts each operator's metrics apart.
    pub operators: OperatorIds,
}

impl<'a> ExecutionContext<'a> {
    /// Before any stage has run; operators are not told apart.
    pub fn new(session: &'a Session) -> Self {
        Self { session, shuffles: HashMap::new(), broadcasts: HashMap::new(), operators: OperatorIds::default() }
    }
}

impl PhysicalPlan {
    pub fn output(&self) -> Vec<Attribute> {
        match self {
            Self::FileScan { scan, .. } | Self::LocalTableScan { scan, .. } | Self::Range { scan, .. } => scan.output.clone(),
            Self::InMemoryTableScan { output, .. } => output.clone(),
            Self::Project { exprs, .. } => exprs.iter().map(output_attribute).collect(),
            Self::HashAggregate { mode: AggregateMode::Final, results, .. } => results.iter().map(output_attribute).collect(),
            Self::HashAggregate { keys, calls, .. } => {
                keys.iter().cloned().chain(calls.iter().flat_map(|c| c.state.iter().cloned())).collect()
            }
            Self::Union { output, .. } | Self::MapPartitions { output, .. } | Self::Expand { output, .. } => output.clone(),
            Self::Generate { required, generated, .. } => required.iter().chain(generated).cloned().collect(),
            Self::TakeOrderedAndProject { project, .. } => project.iter().map(output_attribute).collect(),
            Self::BroadcastHashJoin { join, left, right, .. }
            | Self::BroadcastNestedLoopJoin { join, left, right, .. }
            | Self::CartesianProduct { join, left, right }
            | Self::SortMergeJoin { join, left, right } => {
                join.join_type.output(&left.output(), &right.output())
            }
            Self::BroadcastExchange { input, .. } => input.output(),
            Self::Window { exprs, input, .. } => input.output().into_iter().chain(exprs.iter().map(output_attribute)).collect(),
            Self::Filter { input, .. }
            | Self::Sample { input, .. }
            | Self::WindowGroupLimit { input, .. }
            | Self::Exchange { input, .. }
            | Self::Coalesce { input, .. }
            | Self::LocalLimit { input, .. }
            | Self::GlobalLimit { input, .. }
            | Self::CollectLimit { input, .. }
            | Self::Sort { input, .. } => input.output(),
        }
    }

    pub fn children(&self) -> Vec<&PhysicalPlan> {
        match self {
            Self::FileScan { .. } | Self::LocalTableScan { .. } | Self::Range { .. } => vec![],
            // Once every partition is kept, the plan that made them is not run again.
            Self::InMemoryTableScan { cache, cached, .. } => if cache.kept_partitions().is_some() { vec![] } else { vec![cached] },
            Self::Union { inputs, .. } => inputs.iter().collect(),
            Self::BroadcastHashJoin { left, right, .. }
            | Self::BroadcastNestedLoopJoin { left, right, .. }
            | Self::CartesianProduct { left, right, .. }
            | Self::SortMergeJoin { left, right, .. } => vec![left, right],
            Self::BroadcastExchange { input, .. } => vec![input],
            Self::Project { input, .. }
            | Self::Filter { input, .. }
            | Self::HashAggregate { input, .. }
            | Self::Exchange { input, .. }
            | Self::Coalesce { input, .. }
            | Self::LocalLimit { input, .. }
            | Self::GlobalLimit { input, .. }
            | Self::CollectLimit { input, .. }
            | Self::Sort { input, .. }
            | Self::TakeOrderedAndProject { input, .. }
            | Self::Window { input, .. }
            | Self::WindowGroupLimit { input, .. }
            | Self::Expand { input, .. }
            | Self::Sample { input, .. }
            | Self::Generate { input, .. }
            | Self::MapPartitions { input, .. } => vec![input],
        }
    }

    /// The inputs of this operator, to rewrite in place.
    pub fn children_mut(&mut self) -> Vec<&mut PhysicalPlan> {
        match self {
            Self::FileScan { .. } | Self::LocalTableScan { .. } | Self::Range { .. } => vec![],
            // Once every partition is kept, the plan that made them is not run again.
            Self::InMemoryTableScan { cache, cached, .. } => if cache.kept_partitions().is_some() { vec![] } else { vec![cached] },
            Self::Union { inputs, .. } => inputs.iter_mut().collect(),
            Self::BroadcastHashJoin { left, right, .. }
            | Self::BroadcastNestedLoopJoin { left, right, .. }
            | Self::CartesianProduct { left, right, .. }
            | Self::SortMergeJoin { left, right, .. } => vec![left, right],
            Self::BroadcastExchange { input, .. }
            | Self::Project { input, .. }
            | Self::Filter { input, .. }
            | Self::HashAggregate { input, .. }
            | Self::Exchange { input, .. }
            | Self::Coalesce { input, .. }
            | Self::LocalLimit { input, .. }
            | Self::GlobalLimit { input, .. }
            | Self::CollectLimit { input, .. }
            | Self::Sort { input, .. }
            | Self::TakeOrderedAndProject { input, .. }
            | Self::Window { input, .. }
            | Self::WindowGroupLimit { input, .. }
            | Self::Expand { input, .. }
            | Self::Sample { input, .. }
            | Self::Generate { input, .. }
            | Self::MapPartitions { input, .. } => vec![input],
        }
    }

    /// How many partitions (and so tasks) this operator produces, once the exchanges below it have run.
    pub fn partition_count(&self, context: &ExecutionContext) -> usize {
        match self {
            Self::FileScan { partitions, .. } => partitions.len(),
            Self::LocalTableScan { partitions, .. } => partitions.len(),
            Self::Range { slices, .. } => *slices,
            Self::InMemoryTableScan { cache, cached, .. } => cache.kept_partitions().unwrap_or_else(|| cached.partition_count(context)),
            Self::Exchange { id, partitioning, .. } => {
                context.shuffles.get(id).map_or(partitioning.partition_count(), Vec::len)
            }
            Self::Union { inputs, .. } => inputs.iter().map(|i| i.partition_count(context)).sum(),
            Self::BroadcastHashJoin { build: BuildSide::Right, left: stream, .. }
            | Self::BroadcastHashJoin { build: BuildSide::Left, right: stream, .. }
            | Self::BroadcastNestedLoopJoin { build: BuildSide::Right, left: stream, .. }
            | Self::BroadcastNestedLoopJoin { build: BuildSide::Left, right: stream, .. } => stream.partition_count(context),
            Self::SortMergeJoin { left, .. } => left.partition_count(context),
            Self::CartesianProduct { left, right, .. } => left.partition_count(context) * right.partition_count(context),
            Self::BroadcastExchange { .. } => 1,
            Self::Coalesce { partitions, input } => (*partitions).min(input.partition_count(context)).max(1),
            Self::Project { input, .. }
            | Self::Filter { input, .. }
            | Self::HashAggregate { input, .. }
            | Self::LocalLimit { input, .. }
            | Self::GlobalLimit { input, .. }
            | Self::CollectLimit { input, .. }
            | Self::Sort { input, .. }
            | Self::TakeOrderedAndProject { input, .. }
            | Self::Window { input, .. }
            | Self::WindowGroupLimit { input, .. }
            | Self::Expand { input, .. }
            | Self::Sample { input, .. }
            | Self::Generate { input, .. }
            | Self::MapPartitions { input, .. } => input.partition_count(context),
        }
    }

    /// Computes partition `partition` of this operator: the work of one task. The rows come as a stream: the
    /// operators of a stage pull batches through each other, so a scan, a filter and a partial aggregation hold
    /// one batch at a time, not the whole partition (Spark's whole-stage pipeline does the same). Operators that
    /// need all their input first — a sort, a join's sides — gather it.
    ///
    /// Each operator counts the rows and batches it hands on in the task's `metrics`; scans, aggregations and sorts
    /// also their time and memory (Spark's SQL metrics, see [`crate::metrics`]).
    pub fn execute<'a>(&'a self, partition: usize, context: &'a ExecutionContext, metrics: &'a TaskMetrics<'a>) -> Result<BatchStream<'a>> {
        let counters = metrics.of(self);
        let stream = self.execute_operator(partition, context, metrics)?;
        Ok(Box::new(stream.inspect(move |batch| {
            if let Ok(batch) = batch {
                counters.add_output(batch);
            }
        })))
    }

    fn execute_operator<'a>(&'a self, partition: usize, context: &'a ExecutionContext, metrics: &'a TaskMetrics<'a>) -> Result<BatchStream<'a>> {
        let clock = context.session.clock.as_ref();
        match self {
            Self::FileScan { scan, partitions } => {
                let mut batches = read_file_partition(scan, &partitions[partition], context.session);
                metrics.record_file_splits(partitions[partition].splits.iter().map(|split| (split.path.as_str(), split.length)));
                let counters = metrics.of(self);
                Ok(Box::new(std::iter::from_fn(move || {
                    let started = clock.now_ms();
                    let batch = batches.next();
                    counters.add_time_ms(clock.now_ms() - started);
                    if let Some(Ok(batch)) = &batch {
                        metrics.record_file_rows(batch);
                    }
                    batch
                })))
            }
            Self::LocalTableScan { scan, partitions } => {
                let batches = project_to(&partitions[partition].batches, &scan.output)?;
                metrics.record_input(&batches);
                Ok(Box::new(batches.into_iter().map(Ok)))
            }
            Self::Range { scan, range, slices } => Ok(Box::new(range.slice_batches(partition, *slices, scan.output.clone()))),
            Self::InMemoryTableScan { cache, output, cached, .. } => {
                let kept = match cache.partition(partition) {
                    Some(kept) => kept,
                    None => {
                        let computed = gather(cached.execute(partition, context, metrics)?)?;
                        cache.keep(partition, cached.partition_count(context), computed.clone());
                        computed
                    }
                };
                let columns = cache.output();
                let batches = kept.iter().map(|batch| columns_of(batch, &columns, output)).collect::<Result<Vec<_>>>()?;
                metrics.record_input(&batches);
                Ok(Box::new(batches.into_iter().map(Ok)))
            }
            Self::Exchange { id, .. } => {
                let shuffle = context.shuffles.get(id).ok_or_else(|| {
                    EngineError::Internal(format!("exchange {id} is read before its map stage ran"))
                })?;
                let batches = &shuffle[partition].batches;
                metrics.record_shuffle_read(batches);
                Ok(Box::new(batches.iter().cloned().map(Ok)))
            }
            Self::Project { exprs, input } => {
                let output = self.output();
                let mut task_exprs = TaskExprs::new(exprs, &input.output(), partition);
                Ok(Box::new(input.execute(partition, context, metrics)?.map(move |batch| {
                    let batch = batch?;
                    batch_of(&output, task_exprs.evaluate(&batch)?, batch.num_rows())
                })))
            }
            Self::Generate { generator, required, input, .. } => {
                let (input_columns, output) = (input.output(), self.output());
                Ok(Box::new(input.execute(partition, context, metrics)?.map(move |batch| {
                    crate::generate::generate_batch(generator, required, &input_columns, &output, &batch?)
                })))
            }
            Self::Expand { projections, output, input } => {
                let input_columns = input.output();
                Ok(Box::new(input.execute(partition, context, metrics)?.map(move |batch| {
                    expand_batch(projections, &batch?, &input_columns, output)
                })))
            }
            Self::Sample { sample, input } => {
                let mut sampler = sample.sampler(partition);
                Ok(Box::new(input.execute(partition, context, metrics)?.map(move |batch| sampler.sample_batch(&batch?))))
            }
            Self::Filter { condition, input } => {
                let mut conditions = filter_conditions(condition, &input.output(), partition);
                let kept = input.execute(partition, context, metrics)?.map(move |batch| {
                    let mut batch = batch?;
                    for condition in &mut conditions {
                        let mask = condition.evaluate(&batch)?.remove(0);
                        let mask = crate::expr::eval::is_true(arrow::array::AsArray::as_boolean(&mask));
                        batch = filter_record_batch(&batch, &mask)?;
                    }
                    Ok(batch)
                });
                Ok(Box::new(kept.filter(|batch| batch.as_ref().map_or(true, |b| b.num_rows() > 0))))
            }
            Self::HashAggregate { mode, keys, calls, results, input } => {
                let started = clock.now_ms();
                let batches = match shuffle_read_on_keys(input, keys, context, partition) {
                    Some(read) => {
                        metrics.record_shuffle_read(&read.batches);
                        // The shuffle is read here, not through the exchange's own stream: its rows count as read.
                        read.batches.iter().for_each(|batch| metrics.of(input.as_ref()).add_output(batch));
                        aggregate_shuffle_read(*mode, keys, calls, results, &input.output(), read)?
                    }
                    None => match computed_string_key(*mode, keys, calls, input) {
                        Some((key, below)) => {
                            // The projection's key is computed inside the aggregation; its rows are the rows below.
                            let projected = metrics.of(input.as_ref());
                            let batches = below.execute(partition, context, metrics)?.inspect(move |batch| {
                                if let Ok(batch) = batch {
                                    projected.add_output(batch);
                                }
                            });
                            vec![aggregate_by_computed_key(keys, calls, &key, &below.output(), batches)?]
                        }
                        None => {
                            let batches = input.execute(partition, context, metrics)?;
                            vec![aggregate_partition(*mode, keys, calls, results, &input.output(), batches)?]
                        }
                    },
                };
                let counters = metrics.of(self);
                counters.add_time_ms(clock.now_ms() - started);
                counters.note_memory(batches.iter().map(|b| b.get_array_memory_size() as u64).sum());
                Ok(Box::new(batches.into_iter().map(Ok)))
            }
            Self::Union { inputs, .. } => {
                let mut offset = partition;
                for input in inputs {
                    let count = input.partition_count(context);
                    if offset < count {
                        return input.execute(offset, context, metrics);
                    }
                    offset -= count;
                }
                Err(EngineError::Internal(format!("union has no partition {partition}")))
            }
            Self::Coalesce { input, .. } => {
                let (parents, count) = (input.partition_count(context), self.partition_count(context));
                let range = partition * parents / count..(partition + 1) * parents / count;
                Ok(Box::new(range.flat_map(move |parent| flatten(input.execute(parent, context, metrics)))))
            }
            Self::LocalLimit { count, input } | Self::GlobalLimit { count, input } | Self::CollectLimit { count, input } => {
                Ok(first_rows(input.execute(partition, context, metrics)?, *count))
            }
            Self::Sort { order, input, .. } => {
                let batches = gather(input.execute(partition, context, metrics)?)?;
                let started = clock.now_ms();
                let sorted = sort_batches(order, &batches, &input.output())?;
                let counters = metrics.of(self);
                counters.add_time_ms(clock.now_ms() - started);
                counters.note_memory(batches.iter().chain(&sorted).map(|b| b.get_array_memory_size() as u64).sum());
                Ok(Box::new(sorted.into_iter().map(Ok)))
            }
            Self::TakeOrderedAndProject { limit, order, input, .. } => {
                let batches = gather(input.execute(partition, context, metrics)?)?;
                Ok(Box::new(top_rows(order, &batches, &input.output(), *limit)?.into_iter().map(Ok)))
            }
            Self::BroadcastHashJoin { join, build, broadcast, left, right }
            | Self::BroadcastNestedLoopJoin { join, build, broadcast, left, right } => {
                let (stream, built) = match build {
                    BuildSide::Right => (left, right),
                    BuildSide::Left => (right, left),
                };
                let table = context.broadcasts.get(broadcast).ok_or_else(|| {
                    EngineError::Internal(format!("broadcast {broadcast} is read before its stage ran"))
                })?;
                let stream_keys = if *build == BuildSide::Right { &join.left_keys } else { &join.right_keys };
                let (stream_columns, build_columns, output) = (stream.output(), built.output(), self.output());
                let rows = stream.execute(partition, context, metrics)?;
                Ok(Box::new(rows.map(move |batch| {
                    let task = HashJoinTask {
                        join_type: join.join_type,
                        build: *build,
                        table,
                        stream_keys,
                        stream_columns: &stream_columns,
                        build_columns: &build_columns,
                        residual: join.residual.as_ref(),
                        output: &output,
                        deferred_strings: &join.deferred_strings,
                    };
                    task.join_batch(&batch?)
                })))
            }
            Self::SortMergeJoin { join, left, right } => {
                let (left_columns, right_columns, output) = (left.output(), right.output(), self.output());
                let task = MergeJoinTask {
                    join_type: join.join_type,
                    left_keys: &join.left_keys,
                    right_keys: &join.right_keys,
                    left_columns: &left_columns,
                    right_columns: &right_columns,
                    residual: join.residual.as_ref(),
                    output: &output,
                };
                let left_rows = gather(left.execute(partition, context, metrics)?)?;
                let right_rows = gather(right.execute(partition, context, metrics)?)?;
                Ok(Box::new(task.run(&left_rows, &right_rows)?))
            }
            Self::CartesianProduct { join, left, right } => {
                let right_count = right.partition_count(context).max(1);
                let (left_rows, right_rows) = (
                    gather(left.execute(partition / right_count, context, metrics)?)?,
                    gather(right.execute(partition % right_count, context, metrics)?)?,
                );
                let (left_columns, right_columns) = (left.output(), right.output());
                let left_rows = arrow::compute::concat_batches(&crate::hash_aggregate::schema_of(&left_columns), &left_rows)?;
                let right_rows = arrow::compute::concat_batches(&crate::hash_aggregate::schema_of(&right_columns), &right_rows)?;
                let mut pairs: Vec<(Option<u32>, Option<u32>)> = Vec::new();
                for l in 0..left_rows.num_rows() as u32 {
                    pairs.extend((0..right_rows.num_rows() as u32).map(|r| (Some(l), Some(r))));
                }
                if let Some(residual) = &join.residual {
                    let holds = pairs_satisfying(residual, &pairs, (&left_rows, &left_columns), (&right_rows, &right_columns))?;
                    pairs = pairs.into_iter().zip(holds).filter(|(_, keep)| *keep).map(|(pair, _)| pair).collect();
                }
                let product = assemble(&pairs, &left_rows, &right_rows, true, &self.output())?;
                Ok(Box::new(std::iter::once(Ok(product))))
            }
            Self::Window { exprs, partition_by, order_by, input } => {
                let batches = gather(input.execute(partition, context, metrics)?)?;
                let started = clock.now_ms();
                let computed = crate::window::window_partition(exprs, partition_by, order_by, &batches, &input.output(), &self.output())?;
                metrics.of(self).add_time_ms(clock.now_ms() - started);
                Ok(Box::new(computed.into_iter().map(Ok)))
            }
            Self::WindowGroupLimit { partition_by, order_by, function, limit, input, .. } => {
                let batches = gather(input.execute(partition, context, metrics)?)?;
                let started = clock.now_ms();
                let kept = crate::window::group_limit::first_ranks(*function, *limit, partition_by, order_by, &batches, &input.output())?;
                metrics.of(self).add_time_ms(clock.now_ms() - started);
                Ok(Box::new(kept.into_iter().map(Ok)))
            }
            Self::MapPartitions { function, input, .. } => {
                let batches = gather(input.execute(partition, context, metrics)?)?;
                Ok(Box::new(function.apply(partition, batches, &input.output())?.into_iter().map(Ok)))
            }
            Self::BroadcastExchange { id, .. } => {
                Err(EngineError::Internal(format!("broadcast {id} is read by partition instead of as a table")))
            }
        }
    }

    /// The operator's line in `explain()`.
    pub fn node_string(&self) -> String {
        self.label(false)
    }

    /// The operator's line; `verbose` is `explain(extended=True)`'s longer form.
    fn label(&self, verbose: bool) -> String {
        let list = |exprs: &[Expr], sep: &str| exprs.iter().map(Expr::plan_string).collect::<Vec<_>>().join(sep);
        let attributes = |attrs: &[Attribute], sep: &str| {
            attrs.iter().map(Attribute::plan_string).collect::<Vec<_>>().join(sep)
        };
        match self {
            Self::FileScan { scan, .. } => file_scan_string(scan),
            Self::LocalTableScan { scan, .. } if scan.reads_rdd() => format!("Scan ExistingRDD[{}]", attributes(&scan.output, ",")),
            Self::LocalTableScan { scan, .. } => format!("LocalTableScan [{}]", attributes(&scan.output, ", ")),
            Self::Range { range, slices, .. } => range.node_string(Some(*slices)),
            Self::InMemoryTableScan { output, predicates, .. } if predicates.is_empty() => {
                format!("InMemoryTableScan [{}]", attributes(output, ", "))
            }
            Self::InMemoryTableScan { output, predicates, .. } => {
                format!("InMemoryTableScan [{}], [{}]", attributes(output, ", "), list(predicates, ", "))
            }
            Self::Project { exprs, .. } => format!("Project [{}]", list(exprs, ", ")),
            Self::Filter { condition, .. } => format!("Filter {}", condition.plan_string()),
            Self::HashAggregate { keys, calls, .. } => {
                let functions: Vec<String> = calls.iter().map(AggregateCall::plan_string).collect();
                let keys = attributes(keys, ", ");
                let output = if verbose { format!(", output=[{}]", attributes(&self.output(), ", ")) } else { String::new() };
                let (operator, keys_label) = match AggregateOperator::for_calls(calls) {
                    AggregateOperator::SortAggregate => ("SortAggregate", "key"),
                    other => (other.name(), "keys"),
                };
                format!("{operator}({keys_label}=[{keys}], functions=[{}]{output})", functions.join(", "))
            }
            Self::Exchange { id, partitioning, origin, .. } => {
                let origin = match origin {
                    ShuffleOrigin::EnsureRequirements | ShuffleOrigin::EnsureRequirementsOfCachedPlan => "ENSURE_REQUIREMENTS",
                    ShuffleOrigin::RepartitionByNum => "REPARTITION_BY_NUM",
                };
                format!("Exchange {}, {origin}, [plan_id={id}]", partitioning.plan_string())
            }
            Self::Union { .. } => "Union".to_string(),
            Self::Coalesce { partitions, .. } => format!("Coalesce {partitions}"),
            Self::LocalLimit { count, .. } => format!("LocalLimit {count}"),
            Self::GlobalLimit { count, .. } => format!("GlobalLimit {count}, 0"),
            Self::CollectLimit { count, .. } => format!("CollectLimit {count}"),
            Self::BroadcastExchange { id, keys, input, .. } => {
                format!("BroadcastExchange {}, [plan_id={id}]", broadcast_mode(keys, &input.output(), &input.not_null_columns()))
            }
            Self::BroadcastHashJoin { join, build, .. } => {
                format!("BroadcastHashJoin {}, {}{}, false, false", join.keys_string(), build.name(), join.residual_string())
            }
            Self::SortMergeJoin { join, .. } => format!("SortMergeJoin {}{}", join.keys_string(), join.residual_string()),
            Self::CartesianProduct { join, .. } => match &join.residual {
                Some(condition) => format!("CartesianProduct {}", condition.plan_string()),
                None => "CartesianProduct".to_string(),
            },
            Self::BroadcastNestedLoopJoin { join, build, .. } => {
                format!("BroadcastNestedLoopJoin {}, {}{}", build.name(), join.join_type.name(), join.residual_string())
            }
            Self::Sort { order, global, .. } => format!("Sort [{}], {global}, 0", crate::logical::sort_list(order)),
            Self::TakeOrderedAndProject { limit, order, project, .. } => format!(
                "TakeOrderedAndProject(limit={limit}, orderBy=[{}], output=[{}])",
                order.iter().map(SortOrder::plan_string).collect::<Vec<_>>().join(","),
                project.iter().map(Expr::plan_string).collect::<Vec<_>>().join(",")
            ),
            Self::MapPartitions { function, output, .. } => format!("{} [{}]", function.name(), attributes(output, ", ")),
            Self::Generate { generator, required, generated, .. } => crate::generate::node_string(generator, required, generated),
            Self::Expand { projections, output, .. } => crate::logical::expand_string(projections, output),
            Self::Sample { sample, .. } => sample.node_string(),
            Self::Window { exprs, partition_by, order_by, .. } => {
                let order = order_by.iter().map(SortOrder::plan_string).collect::<Vec<_>>().join(", ");
                format!("Window {}", non_empty_lists(&[list(exprs, ", "), list(partition_by, ", "), order]))
            }
            Self::WindowGroupLimit { partition_by, order_by, function, limit, mode, .. } => {
                // Spark's rank functions read the ordering (`rank(fare#2)`); row_number reads nothing.
                let reads: Vec<Expr> = match function {
                    WindowFunction::RowNumber => Vec::new(),
                    _ => order_by.iter().map(|o| o.expr.clone()).collect(),
                };
                let order = order_by.iter().map(SortOrder::plan_string).collect::<Vec<_>>().join(", ");
                let lists = non_empty_lists(&[list(partition_by, ", "), order]);
                format!("WindowGroupLimit {lists}, {}({}), {limit}, {}", function.name(), list(&reads, ", "), mode.name())
            }
        }
    }

    /// The plan as an indented tree of operators.
    pub fn tree_string(&self) -> String {
        self.explain_tree(false, false)
    }

    /// The plan as Spark's explain prints it (without the `== Physical Plan ==` header). `verbose` is the extended
    /// form; `codegen` marks Spark's whole-stage-codegen stages `*(n)` and shows the `ColumnarToRow` step above a
    /// Parquet scan, as Spark does for a plan it does not run adaptively.
    pub fn explain_tree(&self, verbose: bool, codegen: bool) -> String {
        Shown::of(self, verbose, codegen, None).numbered().text()
    }

    /// An adaptive plan before it has run, as Spark's explain prints it: the plan without codegen stages, under
    /// `AdaptiveSparkPlan isFinalPlan=false`.
    pub fn initial_explain_tree(&self, verbose: bool) -> String {
        format!("AdaptiveSparkPlan isFinalPlan=false\n{}", crate::display::indent_under(&self.explain_tree(verbose, false)))
    }

    /// The adaptive plan once `run` has run it, as Spark's explain prints it then: the final plan, cut into query
    /// stages (`ShuffleQueryStage`, `ResultQueryStage`) with coalesced shuffle reads, above the initial plan.
    pub fn final_explain_tree(&self, run: &JobTrace, verbose: bool) -> String {
        self.final_explain_tree_at(run, verbose, run.stages.last().map_or(0, |s| s.id))
    }

    /// [`Self::final_explain_tree`] of a plan that ran as part of a job, whose own result is stage `result_stage`.
    fn final_explain_tree_at(&self, run: &JobTrace, verbose: bool, result_stage: usize) -> String {
        let stages = Shown::of(self, verbose, true, Some(run));
        let final_plan = Shown::wrap(format!("ResultQueryStage {result_stage}"), stages).numbered_by_query_stage().text();
        let initial_plan = self.explain_tree(verbose, false);
        let indent = |tree: &str| tree.lines().map(|line| format!("   {line}\n")).collect::<String>();
        format!(
            "AdaptiveSparkPlan isFinalPlan=true\n+- == Final Plan ==\n{}+- == Initial Plan ==\n{}",
            indent(&final_plan),
            indent(&initial_plan)
        )
    }

    /// Whether Spark compiles this operator into a whole-stage-codegen stage.
    fn supports_codegen(&self) -> bool {
        // An ObjectHashAggregate (collect_list, collect_set) or a SortAggregate is interpreted, outside whole-stage
        // codegen.
        if let Self::HashAggregate { calls, .. } = self
            && AggregateOperator::for_calls(calls) != AggregateOperator::HashAggregate
        {
            return false;
        }
        if let Self::LocalTableScan { scan, .. } = self {
            return scan.reads_rdd();
        }
        matches!(
            self,
            Self::Project { .. }
                | Self::Filter { .. }
                | Self::Expand { .. }
                | Self::Sample { .. }
                | Self::Range { .. }
                | Self::Generate { .. }
                | Self::HashAggregate { .. }
                | Self::LocalLimit { .. }
                | Self::GlobalLimit { .. }
                | Self::Union { .. }
                | Self::Sort { .. }
                | Self::BroadcastHashJoin { .. }
                | Self::BroadcastNestedLoopJoin { .. }
                | Self::SortMergeJoin { .. }
        )
    }

    /// The columns (and partition count) rows are hash-partitioned by, when this operator's output still is: an
    /// exchange's keys, carried up through a group-by on them and through renames.
    pub fn hash_partitioning(&self) -> Option<(Vec<ExprId>, usize)> {
        let through = |exprs: &[Expr], (ids, n): (Vec<ExprId>, usize)| -> Option<(Vec<ExprId>, usize)> {
            let renamed = ids.iter().map(|id| {
                exprs.iter().find_map(|e| match e {
                    Expr::Attribute(a) if a.id == *id => Some(a.id),
                    Expr::Alias { expr, id: alias, .. } if matches!(expr.as_ref(), Expr::Attribute(a) if a.id == *id) => Some(*alias),
                    _ => None,
                })
            });
            Some((renamed.collect::<Option<Vec<_>>>()?, n))
        };
        match self {
            Self::Exchange { partitioning: Partitioning::Hash { keys, partitions }, .. } => {
                let ids = keys.iter().map(|k| match k {
                    Expr::Attribute(a) => Some(a.id),
                    _ => None,
                });
                Some((ids.collect::<Option<Vec<_>>>()?, *partitions))
            }
            Self::HashAggregate { mode: AggregateMode::Final, results, input, .. } => through(results, input.hash_partitioning()?),
            Self::HashAggregate { input, .. } | Self::Filter { input, .. } | Self::Sort { global: false, input, .. } => input.hash_partitioning(),
            Self::Project { exprs, input } => through(exprs, input.hash_partitioning()?),
            _ => None,
        }
    }

    /// Columns this operator guarantees are not NULL beyond what its attributes say: a filter's `isnotnull` tests.
    fn not_null_columns(&self) -> Vec<ExprId> {
        let Self::Filter { condition, .. } = self else { return Vec::new() };
        condition
            .conjuncts()
            .into_iter()
            .filter_map(|part| match part {
                Expr::IsNotNull(e) => match e.as_ref() {
                    Expr::Attribute(a) => Some(a.id),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// True if any operator in the plan is an exchange (Spark plans adaptively only then).
    /// Whether each partition's rows already come in `order` (Spark's `outputOrdering`). Here only a `Range` has an
    /// order of its own (its `id`, ascending when it counts up), kept by the filters and projections above it.
    fn ordered_by(&self, order: &[SortOrder]) -> bool {
        let ([wanted], Some((id, ascending))) = (order, self.range_order()) else { return false };
        matches!(&wanted.expr, Expr::Attribute(a) if a.id == id) && wanted.ascending == ascending && wanted.nulls_first == ascending
    }

    fn range_order(&self) -> Option<(ExprId, bool)> {
        match self {
            Self::Range { scan, range, .. } => scan.output.first().map(|id| (id.id, range.step > 0)),
            Self::Filter { input, .. } => input.range_order(),
            Self::Project { exprs, input } => {
                let (id, ascending) = input.range_order()?;
                exprs.iter().any(|e| matches!(e, Expr::Attribute(a) if a.id == id)).then_some((id, ascending))
            }
            _ => None,
        }
    }

    /// The stage of `run` that computed this plan's top: the one after its exchanges' map stages.
    fn stage_after_exchanges(&self, run: &JobTrace) -> usize {
        let mut ids = Vec::new();
        self.exchange_ids(&mut ids);
        run.exchanges.iter().filter(|e| ids.contains(&e.id)).map(|e| e.map_stage + 1).max().unwrap_or(0)
    }

    fn exchange_ids(&self, ids: &mut Vec<usize>) {
        if let Self::Exchange { id, .. } | Self::BroadcastExchange { id, .. } = self {
            ids.push(*id);
        }
        for child in self.children() {
            child.exchange_ids(ids);
        }
    }

    pub fn has_exchange(&self) -> bool {
        if let Self::InMemoryTableScan { cached, .. } = self {
            return cached.has_exchange();
        }
        matches!(self, Self::Exchange { .. } | Self::BroadcastExchange { .. }) || self.children().iter().any(|c| c.has_exchange())
    }
}

/// One line of a printed plan, with its whole-stage-codegen stage.
struct Shown {
    label: String,
    codegen: bool,
    /// A sort-merge join compiles each of its inputs as a codegen stage of its own.
    separate_children: bool,
    /// The id of the query stage this node stands for (`ShuffleQueryStage 0`), in a final adaptive plan.
    query_stage: Option<usize>,
    stage: Option<usize>,
    children: Vec<Shown>,
}

impl Shown {
    /// The printed form of `plan`; with the trace of a finished run, each exchange shows as the query stage that
    /// wrote it and, where adaptive execution merged partitions, the coalesced read above it.
    fn of(plan: &PhysicalPlan, verbose: bool, codegen: bool, run: Option<&JobTrace>) -> Self {
        if let PhysicalPlan::InMemoryTableScan { cache, cached, .. } = plan {
            // The cached plan is shown as the scan's inner child, as Spark shows it, whether or not it runs.
            let cached_plan = match cache.kept_by() {
                _ if !cached.has_exchange() => cached.explain_tree(verbose, true),
                Some(run) => cached.final_explain_tree_at(&run, verbose, cached.stage_after_exchanges(&run)),
                None => cached.initial_explain_tree(verbose),
            };
            let relation = crate::logical::in_memory_relation_string(&cache.output(), cache);
            let relation = format!("{relation}\n{}", crate::display::inner_child(&cached_plan));
            let label = format!("{}\n{}", plan.label(verbose), crate::display::inner_child(&relation));
            return Self { label, codegen: false, separate_children: false, query_stage: None, stage: None, children: Vec::new() };
        }
        let children = plan.children().into_iter().map(|c| Self::of(c, verbose, codegen, run)).collect();
        let separate_children = matches!(plan, PhysicalPlan::SortMergeJoin { .. } | PhysicalPlan::CartesianProduct { .. });
        let node = Self {
            label: plan.label(verbose),
            codegen: codegen && plan.supports_codegen(),
            separate_children,
            query_stage: None,
            stage: None,
            children,
        };
        if let (PhysicalPlan::BroadcastExchange { id, .. }, Some(run)) = (plan, run)
            && let Some(broadcast) = run.broadcasts.iter().find(|b| b.id == *id)
        {
            return Self::query_stage(format!("BroadcastQueryStage {}", broadcast.stage), broadcast.stage, node);
        }
        if let (PhysicalPlan::Exchange { id, .. }, Some(run)) = (plan, run)
            && let Some(exchange) = run.exchanges.iter().find(|e| e.id == *id)
        {
            let stage = Self::query_stage(format!("ShuffleQueryStage {}", exchange.map_stage), exchange.map_stage, node);
            let coalesced = exchange.coalesced.as_ref().is_some_and(|d| d.groups.len() < d.before);
            return if coalesced { Self::wrap("AQEShuffleRead coalesced".into(), stage) } else { stage };
        }
        let columnar = matches!(plan, PhysicalPlan::FileScan { scan, .. } if matches!(scan.source.as_ref(), Source::Files { format: FileFormat::Parquet, .. }));
        if codegen && columnar {
            // Parquet is read a column batch at a time; Spark turns the batches into rows right above the scan.
            return Self { codegen: true, ..Self::wrap("ColumnarToRow".into(), node) };
        }
        node
    }

    fn wrap(label: String, child: Shown) -> Self {
        Self { label, codegen: false, separate_children: false, query_stage: None, stage: None, children: vec![child] }
    }

    fn query_stage(label: String, id: usize, child: Shown) -> Self {
        Self { query_stage: Some(id), ..Self::wrap(label, child) }
    }

    /// Numbers codegen stages as adaptive execution creates them: query stage by query stage, in the order they
    /// ran, the result stage last; bottom-up within each.
    fn numbered_by_query_stage(mut self) -> Self {
        let mut next = 1;
        let mut query_stage = 0;
        while let Some(node) = self.find_query_stage(query_stage) {
            node.number_stages(false, &mut next);
            query_stage += 1;
        }
        self.number_stages(false, &mut next);
        self.spread_stages(None);
        self
    }

    fn find_query_stage(&mut self, id: usize) -> Option<&mut Shown> {
        if self.query_stage == Some(id) {
            return Some(self);
        }
        self.children.iter_mut().find_map(|c| c.find_query_stage(id))
    }

    fn numbered(mut self) -> Self {
        let mut next_stage = 1;
        self.number_stages(false, &mut next_stage);
        self.spread_stages(None);
        self
    }

    fn text(&self) -> String {
        let mut text = String::new();
        crate::display::write_tree(self, &mut text, &Shown::line, &|s: &Shown| s.children.iter().collect());
        text
    }

    /// Numbers the stages bottom-up, as Spark does: a stage's inputs get their numbers first.
    fn number_stages(&mut self, parent_is_codegen: bool, next: &mut usize) {
        let fused = self.codegen && !self.separate_children;
        // A query stage below is numbered on its own, in the order the stages ran.
        for child in self.children.iter_mut().filter(|c| c.query_stage.is_none()) {
            child.number_stages(fused, next);
        }
        if self.codegen && !parent_is_codegen {
            self.stage = Some(*next);
            *next += 1;
        }
    }

    fn spread_stages(&mut self, inherited: Option<usize>) {
        let stage = if self.codegen { self.stage.or(inherited) } else { None };
        self.stage = stage;
        let passed_down = if self.separate_children { None } else { stage };
        for child in &mut self.children {
            child.spread_stages(passed_down);
        }
    }

    fn line(&self) -> String {
        match self.stage {
            Some(stage) => format!("*({stage}) {}", self.label),
            None => self.label.clone(),
        }
    }
}

fn file_scan_string(scan: &Scan) -> String {
    let Source::Files { format, files, .. } = scan.source.as_ref() else {
        unreachable!("a FileScan reads files")
    };
    let columns: Vec<String> = scan.output.iter().map(Attribute::plan_string).collect();
    let read_schema = crate::schema::SparkSchema {
        fields: scan
            .output
            .iter()
            .map(|a| crate::schema::SparkField { name: a.name.clone(), data_type: a.data_type.clone(), nullable: true })
            .collect(),
    };
    let (batched, format_name) = match format {
        FileFormat::Parquet => ("true", "Parquet"),
        FileFormat::Csv(_) => ("false", "CSV"),
        FileFormat::Json(_) => ("false", "JSON"),
    };
    let data_filters: Vec<String> = scan.pushed_filters.iter().map(Expr::plan_string).collect();
    let source_filters: Vec<String> = scan.pushed_filters.iter().filter_map(source_filter_string).collect();
    let paths: Vec<String> =
        files.iter().map(|f| if f.path.starts_with('/') { format!("file:{}", f.path) } else { f.path.clone() }).collect();
    let location = format!("InMemoryFileIndex({} paths)[{}]", files.len(), paths.join(", "));
    format!(
        "FileScan {} [{}] Batched: {batched}, DataFilters: [{}], Format: {format_name}, Location: {}, \
         PartitionFilters: [], PushedFilters: [{}], ReadSchema: {}",
        format.name(),
        columns.join(","),
        abbreviate(&data_filters.join(", ")),
        abbreviate(&location),
        abbreviate(&source_filters.join(", ")),
        abbreviate(&read_schema.simple_string())
    )
}

/// Spark cuts long scan details to 100 characters (`spark.sql.maxMetadataStringLength`).
fn abbreviate(text: &str) -> String {
    const LIMIT: usize = 100;
    if text.chars().count() <= LIMIT {
        return text.to_string();
    }
    let kept: String = text.chars().take(LIMIT - 3).collect();
    format!("{kept}...")
}

/// A pushed filter as the data source sees it: `GreaterThanOrEqual(lpep_pickup_datetime,2024-01-15T00:00)`.
fn source_filter_string(filter: &Expr) -> Option<String> {
    use crate::expr::BinaryOp;
    let column = |e: &Expr| match e {
        Expr::Attribute(a) => Some(a.name.clone()),
        _ => None,
    };
    match filter {
        Expr::IsNotNull(e) => Some(format!("IsNotNull({})", column(e)?)),
        Expr::IsNull(e) => Some(format!("IsNull({})", column(e)?)),
        Expr::Binary { op, left, right } => {
            let (name, value, flipped) = match (left.as_ref(), right.as_ref()) {
                (Expr::Attribute(a), Expr::Literal(v)) => (a.name.clone(), v, false),
                (Expr::Literal(v), Expr::Attribute(a)) => (a.name.clone(), v, true),
                _ => return None,
            };
            let class = match (op, flipped) {
                (BinaryOp::Eq, _) => "EqualTo",
                (BinaryOp::NullSafeEq, _) => "EqualNullSafe",
                (BinaryOp::Lt, false) | (BinaryOp::Gt, true) => "LessThan",
                (BinaryOp::LtEq, false) | (BinaryOp::GtEq, true) => "LessThanOrEqual",
                (BinaryOp::Gt, false) | (BinaryOp::Lt, true) => "GreaterThan",
                (BinaryOp::GtEq, false) | (BinaryOp::LtEq, true) => "GreaterThanOrEqual",
                _ => return None,
            };
            Some(format!("{class}({name},{})", source_value(value)))
        }
        _ => None,
    }
}

/// A literal as the Java object Spark hands its data sources prints: `2024-01-15T00:00` for a local date-time.
fn source_value(value: &crate::value::Value) -> String {
    use crate::value::Value;
    match value {
        Value::TimestampNtz(micros) | Value::Timestamp(micros) => {
            let Some(time) = chrono::DateTime::from_timestamp_micros(*micros).map(|t| t.naive_utc()) else {
                return micros.to_string();
            };
            let mut text = time.format("%Y-%m-%dT%H:%M").to_string();
            let (seconds, fraction) = (micros.div_euclid(1_000_000) % 60, micros.rem_euclid(1_000_000));
            if seconds != 0 || fraction != 0 {
                text.push_str(&format!(":{seconds:02}"));
            }
            if fraction != 0 {
                text.push_str(&if fraction % 1000 == 0 { format!(".{:03}", fraction / 1000) } else { format!(".{fraction:06}") });
            }
            if matches!(value, Value::Timestamp(_)) {
                text.push('Z');
            }
            text
        }
        other => other.to_string(),
    }
}

/// A partition's rows, a batch at a time, as an operator hands them to the one above it.
pub type BatchStream<'a> = Box<dyn Iterator<Item = Result<RecordBatch>> + 'a>;

/// Every batch of a stream, for an operator that needs all its input before it can start.
pub fn gather(batches: BatchStream) -> Result<Vec<RecordBatch>> {
    batches.collect()
}

/// The shuffle read under a HashAggregate, when its exchange hashes on grouping keys only: each reduce partition
/// then holds whole groups (see [`aggregate_shuffle_read`]).
fn shuffle_read_on_keys<'a>(input: &PhysicalPlan, keys: &[Attribute], context: &'a ExecutionContext, partition: usize) -> Option<&'a ShuffleRead> {
    let PhysicalPlan::Exchange { id, partitioning: Partitioning::Hash { keys: hashed, .. }, .. } = input else { return None };
    let is_grouping_key = |expr: &Expr| matches!(expr, Expr::Attribute(a) if keys.iter().any(|key| key.id == a.id));
    if hashed.is_empty() || !hashed.iter().all(is_grouping_key) {
        return None;
    }
    context.shuffles.get(id)?.get(partition)
}

/// A stream that failed before its first batch, as a stream yielding the failure.
fn flatten(stream: Result<BatchStream<'_>>) -> BatchStream<'_> {
    stream.unwrap_or_else(|error| Box::new(std::iter::once(Err(error))))
}

/// The first `count` rows of `batches`; nothing after them is computed (a `show()` of a big file reads one batch).
pub fn first_rows(batches: BatchStream<'_>, count: usize) -> BatchStream<'_> {
    Box::new(batches.scan(count, |left, batch| {
        if *left == 0 {
            return None;
        }
        Some(batch.map(|batch| {
            let take = batch.num_rows().min(*left);
            *left -= take;
            batch.slice(0, take)
        }))
    }))
}

/// Reads one input partition of a file scan, split after split: only the scan's columns, cast to the types the
/// scan promises (files of one data set may disagree — a column `double` in one month and `long` in the next).
fn read_file_partition<'a>(scan: &'a Scan, partition: &'a FilePartition, session: &'a Session) -> BatchStream<'a> {
    let names: Vec<String> = scan.output.iter().map(|a| a.name.clone()).collect();
    Box::new(partition.splits.iter().flat_map(move |split| flatten(read_split(scan, split, &names, session))))
}

/// One split's batches; `names` are the scan's column names.
fn read_split<'a>(scan: &'a Scan, split: &'a FileSplit, names: &[String], session: &Session) -> Result<BatchStream<'a>> {
    let Source::Files { format, partition_columns, .. } = scan.source.as_ref() else {
        unreachable!("a FileScan reads files")
    };
    let bytes = session.files.read(&split.path)?;
    let read: BatchStream<'a> = match format {
        FileFormat::Parquet => Box::new(ReadAhead::new(read_split_columns(bytes, split, names, &scan.pushed_filters)?)),
        FileFormat::Csv(options) => {
            // `read_csv` settled the schema when the DataFrame was made; a split never reads the file for it.
            let schema = options.schema.as_ref().ok_or_else(|| EngineError::Internal("a CSV scan without its schema".into()))?;
            let lines = split_lines(&split.path, bytes, split.start, split.length, options.header);
            Box::new(ReadAhead::new(csv_batches(&split.path, lines, schema, options.mode)?))
        }
        FileFormat::Json(options) => {
            let schema = options.schema.as_ref().ok_or_else(|| EngineError::Internal("a JSON scan without its schema".into()))?;
            let lines = split_lines(&split.path, bytes, split.start, split.length, false);
            Box::new(ReadAhead::new(crate::io::json::json_batches(&split.path, lines, schema)?))
        }
    };
    let folder_values = partition_columns.values.get(&split.path).filter(|_| !partition_columns.is_empty());
    let uri = session.files.uri(&split.path);
    Ok(Box::new(read.map(move |batch| {
        crate::expr::nondeterministic::set_input_file(Some(&uri));
        let batch = project_batch(&batch?, &scan.output)?;
        match folder_values {
            Some(values) => with_folder_values(&batch, &scan.output, &partition_columns.fields, values),
            None => Ok(batch),
        }
    })))
}

/// Columns held in folder names (`year=2020/`) get the file's value on every row.
fn with_folder_values(batch: &RecordBatch, output: &[Attribute], fields: &[crate::schema::SparkField], values: &[crate::value::Value]) -> Result<RecordBatch> {
    let columns = output
        .iter()
        .enumerate()
        .map(|(i, a)| match fields.iter().position(|f| f.name.eq_ignore_ascii_case(&a.name)) {
            Some(p) => crate::expr::cast::cast(&values[p].to_array(batch.num_rows()), &values[p].spark_type(), &a.data_type),
            None => Ok(batch.column(i).clone()),
        })
        .collect::<Result<Vec<_>>>()?;
    batch_of(output, columns, batch.num_rows())
}

/// The columns `wanted` (a subset of `all`) of batches, found by name, with the attribute's type.
/// Marks the exchanges of a cached plan as ones adaptive execution must not coalesce.
fn keep_partitioning(plan: &mut PhysicalPlan) {
    if let PhysicalPlan::Exchange { origin: origin @ ShuffleOrigin::EnsureRequirements, .. } = plan {
        *origin = ShuffleOrigin::EnsureRequirementsOfCachedPlan;
    }
    for child in plan.children_mut() {
        keep_partitioning(child);
    }
}

/// The `wanted` columns of a batch whose columns are `columns`, found by id.
fn columns_of(batch: &RecordBatch, columns: &[Attribute], wanted: &[Attribute]) -> Result<RecordBatch> {
    let picked = wanted
        .iter()
        .map(|a| {
            let index = columns.iter().position(|c| c.id == a.id).ok_or_else(|| EngineError::Internal(format!("{} is not cached", a.name)))?;
            Ok(batch.column(index).clone())
        })
        .collect::<Result<Vec<_>>>()?;
    batch_of(wanted, picked, batch.num_rows())
}

fn project_to(batches: &[RecordBatch], wanted: &[Attribute]) -> Result<Vec<RecordBatch>> {
    batches.iter().map(|batch| project_batch(batch, wanted)).collect()
}

/// The columns `wanted` of one batch, found by name, with the attribute's type; a column the batch lacks is NULL.
fn project_batch(batch: &RecordBatch, wanted: &[Attribute]) -> Result<RecordBatch> {
    let schema = batch.schema();
    let columns = wanted
        .iter()
        .map(|a| match crate::schema::resolve_column(&schema, &a.name) {
            Ok(index) => {
                let column = batch.column(index);
                let from = SparkType::from_arrow(column.data_type())?;
                crate::expr::cast::cast(column, &from, &a.data_type)
            }
            Err(_) => Ok(arrow::array::new_null_array(&a.data_type.to_arrow(), batch.num_rows())),
        })
        .collect::<Result<Vec<_>>>()?;
    batch_of(wanted, columns, batch.num_rows())
}

/// The physical plan of a write: a limit at the top stays a limit of the data written, not a collect.
pub fn plan_for_write(logical: &LogicalPlan, session: &Session) -> Result<PhysicalPlan> {
    let planner = Planner { session, next_exchange: AtomicUsize::new(0) };
    planner.plan(logical, false)
}

/// Turns an optimized logical plan into a physical one.
pub fn plan(logical: &LogicalPlan, session: &Session) -> Result<PhysicalPlan> {
    // The query runs in the session's time zone from here on: its tasks, and the display of its results.
    crate::query_settings::set_current(session.config().query_settings());
    let planner = Planner { session, next_exchange: AtomicUsize::new(0) };
    Ok(redundant_projects::without_redundant_projects(planner.plan(logical, true)?))
}

/// Grouping by a string of the broadcast side (`GROUP BY z.Zone` after a join with the zone lookup) would copy
/// the string into every joined row, then hash and compare it row by row. Where a partial aggregation groups by
/// such a column alone and nothing between it and the join computes with it, the join hands the column on as
/// each row's position in the broadcast instead, and the aggregation looks each broadcast string up once. The
/// same holds for a key computed from such columns alone (`concat(pu.Zone, ' / ', do.Zone)`, see
/// [`computed_string_key`]). The plan, its results and its trace are the same; only the work inside the task
/// changes.
fn defer_grouped_build_strings(keys: &[Attribute], calls: &[AggregateCall], input: &mut PhysicalPlan) {
    let computed_from: Option<Vec<ExprId>> = computed_string_key(AggregateMode::Partial, keys, calls, input)
        .map(|(computed, _)| computed.strings.iter().map(|s| s.id).collect());
    match (computed_from, input) {
        (Some(strings), PhysicalPlan::Project { input: below, .. }) => {
            for id in strings {
                if let Some(join) = join_passing_on(below, id) {
                    join.deferred_strings.push(id);
                }
            }
        }
        (_, input) => {
            if let [key] = keys
                && key.data_type == SparkType::String
                && !calls.iter().any(|call| call.args.iter().any(|arg| reads(arg, &[key.id])))
                && let Some(join) = join_passing_on(input, key.id)
            {
                join.deferred_strings.push(key.id);
            }
        }
    }
}

/// A partial aggregation's one grouping key when it is a string the projection right below computes from string
/// columns that nothing else there reads — zone names of broadcast joins further down, which those joins then hand
/// on by position (see [`aggregate_by_computed_key`]). Also the projection's input.
fn computed_string_key<'p>(
    mode: AggregateMode,
    keys: &[Attribute],
    calls: &[AggregateCall],
    input: &'p PhysicalPlan,
) -> Option<(ComputedKey<'p>, &'p PhysicalPlan)> {
    let ([key], PhysicalPlan::Project { exprs, input: below }, AggregateMode::Partial) = (keys, input, mode) else { return None };
    let defines_key = |e: &&Expr| output_attribute(e).id == key.id;
    let definition = exprs.iter().find(defines_key)?;
    let strings = definition.references();
    let computed = key.data_type == SparkType::String
        && !matches!(definition, Expr::Attribute(_))
        && !definition.any(&|e| matches!(e, Expr::Udf { .. }))
        && !exprs.iter().any(crate::expr::nondeterministic::is_nondeterministic)
        && !strings.is_empty()
        && strings.iter().all(|s| s.data_type == SparkType::String);
    let others: Vec<&Expr> = exprs.iter().filter(|e| !defines_key(e)).collect();
    let string_ids: Vec<ExprId> = strings.iter().map(|s| s.id).collect();
    let read_elsewhere =
        others.iter().any(|e| reads(e, &string_ids)) || calls.iter().any(|call| call.args.iter().any(|arg| reads(arg, &[key.id])));
    (computed && !read_elsewhere).then_some((ComputedKey { definition, strings, others }, below))
}

/// A filter's condition as a task tests it. A nondeterministic condition is tested one conjunct at a time, as
/// Spark's generated code does: a conjunct draws its random values only for the rows the ones before it kept.
fn filter_conditions(condition: &Expr, input: &[Attribute], partition: usize) -> Vec<TaskExprs> {
    if crate::expr::nondeterministic::is_nondeterministic(condition) {
        condition.conjuncts().into_iter().map(|c| TaskExprs::new(std::slice::from_ref(c), input, partition)).collect()
    } else {
        vec![TaskExprs::new(std::slice::from_ref(condition), input, partition)]
    }
}

/// Whether `expr` reads any of the columns `ids`.
fn reads(expr: &Expr, ids: &[ExprId]) -> bool {
    expr.references().iter().any(|a| ids.contains(&a.id))
}

/// The broadcast hash join below `node` whose broadcast (right) side produces column `id`, when only
/// projections that pass the column on unchanged, and the stream sides of joins that do not read it, lie between.
fn join_passing_on(node: &mut PhysicalPlan, id: ExprId) -> Option<&mut JoinSpec> {
    match node {
        PhysicalPlan::Project { exprs, input } => {
            let passed_on = exprs.iter().any(|e| matches!(e, Expr::Attribute(a) if a.id == id));
            let computed_with = exprs.iter().any(|e| !matches!(e, Expr::Attribute(_)) && reads(e, &[id]));
            if passed_on && !computed_with { join_passing_on(input, id) } else { None }
        }
        PhysicalPlan::BroadcastHashJoin { join, build: BuildSide::Right, left, right, .. } if join.residual.is_none() => {
            if right.output().iter().any(|a| a.id == id) {
                Some(join)
            } else if left.output().iter().any(|a| a.id == id) && !join.left_keys.iter().any(|key| reads(key, &[id])) {
                join_passing_on(left, id)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// `[a], [b]` for an operator's lists of expressions, leaving out the empty ones as Spark's plans do (a window
/// without PARTITION BY shows only its functions and its ordering).
fn non_empty_lists(lists: &[String]) -> String {
    lists.iter().filter(|l| !l.is_empty()).map(|l| format!("[{l}]")).collect::<Vec<_>>().join(", ")
}

/// The rank function and limit of a WindowGroupLimit to plan under a window.
struct GroupLimit {
    function: WindowFunction,
    limit: usize,
}

struct Planner<'a> {
    session: &'a Session,
    next_exchange: AtomicUsize,
}

impl Planner<'_> {
    fn exchange(&self, partitioning: Partitioning, origin: ShuffleOrigin, input: PhysicalPlan) -> PhysicalPlan {
        let id = self.next_exchange.fetch_add(1, Ordering::Relaxed);
        PhysicalPlan::Exchange { id, partitioning, origin, input: Box::new(input) }
    }

    fn plan(&self, logical: &LogicalPlan, is_root: bool) -> Result<PhysicalPlan> {
        let child = |input: &LogicalPlan| self.plan(input, false).map(Box::new);
        Ok(match logical {
            LogicalPlan::Scan(scan) => match scan.source.as_ref() {
                Source::Memory { table, bounds, .. } => {
                    PhysicalPlan::LocalTableScan { scan: scan.clone(), partitions: split_at(table, bounds) }
                }
                Source::Range(range) => {
                    let slices = range.slices.unwrap_or_else(|| self.session.default_parallelism()).max(1);
                    PhysicalPlan::Range { scan: scan.clone(), range: *range, slices }
                }
                Source::Files { files, .. } => {
                    let partitions = plan_file_partitions(files, &self.session.split_settings());
                    PhysicalPlan::FileScan { scan: scan.clone(), partitions }
                }
            },
            LogicalPlan::Project { exprs, input } => PhysicalPlan::Project { exprs: exprs.clone(), input: child(input)? },
            LogicalPlan::Filter { condition, input } if let LogicalPlan::Window { exprs, partition_by, order_by, input: below } = input.as_ref()
                && let Some((function, limit)) = inferred_limit(condition, exprs, order_by)
                && below.max_rows().is_none_or(|rows| rows > limit as usize) =>
            {
                if function == WindowFunction::RowNumber && partition_by.is_empty() {
                    // The first rows of one ordered partition: a plain limit does it (Spark's choice too).
                    let limited = LogicalPlan::Limit { count: limit as usize, input: input.clone() };
                    return self.plan(&LogicalPlan::Filter { condition: condition.clone(), input: Arc::new(limited) }, is_root);
                }
                let group_limit = GroupLimit { function, limit: limit as usize };
                let window = self.window(exprs, partition_by, order_by, Some(group_limit), *child(below)?);
                PhysicalPlan::Filter { condition: condition.clone(), input: Box::new(window) }
            }
            LogicalPlan::Filter { condition, input } => {
                PhysicalPlan::Filter { condition: condition.clone(), input: child(input)? }
            }
            LogicalPlan::Aggregate { group, aggregates, input } => self.aggregate(group, aggregates, input)?,
            LogicalPlan::Limit { count, input } if is_root => match take_ordered(input) {
                Some(TakeOrdered { order, project, below }) => PhysicalPlan::TakeOrderedAndProject {
                    limit: *count,
                    order: order.to_vec(),
                    project: project.unwrap_or_else(|| below.output().into_iter().map(Expr::Attribute).collect()),
                    input: child(below)?,
                },
                None => PhysicalPlan::CollectLimit { count: *count, input: child(input)? },
            },
            LogicalPlan::Limit { count, input } => {
                let local = PhysicalPlan::LocalLimit { count: *count, input: child(input)? };
                let single = self.exchange(Partitioning::Single, ShuffleOrigin::EnsureRequirements, local);
                PhysicalPlan::GlobalLimit { count: *count, input: Box::new(single) }
            }
            LogicalPlan::Repartition { partitions, by, input } => {
                let partitioning = match by {
                    RepartitionBy::RoundRobin => Partitioning::RoundRobin { partitions: *partitions },
                    RepartitionBy::Hash(keys) => Partitioning::Hash { keys: keys.clone(), partitions: *partitions },
                    RepartitionBy::KeyHash(dependency) => {
                        Partitioning::KeyHash { partitions: *partitions, dependency: dependency.clone() }
                    }
                    RepartitionBy::Range(order) => Partitioning::Range { order: order.clone(), partitions: *partitions },
                };
                self.exchange(partitioning, ShuffleOrigin::RepartitionByNum, *child(input)?)
            }
            LogicalPlan::Coalesce { partitions, input } => {
                PhysicalPlan::Coalesce { partitions: *partitions, input: child(input)? }
            }
            LogicalPlan::Sort { order, global: true, input } => {
                let partitioning = Partitioning::Range { order: order.clone(), partitions: self.session.config().shuffle_partitions };
                let exchange = self.exchange(partitioning, ShuffleOrigin::EnsureRequirements, *child(input)?);
                PhysicalPlan::Sort { order: order.clone(), global: true, input: Box::new(exchange) }
            }
            LogicalPlan::Sort { order, global: false, input } => {
                let input = child(input)?;
                // Spark's RemoveRedundantSorts: rows already in this order within each partition need no sort.
                if input.ordered_by(order) { *input } else { PhysicalPlan::Sort { order: order.clone(), global: false, input } }
            }
            LogicalPlan::Join { left, right, join_type, condition } => self.join(left, right, *join_type, condition.as_ref())?,
            LogicalPlan::BroadcastHint { input } | LogicalPlan::SubqueryAlias { input, .. } => self.plan(input, is_root)?,
            LogicalPlan::MapPartitions { function, output, input } => {
                PhysicalPlan::MapPartitions { function: function.clone(), output: output.clone(), input: child(input)? }
            }
            LogicalPlan::Generate { generator, required, generated, input } => PhysicalPlan::Generate {
                generator: generator.clone(),
                required: required.clone(),
                generated: generated.clone(),
                input: child(input)?,
            },
            LogicalPlan::Window { exprs, partition_by, order_by, input } => {
                self.window(exprs, partition_by, order_by, None, *child(input)?)
            }
            LogicalPlan::Sample { sample, input } => PhysicalPlan::Sample { sample: sample.clone(), input: child(input)? },
            LogicalPlan::InMemoryRelation { cache, output, predicates } => {
                let mut cached = Box::new(self.plan(&crate::optimizer::optimize(cache.computed_by()), false)?);
                keep_partitioning(&mut cached);
                PhysicalPlan::InMemoryTableScan { cache: cache.clone(), output: output.clone(), predicates: predicates.clone(), cached }
            }
            LogicalPlan::Expand { projections, output, input } => {
                PhysicalPlan::Expand { projections: projections.clone(), output: output.clone(), input: child(input)? }
            }
            LogicalPlan::Union { inputs, output } => PhysicalPlan::Union {
                inputs: inputs.iter().map(|i| self.plan(i, false)).collect::<Result<_>>()?,
                output: output.clone(),
            },
        })
    }

    /// `HashAggregate(final) ← Exchange ← HashAggregate(partial)`. The optimizer has made every grouping key a
    /// column (see `pull_out_grouping_expressions`).
    fn aggregate(&self, group: &[Expr], aggregates: &[Expr], input: &LogicalPlan) -> Result<PhysicalPlan> {
        let child = self.plan(input, false)?;
        let keys = group
            .iter()
            .map(|g| match g {
                Expr::Attribute(a) => Ok(a.clone()),
                other => Err(EngineError::Internal(format!("grouping key {} is not a column", other.plan_string()))),
            })
            .collect::<Result<Vec<_>>>()?;
        if distinct_aggregate::has_distinct(aggregates) {
            return self.distinct_aggregation(&keys, aggregates, child);
        }
        let (calls, results) = aggregate_calls(aggregates)?;
        Ok(self.two_phase(keys, calls, results, child))
    }

    /// Picks the join strategy Spark would: a broadcast hash join when a side may be copied to every executor —
    /// hinted with `broadcast(df)`, or estimated under the broadcast threshold — and a sort-merge join otherwise.
    fn join(&self, left: &LogicalPlan, right: &LogicalPlan, join_type: JoinType, condition: Option<&Expr>) -> Result<PhysicalPlan> {
        let keys = JoinKeys::extract(condition, &left.output(), &right.output());
        if !keys.is_equi_join() {
            return self.nested_loop_join(left, right, join_type, keys.other);
        }
        let threshold = self.session.config().auto_broadcast_join_threshold;
        let (left_bytes, right_bytes) = (size_in_bytes(left), size_in_bytes(right));
        let fits = |bytes: u128| threshold >= 0 && bytes <= threshold as u128;
        let can_build_right = matches!(join_type, JoinType::Inner | JoinType::Cross | JoinType::LeftOuter | JoinType::LeftSemi | JoinType::LeftAnti);
        let can_build_left = matches!(join_type, JoinType::Inner | JoinType::Cross | JoinType::RightOuter);
        let hinted = |side: &LogicalPlan| has_broadcast_hint(side);
        let (build, reason) = if can_build_right && hinted(right) {
            (Some(BuildSide::Right), "the right side has a broadcast hint".to_string())
        } else if can_build_left && hinted(left) {
            (Some(BuildSide::Left), "the left side has a broadcast hint".to_string())
        } else if can_build_right && fits(right_bytes) && !(can_build_left && fits(left_bytes) && left_bytes < right_bytes) {
            (Some(BuildSide::Right), format!("the right side's estimated {right_bytes} bytes are within the {threshold}-byte broadcast threshold"))
        } else if can_build_left && fits(left_bytes) {
            (Some(BuildSide::Left), format!("the left side's estimated {left_bytes} bytes are within the {threshold}-byte broadcast threshold"))
        } else {
            let why = match (can_build_left, can_build_right) {
                (false, false) => format!("a {} join cannot be broadcast", join_type.name()),
                _ => format!(
                    "no side that could be broadcast fits the {threshold}-byte threshold (estimated {left_bytes} and {right_bytes} bytes)"
                ),
            };
            (None, why)
        };
        let strategy = JoinStrategy {
            strategy: if build.is_some() { "BroadcastHashJoin" } else { "SortMergeJoin" }.to_string(),
            join_type: join_type.name().to_string(),
            left_bytes: left_bytes.min(u64::MAX as u128) as u64,
            right_bytes: right_bytes.min(u64::MAX as u128) as u64,
            threshold_bytes: threshold,
            reason,
        };
        let join = JoinSpec { join_type, left_keys: keys.left, right_keys: keys.right, residual: keys.other, strategy, deferred_strings: Vec::new() };
        let (left, right) = (self.plan(left, false)?, self.plan(right, false)?);
        Ok(match build {
            Some(build) => {
                let id = self.next_exchange.fetch_add(1, Ordering::Relaxed);
                let broadcast = |keys: &[Expr], input: PhysicalPlan| PhysicalPlan::BroadcastExchange {
                    id,
                    keys: keys.to_vec(),
                    input: Box::new(input),
                };
                let (left, right) = match build {
                    BuildSide::Right => (left, broadcast(&join.right_keys, right)),
                    BuildSide::Left => (broadcast(&join.left_keys, left), right),
                };
                PhysicalPlan::BroadcastHashJoin { join, build, broadcast: id, left: Box::new(left), right: Box::new(right) }
            }
            None => {
                let left = self.sorted_by_keys(left, &join.left_keys);
                let right = self.sorted_by_keys(right, &join.right_keys);
                PhysicalPlan::SortMergeJoin { join, left: Box::new(left), right: Box::new(right) }
            }
        })
    }

    /// A join without equal keys: the build side is broadcast and every stream row checked against all of it.
    fn nested_loop_join(&self, left: &LogicalPlan, right: &LogicalPlan, join_type: JoinType, condition: Option<Expr>) -> Result<PhysicalPlan> {
        let build = match join_type {
            JoinType::RightOuter => BuildSide::Left,
            JoinType::FullOuter => crate::invalid_argument!(
                "a full outer join without an equality of keys (`a = b`) in its condition is not supported yet"
            ),
            _ => BuildSide::Right,
        };
        let (left_bytes, right_bytes) = (size_in_bytes(left), size_in_bytes(right));
        let threshold = self.session.config().auto_broadcast_join_threshold;
        let fits = |bytes: u128| threshold >= 0 && bytes <= threshold as u128;
        let broadcastable = has_broadcast_hint(left) || has_broadcast_hint(right) || fits(left_bytes) || fits(right_bytes);
        if !broadcastable && matches!(join_type, JoinType::Inner | JoinType::Cross) {
            let strategy = JoinStrategy {
                strategy: "CartesianProduct".to_string(),
                join_type: join_type.name().to_string(),
                left_bytes: left_bytes.min(u64::MAX as u128) as u64,
                right_bytes: right_bytes.min(u64::MAX as u128) as u64,
                threshold_bytes: threshold,
                reason: "the join has no equal keys and neither side fits the broadcast threshold: every pair of \
                         partitions is a task"
                    .into(),
            };
            let join = JoinSpec { join_type, left_keys: Vec::new(), right_keys: Vec::new(), residual: condition, strategy, deferred_strings: Vec::new() };
            let (left, right) = (self.plan(left, false)?, self.plan(right, false)?);
            return Ok(PhysicalPlan::CartesianProduct { join, left: Box::new(left), right: Box::new(right) });
        }
        let strategy = JoinStrategy {
            strategy: "BroadcastNestedLoopJoin".to_string(),
            join_type: join_type.name().to_string(),
            left_bytes: left_bytes.min(u64::MAX as u128) as u64,
            right_bytes: right_bytes.min(u64::MAX as u128) as u64,
            threshold_bytes: self.session.config().auto_broadcast_join_threshold,
            reason: "the join has no equal keys to hash or sort on, so one side is broadcast and every pair is tested".into(),
        };
        let join = JoinSpec { join_type, left_keys: Vec::new(), right_keys: Vec::new(), residual: condition, strategy, deferred_strings: Vec::new() };
        let (left, right) = (self.plan(left, false)?, self.plan(right, false)?);
        let id = self.next_exchange.fetch_add(1, Ordering::Relaxed);
        let broadcast = |input: PhysicalPlan| PhysicalPlan::BroadcastExchange { id, keys: Vec::new(), input: Box::new(input) };
        let (left, right) = match build {
            BuildSide::Right => (left, broadcast(right)),
            BuildSide::Left => (broadcast(left), right),
        };
        Ok(PhysicalPlan::BroadcastNestedLoopJoin { join, build, broadcast: id, left: Box::new(left), right: Box::new(right) })
    }

    /// A sort-merge join's input: hash-partitioned on the join keys (unless it already is, like the output of a
    /// group-by on the same keys) and sorted by them within each partition.
    fn sorted_by_keys(&self, input: PhysicalPlan, keys: &[Expr]) -> PhysicalPlan {
        let partitions = self.session.config().shuffle_partitions;
        let key_ids: Option<Vec<ExprId>> = keys
            .iter()
            .map(|k| match k {
                Expr::Attribute(a) => Some(a.id),
                _ => None,
            })
            .collect();
        let partitioned = key_ids.is_some_and(|ids| input.hash_partitioning() == Some((ids, partitions)));
        let input = if partitioned {
            input
        } else {
            let partitioning = Partitioning::Hash { keys: keys.to_vec(), partitions };
            self.exchange(partitioning, ShuffleOrigin::EnsureRequirements, input)
        };
        let order = keys.iter().map(|k| SortOrder::new(k.clone(), true)).collect();
        PhysicalPlan::Sort { order, global: false, input: Box::new(input) }
    }

    /// `Window ← Sort(keys, order) ← Exchange hashpartitioning(keys)` (one partition without keys), as Spark plans
    /// window functions; the exchange is left out when the input is already partitioned on the keys. With a
    /// `group_limit`, a WindowGroupLimit runs in each task before the exchange (over rows sorted there) and again
    /// after the sort: `Window ← WindowGroupLimit(Final) ← Sort ← Exchange ← WindowGroupLimit(Partial) ← Sort`.
    fn window(&self, exprs: &[Expr], partition_by: &[Expr], order_by: &[SortOrder], group_limit: Option<GroupLimit>, input: PhysicalPlan) -> PhysicalPlan {
        let partitions = self.session.config().shuffle_partitions;
        let key_ids: Option<Vec<ExprId>> =
            partition_by.iter().map(|k| if let Expr::Attribute(a) = k { Some(a.id) } else { None }).collect();
        let partitioned = !partition_by.is_empty() && key_ids.is_some_and(|ids| input.hash_partitioning() == Some((ids, partitions)));
        let order: Vec<SortOrder> = partition_by.iter().map(|k| SortOrder::new(k.clone(), true)).chain(order_by.iter().cloned()).collect();
        let limited = |mode: GroupLimitMode, input: PhysicalPlan| match &group_limit {
            Some(GroupLimit { function, limit }) => PhysicalPlan::WindowGroupLimit {
                partition_by: partition_by.to_vec(),
                order_by: order_by.to_vec(),
                function: *function,
                limit: *limit,
                mode,
                input: Box::new(input),
            },
            None => input,
        };
        let input = match (&group_limit, partitioned) {
            (Some(_), false) => limited(GroupLimitMode::Partial, PhysicalPlan::Sort { order: order.clone(), global: false, input: Box::new(input) }),
            _ => input,
        };
        let input = match (partitioned, partition_by.is_empty()) {
            (true, _) => input,
            (false, true) => self.exchange(Partitioning::Single, ShuffleOrigin::EnsureRequirements, input),
            (false, false) => {
                let partitioning = Partitioning::Hash { keys: partition_by.to_vec(), partitions };
                self.exchange(partitioning, ShuffleOrigin::EnsureRequirements, input)
            }
        };
        let sorted = if order.is_empty() { input } else { PhysicalPlan::Sort { order, global: false, input: Box::new(input) } };
        let sorted = limited(GroupLimitMode::Final, sorted);
        PhysicalPlan::Window { exprs: exprs.to_vec(), partition_by: partition_by.to_vec(), order_by: order_by.to_vec(), input: Box::new(sorted) }
    }

    fn two_phase(&self, keys: Vec<Attribute>, calls: Vec<AggregateCall>, results: Vec<Expr>, child: PhysicalPlan) -> PhysicalPlan {
        let partial_calls = calls.iter().map(|c| c.in_mode(AggregateMode::Partial)).collect();
        let partial = self.hash_aggregate(AggregateMode::Partial, &keys, partial_calls, child);
        let exchange = self.exchange(self.partitioning_on(&keys), ShuffleOrigin::EnsureRequirements, partial);
        let final_calls: Vec<AggregateCall> = calls.iter().map(|c| c.in_mode(AggregateMode::Final)).collect();
        let input = sorted_for_aggregate(&keys, &final_calls, exchange);
        PhysicalPlan::HashAggregate { mode: AggregateMode::Final, keys, calls: final_calls, results, input: Box::new(input) }
    }

    fn hash_aggregate(&self, mode: AggregateMode, keys: &[Attribute], calls: Vec<AggregateCall>, mut child: PhysicalPlan) -> PhysicalPlan {
        if mode == AggregateMode::Partial {
            defer_grouped_build_strings(keys, &calls, &mut child);
        }
        let input = sorted_for_aggregate(keys, &calls, child);
        PhysicalPlan::HashAggregate { mode, keys: keys.to_vec(), calls, results: Vec::new(), input: Box::new(input) }
    }

    /// `hashpartitioning(keys, spark.sql.shuffle.partitions)`, or one partition when there are no keys.
    fn partitioning_on(&self, keys: &[Attribute]) -> Partitioning {
        if keys.is_empty() {
            return Partitioning::Single;
        }
        let keys = keys.iter().cloned().map(Expr::Attribute).collect();
        Partitioning::Hash { keys, partitions: self.session.config().shuffle_partitions }
    }
}

/// An aggregation's input, sorted within each partition by the keys when Spark runs it as a SortAggregate.
fn sorted_for_aggregate(keys: &[Attribute], calls: &[AggregateCall], input: PhysicalPlan) -> PhysicalPlan {
    if keys.is_empty() || AggregateOperator::for_calls(calls) != AggregateOperator::SortAggregate {
        return input;
    }
    let order = keys.iter().map(|k| SortOrder::new(Expr::Attribute(k.clone()), true)).collect();
    PhysicalPlan::Sort { order, global: false, input: Box::new(input) }
}

/// One copy of `batch` made by an Expand: `projection` evaluated, a NULL constant given its column's type.
/// Every row of `batch` once per projection, in turn: a row's copies are next to each other, as Spark's Expand
/// emits them.
fn expand_batch(projections: &[Vec<Expr>], batch: &RecordBatch, input: &[Attribute], output: &[Attribute]) -> Result<RecordBatch> {
    let copies = projections.iter().map(|projection| expand_copy(projection, batch, input, output)).collect::<Result<Vec<_>>>()?;
    if copies.len() == 1 {
        return Ok(copies.into_iter().next().expect("one copy"));
    }
    let order: Vec<(usize, usize)> = (0..batch.num_rows()).flat_map(|row| (0..copies.len()).map(move |copy| (copy, row))).collect();
    let columns = (0..output.len())
        .map(|c| {
            let parts: Vec<&dyn arrow::array::Array> = copies.iter().map(|copy| copy.column(c).as_ref()).collect();
            Ok(arrow::compute::interleave(&parts, &order)?)
        })
        .collect::<Result<_>>()?;
    batch_of(output, columns, order.len())
}

fn expand_copy(projection: &[Expr], batch: &RecordBatch, input: &[Attribute], output: &[Attribute]) -> Result<RecordBatch> {
    let columns = projection
        .iter()
        .zip(output)
        .map(|(expr, column)| {
            let values = evaluate(expr, batch, input)?;
            let wanted = column.data_type.to_arrow();
            if values.data_type() == &wanted { Ok(values) } else { Ok(arrow::compute::cast(&values, &wanted)?) }
        })
        .collect::<Result<_>>()?;
    batch_of(output, columns, batch.num_rows())
}

/// The driver's half of TakeOrderedAndProject: the first `limit` rows of every task's top rows, then `project`.
pub fn take_ordered_and_project(
    limit: usize,
    order: &[SortOrder],
    project: &[Expr],
    input: &[Attribute],
    batches: &[RecordBatch],
) -> Result<Vec<RecordBatch>> {
    let output: Vec<Attribute> = project.iter().map(output_attribute).collect();
    top_rows(order, batches, input, limit)?
        .iter()
        .map(|batch| {
            let columns = project.iter().map(|e| evaluate(e, batch, input)).collect::<Result<_>>()?;
            batch_of(&output, columns, batch.num_rows())
        })
        .collect()
}

/// Whether `broadcast(df)` marks this join input (through the filters and projections the optimizer adds).
fn has_broadcast_hint(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::BroadcastHint { .. } => true,
        LogicalPlan::Filter { input, .. } | LogicalPlan::Project { input, .. } => has_broadcast_hint(input),
        _ => false,
    }
}

/// A join's keys, type and the rest of its condition, shared by both strategies.
#[derive(Debug, Clone)]
pub struct JoinSpec {
    pub join_type: JoinType,
    pub left_keys: Vec<Expr>,
    pub right_keys: Vec<Expr>,
    pub residual: Option<Expr>,
    pub strategy: JoinStrategy,
    /// Build-side string columns a broadcast hash join hands on as row positions into the broadcast (a
    /// dictionary array) instead of copying the strings: set only where a partial aggregation right above groups
    /// by the column and nothing else reads it, so the positions never leave the task (see
    /// [`defer_grouped_build_strings`]).
    pub deferred_strings: Vec<ExprId>,
}

impl JoinSpec {
    /// `[zone#1], [LocationID#5], Inner`
    fn keys_string(&self) -> String {
        let list = |keys: &[Expr]| keys.iter().map(Expr::plan_string).collect::<Vec<_>>().join(", ");
        format!("[{}], [{}], {}", list(&self.left_keys), list(&self.right_keys), self.join_type.name())
    }

    fn residual_string(&self) -> String {
        self.residual.as_ref().map(|r| format!(", {}", r.plan_string())).unwrap_or_default()
    }
}

/// Why the planner chose a join's strategy, as the trace reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JoinStrategy {
    /// `BroadcastHashJoin` or `SortMergeJoin`.
    pub strategy: String,
    pub join_type: String,
    /// Estimated sizes of the two sides, in bytes.
    pub left_bytes: u64,
    pub right_bytes: u64,
    /// `spark.sql.autoBroadcastJoinThreshold` at planning time.
    pub threshold_bytes: i64,
    pub reason: String,
}

/// How Spark prints the hashed relation of a broadcast: the build keys as bound references, an integer key widened
/// to `bigint` (Spark hashes integral keys as longs). A key column a filter right below tested with `isnotnull` is
/// printed as not nullable.
fn broadcast_mode(keys: &[Expr], columns: &[Attribute], not_null: &[ExprId]) -> String {
    let bound: Vec<String> = keys
        .iter()
        .map(|key| {
            let reference = match key {
                Expr::Attribute(a) => match columns.iter().position(|c| c.id == a.id) {
                    Some(ordinal) => format!("input[{ordinal}, {}, {}]", a.data_type, a.nullable && !not_null.contains(&a.id)),
                    None => key.plan_string(),
                },
                other => other.plan_string(),
            };
            let integral = matches!(key.data_type(), SparkType::Byte | SparkType::Short | SparkType::Integer);
            if integral && keys.len() == 1 { format!("cast({reference} as bigint)") } else { reference }
        })
        .collect();
    if keys.is_empty() {
        return "IdentityBroadcastMode".to_string();
    }
    format!("HashedRelationBroadcastMode(List({}),false)", bound.join(", "))
}

/// What a TakeOrderedAndProject is made of: the order, the projection (if any) and the sort's input.
struct TakeOrdered<'a> {
    order: &'a [SortOrder],
    project: Option<Vec<Expr>>,
    below: &'a LogicalPlan,
}

/// `limit(n)` over a global sort (maybe through a projection) is Spark's TakeOrderedAndProject.
fn take_ordered(plan: &LogicalPlan) -> Option<TakeOrdered<'_>> {
    let (project, sort) = match plan {
        LogicalPlan::Project { exprs, input } => (Some(exprs.clone()), input.as_ref()),
        other => (None, other),
    };
    match sort {
        LogicalPlan::Sort { order, global: true, input } => Some(TakeOrdered { order, project, below: input }),
        _ => None,
    }
}

/// The aggregate function calls of an aggregation's outputs, each once, and the outputs reading the calls'
/// result columns.
fn aggregate_calls(aggregates: &[Expr]) -> Result<(Vec<AggregateCall>, Vec<Expr>)> {
    let mut calls: Vec<(Expr, AggregateCall)> = Vec::new();
    let mut results = Vec::new();
    for expr in aggregates {
        let rewritten = expr.clone().transform_up(&mut |e| -> Result<Expr> {
            let Expr::Aggregate { function, args, distinct, filter } = &e else { return Ok(e) };
            if let Some((_, call)) = calls.iter().find(|(seen, _)| *seen == e) {
                return Ok(Expr::Attribute(call.result.clone()));
            }
            let call = aggregate_call(*function, crate::expr::aggregated_values(*function, args), filter.as_deref().cloned(), *distinct, &e);
            let result = Expr::Attribute(call.result.clone());
            calls.push((e.clone(), call));
            Ok(result)
        })?;
        results.push(rewritten);
    }
    Ok((calls.into_iter().map(|(_, call)| call).collect(), results))
}

fn aggregate_call(function: AggregateFunction, args: Vec<Expr>, filter: Option<Expr>, distinct: bool, whole: &Expr) -> AggregateCall {
    let input_types: Vec<SparkType> = args.iter().map(Expr::data_type).collect();
    let state = crate::aggregate::state_names(function)
        .into_iter()
        .zip(crate::aggregate::state_types(function, &input_types))
        .map(|(name, data_type)| Attribute::new(name, data_type, true))
        .collect();
    let result = Attribute::new(whole.sql_name(), whole.data_type(), whole.nullable());
    let shown = match whole {
        Expr::Aggregate { args: written, .. } if written.len() == args.len() => written.clone(),
        _ => args.clone(),
    };
    AggregateCall { function, args, shown, distinct, filter, mode: AggregateMode::Partial, result, state }
}
