//! The engine's one error type. Every fallible engine function returns [`Result`].

use arrow::datatypes::DataType;
use arrow::error::ArrowError;
use parquet::errors::ParquetError;

/// Everything that can go wrong inside the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot read Parquet: {0}")]
    Parquet(#[from] ParquetError),
    #[error("{0}")]
    Arrow(#[from] ArrowError),
    #[error("{}", crate::analyzer::unresolved_column_message(.name, .available))]
    ColumnNotFound { name: String, available: Vec<String> },
    /// A query Spark would reject before running it (its `AnalysisException`); the text starts with Spark's
    /// error class, e.g. `[DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES]`.
    #[error("{0}")]
    Analysis(String),
    /// A failure while running, as Spark's ANSI mode reports it (`[DIVIDE_BY_ZERO] …`).
    #[error("{0}")]
    Runtime(String),
    /// A bug in Kindling, not in the user's program.
    #[error("internal error (a bug in Kindling): {0}")]
    Internal(String),
    #[error("column `{column}` has type {data_type}, which cannot be summed")]
    NotNumeric { column: String, data_type: DataType },
    #[error("the Arrow type {0} has no Spark equivalent in Kindling yet (not supported)")]
    UnsupportedType(DataType),
    #[error("[PATH_NOT_FOUND] Path does not exist: {0}.")]
    PathNotFound(String),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}:{line}: {message}")]
    Csv { path: String, line: u64, message: String },
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// An argument Spark's own checks refuse (its `IllegalArgumentException`, `requirement failed: …`).
    #[error("{0}")]
    IllegalArgument(String),
    #[error("cannot start the executors: {0}")]
    Executors(String),
    /// The user stopped the job (the Cancel button, Ctrl+C); the executors took no new task after that.
    #[error("the job was cancelled")]
    Cancelled,
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// Returns early with [`EngineError::InvalidArgument`], formatted like `format!`.
#[macro_export]
macro_rules! invalid_argument {
    ($($arg:tt)*) => {
        return Err($crate::error::EngineError::InvalidArgument(format!($($arg)*)))
    };
}
