//! The scheduler: turns a stage into tasks and runs them on the executors.
//!
//! Spark's scheduler works in waves. When a stage starts, every free executor slot is offered a task at once, so
//! the first N tasks start side by side on the N slots. From then on, whichever slot finishes first takes the next
//! pending task. Which slot ends up running which later task is decided at run time and differs between runs;
//! the *results* never do: they are put back in partition order, whatever ran where.
//!
//! The scheduler also counts tasks as they finish (the progress bar) and stops handing out tasks once the job is
//! cancelled ([`RunControl`]).

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::{EngineError, Result};
use crate::clock::Clock;
use crate::executor::Executors;
use crate::partition::Partition;
use crate::task::{TaskIo, TaskRecord};

/// Watched and steered from outside a running job: how many tasks have finished out of how many started, and
/// whether the user asked to stop.
#[derive(Debug, Default)]
pub struct RunControl {
    cancel: Arc<AtomicBool>,
    tasks_total: AtomicUsize,
    tasks_done: AtomicUsize,
}

impl RunControl {
    /// A control whose cancel switch is `cancel` (shared with whatever else should stop with the job).
    pub fn with_cancel(cancel: Arc<AtomicBool>) -> Self {
        Self { cancel, ..Self::default() }
    }

    /// Asks the running job to stop: tasks already running finish, no new task starts.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Tasks finished and tasks scheduled so far, over every stage since the last [`RunControl::reset`].
    pub fn progress(&self) -> (usize, usize) {
        (self.tasks_done.load(Ordering::Relaxed), self.tasks_total.load(Ordering::Relaxed))
    }

    /// Zeroes the counts and clears the cancel switch before a new run.
    pub fn reset(&self) {
        self.cancel.store(false, Ordering::Relaxed);
        self.tasks_total.store(0, Ordering::Relaxed);
        self.tasks_done.store(0, Ordering::Relaxed);
    }
}

/// The outcome of one stage: each partition's result in partition order, and what each task did.
pub struct StageOutput<T> {
    pub results: Vec<T>,
    pub tasks: Vec<TaskRecord>,
}

/// Runs `work` as one task per partition on `executors`. Times are measured on `clock` from `job_start_ms`.
pub fn run_stage<T, F>(
    stage: usize,
    partitions: &[Partition],
    executors: &Executors,
    clock: &dyn Clock,
    job_start_ms: f64,
    work: F,
) -> Result<StageOutput<T>>
where
    T: Send,
    F: Fn(&Partition) -> Result<T> + Sync,
{
    run_tasks(stage, partitions.len(), executors, clock, job_start_ms, |task| {
        let partition = &partitions[task];
        let rows_in = partition.num_rows() as u64;
        Ok((work(partition)?, TaskIo { rows_in, bytes_in: partition.size_bytes() as u64, ..TaskIo::default() }))
    })
}

/// Runs tasks `0..count` of `stage` on `executors`; `work(task)` returns the task's result and what it read and
/// wrote. The first failing task fails the stage; executors take no new tasks after a failure.
pub fn run_tasks<T, F>(
    stage: usize,
    count: usize,
    executors: &Executors,
    clock: &dyn Clock,
    job_start_ms: f64,
    work: F,
) -> Result<StageOutput<T>>
where
    T: Send,
    F: Fn(usize) -> Result<(T, TaskIo)> + Sync,
{
    let mut outputs = run_task_sets(&[TaskSet { stage, partitions: 0..count }], executors, clock, job_start_ms, |_, task| work(task))?;
    Ok(outputs.remove(0))
}

/// The tasks of one stage: one per partition of `partitions` (all of the stage's, except where an action needs
/// only some: `take` computes a few partitions at a time).
#[derive(Debug, Clone)]
pub struct TaskSet {
    pub stage: usize,
    pub partitions: Range<usize>,
}

/// Runs the tasks of several stages that are ready together (their parents have all run), as Spark does: the
/// stages' tasks queue one after the other in stage order, and a free slot takes the next task of the queue,
/// whichever stage it belongs to — so one stage's last tasks overlap with the next stage's first.
/// `work(set, task)` runs task `task` of `sets[set]`. One output per set, in order.
pub fn run_task_sets<T, F>(
    sets: &[TaskSet],
    executors: &Executors,
    clock: &dyn Clock,
    job_start_ms: f64,
    work: F,
) -> Result<Vec<StageOutput<T>>>
where
    T: Send,
    F: Fn(usize, usize) -> Result<(T, TaskIo)> + Sync,
{
    let queue: Vec<(usize, usize)> =
        sets.iter().enumerate().flat_map(|(set, s)| s.partitions.clone().map(move |task| (set, task))).collect();
    let slots = executors.count();
    let control = executors.control();
    control.tasks_total.fetch_add(queue.len(), Ordering::Relaxed);
    let next_pending = AtomicUsize::new(slots);
    let failed = AtomicBool::new(false);
    let run_task = |(set, task): (usize, usize), executor: usize| -> Result<(usize, T, TaskRecord)> {
        let stage = sets[set].stage;
        if control.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let start_us = micros_since(clock, job_start_ms);
        // A panic is a bug in Kindling; it fails this task with an error instead of taking the executor down.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(set, task)))
            .unwrap_or_else(|panic| Err(EngineError::Internal(format!("task {task} of stage {stage} panicked: {}", panic_message(&*panic)))));
        let end_us = micros_since(clock, job_start_ms);
        control.tasks_done.fetch_add(1, Ordering::Relaxed);
        let (value, io) = result?;
        let record = TaskRecord {
            id: 0,
            stage,
            partition: task,
            executor,
            start_us,
            end_us,
            rows_in: io.rows_in,
            bytes_in: io.bytes_in,
            rows_out: io.rows_out,
            bytes_out: io.bytes_out,
            shuffle_read_rows: io.shuffle_read_rows,
            shuffle_read_bytes: io.shuffle_read_bytes,
            files: io.files,
        };
        Ok((set, value, record))
    };
    let settings = crate::query_settings::current();
    let per_executor: Vec<Vec<Result<(usize, T, TaskRecord)>>> = executors.broadcast(|executor| {
        crate::query_settings::set_current(settings);
        let mut finished = Vec::new();
        // First wave: slot i runs task i of the queue. Afterwards each free slot takes the next pending task.
        let mut next = executor;
        while next < queue.len() && !failed.load(Ordering::Relaxed) {
            crate::expr::nondeterministic::set_input_file(None);
            let outcome = run_task(queue[next], executor);
            failed.fetch_or(outcome.is_err(), Ordering::Relaxed);
            finished.push(outcome);
            next = next_pending.fetch_add(1, Ordering::Relaxed);
        }
        finished
    });
    let mut done = per_executor.into_iter().flatten().collect::<Result<Vec<_>>>()?;
    done.sort_by_key(|(set, _, record)| (*set, record.partition));
    let mut outputs: Vec<StageOutput<T>> = sets.iter().map(|_| StageOutput { results: Vec::new(), tasks: Vec::new() }).collect();
    for (set, value, record) in done {
        outputs[set].results.push(value);
        outputs[set].tasks.push(record);
    }
    Ok(outputs)
}

/// What a panic said, when it said it with a string.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let message = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
    message.unwrap_or_default()
}

/// Whole microseconds from `start_ms` to now on `clock`.
pub fn micros_since(clock: &dyn Clock, start_ms: f64) -> u64 {
    ((clock.now_ms() - start_ms) * 1e3).max(0.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EngineError;
    use crate::clock::MonotonicClock;

    fn empty_partitions(count: usize) -> Vec<Partition> {
        (0..count).map(|id| Partition { id, batches: Vec::new() }).collect()
    }

    #[test]
    fn the_first_wave_puts_one_task_on_every_executor() {
        let executors = Executors::local(3).unwrap();
        let output = run_stage(0, &empty_partitions(10), &executors, &MonotonicClock::new(), 0.0, |p| Ok(p.id)).unwrap();
        for (task, record) in output.tasks.iter().take(3).enumerate() {
            assert_eq!(record.executor, task, "task {task} of the first wave runs on slot {task}");
        }
        assert_eq!(output.results, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn fewer_tasks_than_executors_leaves_slots_idle() {
        let executors = Executors::local(4).unwrap();
        let output = run_stage(0, &empty_partitions(2), &executors, &MonotonicClock::new(), 0.0, |p| Ok(p.id)).unwrap();
        assert_eq!(output.tasks.iter().map(|t| t.executor).collect::<Vec<_>>(), vec![0, 1]);
    }

    #[test]
    fn a_failing_task_fails_the_stage() {
        let executors = Executors::local(2).unwrap();
        let outcome = run_stage(0, &empty_partitions(20), &executors, &MonotonicClock::new(), 0.0, |p| {
            if p.id == 5 { Err(EngineError::InvalidArgument("task 5 broke".into())) } else { Ok(p.id) }
        });
        assert_eq!(outcome.err().map(|e| e.to_string()), Some("invalid argument: task 5 broke".to_string()));
    }

    #[test]
    fn fewer_slots_than_pool_threads_use_only_the_first_threads() {
        let executors = Executors::shared_slots(1);
        let output = run_stage(0, &empty_partitions(6), &executors, &MonotonicClock::new(), 0.0, |p| Ok(p.id)).unwrap();
        assert_eq!(output.tasks.iter().map(|t| t.executor).collect::<Vec<_>>(), vec![0; 6]);
        assert_eq!(output.results, (0..6).collect::<Vec<_>>());
    }

    #[test]
    fn progress_counts_finished_tasks_and_a_cancelled_job_starts_no_task() {
        let executors = Executors::local(2).unwrap();
        run_stage(0, &empty_partitions(5), &executors, &MonotonicClock::new(), 0.0, |p| Ok(p.id)).unwrap();
        assert_eq!(executors.control().progress(), (5, 5));

        executors.control().cancel();
        let ran = AtomicUsize::new(0);
        let outcome = run_stage(1, &empty_partitions(5), &executors, &MonotonicClock::new(), 0.0, |p| {
            ran.fetch_add(1, Ordering::Relaxed);
            Ok(p.id)
        });
        assert!(matches!(outcome, Err(EngineError::Cancelled)));
        assert_eq!(ran.load(Ordering::Relaxed), 0);

        executors.control().reset();
        assert_eq!(executors.control().progress(), (0, 0));
        assert!(run_stage(2, &empty_partitions(3), &executors, &MonotonicClock::new(), 0.0, |p| Ok(p.id)).is_ok());
    }
}
