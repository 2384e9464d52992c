//! `F.udf`: a Python function as a column expression. The engine sees a [`ScalarUdf`]; each batch of rows it
//! evaluates goes to a worker copy of the program, which calls the function row by row.

use std::fmt;
use std::sync::Arc;

use arrow::array::ArrayRef;
use kindling_engine::expr::Expr;
use kindling_engine::types::SparkType;
use kindling_engine::udf::{ScalarUdf, Udf};
use kindling_engine::value::{Value, array_of};
use kindling_engine::{EngineError, Result as EngineResult};
use monty_types::MontyObject;

use super::column::parse_type;
use super::{Args, Host};
use crate::error::Result;
use crate::{not_supported, type_error};
use crate::values::{PyValue, to_declared_type, to_python};
use crate::worker::Workers;

impl Host {
    pub(super) fn udf_op(&mut self, name: &str, args: &Args) -> Result<MontyObject> {
        self.uses_python = true;
        match name {
            "call" => {
                let arguments: Vec<Expr> = args.list(3)?.iter().map(|a| self.expr_or_name(a)).collect::<Result<_>>()?;
                let keywords = args.list(4)?.iter().map(keyword).collect::<Result<_>>()?;
                let function = PythonFunction { key: args.int(0)?, name: args.str(1)?.to_string(), return_type: parse_type(args.str(2)?)? };
                Ok(self.new_column(function.call(arguments, keywords, &self.workers)))
            }
            "register" => {
                // `spark.udf.register(name, f)`: SQL calls it by the registered name.
                let function = PythonFunction { key: args.int(1)?, name: args.str(0)?.to_string(), return_type: parse_type(args.str(2)?)? };
                let workers = self.workers.clone();
                let builder = move |arguments: Vec<Expr>| function.call(arguments, Vec::new(), &workers);
                self.session.catalog.register_function(args.str(0)?, Arc::new(builder));
                Ok(MontyObject::none())
            }
            _ => not_supported!("udf.{name} is not supported by Kindling yet"),
        }
    }
}

fn keyword(name: &PyValue) -> Result<String> {
    match name {
        PyValue::Str(name) => Ok(name.clone()),
        other => type_error!("a keyword must be a str, got {}", other.type_name()),
    }
}

/// A Python function of the program, as a UDF is made of it.
struct PythonFunction {
    key: i64,
    name: String,
    return_type: SparkType,
}

impl PythonFunction {
    /// The UDF applied to `arguments`, the last of them passed by the names `keywords`.
    fn call(&self, arguments: Vec<Expr>, keywords: Vec<String>, workers: &Arc<Workers>) -> Expr {
        let function = PythonUdf {
            key: self.key,
            name: self.name.clone(),
            return_type: self.return_type.clone(),
            argument_names: arguments.iter().map(Expr::sql_name).collect(),
            keywords,
            workers: workers.clone(),
        };
        Expr::Udf { function: Udf::new(function), args: arguments }
    }
}

/// A Python function registered in the program under `key`.
struct PythonUdf {
    key: i64,
    name: String,
    return_type: SparkType,
    /// The arguments as the user wrote them, to name the values of a row that failed.
    argument_names: Vec<String>,
    /// The names of the trailing arguments given by keyword.
    keywords: Vec<String>,
    workers: Arc<Workers>,
}

impl fmt::Debug for PythonUdf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PythonUdf({}: {})", self.name, self.return_type.simple_string())
    }
}

/// Rows per call into a Python worker: a cancel or a failure is noticed between calls, and each call's copy of
/// the program is shared by this many rows.
const UDF_BATCH_ROWS: usize = 1000;

impl ScalarUdf for PythonUdf {
    fn name(&self) -> &str {
        &self.name
    }

    fn return_type(&self) -> SparkType {
        self.return_type.clone()
    }

    fn keywords(&self) -> &[String] {
        &self.keywords
    }

    fn invoke(&self, args: &[ArrayRef], rows: usize) -> EngineResult<ArrayRef> {
        let mut values = Vec::with_capacity(rows);
        for start in (0..rows).step_by(UDF_BATCH_ROWS) {
            values.extend(self.invoke_rows(args, start..rows.min(start + UDF_BATCH_ROWS))?);
        }
        Ok(array_of(&values, &self.return_type))
    }
}

impl PythonUdf {
    /// One worker call on `rows` of the arguments.
    fn invoke_rows(&self, args: &[ArrayRef], rows: std::ops::Range<usize>) -> EngineResult<Vec<Value>> {
        let values: Vec<Vec<Value>> = rows
            .map(|row| args.iter().map(|a| Value::from_array(a, row)).collect::<EngineResult<_>>())
            .collect::<EngineResult<_>>()?;
        let batch = MontyObject::list(values.iter().map(|row| MontyObject::tuple(row.iter().map(to_python))));
        let describe_row = |noted: &MontyObject| {
            let index = usize::try_from(noted.as_ref().as_int()?).ok()?;
            Some(self.describe_row(values.get(index)?))
        };
        let results = self.workers.call("_kindling_udf_batch", vec![MontyObject::int(self.key), batch], &describe_row)?;
        let results = PyValue::decode(results.as_ref());
        let items = results.items().ok_or_else(|| EngineError::Internal(format!("{} returned no list of results", self.name)))?;
        Ok(items.iter().map(|item| to_declared_type(item, &self.return_type)).collect())
    }

    /// `inv(x = 0)`: the call that failed, with the row's argument values as Python shows them.
    fn describe_row(&self, row: &[Value]) -> String {
        let arguments: Vec<String> = self
            .argument_names
            .iter()
            .zip(row)
            .map(|(name, value)| format!("{name} = {}", PyValue::decode(to_python(value).as_ref()).repr()))
            .collect();
        format!("{}({})", self.name, arguments.join(", "))
    }
}
