//! The job trace: everything a job did, recorded as it ran.
//!
//! The trace is the only input of every visualisation. The UI never re-derives execution facts; it draws what
//! the engine wrote here. It serialises with serde, so the CLI can save it and the browser can open it.

use serde::{Deserialize, Serialize};

use crate::partition::PartitionSize;
use crate::task::TaskRecord;

/// One action's job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobTrace {
    /// What the job computed, in words.
    pub description: String,
    /// How many executor threads the job could use.
    pub executors: usize,
    pub partitions: Vec<PartitionSize>,
    pub tasks: Vec<TaskRecord>,
    pub duration_ms: f64,
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
