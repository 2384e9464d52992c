//! Python workers: where tasks run the user's Python functions (UDFs, the functions given to RDD methods).
//!
//! PySpark pickles each function with the variables it uses and ships it to Python worker processes beside the
//! executors; the JVM streams rows to them and reads results back. Kindling does the same with its sandboxed
//! interpreter: when an action starts, the program — paused at that call, every function and variable it has
//! defined included — is dumped once ([`Workers::refresh`]); each task batch then thaws a private copy of it and
//! calls a prelude function there (`_kindling_udf_batch`, `_kindling_rdd_partition`, …). Copies share nothing, so
//! tasks run in parallel on the executors, and nothing a function does in a task leaks back into the program —
//! as in Spark, where a worker's changes to a global variable are never seen by the driver.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use kindling_engine::EngineError;
use kindling_engine::scheduler::RunControl;
use monty::{Dump, MontyRepl, ReplProgress, Session, SessionRef};
use monty_types::{MontyException, MontyObject, PrintWriter};

use crate::traceback::{ProgramText, render};

/// What failed in a task, kept until the host turns the engine's error into PySpark's `PythonException`.
#[derive(Debug, Clone)]
pub struct WorkerFailure {
    pub exception: MontyException,
    /// Which input failed, as the user can recognise it (`x = 0`, an RDD element's repr).
    pub input: Option<String>,
}

/// The program as the workers run it, and where their errors point. A notebook keeps one `Workers` for all its
/// cells: a UDF defined in one cell runs in a later cell's jobs, and its traceback points into its own cell.
pub struct Workers {
    /// Every program text run so far (a notebook's cells), oldest first.
    programs: RwLock<Vec<Arc<ProgramText>>>,
    /// The most time one task batch may spend in Python.
    time_limit: RwLock<Duration>,
    /// The session's cancel switch: tasks check it before each batch.
    control: Arc<RunControl>,
    /// The paused program, serialized at the start of the latest action.
    snapshot: RwLock<Option<Arc<Vec<u8>>>>,
    failure: Mutex<Option<WorkerFailure>>,
}

impl Workers {
    pub fn new(control: Arc<RunControl>) -> Self {
        Workers {
            programs: RwLock::default(),
            time_limit: RwLock::new(Duration::ZERO),
            control,
            snapshot: RwLock::default(),
            failure: Mutex::default(),
        }
    }

    /// Starts running the next program text (a notebook's next cell) with its time limit.
    pub fn begin(&self, program: Arc<ProgramText>, time_limit: Duration) {
        self.programs.write().unwrap_or_else(|poisoned| poisoned.into_inner()).push(program);
        *self.time_limit.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = time_limit;
    }

    /// Every program text run so far, oldest first: what tracebacks point into.
    pub fn programs(&self) -> Vec<Arc<ProgramText>> {
        self.programs.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Serializes the program as it stands `paused`, so that tasks started from now on see everything defined so
    /// far. Monty's own dump format is used: it keeps every kind of object the program may hold.
    pub fn refresh(&self, paused: &ReplProgress) -> Result<(), EngineError> {
        let bytes = monty::dump("main.py", None, &[], SessionRef::Suspended(paused))
            .map_err(|e| EngineError::Internal(format!("cannot copy the Python program to the workers: {e}")))?;
        *self.snapshot.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Arc::new(bytes));
        Ok(())
    }

    /// Calls the prelude function `function` with `args` in a fresh copy of the program. On failure the
    /// exception is kept for [`Workers::take_failure`] and the engine gets a runtime error that ends the job;
    /// `describe_input` names the input that failed, given what the prelude noted last (`_kindling_failed_input`).
    pub fn call(
        &self,
        function: &str,
        args: Vec<MontyObject>,
        describe_input: &dyn Fn(&MontyObject) -> Option<String>,
    ) -> Result<MontyObject, EngineError> {
        if self.control.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let mut repl = self.fork()?;
        repl.tracker_mut().set_max_feed_duration(*self.time_limit.read().unwrap_or_else(|poisoned| poisoned.into_inner()));
        match repl.call_function(function, args, PrintWriter::Disabled) {
            Ok(result) => Ok(result),
            Err(exception) => {
                let noted = repl.call_function("_kindling_failed_input", Vec::new(), PrintWriter::Disabled);
                let input = noted.ok().and_then(|noted| describe_input(&noted));
                let summary = exception.summary();
                let mut failure = self.failure.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                failure.get_or_insert(WorkerFailure { exception, input });
                Err(EngineError::Runtime(format!("a Python function failed in a task: {summary}")))
            }
        }
    }

    fn fork(&self) -> Result<MontyRepl, EngineError> {
        let snapshot = self.snapshot.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
        let snapshot = snapshot.ok_or_else(|| EngineError::Internal("a task ran before the program was copied to the workers".into()))?;
        let dump = Dump::load(&snapshot)
            .map_err(|e| EngineError::Internal(format!("cannot restore the Python program in a worker: {e}")))?;
        match dump.state {
            Session::Suspended(paused) => Ok(paused.into_repl()),
            Session::Idle(repl) => Ok(*repl),
            Session::Running(_) => Err(EngineError::Internal("the program copied to the workers is not a REPL".into())),
        }
    }

    /// The first failure of the last job, as PySpark's `PythonException` message: the worker's traceback about the
    /// user's lines, then the input that failed (which Spark does not show).
    pub fn take_failure(&self) -> Option<String> {
        let failure = self.failure.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()?;
        let rendered = render(&failure.exception, &self.programs(), None);
        let mut message = format!("An exception was thrown from the Python worker:\n{}", rendered.traceback);
        if let Some(input) = failure.input {
            message.push_str(&format!("\nThe input that failed: {input}"));
        }
        Some(message)
    }
}
