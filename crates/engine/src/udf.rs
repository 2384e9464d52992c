//! User-defined functions: code the engine runs but cannot look into.
//!
//! `F.udf(python_function)` turns any Python function into a column expression. Spark cannot analyse, fold or
//! push down such a function: it only knows its name, its declared return type and its arguments. When a task
//! reaches it, Spark sends batches of argument rows to a Python worker process, which calls the function once per
//! row and sends the results back (`BatchEvalPython` in a plan). That round trip is why UDFs are slow compared with
//! built-in functions, and why a value of the wrong type comes back as NULL instead of failing.
//!
//! The engine sees a UDF through [`ScalarUdf`]; the PySpark front end implements it with its sandboxed Python.

use std::fmt;
use std::sync::Arc;

use arrow::array::ArrayRef;

use crate::Result;
use crate::types::SparkType;

/// A function the engine applies to whole batches of argument rows without knowing what it does.
pub trait ScalarUdf: Send + Sync + fmt::Debug {
    /// The name plans and column names show (`crazy_stuff(dispatching_base_num)`).
    fn name(&self) -> &str;
    /// The type the user declared; results of another type become NULL.
    fn return_type(&self) -> SparkType;
    /// The function applied to each of `rows` rows, whose argument values are `args` (one array per argument).
    fn invoke(&self, args: &[ArrayRef], rows: usize) -> Result<ArrayRef>;
    /// The names of the trailing arguments passed by keyword (`add(id, b => 1)`), in order.
    fn keywords(&self) -> &[String] {
        &[]
    }
}

/// A shared handle on a [`ScalarUdf`]; two handles are the same UDF only if they point at the same function.
#[derive(Clone, Debug)]
pub struct Udf(pub Arc<dyn ScalarUdf>);

impl PartialEq for Udf {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Udf {
    pub fn new(function: impl ScalarUdf + 'static) -> Self {
        Self(Arc::new(function))
    }

    pub fn name(&self) -> &str {
        self.0.name()
    }

    pub fn return_type(&self) -> SparkType {
        self.0.return_type()
    }

    pub fn keywords(&self) -> &[String] {
        self.0.keywords()
    }

    /// Calls the function on `args`, checking it kept its promise of one result of the declared type per row.
    pub fn invoke(&self, args: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
        let result = self.0.invoke(args, rows)?;
        if result.len() != rows || result.data_type() != &self.return_type().to_arrow() {
            return Err(crate::EngineError::Internal(format!(
                "the function {} returned {} values of type {} for {rows} rows of {}",
                self.name(),
                result.len(),
                result.data_type(),
                self.return_type().simple_string()
            )));
        }
        Ok(result)
    }
}
