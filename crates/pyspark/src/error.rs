//! The crate's error type: what a host call raises inside the sandbox, as PySpark would raise it.

use kindling_engine::EngineError;
use kindling_sql::SqlError;
use monty_types::{ExcType, MontyException};

/// An exception a host call raises in the user's program.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PySparkError {
    /// One of PySpark's captured JVM exceptions (`AnalysisException`, `ParseException`, …); `class` is the short
    /// class name, shown with its module `pyspark.errors.exceptions.captured`.
    #[error("{message}")]
    Spark { class: &'static str, message: String },
    #[error("{0}")]
    Type(String),
    #[error("{0}")]
    Value(String),
    /// PySpark's own `PySparkValueError` (a `ValueError` raised by PySpark's Python code, with an error class).
    #[error("{0}")]
    PySparkValue(String),
    /// A PySpark feature Kindling does not have yet.
    #[error("{0}")]
    NotSupported(String),
    /// An exception a Python function raised in a task (a UDF, an RDD function): PySpark's `PythonException`.
    #[error("{0}")]
    Worker(String),
    /// The user stopped the run while a job was running.
    #[error("the run was cancelled")]
    Cancelled,
}

pub type Result<T, E = PySparkError> = std::result::Result<T, E>;

/// Returns early with [`PySparkError::Type`], formatted like `format!`.
#[macro_export]
macro_rules! type_error {
    ($($arg:tt)*) => {
        return Err($crate::error::PySparkError::Type(format!($($arg)*)))
    };
}

/// Returns early with [`PySparkError::NotSupported`], formatted like `format!`.
#[macro_export]
macro_rules! not_supported {
    ($($arg:tt)*) => {
        return Err($crate::error::PySparkError::NotSupported(format!($($arg)*)))
    };
}

impl PySparkError {
    /// The exception class as Python prints it on the traceback's last line.
    pub fn class_name(&self) -> String {
        match self {
            PySparkError::Spark { class, .. } => format!("pyspark.errors.exceptions.captured.{class}"),
            PySparkError::Type(_) => "TypeError".into(),
            PySparkError::Value(_) => "ValueError".into(),
            PySparkError::PySparkValue(_) => "pyspark.errors.exceptions.base.PySparkValueError".into(),
            PySparkError::NotSupported(_) => "NotImplementedError".into(),
            PySparkError::Worker(_) => "pyspark.errors.exceptions.captured.PythonException".into(),
            PySparkError::Cancelled => "KeyboardInterrupt".into(),
        }
    }

    /// The exception as the interpreter raises it: Spark's exceptions are plain `Exception`s in the sandbox (it
    /// has no class inheritance); the traceback printer restores their PySpark names.
    pub fn to_exception(&self) -> MontyException {
        let exc_type = match self {
            PySparkError::Type(_) => ExcType::TypeError,
            PySparkError::Value(_) | PySparkError::PySparkValue(_) => ExcType::ValueError,
            PySparkError::NotSupported(_) => ExcType::NotImplementedError,
            PySparkError::Spark { .. } | PySparkError::Worker(_) => ExcType::Exception,
            PySparkError::Cancelled => ExcType::KeyboardInterrupt,
        };
        MontyException::new(exc_type, Some(self.to_string()))
    }
}

impl From<EngineError> for PySparkError {
    fn from(error: EngineError) -> Self {
        let message = error.to_string();
        let class = match &error {
            EngineError::ColumnNotFound { .. } | EngineError::Analysis(_) | EngineError::PathNotFound(_) => {
                "AnalysisException"
            }
            EngineError::Runtime(text) => runtime_class(text),
            EngineError::IllegalArgument(_) => "IllegalArgumentException",
            EngineError::InvalidArgument(_) => return PySparkError::Value(message),
            EngineError::Cancelled => return PySparkError::Cancelled,
            _ => "SparkRuntimeException",
        };
        PySparkError::Spark { class, message }
    }
}

/// The PySpark class of an ANSI runtime error, by its error class.
fn runtime_class(message: &str) -> &'static str {
    if message.starts_with("[DIVIDE_BY_ZERO]") || message.contains("OVERFLOW") {
        "ArithmeticException"
    } else if message.starts_with("[INVALID_ARRAY_INDEX") {
        "ArrayIndexOutOfBoundsException"
    } else if message.starts_with("[CAST_INVALID_INPUT]") {
        "NumberFormatException"
    } else if message.contains("DATETIME") {
        "DateTimeException"
    } else {
        "SparkRuntimeException"
    }
}

impl From<SqlError> for PySparkError {
    fn from(error: SqlError) -> Self {
        match error {
            SqlError::Engine(engine) => engine.into(),
            // PySpark's ParseException text starts on a line of its own.
            SqlError::Parse { .. } => PySparkError::Spark { class: "ParseException", message: format!("\n{error}") },
            SqlError::Analysis { .. } => PySparkError::Spark { class: "AnalysisException", message: error.to_string() },
        }
    }
}
