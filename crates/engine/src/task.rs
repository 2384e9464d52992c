//! Tasks: the smallest piece of scheduled work.
//!
//! A task applies one stage's work to one partition, on one executor. A stage over 8 partitions is 8 tasks; with
//! 2 executors, at most 2 of them run at any moment and the rest wait for a free executor.

use serde::{Deserialize, Serialize};

/// What one task did, as recorded in the job trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// The task's id in its job: tasks are numbered in the order they started (Spark numbers them so across the
    /// whole application).
    #[serde(default)]
    pub id: usize,
    pub stage: usize,
    pub partition: usize,
    /// The executor thread that ran the task, `0..executors`.
    pub executor: usize,
    /// Microseconds since the job started.
    pub start_us: u64,
    pub end_us: u64,
    /// Rows read from the stage's inputs: files, memory and shuffles.
    pub rows_in: u64,
    /// Bytes read: the file ranges of a scan (as Spark's input size), or a table's Arrow memory; what came from
    /// shuffles is in `shuffle_read_bytes`.
    #[serde(default)]
    pub bytes_in: u64,
    /// Rows the task produced: written to the shuffle, or returned as results.
    #[serde(default)]
    pub rows_out: u64,
    #[serde(default)]
    pub bytes_out: u64,
    /// The part of `rows_in` fetched from shuffles, and its bytes in Spark's row format.
    #[serde(default)]
    pub shuffle_read_rows: u64,
    #[serde(default)]
    pub shuffle_read_bytes: u64,
    /// The files the task read (the last three parts of their paths), in the order it read them.
    #[serde(default)]
    pub files: Vec<String>,
}

/// What a task read and wrote, reported by its work function.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskIo {
    pub rows_in: u64,
    pub bytes_in: u64,
    pub rows_out: u64,
    pub bytes_out: u64,
    pub shuffle_read_rows: u64,
    pub shuffle_read_bytes: u64,
    pub files: Vec<String>,
}

impl TaskRecord {
    pub fn duration_ms(&self) -> f64 {
        self.end_us.saturating_sub(self.start_us) as f64 / 1e3
    }
}
