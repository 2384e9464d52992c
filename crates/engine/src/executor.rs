//! Executors: the workers that run tasks.
//!
//! In Spark an executor is a JVM process with some cores; in `local[N]` mode there is one executor with N task
//! slots. Kindling models each task slot as an *executor thread* of a rayon pool, numbered 0..N, so a learner can
//! see which thread ran which task. In the browser the threads are web workers started by wasm-bindgen-rayon.

use rayon::ThreadPool;

use crate::{EngineError, Result};

/// The pool of executor threads a job runs on.
pub struct Executors {
    /// `None`: rayon's global pool, which in the browser is the one wasm-bindgen-rayon started.
    pool: Option<ThreadPool>,
}

impl Executors {
    /// The process-wide pool (in the browser: the web workers started at page load).
    pub fn shared() -> Self {
        Self { pool: None }
    }

    /// A dedicated pool of exactly `n` executor threads, like `--master local[n]`.
    /// Native only: browsers can start threads only through wasm-bindgen-rayon's global pool.
    pub fn local(n: usize) -> Result<Self> {
        if n == 0 {
            crate::invalid_argument!("local[{n}]: the number of executors must be at least 1");
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("executor-{i}"))
            .build()
            .map_err(|e| EngineError::Executors(e.to_string()))?;
        Ok(Self { pool: Some(pool) })
    }

    /// How many tasks can run at the same time.
    pub fn count(&self) -> usize {
        self.run(rayon::current_num_threads)
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
        let work = |context: rayon::BroadcastContext<'_>| work(context.index());
        match &self.pool {
            Some(pool) => pool.broadcast(work),
            None => rayon::broadcast(work),
        }
    }
}
