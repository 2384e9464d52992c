//! `kindling run` and `kindling explain`: a PySpark program (`.py`) or a SQL file (`.sql`) on a local session, as
//! `spark-submit` and `spark-sql -f` run them. A program prints what it prints; a SQL file prints each query's rows
//! tab-separated, as `spark-sql` does. `--trace` saves every job's trace for the page's "Open trace".

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kindling_engine::scheduler::RunControl;
use kindling_engine::dataframe::DataFrame;
use kindling_engine::session::{Config, Session};
use kindling_engine::trace::JobTrace;
use kindling_pyspark::{Echo, Notebook, RunOptions};
use kindling_sql::statement::split;
use kindling_sql::{sql, sql_script};

use crate::commands::CliError;
use crate::master::Master;

/// What to run, and how.
pub struct Submission {
    pub program: PathBuf,
    pub master: Master,
    /// `--conf key=value` settings, applied before the program's own.
    pub conf: Vec<(String, String)>,
    pub time_limit: Duration,
    /// `sys.argv[1:]` for a Python program.
    pub args: Vec<String>,
}

/// `spark.sql.shuffle.partitions=8` → the key and the value.
pub fn parse_conf(text: &str) -> Result<(String, String), String> {
    let (key, value) = text.split_once('=').ok_or_else(|| format!("`{text}` is not key=value"))?;
    Ok((key.trim().to_string(), value.trim().to_string()))
}

impl Submission {
    fn session(&self) -> Result<Arc<Session>, CliError> {
        let mut config = Config::default();
        for (key, value) in &self.conf {
            config.set(key, value)?;
        }
        Ok(Session::local(self.master.executors)?.with_config(config))
    }

    fn source(&self) -> Result<String, CliError> {
        std::fs::read_to_string(&self.program).map_err(|source| CliError::Io { path: self.program.clone(), source })
    }

    fn is_sql(&self) -> bool {
        self.program.extension().is_some_and(|extension| extension.eq_ignore_ascii_case("sql"))
    }

    /// Runs the program, printing what it prints; returns the jobs it ran.
    pub fn run(&self) -> Result<Vec<JobTrace>, CliError> {
        let session = self.session()?;
        let source = self.source()?;
        if self.is_sql() {
            self.run_statements(&session, &source)?;
            return Ok(session.jobs());
        }
        self.run_program(&session, &source, Printing::AsItGoes)
    }

    /// A SQL file as `spark-sql -f` runs it: one statement after another, each query's rows printed before the
    /// next statement is even parsed; the first statement that fails stops the run with Spark's error and where
    /// the statement starts in the file.
    fn run_statements(&self, session: &Arc<Session>, source: &str) -> Result<(), CliError> {
        for (position, text) in split(source) {
            let rows = sql(session, text).and_then(|df| Ok(df.result_cells()?));
            let rows = rows.map_err(|error| {
                let place = format!("{}:{}:{}", self.program.display(), position.line, position.column);
                CliError::Program(format!("{}\n(in the statement that starts at {place})", error.to_string().trim_end()))
            })?;
            for row in rows {
                println!("{}", row.join("\t"));
            }
        }
        Ok(())
    }

    /// Runs a Python program: its jobs, or how it failed.
    fn run_program(&self, session: &Arc<Session>, source: &str, printing: Printing) -> Result<Vec<JobTrace>, CliError> {
        let mut notebook = Notebook::new(session).map_err(|error| CliError::Program(error.traceback))?;
        let argv: Vec<String> = std::iter::once(self.program.display().to_string()).chain(self.args.iter().cloned()).collect();
        notebook.set_argv(&argv).map_err(|error| CliError::Program(error.traceback))?;
        let progress = ProgressReport::start(session.executors.control().clone());
        let (echo, echo_err): (Option<Echo>, Option<Echo>) = match printing {
            Printing::AsItGoes => {
                let (bar, err_bar) = (progress.bar.clone(), progress.bar.clone());
                (
                    Some(Arc::new(move |text: &str| print_above(&bar, text, &mut std::io::stdout().lock()))),
                    Some(Arc::new(move |text: &str| print_above(&err_bar, text, &mut std::io::stderr().lock()))),
                )
            }
            Printing::Nothing => (None, None),
        };
        let options = RunOptions { file_name: self.program.display().to_string(), time_limit: self.time_limit, echo, echo_err };
        let output = notebook.run_cell(source, &options);
        drop(progress);
        match output.error {
            Some(error) if error.summary.starts_with("SystemExit") => Err(system_exit(&error.summary)),
            Some(error) => Err(CliError::Program(error.traceback)),
            None => Ok(notebook.session().jobs()),
        }
    }

    /// `kindling explain`: the physical plan of each query of a SQL file, or of each job a program runs.
    pub fn explain(&self) -> Result<(), CliError> {
        if self.is_sql() {
            for df in queries(&self.session()?, &self.source()?)? {
                print!("{}", df.explain_string(false)?);
            }
            return Ok(());
        }
        for job in self.run_program(&self.session()?, &self.source()?, Printing::Nothing)? {
            println!("-- job: {}", job.description);
            print!("{}", job.explain);
        }
        Ok(())
    }
}

/// Tasks done / scheduled on stderr while a run goes on, once it has taken a while; nothing when stderr is not a
/// terminal (indicatif hides the bar then).
struct ProgressReport {
    /// Hidden until the run has taken a while.
    bar: ProgressBar,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Whether `kindling run` shows what a program prints (`explain` shows only the plans).
#[derive(Clone, Copy)]
enum Printing {
    AsItGoes,
    Nothing,
}

/// Writes a program's output to stdout at once, with the progress bar lifted off the terminal meanwhile.
fn print_above(bar: &ProgressBar, text: &str, out: &mut dyn Write) {
    bar.suspend(|| {
        // A closed stdout (`kindling run prog.py | head`) must not stop the program; Python would raise, Kindling
        // keeps running and drops the text.
        let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    });
}

impl ProgressReport {
    const SHOW_AFTER: Duration = Duration::from_secs(1);
    const INTERVAL: Duration = Duration::from_millis(100);

    fn start(control: Arc<RunControl>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let bar = new_bar();
        let thread = std::thread::spawn({
            let (stop, bar) = (stop.clone(), bar.clone());
            move || {
                let started = Instant::now();
                let mut shown = false;
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Self::INTERVAL);
                    if started.elapsed() < Self::SHOW_AFTER {
                        continue;
                    }
                    if !shown {
                        bar.set_draw_target(ProgressDrawTarget::stderr());
                        shown = true;
                    }
                    let (done, total) = control.progress();
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                }
                bar.finish_and_clear();
            }
        });
        ProgressReport { bar, stop, thread: Some(thread) }
    }
}

impl Drop for ProgressReport {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn new_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
    let style = ProgressStyle::with_template("{spinner} tasks {pos}/{len} [{wide_bar}] {elapsed}").expect("a valid template");
    bar.set_style(style.progress_chars("=> "));
    bar
}

/// The results of a SQL file's statements that are queries (a `CREATE VIEW` has no columns), in order.
fn queries(session: &Arc<Session>, source: &str) -> Result<Vec<DataFrame>, CliError> {
    let results = sql_script(session, source).map_err(|error| CliError::Program(error.to_string()))?;
    Ok(results.into_iter().map(|(_, df)| df).filter(|df| !df.schema().fields.is_empty()).collect())
}

/// `SystemExit("usage: …")` from argparse: its message, as Python prints it, and no traceback.
fn system_exit(summary: &str) -> CliError {
    let message = summary.trim_start_matches("SystemExit").trim_start_matches(':').trim();
    match message.parse::<i32>() {
        Ok(code) => CliError::Exit(code),
        Err(_) if message.is_empty() => CliError::Exit(0),
        Err(_) => CliError::ExitWithMessage(message.to_string()),
    }
}

/// Writes the jobs as JSON: what the page's "Open trace" reads.
pub fn write_trace(path: &Path, jobs: &[JobTrace]) -> Result<(), CliError> {
    let json = serde_json::to_string(jobs).expect("traces serialise");
    std::fs::write(path, json).map_err(|source| CliError::Io { path: path.to_path_buf(), source })
}
