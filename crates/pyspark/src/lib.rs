//! # kindling-pyspark
//!
//! PySpark programs on Kindling's engine. The program runs in monty, a sandboxed Python interpreter: no files,
//! network or environment except what the host hands it. Before it, the interpreter runs Kindling's own
//! `pyspark` package (`src/prelude/*.py`): thin Python classes — SparkSession, DataFrame, Column, GroupedData,
//! functions as F, types, Row, RDD — whose methods call the host ([`host`]), where the real objects are engine
//! DataFrames and expressions.
//!
//! What the interpreter cannot do as written (ordering comparisons on Columns, generator functions) is rewritten
//! first ([`lowering`]); errors come back as Python tracebacks about the user's own lines ([`traceback`]).

pub mod error;
pub mod export;
mod host;
pub mod interpreter;
pub mod lowering;
pub mod notebook;
pub mod portable_hash;
pub mod traceback;
pub mod values;
pub mod worker;

pub use error::{PySparkError, Result};
pub use interpreter::{Echo, Notebook, Output, RunOptions, run};
pub use traceback::PythonError;
