//! Stages: the pieces a job is cut into at its exchanges.
//!
//! Inside a stage rows never leave their partition: a task reads one partition and pushes it through every
//! operator of the stage (scan → filter → partial aggregate, say) without waiting for anyone. An exchange needs
//! *all* map tasks to finish before any reduce task can start, so it ends one stage and starts the next. A group-by
//! is therefore two stages; the second one's parent is the first. Stages run parents first; the last one — the
//! *result stage* — hands its partitions to the action.

use std::collections::HashMap;
use std::ops::Range;

use arrow::array::RecordBatch;
use rayon::prelude::*;

use std::sync::Arc;

use crate::adaptive::coalesce_partitions;
use crate::broadcast::{BroadcastTable, BroadcastTrace};
use crate::executor::Executors;
use crate::exchange::{MapOutputs, Partitioning, ShuffleRead, row_bytes, shuffle_matrix, shuffle_read, shuffle_write};
use crate::expr::eval::evaluate;
use crate::partition::PartitionSize;
use crate::metrics::{OperatorIds, TaskMetrics};
use crate::physical::{ExecutionContext, PhysicalPlan, ShuffleOrigin, gather};
use crate::plan_graph::{GraphInputs, PlanGraph, TaskCounts, operators_in_order};
use crate::scheduler::{StageOutput, TaskSet, panic_message, run_task_sets};
use crate::sort::RangeBounds;
use crate::session::Session;
use crate::shuffle_dependency::{ShuffleDependency, WrittenShuffle};
use crate::task::{TaskIo, TaskRecord};
use crate::trace::{ExchangeTrace, JobTrace, StageTrace};
use crate::value::Value;
use crate::{EngineError, Result};

/// One stage: the operators from `root` down to the stage's inputs (scans, or exchanges written by parents).
pub struct Stage<'p> {
    pub id: usize,
    pub root: &'p PhysicalPlan,
    /// The exchange this stage's tasks write into; `None` for the result stage.
    pub writes: Option<&'p PhysicalPlan>,
    pub parents: Vec<usize>,
}

/// Cuts `plan` at its exchanges, parents first; the last stage is the result stage.
pub fn split_into_stages(plan: &PhysicalPlan) -> Vec<Stage<'_>> {
    let mut stages = Vec::new();
    add_stage(plan, None, &mut stages);
    stages
}

fn add_stage<'p>(root: &'p PhysicalPlan, writes: Option<&'p PhysicalPlan>, stages: &mut Vec<Stage<'p>>) -> usize {
    let parents = exchanges_read_by(root)
        .into_iter()
        .map(|exchange| {
            let (PhysicalPlan::Exchange { input, .. } | PhysicalPlan::BroadcastExchange { input, .. }) = exchange else {
                unreachable!("only exchanges are collected")
            };
            add_stage(input, Some(exchange), stages)
        })
        .collect();
    let id = stages.len();
    stages.push(Stage { id, root, writes, parents });
    id
}

/// The exchanges (shuffles and broadcasts) a stage rooted at `node` reads from: the nearest ones below it.
fn exchanges_read_by(node: &PhysicalPlan) -> Vec<&PhysicalPlan> {
    match node {
        PhysicalPlan::Exchange { .. } | PhysicalPlan::BroadcastExchange { .. } => vec![node],
        other => other.children().into_iter().flat_map(exchanges_read_by).collect(),
    }
}

/// The operators of a stage, top-down, each by its short name (`HashAggregate`, `Exchange`, `FileScan parquet`),
/// down to the exchanges and broadcasts it reads.
fn operators(node: &PhysicalPlan) -> Vec<String> {
    let text = node.node_string();
    let name = match node {
        PhysicalPlan::FileScan { .. } => text.split(' ').take(2).collect::<Vec<_>>().join(" "),
        // `LocalTableScan [a#1]`, `Scan ExistingRDD[a#1]`: the words before the columns.
        PhysicalPlan::LocalTableScan { .. } => text.split('[').next().unwrap_or_default().trim().to_string(),
        _ => text.split(['(', ' ']).next().unwrap_or_default().to_string(),
    };
    let mut names = vec![name];
    // What lies below an exchange or a broadcast ran in the stage that wrote it.
    if !matches!(node, PhysicalPlan::Exchange { .. } | PhysicalPlan::BroadcastExchange { .. }) {
        names.extend(node.children().into_iter().flat_map(operators));
    }
    names
}

/// What one task hands back.
enum TaskOutput {
    Shuffle(Vec<Vec<RecordBatch>>),
    Rows(Vec<RecordBatch>),
}

impl TaskOutput {
    fn into_rows(self) -> Vec<RecordBatch> {
        match self {
            Self::Rows(batches) => batches,
            Self::Shuffle(_) => unreachable!("this stage's tasks hand back rows"),
        }
    }
}

/// Where the result stage's tasks put their rows: back to the driver, or into files (a write job, whose tasks
/// each write their partition and report the bytes written).
pub type ResultSink<'a> = Option<&'a (dyn Fn(usize, &[RecordBatch]) -> Result<u64> + Sync)>;

/// Which partitions of the result stage a job computes: all of them, or a range (`take` computes a few at a
/// time, and stops once it has its rows).
pub type ResultPartitions = Option<Range<usize>>;

/// Runs a physical plan as a job: every stage, parents first; stages whose parents have all run go together (two
/// scans feeding a join share the executors). Returns the result stage's rows in partition order (none when a sink
/// took them) and the trace of everything that happened.
pub fn run_job(
    plan: &PhysicalPlan,
    session: &Session,
    description: &str,
    sink: ResultSink,
    result_partitions: ResultPartitions,
) -> Result<(Vec<RecordBatch>, JobTrace)> {
    // A panic on the driver is a bug in Kindling, as one in a task is (see `scheduler::run_task_sets`): it fails
    // the job with an error instead of taking the program down.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_stages(plan, session, description, sink, result_partitions)))
        .unwrap_or_else(|panic| Err(EngineError::Internal(format!("the job's driver panicked: {}", panic_message(&*panic)))))
}

fn run_stages(
    plan: &PhysicalPlan,
    session: &Session,
    description: &str,
    sink: ResultSink,
    result_partitions: ResultPartitions,
) -> Result<(Vec<RecordBatch>, JobTrace)> {
    let clock = session.clock.as_ref();
    let job_start = clock.now_ms();
    let mut job = JobState {
        context: ExecutionContext { operators: OperatorIds::new(&operators_in_order(plan)), ..ExecutionContext::new(session) },
        groups: copartitioned_groups(plan),
        pending: HashMap::new(),
        trace: JobTrace {
            description: description.to_string(),
            executors: session.executors.count(),
            physical_plan: plan.tree_string(),
            joins: join_strategies(plan),
            ..JobTrace::default()
        },
        rows: Vec::new(),
        task_counts: Vec::new(),
        job_start,
    };
    let stages = split_into_stages(plan);
    let skipped = skipped_stages(&stages);
    let mut finished = skipped.clone();
    for stage in stages.iter().filter(|s| skipped[s.id]) {
        job.skip_stage(stage);
    }
    loop {
        let ready: Vec<&Stage> =
            stages.iter().filter(|s| !finished[s.id] && s.parents.iter().all(|&p| finished[p])).collect();
        if ready.is_empty() {
            break;
        }
        let sets: Vec<TaskSet> = ready
            .iter()
            .map(|s| {
                let all = 0..s.root.partition_count(&job.context);
                let partitions = match (&result_partitions, s.writes) {
                    (Some(wanted), None) => wanted.start.min(all.end)..wanted.end.min(all.end),
                    _ => all,
                };
                TaskSet { stage: s.id, partitions }
            })
            .collect();
        let context = &job.context;
        let submitted_us = crate::scheduler::micros_since(clock, job_start);
        let settings = session.config().query_settings();
        let outputs = session.executors.run(|| {
            crate::query_settings::set_current(settings);
            run_task_sets(&sets, &session.executors, clock, job_start, |set, task| run_task(ready[set], task, context, sink))
        })?;
        for ((stage, set), output) in ready.iter().zip(&sets).zip(outputs) {
            job.finish_stage(stage, set.partitions.len(), output, submitted_us)?;
            finished[stage.id] = true;
        }
    }
    let mut trace = job.trace;
    trace.stages.sort_by_key(|s| s.id);
    number_tasks(&mut trace.tasks);
    trace.tasks.sort_by_key(|t| (t.stage, t.partition));
    trace.duration_us = crate::scheduler::micros_since(clock, job_start);
    let stage_of = stage_of_operators(&stages, &job.context.operators);
    trace.plan_graph = PlanGraph::build(&GraphInputs {
        plan,
        ids: &job.context.operators,
        stage_of: &stage_of,
        tasks: &job.task_counts,
        trace: &trace,
        adaptive: session.config().adaptive_enabled && plan.has_exchange(),
    });
    Ok((job.rows, trace))
}

/// What a running job has so far: the shuffles and broadcasts its finished stages wrote, the trace, the result rows.
struct JobState<'s> {
    context: ExecutionContext<'s>,
    /// Shuffles read together (the two sides of a sort-merge join).
    groups: Vec<Vec<usize>>,
    /// Shuffles written whose partners in their group are not written yet.
    pending: HashMap<usize, PendingShuffle>,
    trace: JobTrace,
    rows: Vec<RecordBatch>,
    /// What each finished task counted for each operator.
    task_counts: Vec<TaskCounts>,
    /// When the job started, on the session's clock (milliseconds).
    job_start: f64,
}

impl JobState<'_> {
    /// Records a stage an earlier job made unnecessary; if it is the one that wrote a kept shuffle, the shuffle
    /// becomes readable by the stages after it, as if the stage had just run.
    fn skip_stage(&mut self, stage: &Stage) {
        let partitions = stage.root.partition_count(&self.context);
        self.trace.stages.push(StageTrace { skipped: true, ..stage_trace(stage, partitions, Vec::new()) });
        let Some(exchange @ PhysicalPlan::Exchange { id, .. }) = stage.writes else { return };
        if let Some(written) = kept_shuffle(exchange).and_then(|dependency| dependency.written()) {
            let trace = ExchangeTrace { id: *id, map_stage: stage.id, ..written.trace };
            self.shuffle_written(PendingShuffle { map_outputs: written.map_outputs, trace, adaptive: false });
        }
    }

    /// Records a stage that ran and makes what it wrote readable by the stages after it.
    fn finish_stage(&mut self, stage: &Stage, partitions: usize, output: StageOutput<TaskResult>, submitted_us: u64) -> Result<()> {
        let session = self.context.session;
        let sizes = output.tasks.iter().map(|t| PartitionSize { partition: t.partition, rows: t.rows_out, bytes: t.bytes_out }).collect();
        let completed_us = output.tasks.iter().map(|t| t.end_us).max().unwrap_or(submitted_us);
        self.trace.stages.push(StageTrace { submitted_us, completed_us, ..stage_trace(stage, partitions, sizes) });
        if stage.id == 0 {
            self.trace.partitions = input_sizes(&output.tasks);
        }
        let collect_us = output.tasks.iter().map(|t| t.end_us).max().unwrap_or(0) - output.tasks.iter().map(|t| t.start_us).min().unwrap_or(0);
        self.trace.tasks.extend(output.tasks);
        let (results, counts): (Vec<TaskOutput>, Vec<TaskCounts>) = output.results.into_iter().map(|r| (r.output, r.counts)).unzip();
        self.task_counts.extend(counts);
        match stage.writes {
            Some(PhysicalPlan::BroadcastExchange { id, keys, input }) => {
                let rows: Vec<RecordBatch> = results.into_iter().flat_map(TaskOutput::into_rows).collect();
                let clock = session.clock.as_ref();
                let build_start = clock.now_ms();
                let table = BroadcastTable::build(&rows, keys, &input.output())?;
                let build_us = ((clock.now_ms() - build_start) * 1e3) as u64;
                let (rows, bytes) = (table.num_rows() as u64, table.size_bytes());
                // Executors share the driver's memory: handing them the table is handing them a pointer to it.
                let broadcast_start = clock.now_ms();
                self.context.broadcasts.insert(*id, Arc::new(table));
                let broadcast_us = ((clock.now_ms() - broadcast_start) * 1e3) as u64;
                let ready_us = crate::scheduler::micros_since(clock, self.job_start);
                self.trace.broadcasts.push(BroadcastTrace {
                    id: *id,
                    stage: stage.id,
                    rows,
                    bytes,
                    copies: session.executors.count(),
                    collect_us,
                    build_us,
                    broadcast_us,
                    ready_us,
                });
            }
            Some(exchange) => {
                let (map_outputs, range_bounds) = map_outputs(exchange, results, &session.executors)?;
                let mut shuffle = record_shuffle(exchange, stage.id, map_outputs)?;
                shuffle.trace.range_bounds = range_bounds;
                if let Some(dependency) = kept_shuffle(exchange) {
                    dependency.keep(WrittenShuffle { map_outputs: shuffle.map_outputs.clone(), trace: shuffle.trace.clone() });
                }
                self.shuffle_written(shuffle);
            }
            None => {
                for result in results {
                    if let TaskOutput::Rows(batches) = result {
                        self.rows.extend(batches);
                    }
                }
            }
        }
        Ok(())
    }

    /// A shuffle's map side is complete. Shuffles feeding the same sort-merge join are read together, with one
    /// coalescing decision, so a shuffle waits for its partners before its reduce partitions are cut.
    fn shuffle_written(&mut self, shuffle: PendingShuffle) {
        let id = shuffle.trace.id;
        self.pending.insert(id, shuffle);
        let group = self.groups.iter().find(|g| g.contains(&id)).cloned().unwrap_or_else(|| vec![id]);
        if group.iter().all(|member| self.pending.contains_key(member)) {
            let members = group.iter().filter_map(|member| self.pending.remove(member)).collect();
            for (reduce_partitions, exchange_trace) in read_shuffles(members, self.context.session) {
                self.context.shuffles.insert(exchange_trace.id, reduce_partitions);
                self.trace.exchanges.push(exchange_trace);
            }
        }
    }
}

fn stage_trace(stage: &Stage, partitions: usize, output_sizes: Vec<PartitionSize>) -> StageTrace {
    StageTrace {
        id: stage.id,
        operators: operators(stage.root),
        parents: stage.parents.clone(),
        partitions,
        writes_exchange: stage.writes.map(exchange_id),
        output_sizes,
        skipped: false,
        submitted_us: 0,
        completed_us: 0,
    }
}

/// The dependency that keeps a shuffle's map outputs across jobs, if the exchange has one (an RDD's shuffle).
fn kept_shuffle(exchange: &PhysicalPlan) -> Option<&ShuffleDependency> {
    match exchange {
        PhysicalPlan::Exchange { partitioning: Partitioning::KeyHash { dependency, .. }, .. } => Some(dependency),
        _ => None,
    }
}

/// The stages a job need not run: each one writing a shuffle an earlier job kept, and every stage before it.
fn skipped_stages(stages: &[Stage]) -> Vec<bool> {
    let mut skipped = vec![false; stages.len()];
    // A stage comes after its parents, so walking backwards sees whether a stage is skipped before its parents.
    for stage in stages.iter().rev() {
        let kept = stage.writes.and_then(kept_shuffle).is_some_and(ShuffleDependency::is_written);
        if kept || skipped[stage.id] {
            skipped[stage.id] = true;
            for &parent in &stage.parents {
                skipped[parent] = true;
            }
        }
    }
    skipped
}

/// The buckets every map task wrote. A range exchange first needs boundaries, which depend on every map task's
/// keys: its tasks hand back their rows, the boundaries are chosen from a sample, and the rows are split then.
fn map_outputs(exchange: &PhysicalPlan, results: Vec<TaskOutput>, executors: &Executors) -> Result<(MapOutputs, Vec<String>)> {
    let PhysicalPlan::Exchange { partitioning, input, .. } = exchange else {
        unreachable!("stages write only into exchanges")
    };
    let Partitioning::Range { order, partitions } = partitioning else {
        let buckets = results.into_iter().map(|o| match o {
            TaskOutput::Shuffle(buckets) => buckets,
            TaskOutput::Rows(_) => unreachable!("a map stage's tasks write a shuffle"),
        });
        return Ok((buckets.collect(), Vec::new()));
    };
    let rows: Vec<Vec<RecordBatch>> = results
        .into_iter()
        .map(|o| match o {
            TaskOutput::Rows(batches) => batches,
            TaskOutput::Shuffle(_) => unreachable!("a range exchange's map tasks hand back rows"),
        })
        .collect();
    let columns = input.output();
    let bounds = RangeBounds::from_samples(order, &rows, &columns, *partitions)?;
    // Once the boundaries are known, each map partition's rows are split on the executors, side by side, as
    // Spark's map tasks split theirs.
    let buckets = executors.run(|| {
        rows.par_iter()
            .enumerate()
            .map(|(map, batches)| shuffle_write(map, batches, partitioning, &columns, Some(&bounds)))
            .collect::<Result<_>>()
    })?;
    Ok((buckets, bounds.shown))
}

fn exchange_id(exchange: &PhysicalPlan) -> usize {
    match exchange {
        PhysicalPlan::Exchange { id, .. } | PhysicalPlan::BroadcastExchange { id, .. } => *id,
        _ => unreachable!("stages write only into exchanges"),
    }
}

fn input_sizes(tasks: &[TaskRecord]) -> Vec<PartitionSize> {
    tasks.iter().map(|t| PartitionSize { partition: t.partition, rows: t.rows_in, bytes: t.bytes_in }).collect()
}

/// A task's output and what it counted for each operator.
struct TaskResult {
    output: TaskOutput,
    counts: TaskCounts,
}

fn run_task(stage: &Stage, task: usize, context: &ExecutionContext, sink: ResultSink) -> Result<(TaskResult, TaskIo)> {
    let metrics = TaskMetrics::new(&context.operators);
    let (output, io) = run_task_operators(stage, task, context, sink, &metrics)?;
    let counts = TaskCounts { stage: stage.id, partition: task, counts: metrics.counts() };
    Ok((TaskResult { output, counts }, io))
}

fn run_task_operators(
    stage: &Stage,
    task: usize,
    context: &ExecutionContext,
    sink: ResultSink,
    metrics: &TaskMetrics,
) -> Result<(TaskOutput, TaskIo)> {
    let batches = gather(stage.root.execute(task, context, metrics)?)?;
    let mut io = TaskIo {
        rows_in: metrics.input_rows.load(std::sync::atomic::Ordering::Relaxed),
        bytes_in: metrics.input_bytes.load(std::sync::atomic::Ordering::Relaxed),
        shuffle_read_rows: metrics.shuffle_read_rows.load(std::sync::atomic::Ordering::Relaxed),
        shuffle_read_bytes: metrics.shuffle_read_bytes.load(std::sync::atomic::Ordering::Relaxed),
        files: metrics.files(),
        rows_out: batches.iter().map(|b| b.num_rows() as u64).sum(),
        bytes_out: batches.iter().map(row_bytes).sum(),
    };
    if let (None, Some(sink)) = (stage.writes, sink) {
        io.bytes_out = sink(task, &batches)?;
        return Ok((TaskOutput::Rows(Vec::new()), io));
    }
    let Some(PhysicalPlan::Exchange { partitioning, .. }) = stage.writes else {
        // The result stage, and a broadcast's stage, hand their rows to the driver.
        return Ok((TaskOutput::Rows(batches), io));
    };
    if matches!(partitioning, Partitioning::Range { .. }) {
        return Ok((TaskOutput::Rows(batches), io));
    }
    let buckets = shuffle_write(task, &batches, partitioning, &stage.root.output(), None)?;
    io.bytes_out = buckets.iter().flatten().map(row_bytes).sum();
    Ok((TaskOutput::Shuffle(buckets), io))
}

/// A finished map side whose reduce side has not been read yet.
struct PendingShuffle {
    map_outputs: MapOutputs,
    trace: ExchangeTrace,
    /// Whether adaptive execution may merge its reduce partitions.
    adaptive: bool,
}

/// Records what an exchange's map tasks wrote: the matrix, sample keys per reduce partition.
fn record_shuffle(exchange: &PhysicalPlan, map_stage: usize, map_outputs: MapOutputs) -> Result<PendingShuffle> {
    let PhysicalPlan::Exchange { id, partitioning, origin, input } = exchange else {
        unreachable!("stages write only into exchanges")
    };
    let matrix = shuffle_matrix(&map_outputs);
    let one_each: Vec<(usize, usize)> = (0..partitioning.partition_count()).map(|r| (r, r + 1)).collect();
    let samples = match partitioning {
        Partitioning::Hash { keys, .. } => {
            let columns = input.output();
            shuffle_read(&map_outputs, &one_each)
                .iter()
                .map(|p| sample_keys(&p.batches, keys, &columns))
                .collect::<Result<Vec<_>>>()?
        }
        _ => Vec::new(),
    };
    let sample_keys = samples.iter().map(|keys| keys.iter().map(|(key, _)| key.clone()).collect()).collect();
    let sample_key_hashes = samples.iter().map(|keys| keys.iter().map(|(_, hash)| *hash).collect()).collect();
    let adaptive = *origin == ShuffleOrigin::EnsureRequirements && !matches!(partitioning, Partitioning::Single);
    let trace = ExchangeTrace {
        id: *id,
        map_stage,
        partitioning: partitioning.plan_string(),
        matrix,
        sample_keys,
        sample_key_hashes,
        coalesced: None,
        range_bounds: Vec::new(),
    };
    Ok(PendingShuffle { map_outputs, trace, adaptive })
}

/// The reduce side of one or more shuffles whose partitions must line up (the inputs of a sort-merge join): one
/// adaptive coalescing decision on their combined sizes, then each read with the same partition ranges.
fn read_shuffles(shuffles: Vec<PendingShuffle>, session: &Session) -> Vec<(Vec<ShuffleRead>, ExchangeTrace)> {
    let config = &session.config();
    let adaptive = config.adaptive_enabled && config.coalesce_partitions_enabled && shuffles.iter().all(|s| s.adaptive);
    let reduce_partitions = shuffles.iter().map(|s| s.trace.matrix.rows.first().map_or(0, Vec::len)).max().unwrap_or(0);
    let mut bytes = vec![0u64; reduce_partitions];
    for shuffle in &shuffles {
        for (total, b) in bytes.iter_mut().zip(shuffle.trace.matrix.bytes_per_reduce_partition()) {
            *total += b;
        }
    }
    let coalesced = adaptive.then(|| coalesce_partitions(&bytes, config, session.default_parallelism()));
    let one_each: Vec<(usize, usize)> = (0..reduce_partitions).map(|r| (r, r + 1)).collect();
    let ranges = coalesced.as_ref().map_or(one_each, |decision| decision.groups.clone());
    shuffles
        .into_iter()
        .map(|shuffle| {
            let partitions = shuffle_read(&shuffle.map_outputs, &ranges);
            (partitions, ExchangeTrace { coalesced: coalesced.clone(), ..shuffle.trace })
        })
        .collect()
}

/// Every join of the plan, top-down, with the reason for its strategy.
fn join_strategies(plan: &PhysicalPlan) -> Vec<crate::physical::JoinStrategy> {
    let own = match plan {
        PhysicalPlan::BroadcastHashJoin { join, .. }
        | PhysicalPlan::BroadcastNestedLoopJoin { join, .. }
        | PhysicalPlan::CartesianProduct { join, .. }
        | PhysicalPlan::SortMergeJoin { join, .. } => Some(join.strategy.clone()),
        _ => None,
    };
    own.into_iter().chain(plan.children().into_iter().flat_map(join_strategies)).collect()
}

/// The shuffles that feed each sort-merge join: their reduce partitions must be read with the same ranges.
fn copartitioned_groups(plan: &PhysicalPlan) -> Vec<Vec<usize>> {
    let mut groups = Vec::new();
    if let PhysicalPlan::SortMergeJoin { left, right, .. } = plan {
        let ids = exchanges_read_by(left).into_iter().chain(exchanges_read_by(right)).filter_map(|e| match e {
            PhysicalPlan::Exchange { id, .. } => Some(*id),
            _ => None,
        });
        groups.push(ids.collect());
    }
    for child in plan.children() {
        groups.extend(copartitioned_groups(child));
    }
    groups
}

/// Up to three distinct key values of a reduce partition, as text (`132` or `2024-01-01 00:00:00, 74`), each with
/// its Murmur3 hash (Spark's `hash(keys)`, whose `pmod` by the partition count chose the partition).
fn sample_keys(batches: &[RecordBatch], keys: &[crate::expr::Expr], columns: &[crate::expr::Attribute]) -> Result<Vec<(String, i32)>> {
    const SAMPLES: usize = 3;
    let mut samples: Vec<(String, i32)> = Vec::new();
    for batch in batches {
        let values = keys.iter().map(|k| evaluate(k, batch, columns)).collect::<Result<Vec<_>>>()?;
        let hashes = crate::partitioner::spark_hash(&values)?;
        for (row, hash) in hashes.into_iter().enumerate() {
            let key = values
                .iter()
                .map(|v| Value::from_array(v, row).map(|v| v.to_string()))
                .collect::<Result<Vec<_>>>()?
                .join(", ");
            if !samples.iter().any(|(seen, _)| *seen == key) {
                samples.push((key, hash));
                if samples.len() == SAMPLES {
                    return Ok(samples);
                }
            }
        }
    }
    Ok(samples)
}

/// Gives every task its id: its place in the order tasks started, as Spark numbers its tasks.
fn number_tasks(tasks: &mut [TaskRecord]) {
    tasks.sort_by_key(|t| (t.start_us, t.stage, t.partition));
    for (id, task) in tasks.iter_mut().enumerate() {
        task.id = id;
    }
}

/// The stage whose tasks run each operator (by operator number): every operator from a stage's root down to the
/// exchanges it reads, and the exchange the stage writes.
fn stage_of_operators(stages: &[Stage], ids: &OperatorIds) -> Vec<Option<usize>> {
    fn mark(node: &PhysicalPlan, stage: usize, ids: &OperatorIds, stage_of: &mut [Option<usize>]) {
        if let Some(number) = ids.of(node) {
            stage_of[number].get_or_insert(stage);
        }
        if !matches!(node, PhysicalPlan::Exchange { .. } | PhysicalPlan::BroadcastExchange { .. }) {
            for child in node.children() {
                mark(child, stage, ids, stage_of);
            }
        }
    }
    let mut stage_of = vec![None; ids.len()];
    for stage in stages {
        if let Some(exchange) = stage.writes {
            mark(exchange, stage.id, ids, &mut stage_of);
        }
        mark(stage.root, stage.id, ids, &mut stage_of);
    }
    stage_of
}
