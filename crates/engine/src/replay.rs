//! Replay: a finished job told again as the events it was made of, in the order they happened.
//!
//! A job is not one thing that happens at once. The driver submits a stage when every stage it reads from is
//! done; each task starts on a free executor, reads its partition, and ends; a map task's end fills its row of the
//! shuffle; a reduce task starts by fetching its part of every map task's output; a broadcast is built on the
//! driver and a copy reaches every executor. [`Replay::of`] lists these events from a job's trace alone (nothing
//! runs again), each with a sentence that says what is happening, and [`Replay::moment`] says what had happened by
//! a given step — so every view can draw the job as it was at that moment.

use std::collections::HashSet;

use crate::metrics::{Metric, MetricValue, bytes_to_string, grouped};
use crate::task::TaskRecord;
use crate::trace::{ExchangeTrace, JobTrace, StageTrace};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    JobStart,
    StageSubmitted { stage: usize },
    TaskStart { task: usize },
    /// A reduce task fetches its part of exchange `exchange` from every map task.
    ShuffleFetch { task: usize, exchange: usize },
    /// A map task's rows go into the exchange's buckets: row `map` of its matrix.
    ShuffleWrite { task: usize, exchange: usize, map: usize },
    TaskEnd { task: usize },
    StageDone { stage: usize },
    /// The driver built broadcast `broadcast`'s table from its stage's rows.
    BroadcastBuilt { broadcast: usize },
    /// A copy of the broadcast reached executor `executor`.
    BroadcastCopied { broadcast: usize, executor: usize },
    JobEnd,
}

/// One step of a replay.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayEvent {
    /// Microseconds since the job started.
    pub at_us: u64,
    pub kind: EventKind,
    /// What is happening, in one sentence.
    pub caption: String,
}

/// Every event of a job, in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    pub events: Vec<ReplayEvent>,
}

/// The state of a task at a moment of the replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Waiting,
    Running,
    Done,
}

/// The state of a stage at a moment of the replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageState {
    /// Not submitted yet: a stage it reads from is not done.
    Waiting,
    Running,
    Done,
    /// An earlier job wrote its shuffle; it does not run in this job.
    Skipped,
}

/// What had happened by one step of a replay.
#[derive(Debug, Clone, PartialEq)]
pub struct Moment {
    pub step: usize,
    pub at_us: u64,
    /// The event of this step: what the views highlight.
    pub event: EventKind,
    started: HashSet<usize>,
    ended: HashSet<usize>,
    written: HashSet<(usize, usize)>,
    fetched: HashSet<(usize, usize)>,
    submitted: HashSet<usize>,
    done: HashSet<usize>,
    built: HashSet<usize>,
    copies: HashSet<(usize, usize)>,
    skipped: HashSet<usize>,
}

impl Moment {
    pub fn task_state(&self, task: usize) -> TaskState {
        match (self.started.contains(&task), self.ended.contains(&task)) {
            (_, true) => TaskState::Done,
            (true, false) => TaskState::Running,
            _ => TaskState::Waiting,
        }
    }

    pub fn stage_state(&self, stage: usize) -> StageState {
        if self.skipped.contains(&stage) {
            StageState::Skipped
        } else if self.done.contains(&stage) {
            StageState::Done
        } else if self.submitted.contains(&stage) {
            StageState::Running
        } else {
            StageState::Waiting
        }
    }

    /// Whether map partition `map` had written its rows into exchange `exchange`.
    pub fn map_written(&self, exchange: usize, map: usize) -> bool {
        self.written.contains(&(exchange, map))
    }

    /// Whether task `task` had fetched its part of exchange `exchange`.
    pub fn fetched(&self, task: usize, exchange: usize) -> bool {
        self.fetched.contains(&(task, exchange))
    }

    pub fn broadcast_built(&self, broadcast: usize) -> bool {
        self.built.contains(&broadcast)
    }

    pub fn copy_arrived(&self, broadcast: usize, executor: usize) -> bool {
        self.copies.contains(&(broadcast, executor))
    }
}

impl Replay {
    /// The events of `job`, from its trace.
    pub fn of(job: &JobTrace) -> Self {
        let story = Story { job };
        let mut events = vec![(0, Order::JobStart, EventKind::JobStart)];
        for stage in job.stages.iter().filter(|s| !s.skipped) {
            events.push((stage.submitted_us, Order::StageSubmitted, EventKind::StageSubmitted { stage: stage.id }));
            events.push((stage.completed_us, Order::StageDone, EventKind::StageDone { stage: stage.id }));
        }
        for task in &job.tasks {
            events.push((task.start_us, Order::TaskStart, EventKind::TaskStart { task: task.id }));
            for exchange in story.exchanges_read_by(task.stage) {
                events.push((task.start_us, Order::ShuffleFetch, EventKind::ShuffleFetch { task: task.id, exchange: exchange.id }));
            }
            if let Some(exchange) = job.exchanges.iter().find(|e| e.map_stage == task.stage) {
                let kind = EventKind::ShuffleWrite { task: task.id, exchange: exchange.id, map: task.partition };
                events.push((task.end_us, Order::ShuffleWrite, kind));
            }
            events.push((task.end_us, Order::TaskEnd, EventKind::TaskEnd { task: task.id }));
        }
        for broadcast in &job.broadcasts {
            let ready = broadcast.ready_us.max(story.stage(broadcast.stage).map_or(0, |s| s.completed_us));
            events.push((ready, Order::BroadcastBuilt, EventKind::BroadcastBuilt { broadcast: broadcast.id }));
            for executor in 0..broadcast.copies {
                events.push((ready, Order::BroadcastCopied, EventKind::BroadcastCopied { broadcast: broadcast.id, executor }));
            }
        }
        let last = events.iter().map(|(at, ..)| *at).max().unwrap_or(0);
        events.push((job.duration_us.max(last), Order::JobEnd, EventKind::JobEnd));
        events.sort_by_key(|(at, order, kind)| (*at, *order, event_task(kind)));
        let events = events.into_iter().map(|(at_us, _, kind)| ReplayEvent { at_us, kind, caption: story.caption(kind) }).collect();
        Self { events }
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// What had happened once step `step` (0-based, clamped to the last) had happened.
    pub fn moment(&self, job: &JobTrace, step: usize) -> Moment {
        let step = step.min(self.events.len().saturating_sub(1));
        let mut moment = Moment {
            step,
            at_us: self.events.get(step).map_or(0, |e| e.at_us),
            event: self.events.get(step).map_or(EventKind::JobStart, |e| e.kind),
            started: HashSet::new(),
            ended: HashSet::new(),
            written: HashSet::new(),
            fetched: HashSet::new(),
            submitted: HashSet::new(),
            done: HashSet::new(),
            built: HashSet::new(),
            copies: HashSet::new(),
            skipped: job.stages.iter().filter(|s| s.skipped).map(|s| s.id).collect(),
        };
        for event in self.events.iter().take(step + 1) {
            match event.kind {
                EventKind::StageSubmitted { stage } => {
                    moment.submitted.insert(stage);
                }
                EventKind::StageDone { stage } => {
                    moment.done.insert(stage);
                }
                EventKind::TaskStart { task } => {
                    moment.started.insert(task);
                }
                EventKind::TaskEnd { task } => {
                    moment.ended.insert(task);
                }
                EventKind::ShuffleFetch { task, exchange } => drop(moment.fetched.insert((task, exchange))),
                EventKind::ShuffleWrite { exchange, map, .. } => drop(moment.written.insert((exchange, map))),
                EventKind::BroadcastBuilt { broadcast } => {
                    moment.built.insert(broadcast);
                }
                EventKind::BroadcastCopied { broadcast, executor } => drop(moment.copies.insert((broadcast, executor))),
                EventKind::JobStart | EventKind::JobEnd => {}
            }
        }
        moment
    }
}

/// Among events at the same microsecond, the order in which they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Order {
    JobStart,
    StageSubmitted,
    TaskStart,
    ShuffleFetch,
    ShuffleWrite,
    TaskEnd,
    StageDone,
    BroadcastBuilt,
    BroadcastCopied,
    JobEnd,
}

/// Orders simultaneous events of several tasks by task id (copies of a broadcast by executor).
fn event_task(kind: &EventKind) -> usize {
    match *kind {
        EventKind::BroadcastCopied { executor, .. } => executor,
        other => other.task().unwrap_or(0),
    }
}

/// The job, asked for what the captions say.
struct Story<'a> {
    job: &'a JobTrace,
}

impl Story<'_> {
    fn task(&self, id: usize) -> Option<&TaskRecord> {
        self.job.tasks.iter().find(|t| t.id == id)
    }

    fn stage(&self, id: usize) -> Option<&StageTrace> {
        self.job.stages.iter().find(|s| s.id == id)
    }

    /// The shuffles stage `stage` reads: those its parent stages wrote.
    fn exchanges_read_by(&self, stage: usize) -> Vec<&ExchangeTrace> {
        let parents = self.stage(stage).map(|s| s.parents.as_slice()).unwrap_or_default();
        self.job.exchanges.iter().filter(|e| parents.contains(&e.map_stage)).collect()
    }

    fn caption(&self, kind: EventKind) -> String {
        match kind {
            EventKind::JobStart => self.job_start(),
            EventKind::StageSubmitted { stage } => self.stage_submitted(stage),
            EventKind::TaskStart { task } => self.task_start(task),
            EventKind::ShuffleFetch { task, exchange } => self.shuffle_fetch(task, exchange),
            EventKind::ShuffleWrite { task, exchange, map } => self.shuffle_write(task, exchange, map),
            EventKind::TaskEnd { task } => self.task_end(task),
            EventKind::StageDone { stage } => self.stage_done(stage),
            EventKind::BroadcastBuilt { broadcast } => self.broadcast_built(broadcast),
            EventKind::BroadcastCopied { broadcast, executor } => {
                let bytes = self.job.broadcasts.iter().find(|b| b.id == broadcast).map_or(0, |b| b.bytes);
                format!("Executor {executor} gets its copy of broadcast {broadcast} ({}): its tasks look rows up in it locally.", bytes_to_string(bytes))
            }
            EventKind::JobEnd => self.job_end(),
        }
    }

    fn job_start(&self) -> String {
        let job = self.job;
        let skipped: Vec<String> = job.stages.iter().filter(|s| s.skipped).map(|s| s.id.to_string()).collect();
        let skipped = match skipped.as_slice() {
            [] => String::new(),
            [one] => format!(" Stage {one} is skipped: an earlier job already wrote its shuffle."),
            many => format!(" Stages {} are skipped: an earlier job already wrote their shuffles.", many.join(", ")),
        };
        format!(
            "The job starts ({}): {} stages, {} tasks, {} executors.{skipped}",
            job.description,
            job.stages.len(),
            job.tasks.len(),
            job.executors
        )
    }

    fn stage_submitted(&self, stage: usize) -> String {
        let Some(trace) = self.stage(stage) else { return format!("Stage {stage} is submitted.") };
        let reads = if trace.parents.is_empty() {
            "reading its input where it lies".to_string()
        } else {
            let parents: Vec<String> = trace.parents.iter().map(usize::to_string).collect();
            format!("now that stage {} is done", parents.join(" and "))
        };
        format!("Stage {stage} is submitted, {reads}: {}, one per partition.", plural(trace.partitions, "task"))
    }

    fn task_start(&self, id: usize) -> String {
        let Some(task) = self.task(id) else { return format!("Task {id} starts.") };
        let reads = if task.files.is_empty() { String::new() } else { format!(", to read {}", task.files.join(", ")) };
        format!("Task {id} (stage {}, partition {}) starts on executor {}{reads}.", task.stage, task.partition, task.executor)
    }

    fn shuffle_fetch(&self, id: usize, exchange: usize) -> String {
        let (Some(task), Some(trace)) = (self.task(id), self.job.exchanges.iter().find(|e| e.id == exchange)) else {
            return format!("Task {id} fetches its part of exchange {exchange}.");
        };
        let (start, end) = match &trace.coalesced {
            Some(decision) => decision.groups.get(task.partition).copied().unwrap_or((task.partition, task.partition + 1)),
            None => (task.partition, task.partition + 1),
        };
        let rows: u64 = trace.matrix.rows.iter().map(|row| row[start.min(row.len())..end.min(row.len())].iter().sum::<u64>()).sum();
        let partitions = if end - start == 1 { format!("reduce partition {start}") } else { format!("reduce partitions {start}–{}", end - 1) };
        format!(
            "Task {id} fetches {partitions} of exchange {exchange} from the {} map tasks of stage {}: {} rows.",
            trace.matrix.rows.len(),
            trace.map_stage,
            grouped(rows)
        )
    }

    fn shuffle_write(&self, id: usize, exchange: usize, map: usize) -> String {
        let trace = self.job.exchanges.iter().find(|e| e.id == exchange);
        let row = trace.and_then(|t| t.matrix.rows.get(map));
        let rows: u64 = row.map_or(0, |r| r.iter().sum());
        let buckets = row.map_or(0, Vec::len);
        format!(
            "Task {id} writes its {} rows into the {buckets} buckets of exchange {exchange}, one per reduce partition: row {map} of the reshuffle fills.",
            grouped(rows)
        )
    }

    fn task_end(&self, id: usize) -> String {
        let Some(task) = self.task(id) else { return format!("Task {id} ends.") };
        let read = if task.files.is_empty() { String::new() } else { format!(" read {}:", task.files.join(", ")) };
        let produced = match self.stage(task.stage) {
            Some(stage) if stage.writes_exchange.is_some() && stage.operators.first().is_some_and(|op| op.ends_with("Aggregate")) => "groups",
            _ => "rows",
        };
        format!(
            "Task {id} of stage {} on executor {}{read} {} rows → {} {produced} ({:.1} ms).",
            task.stage,
            task.executor,
            grouped(task.rows_in),
            grouped(task.rows_out),
            task.duration_ms()
        )
    }

    fn stage_done(&self, stage: usize) -> String {
        let tasks = self.stage(stage).map_or(0, |s| s.partitions);
        let then = if self.job.broadcasts.iter().any(|b| b.stage == stage) {
            "its rows go to the driver, which builds the broadcast"
        } else if self.job.exchanges.iter().any(|e| e.map_stage == stage) {
            "its shuffle is complete, so the stage reading it can start"
        } else {
            "its rows are the job's result"
        };
        format!("Stage {stage} is done: all {} finished; {then}.", plural(tasks, "task"))
    }

    fn broadcast_built(&self, id: usize) -> String {
        let Some(broadcast) = self.job.broadcasts.iter().find(|b| b.id == id) else { return format!("Broadcast {id} is built.") };
        format!(
            "The driver builds broadcast {id} from stage {}'s {} rows: a {} hash table on the join keys.",
            broadcast.stage,
            grouped(broadcast.rows),
            bytes_to_string(broadcast.bytes)
        )
    }

    fn job_end(&self) -> String {
        let result = self.job.stages.iter().filter(|s| !s.skipped).max_by_key(|s| s.id);
        let rows: u64 = result.map_or(0, |stage| self.job.tasks.iter().filter(|t| t.stage == stage.id).map(|t| t.rows_out).sum());
        format!("The job ends after {:.1} ms: {} result rows ({}).", self.job.duration_us as f64 / 1e3, grouped(rows), self.job.description)
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

impl EventKind {
    /// The task the event is about, if it is about one.
    pub fn task(&self) -> Option<usize> {
        match *self {
            Self::TaskStart { task } | Self::TaskEnd { task } => Some(task),
            Self::ShuffleFetch { task, .. } | Self::ShuffleWrite { task, .. } => Some(task),
            _ => None,
        }
    }
}

impl Moment {
    /// A metric as it stood at this moment: the driver's values, and those of the tasks that had ended.
    pub fn metric_total(&self, metric: &Metric) -> u64 {
        let counted = |value: &&MetricValue| value.task.is_none_or(|task| self.ended.contains(&task.task));
        metric.values.iter().filter(counted).map(|value| value.value).sum()
    }

    /// The stage the current step is about: its own, or its task's.
    pub fn focus_stage(&self, job: &JobTrace) -> Option<usize> {
        match self.event {
            EventKind::StageSubmitted { stage } | EventKind::StageDone { stage } => Some(stage),
            EventKind::BroadcastBuilt { broadcast } | EventKind::BroadcastCopied { broadcast, .. } => {
                job.broadcasts.iter().find(|b| b.id == broadcast).map(|b| b.stage)
            }
            kind => kind.task().and_then(|id| job.tasks.iter().find(|t| t.id == id)).map(|t| t.stage),
        }
    }
}
