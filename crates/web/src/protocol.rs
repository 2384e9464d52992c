//! The messages between the app (main thread) and the engine worker.
//!
//! Messages cross `postMessage` as JSON text, except a file the user picked, which crosses as the browser's own
//! `File` object (see `engine_worker`). Results carry their jobs' [`JobTrace`]s, which is what the app draws from.
//!
//! [`JobTrace`]: kindling_engine::trace::JobTrace

use kindling_engine::cache::StorageUsage;
use kindling_pyspark::notebook::{Cell, CellOutput};
use serde::{Deserialize, Serialize};

/// App → engine worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Run `cells` in order in `kernel`'s session, stopping at the first that fails. `fresh` starts a new session
    /// first (a restarted kernel); so does a change of `settings`.
    Run {
        id: u64,
        cells: Vec<Cell>,
        fresh: bool,
        settings: Settings,
        #[serde(default)]
        kernel: Kernel,
    },
    /// Stop the running cells: the running job takes no new task, the program stops at its next engine call.
    Cancel,
    /// Download `url` and make it readable as `path`.
    AddUrl { path: String, url: String },
}

/// Whose session a run uses: the notebook's, or the lessons' (a lesson never disturbs the notebook's variables).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kernel {
    #[default]
    Notebook,
    Lesson,
}

/// Engine worker → app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker is up and the samples are loaded.
    Ready(EngineInfo),
    /// The files the code can read, after one was added.
    Files(Vec<FileEntry>),
    /// Tasks finished out of tasks scheduled so far in run `id`, while `cell` (an index into its cells) runs.
    Progress { id: u64, cell: usize, done: usize, total: usize },
    /// Run `id` ended: one output per cell that ran, and the session's cached DataFrames after it.
    Finished {
        id: u64,
        outputs: Vec<CellOutput>,
        #[serde(default)]
        storage: Vec<StorageUsage>,
    },
    /// Something outside any cell went wrong (a download, a malformed message).
    Failed { message: String },
}

/// The knobs: the session every cell runs in. A program's own settings (`.master("local[2]")`,
/// `spark.conf.set(...)`) still win, as in Spark; `local[*]` means these executors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// `local[N]`: how many executor threads take tasks.
    pub executors: usize,
    /// `spark.sql.shuffle.partitions`
    pub shuffle_partitions: usize,
    /// `spark.sql.autoBroadcastJoinThreshold` in bytes; -1 never broadcasts.
    pub broadcast_threshold: i64,
    /// `spark.sql.adaptive.enabled`
    pub adaptive: bool,
}

impl Settings {
    /// Spark's defaults on `executors` threads.
    pub fn spark_defaults(executors: usize) -> Self {
        Settings { executors, shuffle_partitions: 200, broadcast_threshold: 10 * 1024 * 1024, adaptive: true }
    }

    /// The settings as Spark configuration keys and values.
    pub fn spark_conf(&self) -> [(&'static str, String); 3] {
        [
            ("spark.sql.shuffle.partitions", self.shuffle_partitions.to_string()),
            ("spark.sql.autoBroadcastJoinThreshold", self.broadcast_threshold.to_string()),
            ("spark.sql.adaptive.enabled", self.adaptive.to_string()),
        ]
    }
}

/// How the engine worker started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineInfo {
    /// The size of the executor pool.
    pub executors: usize,
    /// Whether the page is cross-origin isolated. Without isolation there is no shared memory between workers,
    /// so the engine runs all tasks on a single executor, and a run can be neither watched nor cancelled.
    pub cross_origin_isolated: bool,
    /// `navigator.hardwareConcurrency` as the worker saw it.
    pub hardware_concurrency: usize,
    /// The files the code can read: the bundled samples.
    pub files: Vec<FileEntry>,
}

/// A file the code can read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub bytes: u64,
}

/// One bundled sample in `samples/manifest.json`: where to fetch it, and the path programs read it by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub path: String,
    pub url: String,
}

/// A message as it crosses `postMessage`.
pub fn encode<T: Serialize>(message: &T) -> String {
    serde_json::to_string(message).expect("protocol messages always serialise")
}

pub fn decode<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("malformed message between app and engine worker: {e}"))
}

#[cfg(test)]
mod tests {
    use kindling_engine::trace::JobTrace;
    use kindling_pyspark::notebook::{CellError, Language};

    use super::*;

    #[test]
    fn requests_and_responses_survive_the_crossing() {
        let cell = Cell { name: "cell 1".into(), language: Language::Sql, source: "SELECT 0.1 + 0.2".into() };
        let request = Request::Run { id: 7, cells: vec![cell], fresh: true, settings: Settings::spark_defaults(2), kernel: Kernel::Lesson };
        assert_eq!(decode::<Request>(&encode(&request)), Ok(request));

        let output = CellOutput {
            stdout: "+---+\n".into(),
            error: Some(CellError { summary: "NameError: x".into(), text: "Traceback…".into(), line: Some(3) }),
            jobs: vec![JobTrace { description: "d".into(), executors: 2, duration_us: 1500, ..JobTrace::default() }],
            ..CellOutput::default()
        };
        let finished = Response::Finished { id: 7, outputs: vec![output], storage: Vec::new() };
        assert_eq!(decode::<Response>(&encode(&finished)), Ok(finished));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let error = decode::<Response>("{\"Finished\": 3").unwrap_err();
        assert!(error.contains("malformed message"), "{error}");
    }
}
