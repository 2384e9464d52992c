//! Executors: the workers that run tasks.
//!
//! In Spark an executor is a JVM process with some cores; in `local[N]` mode there is one executor with N task
//! slots. Kindling models each task slot as an *executor thread* of a rayon pool, numbered 0..N, so a learner can
//! see which thread ran which task. In the browser the threads are web workers started by wasm-bindgen-rayon.
//!
//! A browser page cannot start threads at will: its pool is started once, one web worker per hardware thread.
//! There `local[n]` with a smaller `n` keeps the pool and hands tasks to only its first `n` threads.

use std::sync::Arc;

use rayon::ThreadPool;

use crate::scheduler::RunControl;
use crate::{EngineError, Result};

/// The pool of executor threads a job runs on.
pub struct Executors {
    /// `None`: rayon's global pool, which in the browser is the one wasm-bindgen-rayon started.
    pool: Option<ThreadPool>,
    /// How many of the pool's threads take tasks; `None`: all of them.
    slots: Option<usize>,
    /// Progress of the running job, and the switch that cancels it.
    control: Arc<RunControl>,
}

impl Executors {
    /// The process-wide pool (in the browser: the web workers started at page load).
    pub fn shared() -> Self {
        Self { pool: None, slots: None, control: Arc::default() }
    }

    /// `n` executors, like `--master local[n]`: natively a dedicated pool of exactly `n` threads; in a browser,
    /// where threads come only from wasm-bindgen-rayon's global pool, the first `n` of its threads.
    pub fn local(n: usize) -> Result<Self> {
        if n == 0 {
            crate::invalid_argument!("local[{n}]: the number of executors must be at least 1");
        }
        if cfg!(target_arch = "wasm32") {
            return Ok(Self::shared_slots(n));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("executor-{i}"))
            .build()
            .map_err(|e| EngineError::Executors(e.to_string()))?;
        Ok(Self { pool: Some(pool), slots: None, control: Arc::default() })
    }

    /// The first `n` threads of the process-wide pool (all of them if it has fewer).
    pub fn shared_slots(n: usize) -> Self {
        Self { slots: Some(n.max(1)), ..Self::shared() }
    }

    /// These executors, reporting progress to and obeying the cancel switch of `control`.
    pub fn with_control(self, control: Arc<RunControl>) -> Self {
        Self { control, ..self }
    }

    pub fn control(&self) -> &Arc<RunControl> {
        &self.control
    }

    /// How many tasks can run at the same time.
    pub fn count(&self) -> usize {
        let threads = self.run(rayon::current_num_threads);
        self.slots.map_or(threads, |slots| slots.min(threads))
    }

    /// Runs `work` so that its parallel iterators use these executors.
    pub fn run<R: Send>(&self, work: impl FnOnce() -> R + Send) -> R {
        match &self.pool {
            Some(pool) => pool.install(work),
            None => work(),
        }
    }

    /// Runs `work(executor_id)` once on every executor at the same time and returns the results by executor id.
    pub fn broadcast<R: Send>(&self, work: impl Fn(usize) -> R + Sync) -> Vec<R> {
        let executors = self.count();
        // Every pool thread gets the call; only the first `executors` (this pool's slots) do the work.
        let work = |context: rayon::BroadcastContext<'_>| (context.index() < executors).then(|| work(context.index()));
        let per_thread = match &self.pool {
            Some(pool) => pool.broadcast(work),
            None => rayon::broadcast(work),
        };
        per_thread.into_iter().flatten().collect()
    }
}
