//! The stage page: how the tasks of one stage compare.
//!
//! A stage is as slow as its slowest task: the next stage cannot start before every task has written its part.
//! Spark's UI therefore summarises a stage's tasks as quantiles — the fastest, the 25th percentile, the median,
//! the 75th percentile and the slowest — for each thing tasks do: run, read input, read and write shuffles. When
//! the slowest task is far above the others, one partition got more than its share of the work: *skew*, most
//! often one key with many more rows than the rest (all rows of a key go to the same partition). The summary
//! says so, naming the partition and the keys the shuffle sent there.

use crate::task::TaskRecord;
use crate::trace::JobTrace;

/// What a summary row counts, and so how it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryKind {
    /// Microseconds.
    Duration,
    Rows,
    Bytes,
}

/// One row of the summary: a task metric at the five quantiles.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub name: &'static str,
    pub kind: SummaryKind,
    /// Min, 25th percentile, median, 75th percentile, max.
    pub quantiles: [u64; 5],
}

/// The slowest task of a stage, when it is far slower than most.
#[derive(Debug, Clone, PartialEq)]
pub struct Skew {
    pub partition: usize,
    pub task: usize,
    pub duration_us: u64,
    pub p75_us: u64,
    /// The shuffle the stage reads, and the keys it sent to the slow task's partition.
    pub exchange: Option<usize>,
    pub keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StageSummary {
    pub stage: usize,
    pub tasks: usize,
    pub rows: Vec<SummaryRow>,
    pub skew: Option<Skew>,
}

/// A task metric: its name on the page, its kind, and how to read it off a task.
type Measure = (&'static str, SummaryKind, fn(&TaskRecord) -> u64);

/// Skew is worth a word when the slowest task takes this many times the 75th percentile…
const SKEW_FACTOR: f64 = 1.5;
/// …and longer than this (microseconds): below it, nobody waits long enough to care.
const SKEW_MIN_US: u64 = 100_000;

/// The summary of stage `stage` of `job`, or `None` if none of its tasks ran in this job.
pub fn stage_summary(job: &JobTrace, stage: usize) -> Option<StageSummary> {
    let tasks: Vec<&TaskRecord> = job.tasks.iter().filter(|t| t.stage == stage).collect();
    if tasks.is_empty() {
        return None;
    }
    let writes_shuffle = job.exchanges.iter().any(|e| e.map_stage == stage);
    let measures: [Measure; 7] = [
        ("Duration", SummaryKind::Duration, |t| t.end_us.saturating_sub(t.start_us)),
        ("Input rows", SummaryKind::Rows, |t| t.rows_in - t.shuffle_read_rows),
        ("Input size", SummaryKind::Bytes, |t| t.bytes_in),
        ("Shuffle read rows", SummaryKind::Rows, |t| t.shuffle_read_rows),
        ("Shuffle read size", SummaryKind::Bytes, |t| t.shuffle_read_bytes),
        ("Shuffle write rows", SummaryKind::Rows, |t| t.rows_out),
        ("Shuffle write size", SummaryKind::Bytes, |t| t.bytes_out),
    ];
    let mut rows: Vec<SummaryRow> = measures
        .iter()
        .filter(|(name, ..)| writes_shuffle || !name.starts_with("Shuffle write"))
        .map(|&(name, kind, value)| SummaryRow { name, kind, quantiles: quantiles(tasks.iter().map(|t| value(t)).collect()) })
        .collect();
    if !writes_shuffle {
        let output = quantiles(tasks.iter().map(|t| t.rows_out).collect());
        rows.push(SummaryRow { name: "Output rows", kind: SummaryKind::Rows, quantiles: output });
    }
    // A measure no task has (no shuffle read in a scan stage) is left out, as Spark's page leaves out its column.
    rows.retain(|row| row.name == "Duration" || row.quantiles[4] > 0);
    Some(StageSummary { stage, tasks: tasks.len(), skew: skew(job, stage, &tasks, &rows[0]), rows })
}

/// Values at 0, 25, 50, 75 and 100 percent of their sorted order (the nearest rank).
fn quantiles(mut values: Vec<u64>) -> [u64; 5] {
    values.sort_unstable();
    let last = values.len() - 1;
    [0.0, 0.25, 0.5, 0.75, 1.0].map(|q: f64| values[(q * last as f64).round() as usize])
}

fn skew(job: &JobTrace, stage: usize, tasks: &[&TaskRecord], durations: &SummaryRow) -> Option<Skew> {
    let [.., p75, slowest] = durations.quantiles;
    if slowest <= SKEW_MIN_US || (slowest as f64) <= SKEW_FACTOR * p75 as f64 {
        return None;
    }
    let task = tasks.iter().find(|t| t.end_us.saturating_sub(t.start_us) == slowest)?;
    let (exchange, keys) = keys_sent_to(job, stage, task.partition).unwrap_or_default();
    Some(Skew { partition: task.partition, task: task.id, duration_us: slowest, p75_us: p75, exchange, keys })
}

/// The shuffle stage `stage` reads, and the keys seen in its reduce partition `partition` (the partitions
/// adaptive execution merged into it, if it did).
fn keys_sent_to(job: &JobTrace, stage: usize, partition: usize) -> Option<(Option<usize>, Vec<String>)> {
    let parents = &job.stages.iter().find(|s| s.id == stage)?.parents;
    let exchange = job.exchanges.iter().find(|e| parents.contains(&e.map_stage) && !e.sample_keys.is_empty())?;
    let (start, end) = match &exchange.coalesced {
        Some(decision) => *decision.groups.get(partition)?,
        None => (partition, partition + 1),
    };
    let keys = exchange.sample_keys.get(start..end.min(exchange.sample_keys.len()))?.iter().flatten().cloned().collect();
    Some((Some(exchange.id), keys))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::StageTrace;

    fn task(id: usize, partition: usize, duration_ms: u64, rows_out: u64) -> TaskRecord {
        TaskRecord {
            id,
            stage: 0,
            partition,
            executor: 0,
            start_us: 0,
            end_us: duration_ms * 1000,
            rows_in: 10,
            bytes_in: 100,
            rows_out,
            bytes_out: 0,
            shuffle_read_rows: 0,
            shuffle_read_bytes: 0,
            files: Vec::new(),
        }
    }

    fn job(tasks: Vec<TaskRecord>) -> JobTrace {
        let stage = StageTrace {
            id: 0,
            operators: Vec::new(),
            parents: Vec::new(),
            partitions: tasks.len(),
            writes_exchange: None,
            output_sizes: Vec::new(),
            skipped: false,
            submitted_us: 0,
            completed_us: 0,
        };
        JobTrace { tasks, stages: vec![stage], ..JobTrace::default() }
    }

    #[test]
    fn quantiles_are_the_nearest_ranks() {
        assert_eq!(quantiles(vec![5]), [5; 5]);
        assert_eq!(quantiles(vec![4, 1, 3, 2, 5]), [1, 2, 3, 4, 5]);
        assert_eq!(quantiles((1..=9).collect()), [1, 3, 5, 7, 9]);
    }

    #[test]
    fn a_result_stage_shows_output_rows_and_no_shuffle_columns() {
        let summary = stage_summary(&job(vec![task(0, 0, 2, 7), task(1, 1, 4, 9)]), 0).unwrap();
        let names: Vec<&str> = summary.rows.iter().map(|r| r.name).collect();
        assert_eq!(names, ["Duration", "Input rows", "Input size", "Output rows"]);
        assert_eq!(summary.rows[3].quantiles, [7, 7, 9, 9, 9]);
        assert_eq!(summary.tasks, 2);
    }

    #[test]
    fn skew_needs_a_slow_task_well_above_the_75th_percentile() {
        let even = job((0..8).map(|i| task(i, i, 150, 1)).collect());
        assert_eq!(stage_summary(&even, 0).unwrap().skew, None);
        let mut tasks: Vec<TaskRecord> = (0..8).map(|i| task(i, i, 20, 1)).collect();
        tasks[5] = task(5, 5, 400, 1);
        let skew = stage_summary(&job(tasks.clone()), 0).unwrap().skew.unwrap();
        assert_eq!((skew.partition, skew.task, skew.duration_us, skew.p75_us), (5, 5, 400_000, 20_000));
        tasks[5] = task(5, 5, 90, 1);
        assert_eq!(stage_summary(&job(tasks), 0).unwrap().skew, None, "under 100 ms nobody waits");
    }
}
