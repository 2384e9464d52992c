//! Drives the sandboxed interpreter: feeds the prelude (Kindling's `pyspark` package, in Python) and then the
//! user's lowered program into one monty REPL, and answers what the program asks of the host — `_kindling(…)`
//! calls, `import pyspark`, lookups — until it finishes, fails, runs out of time or is cancelled.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kindling_engine::session::Session;
use monty::{MontyRepl, ReplProgress, ReplStartError};
use monty_types::{
    CompileOptions, ExcType, ExtFunctionResult, MontyException, MontyObject, NameLookupResult, OsFunctionCall,
    PrintWriter, ResourceLimits, ResourceTracker,
};

use crate::host::Host;
use crate::lowering::lower;
use crate::traceback::{PythonError, Source, parse_error, render};
use crate::worker::{ProgramText, Workers};

/// Kindling's `pyspark` package, fed to the interpreter before the user's program.
const PRELUDE: [&str; 7] = [
    "from collections import namedtuple\n",
    include_str!("prelude/types.py"),
    include_str!("prelude/column.py"),
    include_str!("prelude/functions.py"),
    include_str!("prelude/dataframe.py"),
    include_str!("prelude/session.py"),
    include_str!("prelude/rdd.py"),
];
const MODULES: &str = include_str!("prelude/modules.py");

/// GC-tracked allocations between two cycle collections.
const CYCLE_COLLECTION_INTERVAL: usize = 20_000_000;

/// The one host function the prelude calls.
const HOST_FUNCTION: &str = "_kindling";

/// How a program is run.
#[derive(Clone)]
pub struct RunOptions {
    /// The file name tracebacks show (`main.py`, a notebook cell's name).
    pub file_name: String,
    /// The most Python time the program may take (time spent in engine jobs does not count).
    pub time_limit: Duration,
    /// Set from another thread to stop the program at its next call into the engine.
    pub cancel: Arc<AtomicBool>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { file_name: "main.py".into(), time_limit: Duration::from_secs(60), cancel: Arc::default() }
    }
}

/// What a program printed, and how it ended.
#[derive(Debug, Clone)]
pub struct Output {
    pub stdout: String,
    pub error: Option<PythonError>,
}

/// Runs a PySpark program on `session`.
pub fn run(session: &Arc<Session>, source: &str, options: &RunOptions) -> Output {
    let lowered = lower(source);
    if let Some((message, offset)) = &lowered.syntax_error {
        let source = Source { file_name: &options.file_name, text: source, lines: &lowered.lines };
        return Output { stdout: String::new(), error: Some(parse_error(&source, message, *offset)) };
    }
    let program = ProgramText { file_name: options.file_name.clone(), text: source.to_string(), lines: lowered.lines.clone() };
    let workers = Arc::new(Workers::new(program, options.time_limit, options.cancel.clone()));
    let mut host = Host::new(session.clone(), workers);
    let (repl, modules) = match start_prelude() {
        Ok(started) => started,
        Err(error) => {
            let message = format!("Kindling's pyspark prelude failed to start (a bug in Kindling):\n{error}");
            return Output { stdout: String::new(), error: Some(internal_error(message)) };
        }
    };
    let mut repl = repl;
    repl.tracker_mut().set_max_feed_duration(options.time_limit);
    let mut last_raised = None;
    let outcome = drive(repl, &lowered.source, &modules, &mut host, options, &mut last_raised);
    let error = outcome.err().map(|exception| {
        let class = last_raised
            .filter(|(raised, _): &(MontyException, String)| same_exception(raised, &exception))
            .map(|(_, class)| class);
        let source = Source { file_name: &options.file_name, text: source, lines: &lowered.lines };
        render(&exception, &source, class)
    });
    Output { stdout: host.stdout, error }
}

fn start_prelude() -> Result<(MontyRepl, MontyObject), MontyException> {
    // Reference counting frees everything but cycles at once. A cycle collection walks the whole heap, and a
    // task holds a whole partition of rows there; collecting every 100k allocations (monty's default) spent half
    // of an RDD job's time in the collector, so cycles are collected far more rarely.
    let limits = ResourceLimits { max_suspensions: usize::MAX, gc_interval: Some(CYCLE_COLLECTION_INTERVAL), ..ResourceLimits::default() };
    let repl = MontyRepl::new("main.py", ResourceTracker::new(limits), CompileOptions::default());
    let host = vec![(HOST_FUNCTION.to_string(), MontyObject::function(HOST_FUNCTION, None))];
    let prelude = PRELUDE.concat() + MODULES;
    let mut ignored = String::new();
    match repl.feed_start(&prelude, host, PrintWriter::CollectString(&mut ignored, None)) {
        Ok(ReplProgress::Complete { repl, value }) => Ok((repl, value)),
        Ok(other) => Err(MontyException::new(
            ExcType::RuntimeError,
            Some(format!("the prelude stopped at {:?}", std::mem::discriminant(&other))),
        )),
        Err(failed) => Err(failed.error),
    }
}

/// Runs the program to its end, answering every suspension.
fn drive(
    repl: MontyRepl,
    program: &str,
    modules: &MontyObject,
    host: &mut Host,
    options: &RunOptions,
    last_raised: &mut Option<(MontyException, String)>,
) -> Result<(), MontyException> {
    let mut printed = String::new();
    let mut progress = repl.feed_start(program, Vec::<(String, MontyObject)>::new(), PrintWriter::CollectString(&mut printed, None));
    loop {
        host.stdout.push_str(&std::mem::take(&mut printed));
        let print = PrintWriter::CollectString(&mut printed, None);
        let state = progress.map_err(|failed: Box<ReplStartError>| failed.error)?;
        if options.cancel.load(Ordering::Relaxed) && !matches!(state, ReplProgress::Complete { .. }) {
            let cancelled = MontyException::new(ExcType::KeyboardInterrupt, Some("the run was cancelled".into()));
            return Err(abort(state, cancelled));
        }
        progress = match state {
            ReplProgress::Complete { .. } => return Ok(()),
            ReplProgress::FunctionCall(ref call) if call.function_name == HOST_FUNCTION => {
                let outcome = host.call(call, &state);
                let ReplProgress::FunctionCall(call) = state else { unreachable!("matched as a function call above") };
                let result = match outcome {
                    Ok(value) => ExtFunctionResult::Return(value),
                    Err(error) => {
                        let exception = error.to_exception();
                        *last_raised = Some((exception.clone(), error.class_name()));
                        ExtFunctionResult::Error(exception)
                    }
                };
                call.resume(result, print)
            }
            ReplProgress::FunctionCall(call) => {
                let name = call.function_name.clone();
                call.resume(ExtFunctionResult::NotFound(name), print)
            }
            ReplProgress::OsCall(call) => match &call.function_call {
                OsFunctionCall::Import(module) if module == "pyspark" => call.resume(modules.clone(), print),
                _ => call.resume_with(print, |c| ExtFunctionResult::Error(c.on_no_handler())),
            },
            ReplProgress::NameLookup(lookup) => lookup.resume(NameLookupResult::Undefined, print),
            ReplProgress::ResolveFutures(futures) => {
                let error = MontyException::new(ExcType::RuntimeError, Some("asyncio is not supported in Kindling's sandbox".into()));
                futures.abort(error, print)
            }
        };
    }
}

/// Stops a suspended program with `exception`, returning the exception with the traceback of where it stood.
fn abort(state: ReplProgress, exception: MontyException) -> MontyException {
    let mut ignored = String::new();
    let print = PrintWriter::CollectString(&mut ignored, None);
    let aborted = match state {
        ReplProgress::FunctionCall(call) => call.abort(exception.clone(), print),
        ReplProgress::OsCall(call) => call.abort(exception.clone(), print),
        ReplProgress::NameLookup(lookup) => lookup.abort(exception.clone(), print),
        ReplProgress::ResolveFutures(futures) => futures.abort(exception.clone(), print),
        ReplProgress::Complete { .. } => return exception,
    };
    match aborted {
        Err(failed) => failed.error,
        Ok(_) => exception,
    }
}

fn same_exception(a: &MontyException, b: &MontyException) -> bool {
    a.exc_type() == b.exc_type() && a.message() == b.message()
}

fn internal_error(message: String) -> PythonError {
    PythonError { traceback: message.clone(), line: None, summary: message }
}
