//! SQL metrics: what each operator counted while its tasks ran.
//!
//! Spark's SQL tab shows, beside every operator of a query, numbers that the operator's tasks added up as they
//! ran: the rows a filter let through, the bytes a shuffle wrote, the time an aggregation spent building its hash
//! table. Every task keeps its own count. A count of rows is shown as its total; a size or a time also as the
//! smallest, the median and the largest task's share — with the stage and task of the largest, which is where a
//! slow or skewed task gives itself away. Some numbers are the driver's own (how many files a scan lists, how many
//! partitions adaptive execution kept); they have no task.
//!
//! Kindling counts the same things under Spark's names: each task fills an [`OperatorCounters`] per operator of
//! its stage (through [`TaskMetrics`], handed down the operators as they run), and the job keeps every task's
//! counts beside the operator in its trace (see [`crate::plan_graph`]). [`Metric::spark_text`] writes a metric
//! the way Spark's UI writes it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow::array::RecordBatch;
use serde::{Deserialize, Serialize};

/// How a metric's values add up and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MetricKind {
    /// A count: `56,551`.
    Sum,
    /// Bytes: `1505.2 KiB`.
    Size,
    /// Milliseconds: `530 ms`.
    Timing,
}

/// One metric of one operator: a value per task (or the driver's values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Spark's name for it: `number of output rows`, `data size`, `time in aggregation build`.
    pub name: String,
    pub kind: MetricKind,
    pub values: Vec<MetricValue>,
}

/// One task's share of a metric, or one value the driver set (`task: None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricValue {
    pub task: Option<TaskRef>,
    pub value: u64,
}

/// A task by its stage and its task id (see [`crate::task::TaskRecord::id`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRef {
    pub stage: usize,
    pub task: usize,
}

impl Metric {
    pub fn new(name: &str, kind: MetricKind, values: Vec<MetricValue>) -> Self {
        Self { name: name.to_string(), kind, values }
    }

    /// A value the driver set.
    pub fn driver(name: &str, kind: MetricKind, value: u64) -> Self {
        Self::new(name, kind, vec![MetricValue { task: None, value }])
    }

    pub fn total(&self) -> u64 {
        self.values.iter().map(|v| v.value).sum()
    }

    /// The metric as Spark's SQL tab writes it: a count as its total (`56,551`); a size or time of one value as
    /// that value, of several as `total (min, med, max (stageId: taskId))` and below it the four numbers, the
    /// largest with its stage and task (`52 ms (15 ms, 37 ms, 37 ms (stage 1.0: task 8))`).
    pub fn spark_text(&self) -> String {
        let format = |value: u64| match self.kind {
            MetricKind::Sum => grouped(value),
            MetricKind::Size => bytes_to_string(value),
            MetricKind::Timing => duration_to_string(value),
        };
        if self.kind == MetricKind::Sum || self.values.len() <= 1 {
            return format(self.total());
        }
        let mut sorted = self.values.clone();
        sorted.sort_by_key(|v| v.value);
        let (min, med, max) = (sorted[0], sorted[sorted.len() / 2], sorted[sorted.len() - 1]);
        let numbers = format!("{} ({}, {}, {}", format(self.total()), format(min.value), format(med.value), format(max.value));
        match max.task {
            Some(TaskRef { stage, task }) => {
                format!("total (min, med, max (stageId: taskId))\n{numbers} (stage {stage}.0: task {task}))")
            }
            None => format!("total (min, med, max)\n{numbers})"),
        }
    }
}

/// A whole number with a comma every three digits, as Spark's UI writes counts.
pub fn grouped(value: u64) -> String {
    crate::display::group_thousands(&value.to_string())
}

/// Bytes as Spark writes them: one decimal, in the largest unit of which there are at least two.
pub fn bytes_to_string(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["TiB", "GiB", "MiB", "KiB", "B"];
    for (i, unit) in UNITS.iter().enumerate() {
        let size = 1u64 << (10 * (UNITS.len() - 1 - i));
        if bytes >= 2 * size || *unit == "B" {
            return format!("{:.1} {unit}", bytes as f64 / size as f64);
        }
    }
    unreachable!("the last unit takes every size")
}

/// Milliseconds as Spark writes a duration.
pub fn duration_to_string(ms: u64) -> String {
    const SECOND: u64 = 1000;
    const MINUTE: u64 = 60 * SECOND;
    const HOUR: u64 = 60 * MINUTE;
    match ms {
        ms if ms < SECOND => format!("{ms} ms"),
        ms if ms < MINUTE => format!("{:.1} s", ms as f64 / SECOND as f64),
        ms if ms < HOUR => format!("{:.1} m", ms as f64 / MINUTE as f64),
        ms => format!("{:.2} h", ms as f64 / HOUR as f64),
    }
}

/// What one task counted for one operator.
#[derive(Debug, Default)]
pub struct OperatorCounters {
    pub output_rows: AtomicU64,
    pub output_batches: AtomicU64,
    /// The operator's own time (scan time, aggregation build, sort), in microseconds.
    pub time_us: AtomicU64,
    /// The most memory the operator held at once (its groups, its sort buffer), in bytes.
    pub peak_memory: AtomicU64,
}

impl OperatorCounters {
    pub fn add_output(&self, batch: &RecordBatch) {
        self.output_rows.fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
        self.output_batches.fetch_add(1, Ordering::Relaxed);
    }

    pub fn add_time_ms(&self, ms: f64) {
        self.time_us.fetch_add((ms * 1e3).max(0.0) as u64, Ordering::Relaxed);
    }

    pub fn note_memory(&self, bytes: u64) {
        self.peak_memory.fetch_max(bytes, Ordering::Relaxed);
    }

    fn counts(&self) -> OperatorCounts {
        OperatorCounts {
            output_rows: self.output_rows.load(Ordering::Relaxed),
            output_batches: self.output_batches.load(Ordering::Relaxed),
            time_us: self.time_us.load(Ordering::Relaxed),
            peak_memory: self.peak_memory.load(Ordering::Relaxed),
        }
    }
}

/// A finished task's counts for one operator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OperatorCounts {
    pub output_rows: u64,
    pub output_batches: u64,
    pub time_us: u64,
    pub peak_memory: u64,
}

/// The operators of a job's plan, numbered: each operator's counters are found by its address in the plan, which
/// does not move while the job runs.
#[derive(Debug, Default)]
pub struct OperatorIds {
    by_address: HashMap<usize, usize>,
}

impl OperatorIds {
    /// Numbers the operators in the order `operators` lists them.
    pub fn new<T>(operators: &[&T]) -> Self {
        Self { by_address: operators.iter().enumerate().map(|(i, op)| (address(*op), i)).collect() }
    }

    pub fn len(&self) -> usize {
        self.by_address.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_address.is_empty()
    }

    pub fn of<T>(&self, operator: &T) -> Option<usize> {
        self.by_address.get(&address(operator)).copied()
    }
}

fn address<T>(operator: &T) -> usize {
    operator as *const T as usize
}

/// What one task counted: the rows and bytes it read from its stage's inputs, and each operator's counters.
#[derive(Debug, Default)]
pub struct TaskMetrics<'a> {
    pub input_rows: AtomicU64,
    pub input_bytes: AtomicU64,
    /// The part of the input fetched from shuffles, with its bytes in Spark's row format (as they were written).
    pub shuffle_read_rows: AtomicU64,
    pub shuffle_read_bytes: AtomicU64,
    /// The files the task read, by the end of their paths.
    files: Mutex<Vec<String>>,
    ids: Option<&'a OperatorIds>,
    operators: Vec<OperatorCounters>,
    /// Counts nothing: the counters of an operator the job did not number.
    unnumbered: OperatorCounters,
}

impl<'a> TaskMetrics<'a> {
    pub fn new(ids: &'a OperatorIds) -> Self {
        Self { ids: Some(ids), operators: (0..ids.len()).map(|_| OperatorCounters::default()).collect(), ..Self::default() }
    }

    /// Rows and bytes (Arrow memory) the task read from memory.
    pub fn record_input(&self, batches: &[RecordBatch]) {
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let bytes: usize = batches.iter().map(RecordBatch::get_array_memory_size).sum();
        self.input_rows.fetch_add(rows as u64, Ordering::Relaxed);
        self.input_bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// Rows read from files (their bytes are the file ranges the task reads, see [`Self::record_file_splits`]).
    pub fn record_file_rows(&self, batch: &RecordBatch) {
        self.input_rows.fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
    }

    /// The file ranges (splits) the task reads: their bytes, as Spark's input size counts them, and the files'
    /// names.
    pub fn record_file_splits<'s>(&self, splits: impl IntoIterator<Item = (&'s str, u64)>) {
        let mut files = self.files.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for (path, bytes) in splits {
            self.input_bytes.fetch_add(bytes, Ordering::Relaxed);
            let name = short_path(path);
            if !files.contains(&name) {
                files.push(name);
            }
        }
    }

    /// The names of the files the task read.
    pub fn files(&self) -> Vec<String> {
        self.files.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Rows the task fetched from a shuffle: input rows, and shuffle read (its bytes are counted there, not as
    /// input bytes, which are what the task read from files or memory).
    pub fn record_shuffle_read(&self, batches: &[RecordBatch]) {
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        self.input_rows.fetch_add(rows as u64, Ordering::Relaxed);
        self.shuffle_read_rows.fetch_add(rows as u64, Ordering::Relaxed);
        self.shuffle_read_bytes.fetch_add(batches.iter().map(crate::exchange::row_bytes).sum(), Ordering::Relaxed);
    }

    /// The counters of `operator`.
    pub fn of<T>(&self, operator: &T) -> &OperatorCounters {
        self.ids.and_then(|ids| ids.of(operator)).map_or(&self.unnumbered, |i| &self.operators[i])
    }

    /// Every operator's counts, by operator number.
    pub fn counts(&self) -> Vec<OperatorCounts> {
        self.operators.iter().map(OperatorCounters::counts).collect()
    }
}

/// The last three parts of a path (`2024/01/part-0.parquet`): enough to tell a layout's files apart.
fn short_path(path: &str) -> String {
    let mut parts: Vec<&str> = path.rsplit('/').take(3).collect();
    parts.reverse();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(stage: usize, task: usize, value: u64) -> MetricValue {
        MetricValue { task: Some(TaskRef { stage, task }), value }
    }

    #[test]
    fn counts_read_as_their_total_with_grouped_digits() {
        let rows = Metric::new("number of output rows", MetricKind::Sum, vec![task(0, 0, 31_000), task(0, 1, 625)]);
        assert_eq!(rows.spark_text(), "31,625");
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn sizes_take_the_largest_unit_with_at_least_two_of_it() {
        assert_eq!(bytes_to_string(0), "0.0 B");
        assert_eq!(bytes_to_string(2047), "2047.0 B");
        assert_eq!(bytes_to_string(2048), "2.0 KiB");
        assert_eq!(bytes_to_string(1_541_325), "1505.2 KiB");
        assert_eq!(bytes_to_string(32 << 20), "32.0 MiB");
    }

    #[test]
    fn durations_change_unit_at_a_second_a_minute_and_an_hour() {
        assert_eq!(duration_to_string(530), "530 ms");
        assert_eq!(duration_to_string(1_500), "1.5 s");
        assert_eq!(duration_to_string(90_000), "1.5 m");
        assert_eq!(duration_to_string(5_400_000), "1.50 h");
    }

    #[test]
    fn a_time_over_several_tasks_names_the_slowest_task() {
        let time = Metric::new("scan time", MetricKind::Timing, vec![task(1, 7, 15), task(1, 8, 37), task(1, 9, 0)]);
        assert_eq!(time.spark_text(), "total (min, med, max (stageId: taskId))\n52 ms (0 ms, 15 ms, 37 ms (stage 1.0: task 8))");
        let one = Metric::new("time in aggregation build", MetricKind::Timing, vec![task(0, 0, 530)]);
        assert_eq!(one.spark_text(), "530 ms");
    }

    #[test]
    fn driver_values_have_no_task() {
        let sizes = Metric::new(
            "partition data size",
            MetricKind::Size,
            vec![MetricValue { task: None, value: 4096 }, MetricValue { task: None, value: 8192 }],
        );
        assert_eq!(sizes.spark_text(), "total (min, med, max)\n12.0 KiB (4.0 KiB, 8.0 KiB, 8.0 KiB)");
    }
}
