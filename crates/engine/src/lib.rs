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
pub mod aggregate;
pub mod analyzer;
pub mod clock;
pub mod dataframe;
pub mod display;
pub mod error;
pub mod exchange;
pub mod executor;
pub mod expr;
pub mod functions;
pub mod hash_aggregate;
pub mod io;
pub mod job;
pub mod logical;
pub mod optimizer;
pub mod partition;
pub mod partitioner;
pub mod physical;
pub mod scheduler;
pub mod schema;
pub mod session;
pub mod stage;
pub mod task;
pub mod trace;
pub mod types;
pub mod value;

pub use error::{EngineError, Result};
