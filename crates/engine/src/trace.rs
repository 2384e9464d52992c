//! The job trace: everything a job did, recorded as it ran.
//!
//! The trace is the only input of every visualisation. The UI never re-derives execution facts; it draws what
//! the engine wrote here. It serialises with serde, so the CLI can save it and the browser can open it.

use serde::{Deserialize, Serialize};

use crate::adaptive::CoalesceDecision;
use crate::broadcast::BroadcastTrace;
use crate::physical::JoinStrategy;
use crate::exchange::ShuffleMatrix;
use crate::partition::PartitionSize;
use crate::plan_graph::PlanGraph;
use crate::task::TaskRecord;

/// The version of the trace format this engine writes. Version 2 added the plan graph with every operator's
/// metrics and task ids; a trace without a `version` is version 1 and opens without them.
pub const TRACE_VERSION: u32 = 2;

/// One action's job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobTrace {
    /// The trace format's version ([`TRACE_VERSION`] when this engine wrote it).
    #[serde(default = "version_one")]
    pub version: u32,
    /// What the job computed, in words.
    pub description: String,
    /// How many executor threads the job could use.
    pub executors: usize,
    pub partitions: Vec<PartitionSize>,
    pub tasks: Vec<TaskRecord>,
    /// Microseconds from the job's start to its end.
    pub duration_us: u64,
    /// The stages in the order they ran (parents before children).
    #[serde(default)]
    pub stages: Vec<StageTrace>,
    /// Every shuffle: what moved where.
    #[serde(default)]
    pub exchanges: Vec<ExchangeTrace>,
    /// Every broadcast: what was copied to each executor.
    #[serde(default)]
    pub broadcasts: Vec<BroadcastTrace>,
    /// Every join's strategy and why the planner chose it.
    #[serde(default)]
    pub joins: Vec<JoinStrategy>,
    /// The physical plan that ran, as a tree.
    #[serde(default)]
    pub physical_plan: String,
    /// What `explain()` prints for the DataFrame after this job (with adaptive execution: its final plan).
    #[serde(default)]
    pub explain: String,
    /// The operators that ran, with what each one counted (Spark's SQL tab).
    #[serde(default)]
    pub plan_graph: PlanGraph,
}

impl Default for JobTrace {
    fn default() -> Self {
        Self {
            version: TRACE_VERSION,
            description: String::new(),
            executors: 0,
            partitions: Vec::new(),
            tasks: Vec::new(),
            duration_us: 0,
            stages: Vec::new(),
            exchanges: Vec::new(),
            broadcasts: Vec::new(),
            joins: Vec::new(),
            physical_plan: String::new(),
            explain: String::new(),
            plan_graph: PlanGraph::default(),
        }
    }
}

fn version_one() -> u32 {
    1
}

/// One stage of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageTrace {
    pub id: usize,
    /// The operators the stage's tasks run, from the top (output) down to the inputs.
    pub operators: Vec<String>,
    /// The stages whose shuffle output this stage reads.
    pub parents: Vec<usize>,
    /// Tasks = partitions.
    pub partitions: usize,
    /// The exchange the stage writes to; `None` for the result stage.
    pub writes_exchange: Option<usize>,
    /// Rows and bytes each task produced.
    pub output_sizes: Vec<PartitionSize>,
    /// Not run: an earlier job wrote the shuffle it would write (see [`crate::shuffle_dependency`]).
    #[serde(default)]
    pub skipped: bool,
    /// Microseconds from the job's start to the stage's submission (its parents were done) and to its last task's
    /// end.
    #[serde(default)]
    pub submitted_us: u64,
    #[serde(default)]
    pub completed_us: u64,
}

/// One shuffle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExchangeTrace {
    pub id: usize,
    /// The stage that wrote it (its map side).
    pub map_stage: usize,
    /// `hashpartitioning(PULocationID#3, 200)`
    pub partitioning: String,
    pub matrix: ShuffleMatrix,
    /// Up to a few key values seen in each reduce partition (hash partitioning only).
    pub sample_keys: Vec<Vec<String>>,
    /// Each sample key's Murmur3 hash (Spark's `hash(keys)`): its reduce partition is `pmod(hash, partitions)`.
    #[serde(default)]
    pub sample_key_hashes: Vec<Vec<i32>>,
    /// What adaptive execution did with the reduce partitions, if anything.
    pub coalesced: Option<CoalesceDecision>,
    /// A range exchange's boundaries (key values), from its sample: partition i gets keys up to bound i.
    #[serde(default)]
    pub range_bounds: Vec<String>,
}

impl JobTrace {
    /// The distinct executors that ran at least one task, ascending.
    pub fn executors_used(&self) -> Vec<usize> {
        let mut used: Vec<usize> = self.tasks.iter().map(|t| t.executor).collect();
        used.sort_unstable();
        used.dedup();
        used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_one_trace_still_opens_without_a_plan_graph() {
        let old = r#"{"description": "collect", "executors": 2, "partitions": [], "duration_us": 1500,
            "tasks": [{"stage": 0, "partition": 0, "executor": 1, "start_us": 10, "end_us": 90, "rows_in": 5}]}"#;
        let trace: JobTrace = serde_json::from_str(old).unwrap();
        assert_eq!(trace.version, 1);
        assert!(trace.plan_graph.nodes.is_empty());
        assert_eq!((trace.tasks[0].id, trace.tasks[0].executor), (0, 1));
        assert_eq!(JobTrace::default().version, TRACE_VERSION);
    }
}
