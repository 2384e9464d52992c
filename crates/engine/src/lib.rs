//! # kindling-engine
//!
//! Spark's batch-processing model, on Apache Arrow, small enough to read after a lesson.
//!
//! A Spark *job* reads its input as **partitions** (slices of the data), runs one **task** per partition, and the
//! **scheduler** hands those tasks to **executors** (here: the threads of a rayon pool, like `local[N]`). Everything
//! that happens is written down in a [`trace::JobTrace`], which the web UI and the CLI draw their views from.
//!
//! The engine knows nothing about browsers: it compiles natively and to `wasm32`, and every type that crosses
//! threads is `Send + Sync`.

pub mod adaptive;
pub mod adaptive_plan;
pub mod aggregate;
pub mod analyzer;
pub mod broadcast;
pub mod cache;
pub mod catalog;
pub mod clock;
pub mod dataframe;
pub mod display;
pub mod error;
pub mod exchange;
pub mod executor;
pub mod expr;
pub mod functions;
pub mod generate;
pub mod hash_aggregate;
pub mod sort_aggregate;
pub mod interval;
pub mod io;
pub mod job;
pub mod join;
pub mod key_table;
pub mod logical;
pub mod metrics;
pub mod optimizer;
pub mod partition;
pub mod partitioner;
pub mod physical;
pub mod query_settings;
pub mod random;
pub mod range;
pub mod plan_graph;
pub mod rdd;
pub mod sample;
pub mod replay;
pub mod scheduler;
pub mod schema;
pub mod session;
pub mod shuffle_dependency;
pub mod sort;
pub mod sort_merge_join;
pub mod statistics;
pub mod stage;
pub mod stage_summary;
pub mod task;
pub mod time_zone;
pub mod trace;
pub mod types;
pub mod udf;
pub mod value;
pub mod window;

pub use error::{EngineError, Result};

/// Everything that crosses threads is `Send + Sync`: sessions and DataFrames are shared with executor threads.
#[cfg(test)]
mod thread_safety {
    fn shared_across_threads<T: Send + Sync>() {}

    #[test]
    fn sessions_and_dataframes_are_send_and_sync() {
        shared_across_threads::<crate::session::Session>();
        shared_across_threads::<crate::dataframe::DataFrame>();
        shared_across_threads::<crate::trace::JobTrace>();
    }
}
