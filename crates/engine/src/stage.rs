//! Stages: the pieces a job is cut into at its exchanges.
//!
//! Inside a stage rows never leave their partition: a task reads one partition and pushes it through every
//! operator of the stage (scan → filter → partial aggregate, say) without waiting for anyone. An exchange needs
//! *all* map tasks to finish before any reduce task can start, so it ends one stage and starts the next. A group-by
//! is therefore two stages; the second one's parent is the first. Stages run parents first; the last one — the
//! *result stage* — hands its partitions to the action.

use std::collections::HashMap;

use arrow::array::RecordBatch;

use crate::adaptive::coalesce_partitions;
use crate::exchange::{MapOutputs, Partitioning, row_bytes, shuffle_matrix, shuffle_read, shuffle_write};
use crate::expr::eval::evaluate;
use crate::partition::PartitionSize;
use crate::physical::{ExecutionContext, PhysicalPlan, ShuffleOrigin, TaskInput};
use crate::scheduler::run_tasks;
use crate::sort::RangeBounds;
use crate::session::Session;
use crate::task::{TaskIo, TaskRecord};
use crate::trace::{ExchangeTrace, JobTrace, StageTrace};
use crate::value::Value;
use crate::Result;

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
            let PhysicalPlan::Exchange { input, .. } = exchange else { unreachable!("only exchanges are collected") };
            add_stage(input, Some(exchange), stages)
        })
        .collect();
    let id = stages.len();
    stages.push(Stage { id, root, writes, parents });
    id
}

/// The exchanges a stage rooted at `node` reads from: the nearest ones below it.
fn exchanges_read_by(node: &PhysicalPlan) -> Vec<&PhysicalPlan> {
    match node {
        PhysicalPlan::Exchange { .. } => vec![node],
        other => other.children().into_iter().flat_map(exchanges_read_by).collect(),
    }
}

/// The operators of a stage, top-down, each by its short name (`HashAggregate`, `Exchange`, `FileScan parquet`).
fn operators(node: &PhysicalPlan) -> Vec<String> {
    let text = node.node_string();
    let name = match node {
        PhysicalPlan::FileScan { .. } => text.split(' ').take(2).collect::<Vec<_>>().join(" "),
        _ => text.split(['(', ' ']).next().unwrap_or_default().to_string(),
    };
    let mut names = vec![name];
    if !matches!(node, PhysicalPlan::Exchange { .. }) {
        names.extend(node.children().into_iter().flat_map(operators));
    }
    names
}

/// What one task hands back.
enum TaskOutput {
    Shuffle(Vec<Vec<RecordBatch>>),
    Rows(Vec<RecordBatch>),
}

/// Runs a physical plan as a job: every stage, parents first. Returns the result stage's rows in partition order
/// and the trace of everything that happened.
pub fn run_job(plan: &PhysicalPlan, session: &Session, description: &str) -> Result<(Vec<RecordBatch>, JobTrace)> {
    let clock = session.clock.as_ref();
    let job_start = clock.now_ms();
    let mut context = ExecutionContext { session, shuffles: HashMap::new() };
    let mut trace = JobTrace {
        description: description.to_string(),
        executors: session.executors.count(),
        physical_plan: plan.tree_string(),
        ..JobTrace::default()
    };
    let mut rows = Vec::new();
    for stage in split_into_stages(plan) {
        let count = stage.root.partition_count(&context);
        let output = session.executors.run(|| {
            run_tasks(stage.id, count, &session.executors, clock, job_start, |task| run_task(&stage, task, &context))
        })?;
        trace.stages.push(StageTrace {
            id: stage.id,
            operators: operators(stage.root),
            parents: stage.parents.clone(),
            partitions: count,
            writes_exchange: stage.writes.map(exchange_id),
            output_sizes: output.tasks.iter().map(|t| PartitionSize { partition: t.partition, rows: t.rows_out, bytes: t.bytes_out }).collect(),
        });
        if stage.id == 0 {
            trace.partitions = input_sizes(&output.tasks);
        }
        trace.tasks.extend(output.tasks);
        match stage.writes {
            Some(exchange) => {
                let (map_outputs, range_bounds) = map_outputs(exchange, output.results)?;
                let (reduce_partitions, mut exchange_trace) = finish_shuffle(exchange, stage.id, map_outputs, session)?;
                exchange_trace.range_bounds = range_bounds;
                context.shuffles.insert(exchange_trace.id, reduce_partitions);
                trace.exchanges.push(exchange_trace);
            }
            None => {
                for result in output.results {
                    if let TaskOutput::Rows(batches) = result {
                        rows.extend(batches);
                    }
                }
            }
        }
    }
    trace.duration_us = crate::scheduler::micros_since(clock, job_start);
    Ok((rows, trace))
}

/// The buckets every map task wrote. A range exchange first needs boundaries, which depend on every map task's
/// keys: its tasks hand back their rows, the boundaries are chosen from a sample, and the rows are split then.
fn map_outputs(exchange: &PhysicalPlan, results: Vec<TaskOutput>) -> Result<(MapOutputs, Vec<String>)> {
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
    let buckets = rows
        .iter()
        .enumerate()
        .map(|(map, batches)| shuffle_write(map, batches, partitioning, &columns, Some(&bounds)))
        .collect::<Result<_>>()?;
    Ok((buckets, bounds.shown))
}

fn exchange_id(exchange: &PhysicalPlan) -> usize {
    match exchange {
        PhysicalPlan::Exchange { id, .. } => *id,
        _ => unreachable!("stages write only into exchanges"),
    }
}

fn input_sizes(tasks: &[TaskRecord]) -> Vec<PartitionSize> {
    tasks.iter().map(|t| PartitionSize { partition: t.partition, rows: t.rows_in, bytes: t.bytes_in }).collect()
}

fn run_task(stage: &Stage, task: usize, context: &ExecutionContext) -> Result<(TaskOutput, TaskIo)> {
    let input = TaskInput::default();
    let batches = stage.root.execute(task, context, &input)?;
    let mut io = TaskIo {
        rows_in: input.rows.load(std::sync::atomic::Ordering::Relaxed),
        bytes_in: input.bytes.load(std::sync::atomic::Ordering::Relaxed),
        rows_out: batches.iter().map(|b| b.num_rows() as u64).sum(),
        bytes_out: batches.iter().map(row_bytes).sum(),
    };
    let Some(PhysicalPlan::Exchange { partitioning, .. }) = stage.writes else {
        return Ok((TaskOutput::Rows(batches), io));
    };
    if matches!(partitioning, Partitioning::Range { .. }) {
        return Ok((TaskOutput::Rows(batches), io));
    }
    let buckets = shuffle_write(task, &batches, partitioning, &stage.root.output(), None)?;
    io.bytes_out = buckets.iter().flatten().map(row_bytes).sum();
    Ok((TaskOutput::Shuffle(buckets), io))
}

/// The reduce side of an exchange once every map task is done: gathers each reduce partition, lets adaptive
/// execution merge small ones, and records the shuffle.
fn finish_shuffle(
    exchange: &PhysicalPlan,
    map_stage: usize,
    map_outputs: MapOutputs,
    session: &Session,
) -> Result<(Vec<Vec<RecordBatch>>, ExchangeTrace)> {
    let PhysicalPlan::Exchange { id, partitioning, origin, input } = exchange else {
        unreachable!("stages write only into exchanges")
    };
    let matrix = shuffle_matrix(&map_outputs);
    let reduce_partitions = partitioning.partition_count();
    let one_each: Vec<(usize, usize)> = (0..reduce_partitions).map(|r| (r, r + 1)).collect();
    let sample_keys = match partitioning {
        Partitioning::Hash { keys, .. } => {
            let columns = input.output();
            shuffle_read(&map_outputs, &one_each)
                .iter()
                .map(|p| sample_keys(&p.batches, keys, &columns))
                .collect::<Result<Vec<_>>>()?
        }
        _ => Vec::new(),
    };
    let config = &session.config;
    let adaptive = config.adaptive_enabled
        && config.coalesce_partitions_enabled
        && *origin == ShuffleOrigin::EnsureRequirements
        && !matches!(partitioning, Partitioning::Single);
    let coalesced = adaptive.then(|| {
        coalesce_partitions(&matrix.bytes_per_reduce_partition(), config, session.default_parallelism())
    });
    let ranges = coalesced.as_ref().map_or(one_each, |decision| decision.groups.clone());
    let partitions = shuffle_read(&map_outputs, &ranges).into_iter().map(|p| p.batches).collect();
    let trace = ExchangeTrace {
        id: *id,
        map_stage,
        partitioning: partitioning.plan_string(),
        matrix,
        sample_keys,
        coalesced,
        range_bounds: Vec::new(),
    };
    Ok((partitions, trace))
}

/// Up to three distinct key values of a reduce partition, as text (`132` or `2024-01-01 00:00:00, 74`).
fn sample_keys(batches: &[RecordBatch], keys: &[crate::expr::Expr], columns: &[crate::expr::Attribute]) -> Result<Vec<String>> {
    const SAMPLES: usize = 3;
    let mut samples: Vec<String> = Vec::new();
    for batch in batches {
        let values = keys.iter().map(|k| evaluate(k, batch, columns)).collect::<Result<Vec<_>>>()?;
        for row in 0..batch.num_rows() {
            let key = values
                .iter()
                .map(|v| Value::from_array(v, row).map(|v| v.to_string()))
                .collect::<Result<Vec<_>>>()?
                .join(", ");
            if !samples.contains(&key) {
                samples.push(key);
                if samples.len() == SAMPLES {
                    return Ok(samples);
                }
            }
        }
    }
    Ok(samples)
}
