//! The messages between the app (main thread) and the engine worker.
//!
//! Messages are small and cross `postMessage` as JSON text. Results carry their [`JobTrace`], which is what the
//! app draws from.
//!
//! [`JobTrace`]: kindling_engine::trace::JobTrace

use kindling_engine::job::SumPerPartition;
use serde::{Deserialize, Serialize};

/// App → engine worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Load a Parquet file from `url`, cut it into `partitions` and sum `column` in each partition.
    SumPerPartition { url: String, column: String, partitions: usize },
}

/// Engine worker → app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker is up; `executors` threads are ready to run tasks.
    Ready(EngineInfo),
    Summed(Box<SumPerPartition>),
    Failed { message: String },
}

/// How the engine worker started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineInfo {
    /// The size of the executor pool.
    pub executors: usize,
    /// Whether the page is cross-origin isolated. Without isolation there is no shared memory between workers,
    /// so the engine runs all tasks on a single executor.
    pub cross_origin_isolated: bool,
    /// `navigator.hardwareConcurrency` as the worker saw it.
    pub hardware_concurrency: usize,
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
    use kindling_engine::job::PartitionSum;
    use kindling_engine::trace::JobTrace;

    use super::*;

    #[test]
    fn requests_and_responses_survive_the_crossing() {
        let request = Request::SumPerPartition { url: "samples/a.parquet".into(), column: "total_amount".into(), partitions: 4 };
        assert_eq!(decode::<Request>(&encode(&request)), Ok(request));

        let summed = Response::Summed(Box::new(SumPerPartition {
            column: "total_amount".into(),
            partitions: vec![PartitionSum { partition: 0, rows: 2, sum: Some(0.1 + 0.2) }],
            total: Some(0.1 + 0.2),
            trace: JobTrace { description: "d".into(), executors: 2, partitions: vec![], tasks: vec![], duration_us: 1500, ..JobTrace::default() },
        }));
        // Doubles must come back bit for bit: the app prints the numbers the engine computed.
        assert_eq!(decode::<Response>(&encode(&summed)), Ok(summed));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let error = decode::<Response>("{\"Summed\": 3").unwrap_err();
        assert!(error.contains("malformed message"), "{error}");
    }
}
