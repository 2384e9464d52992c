//! Building the plan graph when a job ends: walking the physical plan top-down, adding Spark's extra nodes, and
//! turning every task's counts into metrics under Spark's names.

use std::collections::HashMap;

use crate::broadcast::BroadcastTrace;
use crate::exchange::Partitioning;
use crate::logical::{FileFormat, Source};
use crate::metrics::{Metric, MetricKind, MetricValue, OperatorCounts, OperatorIds, TaskRef};
use crate::physical::PhysicalPlan;
use crate::trace::{ExchangeTrace, JobTrace};

use super::{PlanEdge, PlanGraph, PlanNode};

/// What one finished task counted, for every operator of the plan (by operator number).
#[derive(Debug, Clone)]
pub struct TaskCounts {
    pub stage: usize,
    pub partition: usize,
    pub counts: Vec<OperatorCounts>,
}

/// The plan's operators, each before its inputs: the numbering [`OperatorIds`] and [`TaskCounts`] use.
pub fn operators_in_order(plan: &PhysicalPlan) -> Vec<&PhysicalPlan> {
    let mut all = vec![plan];
    for child in plan.children() {
        all.extend(operators_in_order(child));
    }
    all
}

/// What the graph is built from.
pub struct GraphInputs<'a> {
    pub plan: &'a PhysicalPlan,
    pub ids: &'a OperatorIds,
    /// The stage that runs each operator, by operator number.
    pub stage_of: &'a [Option<usize>],
    pub tasks: &'a [TaskCounts],
    pub trace: &'a JobTrace,
    /// Whether the job ran as an adaptive plan (Spark's `AdaptiveSparkPlan` on top).
    pub adaptive: bool,
}

impl PlanGraph {
    pub fn build(inputs: &GraphInputs) -> Self {
        let task_ids = inputs.trace.tasks.iter().map(|t| ((t.stage, t.partition), t.id)).collect();
        let mut builder = Builder { inputs, task_ids, graph: PlanGraph::default() };
        if inputs.adaptive {
            let top = builder.node("AdaptiveSparkPlan", "AdaptiveSparkPlan isFinalPlan=true".into(), None, Vec::new());
            let root = builder.add(inputs.plan);
            builder.edge(root, top);
        } else {
            builder.add(inputs.plan);
        }
        builder.graph
    }
}

struct Builder<'a> {
    inputs: &'a GraphInputs<'a>,
    /// Each task's id, by its stage and partition.
    task_ids: HashMap<(usize, usize), usize>,
    graph: PlanGraph,
}

impl Builder<'_> {
    fn node(&mut self, name: &str, description: String, stage: Option<usize>, metrics: Vec<Metric>) -> usize {
        let id = self.graph.nodes.len();
        self.graph.nodes.push(PlanNode { id, name: name.to_string(), description, stage, metrics });
        id
    }

    fn edge(&mut self, from: usize, to: usize) {
        self.graph.edges.push(PlanEdge { from, to });
    }

    /// Adds `plan` and everything below it; returns the id of the node rows leave `plan` from.
    fn add(&mut self, plan: &PhysicalPlan) -> usize {
        let number = self.inputs.ids.of(plan).expect("every operator of the plan is numbered");
        let stage = self.inputs.stage_of[number];
        let counts = self.counts(plan, number);
        let top = match plan {
            PhysicalPlan::FileScan { scan, .. } if matches!(scan.source.as_ref(), Source::Files { format: FileFormat::Parquet, .. }) => {
                let converted = vec![
                    Metric::new("number of output rows", MetricKind::Sum, counts.values(|c| c.output_rows)),
                    Metric::new("number of input batches", MetricKind::Sum, counts.values(|c| c.output_batches)),
                ];
                Some(self.node("ColumnarToRow", "ColumnarToRow".into(), stage, converted))
            }
            PhysicalPlan::Exchange { id, .. } => coalesced_read(self.inputs.trace, *id)
                .map(|(reading_stage, metrics)| self.node("AQEShuffleRead", "AQEShuffleRead coalesced".into(), reading_stage, metrics)),
            _ => None,
        };
        let metrics = self.metrics_of(plan, &counts);
        let own = self.node(&node_name(plan), plan.node_string(), stage, metrics);
        if let Some(top) = top {
            self.edge(own, top);
        }
        for child in plan.children() {
            let input = self.add(child);
            self.edge(input, own);
        }
        top.unwrap_or(own)
    }

    /// The operator's counts in the tasks that ran it: its stage's, or for an exchange, the stage reading it.
    fn counts(&self, plan: &PhysicalPlan, number: usize) -> Counts {
        let stage = self.inputs.stage_of[number];
        let per_task = self
            .inputs
            .tasks
            .iter()
            .filter(|t| stage == Some(t.stage) || reads_in_stage(self.inputs, plan, stage, t.stage))
            .map(|t| {
                let task = self.task_ids.get(&(t.stage, t.partition)).copied().unwrap_or(t.partition);
                (TaskRef { stage: t.stage, task }, t.counts[number])
            })
            .collect();
        Counts { per_task }
    }

    fn trace_of_broadcast(&self, id: usize) -> Option<&BroadcastTrace> {
        self.inputs.trace.broadcasts.iter().find(|b| b.id == id)
    }

    /// The metrics Spark's UI shows for this kind of operator, under Spark's names.
    fn metrics_of(&self, plan: &PhysicalPlan, counts: &Counts) -> Vec<Metric> {
        let output_rows = || Metric::new("number of output rows", MetricKind::Sum, counts.values(|c| c.output_rows));
        let time = |name: &str| Metric::new(name, MetricKind::Timing, counts.values(|c| c.time_us / 1000));
        let peak_memory = || Metric::new("peak memory", MetricKind::Size, counts.values(|c| c.peak_memory));
        match plan {
            PhysicalPlan::FileScan { scan, .. } => {
                let Source::Files { files, partition_columns, .. } = scan.source.as_ref() else { return vec![output_rows()] };
                let mut metrics = vec![
                    output_rows(),
                    Metric::driver("number of files read", MetricKind::Sum, files.len() as u64),
                    Metric::driver("size of files read", MetricKind::Size, files.iter().map(|f| f.size).sum()),
                    time("scan time"),
                ];
                if !partition_columns.is_empty() {
                    let mut folders: Vec<&str> = files.iter().map(|f| f.path.rsplit_once('/').map_or("", |(folder, _)| folder)).collect();
                    folders.sort_unstable();
                    folders.dedup();
                    metrics.push(Metric::driver("number of partitions read", MetricKind::Sum, folders.len() as u64));
                }
                metrics
            }
            PhysicalPlan::HashAggregate { .. } => vec![output_rows(), time("time in aggregation build"), peak_memory()],
            PhysicalPlan::Sort { .. } => vec![output_rows(), time("sort time"), peak_memory()],
            PhysicalPlan::Exchange { id, partitioning, .. } => self.exchange_metrics(*id, partitioning, counts),
            PhysicalPlan::BroadcastExchange { id, .. } => match self.trace_of_broadcast(*id) {
                Some(broadcast) => vec![
                    Metric::driver("data size", MetricKind::Size, broadcast.bytes),
                    Metric::driver("number of output rows", MetricKind::Sum, broadcast.rows),
                    Metric::driver("time to collect", MetricKind::Timing, broadcast.collect_us / 1000),
                    Metric::driver("time to build", MetricKind::Timing, broadcast.build_us / 1000),
                    Metric::driver("time to broadcast", MetricKind::Timing, broadcast.broadcast_us / 1000),
                ],
                None => Vec::new(),
            },
            _ => vec![output_rows()],
        }
    }

    /// A shuffle's map tasks' writes (the rows of its matrix: one per map task) and its reduce tasks' reads. A map
    /// stage an earlier job ran (an RDD's kept shuffle) has no task in this job: its writes have no task either.
    fn exchange_metrics(&self, id: usize, partitioning: &Partitioning, counts: &Counts) -> Vec<Metric> {
        let Some(exchange) = exchange_trace(self.inputs.trace, id) else { return Vec::new() };
        let map_task = |partition: usize| {
            let ran = self.inputs.trace.tasks.iter().find(|t| t.stage == exchange.map_stage && t.partition == partition);
            ran.map(|t| TaskRef { stage: t.stage, task: t.id })
        };
        let per_map_task = |matrix: &[Vec<u64>]| -> Vec<MetricValue> {
            matrix.iter().enumerate().map(|(map, row)| MetricValue { task: map_task(map), value: row.iter().sum() }).collect()
        };
        let read: Vec<MetricValue> = counts
            .per_task
            .iter()
            .filter(|(task, _)| task.stage != exchange.map_stage)
            .map(|(task, c)| MetricValue { task: Some(*task), value: c.output_rows })
            .collect();
        vec![
            Metric::new("data size", MetricKind::Size, per_map_task(&exchange.matrix.bytes)),
            Metric::new("shuffle bytes written", MetricKind::Size, per_map_task(&exchange.matrix.bytes)),
            Metric::new("shuffle records written", MetricKind::Sum, per_map_task(&exchange.matrix.rows)),
            Metric::new("records read", MetricKind::Sum, read),
            Metric::driver("number of partitions", MetricKind::Sum, partitioning.partition_count() as u64),
        ]
    }
}

fn exchange_trace(trace: &JobTrace, id: usize) -> Option<&ExchangeTrace> {
    trace.exchanges.iter().find(|e| e.id == id)
}

/// The stage reading exchange `id` and the metrics of its `AQEShuffleRead`, when adaptive execution coalesced the
/// exchange's reduce partitions.
fn coalesced_read(trace: &JobTrace, id: usize) -> Option<(Option<usize>, Vec<Metric>)> {
    let exchange = exchange_trace(trace, id)?;
    let decision = exchange.coalesced.as_ref().filter(|d| d.groups.len() < d.before)?;
    let bytes = exchange.matrix.bytes_per_reduce_partition();
    let sizes: Vec<u64> = decision.groups.iter().map(|(start, end)| bytes[*start..*end].iter().sum()).collect();
    let reading_stage = trace.stages.iter().find(|s| s.parents.contains(&exchange.map_stage)).map(|s| s.id);
    let metrics = vec![
        Metric::driver("number of partitions", MetricKind::Sum, sizes.len() as u64),
        Metric::new("partition data size", MetricKind::Size, sizes.iter().map(|&value| MetricValue { task: None, value }).collect()),
        Metric::driver("number of coalesced partitions", MetricKind::Sum, sizes.len() as u64),
    ];
    Some((reading_stage, metrics))
}

/// An exchange is written by its map stage's tasks and read by the tasks of the stage above it: its counters are
/// filled in the reading stage.
fn reads_in_stage(inputs: &GraphInputs, operator: &PhysicalPlan, map_stage: Option<usize>, stage: usize) -> bool {
    let (PhysicalPlan::Exchange { .. }, Some(map_stage)) = (operator, map_stage) else { return false };
    inputs.trace.stages.iter().any(|s| s.id == stage && s.parents.contains(&map_stage))
}

/// One operator's counts in each task that ran it.
struct Counts {
    per_task: Vec<(TaskRef, OperatorCounts)>,
}

impl Counts {
    fn values(&self, value: impl Fn(&OperatorCounts) -> u64) -> Vec<MetricValue> {
        self.per_task.iter().map(|(task, c)| MetricValue { task: Some(*task), value: value(c) }).collect()
    }
}

/// Spark's name for the operator's node.
fn node_name(plan: &PhysicalPlan) -> String {
    match plan {
        PhysicalPlan::FileScan { scan, .. } => match scan.source.as_ref() {
            Source::Files { format, .. } => format!("Scan {}", format.name()),
            _ => "Scan".to_string(),
        },
        PhysicalPlan::LocalTableScan { scan, .. } if scan.reads_rdd() => "Scan ExistingRDD".to_string(),
        PhysicalPlan::MapPartitions { function, .. } => function.name(),
        other => other.node_string().split(['(', ' ']).next().unwrap_or_default().to_string(),
    }
}
