//! Drives the sandboxed interpreter: feeds the prelude (Kindling's `pyspark` package, in Python) and then the
//! user's lowered program into one monty REPL, and answers what the program asks of the host — `_kindling(…)`
//! calls, `import pyspark`, lookups — until it finishes, fails, runs out of time or is cancelled.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use kindling_engine::scheduler::RunControl;
use kindling_engine::session::Session;
use monty::{MontyRepl, ReplProgress, ReplStartError};
use monty_types::{
    CompileOptions, ExcType, ExtFunctionResult, MontyException, MontyObject, NameLookupResult, OsFunctionCall,
    ObjectRef, PrintWriter, PrintWriterCallback, ResourceLimits, ResourceTracker,
};

use crate::host::Host;
use crate::lowering::lower;
use crate::traceback::{ProgramText, PythonError, parse_error, render};
use crate::worker::Workers;

/// Kindling's `pyspark` package, fed to the interpreter before the user's program (see [`prelude_program`]).
const PRELUDE: [&str; 11] = [
    "from collections import namedtuple\n",
    include_str!("prelude/types.py"),
    include_str!("prelude/column.py"),
    include_str!("prelude/functions.py"),
    include_str!("prelude/functions_scalar.py"),
    include_str!("prelude/dataframe.py"),
    include_str!("prelude/window.py"),
    include_str!("prelude/session.py"),
    include_str!("prelude/rdd.py"),
    include_str!("prelude/argparse.py"),
    include_str!("prelude/modules.py"),
];

/// The prelude's names that are also the program's globals: what the host, the executors and the lowered program
/// call. Every other name of the prelude is local to it.
const PRELUDE_HOOKS: [&str; 13] = [
    "_kindling_pyspark",
    "_kindling_tempfile",
    "_kindling_argparse",
    "_kindling_operator",
    "_kindling_string",
    "_kindling_star_names",
    "_kindling_sys",
    "_kindling_set_argv",
    "_kindling_compare",
    "_kindling_len",
    "_kindling_failed_input",
    "_kindling_rdd_partition",
    "_kindling_udf_batch",
];

/// GC-tracked allocations between two cycle collections.
const CYCLE_COLLECTION_INTERVAL: usize = 20_000_000;

/// The modules the host hands the program on `import`, each the value of a prelude expression.
const MODULE_OBJECTS: [(&str, &str); 5] = [
    ("pyspark", "_kindling_pyspark"),
    ("argparse", "_kindling_argparse"),
    ("operator", "_kindling_operator"),
    ("string", "_kindling_string"),
    ("tempfile", "_kindling_tempfile"),
];

/// The one host function the prelude calls.
const HOST_FUNCTION: &str = "_kindling";

/// How a program (or a notebook cell) is run.
#[derive(Clone)]
pub struct RunOptions {
    /// The file name tracebacks show (`main.py`, a notebook cell's name).
    pub file_name: String,
    /// The most Python time the program may take (time spent in engine jobs does not count).
    pub time_limit: Duration,
    /// Also called with the program's printed text as it prints it (`kindling run` writes it to the terminal
    /// straight away); the text is in [`Output::stdout`] either way.
    pub echo: Option<Echo>,
    /// Also called with what the program writes to stderr (warnings), as it writes it.
    pub echo_err: Option<Echo>,
}

/// Where printed text goes as it is printed.
pub type Echo = Arc<dyn Fn(&str) + Send + Sync>;

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { file_name: "main.py".into(), time_limit: Duration::from_secs(60), echo: None, echo_err: None }
    }
}

/// What a running program prints: kept for its output, and passed to the echo as it comes.
struct Printed<'e> {
    text: String,
    echo: Option<&'e Echo>,
}

impl Printed<'_> {
    fn add(&mut self, text: &str) {
        self.text.push_str(text);
        if let Some(echo) = self.echo {
            echo(text);
        }
    }
}

impl PrintWriterCallback for Printed<'_> {
    fn stdout_write(&mut self, output: Cow<'_, str>) -> Result<(), MontyException> {
        self.add(&output);
        Ok(())
    }

    fn stdout_push(&mut self, end: char) -> Result<(), MontyException> {
        self.add(end.encode_utf8(&mut [0; 4]));
        Ok(())
    }
}

/// What a program printed, and how it ended.
#[derive(Debug, Clone)]
pub struct Output {
    pub stdout: String,
    /// Warnings, as PySpark writes them to stderr (`FutureWarning: …`).
    pub stderr: String,
    pub error: Option<PythonError>,
}

/// Runs a PySpark program on `session`. To stop it from another thread, cancel the session's executors
/// (`session.executors.control().cancel()`): the program stops at its next call into the engine, a running job
/// at its next task.
pub fn run(session: &Arc<Session>, source: &str, options: &RunOptions) -> Output {
    match Notebook::new(session) {
        Ok(mut notebook) => notebook.run_cell(source, options),
        Err(error) => Output { stdout: String::new(), stderr: String::new(), error: Some(error) },
    }
}

/// A Python session that lives across runs, like a Jupyter kernel: what one cell defines (`spark`, a DataFrame,
/// a UDF) the next cells can use.
pub struct Notebook {
    /// `None` only while a cell runs.
    repl: Option<MontyRepl>,
    modules: Modules,
    host: Host,
    workers: Arc<Workers>,
    control: Arc<RunControl>,
}

impl Notebook {
    /// Starts the interpreter and Kindling's `pyspark` package on `session`.
    pub fn new(session: &Arc<Session>) -> Result<Self, PythonError> {
        let (repl, modules) = start_prelude().map_err(|error| {
            internal_error(format!("Kindling's pyspark prelude failed to start (a bug in Kindling):\n{error}"))
        })?;
        let control = session.executors.control().clone();
        let workers = Arc::new(Workers::new(control.clone()));
        let host = Host::new(session.clone(), workers.clone());
        Ok(Notebook { repl: Some(repl), modules, host, workers, control })
    }

    /// Sets `sys.argv`, the program's name and then what its argparse reads (`kindling run prog.py -- ARGS`).
    pub fn set_argv(&mut self, argv: &[String]) -> Result<(), PythonError> {
        let repl = self.repl.as_mut().expect("no cell is running");
        let args = MontyObject::list(argv.iter().map(|arg| MontyObject::string(arg.clone())));
        repl.call_function("_kindling_set_argv", vec![args], PrintWriter::Disabled)
            .map(|_| ())
            .map_err(|error| internal_error(format!("cannot set sys.argv: {}", error.summary())))
    }

    /// The session cells run in: the one the program's `getOrCreate()` configured, or the notebook's own.
    pub fn session(&self) -> &Arc<Session> {
        self.host.session()
    }

    /// Runs one cell after the ones before it. A failed or cancelled cell leaves the session usable: what ran
    /// before the error stays defined.
    pub fn run_cell(&mut self, source: &str, options: &RunOptions) -> Output {
        self.control.reset();
        let lowered = lower(source, &self.modules.star_names);
        let mut repl = self.repl.take().expect("a notebook runs one cell at a time");
        let program = ProgramText {
            script: repl.next_script_name(),
            file_name: options.file_name.clone(),
            text: source.to_string(),
            lines: lowered.lines,
        };
        if let Some((message, offset)) = &lowered.syntax_error {
            self.repl = Some(repl);
            return Output { stdout: String::new(), stderr: String::new(), error: Some(parse_error(&program, message, *offset)) };
        }
        self.workers.begin(Arc::new(program), options.time_limit);
        repl.tracker_mut().set_max_feed_duration(options.time_limit);
        let mut last_raised = None;
        self.host.echo = options.echo.clone();
        self.host.echo_err = options.echo_err.clone();
        let mut printed = Printed { text: String::new(), echo: options.echo.as_ref() };
        let (repl, outcome) = drive(repl, &lowered.source, &self.modules, &mut self.host, &self.control, &mut printed, &mut last_raised);
        self.repl = Some(repl);
        let error = outcome.err().map(|exception| {
            let class = last_raised
                .filter(|(raised, _): &(MontyException, String)| same_exception(raised, &exception))
                .map(|(_, class)| class);
            render(&exception, &self.workers.programs(), class)
        });
        Output { stdout: std::mem::take(&mut self.host.stdout), stderr: std::mem::take(&mut self.host.stderr), error }
    }
}

/// What the prelude provides for the program's imports.
struct Modules {
    /// The importable modules by name.
    objects: Vec<(&'static str, MontyObject)>,
    /// What `from <module> import *` binds.
    star_names: Vec<(String, Vec<String>)>,
}

impl Modules {
    fn get(&self, name: &str) -> Option<&MontyObject> {
        self.objects.iter().find(|(known, _)| *known == name).map(|(_, module)| module)
    }
}

fn start_prelude() -> Result<(MontyRepl, Modules), MontyException> {
    // Reference counting frees everything but cycles at once. A cycle collection walks the whole heap, and a
    // task holds a whole partition of rows there; collecting every 100k allocations (monty's default) spent half
    // of an RDD job's time in the collector, so cycles are collected far more rarely.
    let limits = ResourceLimits { max_suspensions: usize::MAX, gc_interval: Some(CYCLE_COLLECTION_INTERVAL), ..ResourceLimits::default() };
    let repl = MontyRepl::new("main.py", ResourceTracker::new(limits), CompileOptions::default());
    let host = vec![(HOST_FUNCTION.to_string(), MontyObject::function(HOST_FUNCTION, None))];
    let mut repl = feed_quietly(repl, &prelude_program(), host)?.0;
    let mut objects = Vec::new();
    for (name, expression) in MODULE_OBJECTS {
        let (next, module) = feed_quietly(repl, expression, Vec::new())?;
        repl = next;
        objects.push((name, module));
    }
    let (repl, star_names) = feed_quietly(repl, "_kindling_star_names", Vec::new())?;
    Ok((repl, Modules { objects, star_names: star_names_of(&star_names) }))
}

/// `{'pyspark.sql.types': ('StructType', …), …}` as Rust strings.
fn star_names_of(dict: &MontyObject) -> Vec<(String, Vec<String>)> {
    let text = |object: &ObjectRef| object.as_str().unwrap_or_default().to_string();
    let pairs = dict.as_ref().pairs().unwrap_or_default();
    pairs.iter().map(|(path, names)| (text(path), names.items().unwrap_or_default().iter().map(text).collect())).collect()
}

/// The prelude as the body of one function, run once; only [`PRELUDE_HOOKS`] come out as globals.
///
/// The program and the prelude share the interpreter's one global namespace. Were the prelude's names globals, a
/// program's `for col in df.columns:` or `Row = …` would rebind the names the prelude's own code calls; as locals
/// of a function, the prelude's code reaches them as closure variables the program cannot touch.
fn prelude_program() -> String {
    let mut text = String::from("def _kindling_prelude():\n");
    for line in PRELUDE.concat().lines() {
        if !line.is_empty() {
            text.push_str("    ");
            text.push_str(line);
        }
        text.push('\n');
    }
    let hooks = PRELUDE_HOOKS.join(", ");
    text.push_str(&format!("    return ({hooks},)\n\n\n({hooks},) = _kindling_prelude()\n"));
    text
}

/// Feeds Kindling's own code, which never suspends; gives back the value of its last expression.
fn feed_quietly(repl: MontyRepl, code: &str, inputs: Vec<(String, MontyObject)>) -> Result<(MontyRepl, MontyObject), MontyException> {
    let mut ignored = String::new();
    match repl.feed_start(code, inputs, PrintWriter::CollectString(&mut ignored, None)) {
        Ok(ReplProgress::Complete { repl, value }) => Ok((repl, value)),
        Ok(other) => Err(MontyException::new(
            ExcType::RuntimeError,
            Some(format!("the prelude stopped at {:?}", std::mem::discriminant(&other))),
        )),
        Err(failed) => Err(failed.error),
    }
}

/// Runs the program to its end, answering every suspension; gives the interpreter back for the next cell.
fn drive(
    repl: MontyRepl,
    program: &str,
    modules: &Modules,
    host: &mut Host,
    control: &RunControl,
    printed: &mut Printed,
    last_raised: &mut Option<(MontyException, String)>,
) -> (MontyRepl, Result<(), MontyException>) {
    let mut progress = repl.feed_start(program, Vec::<(String, MontyObject)>::new(), PrintWriter::Callback(printed));
    loop {
        host.stdout.push_str(&std::mem::take(&mut printed.text));
        let print = PrintWriter::Callback(printed);
        let state = match progress {
            Ok(state) => state,
            Err(failed) => return (failed.repl, Err(failed.error)),
        };
        if control.is_cancelled() && !matches!(state, ReplProgress::Complete { .. }) {
            let cancelled = MontyException::new(ExcType::KeyboardInterrupt, Some("the run was cancelled".into()));
            progress = abort(state, cancelled, print);
            continue;
        }
        progress = match state {
            ReplProgress::Complete { repl, .. } => return (repl, Ok(())),
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
                OsFunctionCall::Import(name) if modules.get(name).is_some() => {
                    let module = modules.get(name).cloned().expect("found above");
                    call.resume(module, print)
                }
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

/// Raises `exception` where the program is paused. Unless the program catches it, the run ends with it.
fn abort(state: ReplProgress, exception: MontyException, print: PrintWriter<'_>) -> Result<ReplProgress, Box<ReplStartError>> {
    match state {
        ReplProgress::FunctionCall(call) => call.abort(exception, print),
        ReplProgress::OsCall(call) => call.abort(exception, print),
        ReplProgress::NameLookup(lookup) => lookup.abort(exception, print),
        ReplProgress::ResolveFutures(futures) => futures.abort(exception, print),
        ReplProgress::Complete { repl, value } => Ok(ReplProgress::Complete { repl, value }),
    }
}

fn same_exception(a: &MontyException, b: &MontyException) -> bool {
    a.exc_type() == b.exc_type() && a.message() == b.message()
}

fn internal_error(message: String) -> PythonError {
    PythonError { traceback: message.clone(), line: None, summary: message }
}
