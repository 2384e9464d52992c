//! The host: what the sandbox's `_kindling(op, …)` calls reach. PySpark's objects live here as engine values
//! (DataFrames, expressions, grouped data) behind integer handles; the prelude's Python classes hold the handles.

pub(crate) mod column;
mod dataframe;
mod rdd;
mod session;
mod type_spec;
mod udf;

use std::sync::Arc;

use kindling_engine::dataframe::{DataFrame, GroupedData};
use kindling_engine::expr::{Expr, col, lit};
use kindling_engine::session::Session;
use kindling_engine::sort::SortOrder;
use monty::{ReplFunctionCall, ReplProgress};
use monty_types::{CallArgs, MontyObject, ObjectRef};

use self::rdd::Rdd;
use crate::error::{PySparkError, Result};
use crate::interpreter::Echo;
use crate::values::{PyValue, to_engine};
use crate::worker::Workers;
use crate::{not_supported, type_error};

/// An engine object a Python object stands for.
enum Object {
    DataFrame(DataFrame),
    Column(Expr),
    /// `col.asc()` / `col.desc()`: a Column that can only sort.
    Sort(SortOrder),
    Grouped(GroupedData),
    Rdd(Rdd),
}

/// The state of one running program.
pub struct Host {
    /// The session the program was started with: its files, executors and views.
    base: Arc<Session>,
    /// The session `getOrCreate()` gave (the base one with the program's settings).
    session: Arc<Session>,
    objects: Vec<Object>,
    /// What the program printed, `print()` and `show()` alike, in order.
    pub stdout: String,
    /// Also gets what the host adds to `stdout` (a `show()` table), as it adds it.
    pub echo: Option<Echo>,
    /// Warnings, as PySpark writes them to stderr.
    pub stderr: String,
    pub echo_err: Option<Echo>,
    /// Where tasks run the program's Python functions.
    workers: Arc<Workers>,
    /// Whether the program has handed Python functions to the engine (UDFs, RDD functions), so that each
    /// action must copy the current program to the workers first.
    uses_python: bool,
}

/// The arguments of one host call, after the operation name: decoded, and as the interpreter's objects.
pub struct Args<'a> {
    values: Vec<PyValue>,
    objects: &'a CallArgs,
    /// The program, paused at this call: what workers copy when the call runs a job.
    paused: &'a ReplProgress,
}

impl<'a> Args<'a> {
    pub fn get(&self, index: usize) -> &PyValue {
        self.values.get(index).unwrap_or(&PyValue::None)
    }

    /// The arguments from `index` on.
    pub fn rest(&self, index: usize) -> &[PyValue] {
        self.values.get(index..).unwrap_or(&[])
    }

    /// The argument at `index` as the interpreter's object, for values handed on to Python workers unchanged.
    pub fn object(&self, index: usize) -> Option<ObjectRef<'a>> {
        self.objects.arg(index + 1)
    }

    pub fn str(&self, index: usize) -> Result<&str> {
        match self.get(index) {
            PyValue::Str(s) => Ok(s),
            other => type_error!("expected a string, got {} ({})", other.type_name(), other.repr()),
        }
    }

    pub fn opt_str(&self, index: usize) -> Result<Option<&str>> {
        match self.get(index) {
            PyValue::None => Ok(None),
            _ => self.str(index).map(Some),
        }
    }

    pub fn int(&self, index: usize) -> Result<i64> {
        match self.get(index) {
            PyValue::Int(i) => Ok(*i),
            other => type_error!("expected an int, got {} ({})", other.type_name(), other.repr()),
        }
    }

    pub fn opt_int(&self, index: usize) -> Result<Option<i64>> {
        match self.get(index) {
            PyValue::None => Ok(None),
            _ => self.int(index).map(Some),
        }
    }

    /// A float argument; an int is taken as one, as Python's arithmetic would.
    pub fn float(&self, index: usize) -> Result<f64> {
        number(self.get(index))
    }

    pub fn bool(&self, index: usize) -> Result<bool> {
        match self.get(index) {
            PyValue::Bool(b) => Ok(*b),
            other => type_error!("expected a bool, got {} ({})", other.type_name(), other.repr()),
        }
    }

    pub fn list(&self, index: usize) -> Result<&[PyValue]> {
        match self.get(index) {
            PyValue::None => Ok(&[]),
            other => other.items().ok_or_else(|| PySparkError::Type(format!("expected a list, got {}", other.type_name()))),
        }
    }

    /// The handle at `index`: a raw handle, or the `_h` of a prelude object.
    pub fn handle(&self, index: usize) -> Result<usize> {
        handle_of(self.get(index))
    }
}

/// A Python int or float as a float.
pub(super) fn number(value: &PyValue) -> Result<f64> {
    match value {
        PyValue::Float(f) => Ok(*f),
        PyValue::Int(i) => Ok(*i as f64),
        other => type_error!("expected a float, got {} ({})", other.type_name(), other.repr()),
    }
}

fn handle_of(value: &PyValue) -> Result<usize> {
    match value {
        PyValue::Int(h) => Ok(*h as usize),
        PyValue::Instance { .. } => match value.attr("_h") {
            Some(PyValue::Int(h)) => Ok(*h as usize),
            _ => type_error!("{} is not a Kindling object", value.type_name()),
        },
        other => type_error!("expected a Column or DataFrame, got {} ({})", other.type_name(), other.repr()),
    }
}

impl Host {
    pub fn new(session: Arc<Session>, workers: Arc<Workers>) -> Self {
        Host { base: session.clone(), session, objects: Vec::new(), stdout: String::new(), echo: None, stderr: String::new(), echo_err: None, workers, uses_python: false }
    }

    /// The session the program works in: the one `getOrCreate()` gave, with the program's settings.
    pub fn session(&self) -> &Arc<Session> {
        &self.session
    }

    /// Runs one `_kindling(op, …)` call: `call`, the program being `paused` at it.
    pub fn call(&mut self, call: &ReplFunctionCall, paused: &ReplProgress) -> Result<MontyObject> {
        let result = self.dispatch(call, paused);
        // An engine error caused by a Python function in a task is PySpark's PythonException.
        result.map_err(|error| self.workers.take_failure().map_or(error, PySparkError::Worker))
    }

    fn dispatch(&mut self, call: &ReplFunctionCall, paused: &ReplProgress) -> Result<MontyObject> {
        let mut values = call.args.args().map(PyValue::decode);
        let Some(PyValue::Str(op)) = values.next() else { type_error!("_kindling() needs an operation name") };
        let args = Args { values: values.collect(), objects: &call.args, paused };
        let (family, name) = op.split_once('.').unwrap_or((op.as_str(), ""));
        self.uses_python |= family == "rdd";
        match family {
            "udf" => self.udf_op(name, &args),
            "rdd" => self.rdd_op(name, &args),
            "column" => self.column_op(name, &args),
            "functions" => self.functions_op(name, &args),
            "dataframe" => self.dataframe_op(name, &args),
            "grouped" => self.grouped_op(name, &args),
            "session" | "conf" | "catalog" | "fs" => self.session_op(&op, &args),
            _ => not_supported!("{op} is not supported by Kindling yet"),
        }
    }

    /// Copies the program to the workers before a job runs, once it has handed Python functions to the engine:
    /// tasks then see every function and variable defined so far.
    fn before_job(&self, args: &Args) -> Result<()> {
        if self.uses_python {
            self.workers.refresh(args.paused)?;
        }
        Ok(())
    }

    fn add(&mut self, object: Object) -> usize {
        self.objects.push(object);
        self.objects.len() - 1
    }

    fn object(&self, handle: usize) -> Result<&Object> {
        self.objects.get(handle).ok_or_else(|| PySparkError::Type(format!("no Kindling object {handle}")))
    }

    /// The DataFrame a value stands for: a handle, a DataFrame object, or what `df[...]` made in the sandbox before
    /// it could ask the host — `('pending', 'filter' | 'select', parent, argument)`.
    fn dataframe(&self, value: &PyValue) -> Result<DataFrame> {
        if let PyValue::Instance { class, .. } = value
            && class == "DataFrame"
            && let Some(handle) = value.attr("_h")
        {
            return self.dataframe(handle);
        }
        if let PyValue::Tuple(parts) = value
            && let [PyValue::Str(pending), PyValue::Str(op), parent, argument] = parts.as_slice()
            && pending == "pending"
        {
            let parent = self.dataframe(parent)?;
            return Ok(match op.as_str() {
                "filter" => parent.filter(self.condition(argument)?)?,
                _ => parent.select(self.exprs_or_names(argument.items().unwrap_or_default())?)?,
            });
        }
        match self.object(handle_of(value)?)? {
            Object::DataFrame(df) => Ok(df.clone()),
            _ => type_error!("expected a DataFrame, got {}", value.type_name()),
        }
    }

    /// A Column argument where a string is a literal (`df.x == 'HV0003'`, `F.lit('a')`).
    fn expr_or_literal(&self, value: &PyValue) -> Result<Expr> {
        if let PyValue::Instance { .. } = value {
            return self.column_expr(value);
        }
        match to_engine(value) {
            Some(v) => Ok(lit(v)),
            None => type_error!(
                "[NOT_COLUMN_OR_INT_OR_STR_OR_FLOAT_OR_BOOL] a Column or a plain value is needed, got {} ({})",
                value.type_name(),
                value.repr()
            ),
        }
    }

    /// A Column argument where a string names a column (`select('VendorID')`, `F.sum('amount')`).
    fn expr_or_name(&self, value: &PyValue) -> Result<Expr> {
        match value {
            PyValue::Str(name) => Ok(col(name)),
            PyValue::Instance { .. } => self.column_expr(value),
            other => type_error!(
                "[NOT_COLUMN_OR_STR] Argument `col` should be a Column or str, got {}.",
                other.type_name()
            ),
        }
    }

    fn column_expr(&self, value: &PyValue) -> Result<Expr> {
        if let Some(PyValue::Str(op)) = value.attr("_op") {
            let operands = value.attr("_args").and_then(PyValue::items).unwrap_or(&[]);
            return self.operator(op, operands);
        }
        match self.object(handle_of(value)?)? {
            Object::Column(expr) => Ok(expr.clone()),
            Object::Sort(order) => Ok(order.expr.clone()),
            _ => type_error!("[NOT_COLUMN] expected a Column, got {}", value.type_name()),
        }
    }

    /// A sort key: a column name, a Column (ascending unless `ascending` says otherwise) or `col.desc()`.
    fn sort_order(&self, value: &PyValue, ascending: bool) -> Result<SortOrder> {
        if let PyValue::Instance { .. } = value
            && let Object::Sort(order) = self.object(handle_of(value)?)?
        {
            return Ok(order.clone());
        }
        Ok(SortOrder::new(self.expr_or_name(value)?, ascending))
    }

    /// A new DataFrame as the prelude builds its Python object: `(handle, [(name, type, nullable, column handle)])`.
    fn describe(&mut self, df: DataFrame) -> MontyObject {
        let schema = df.schema();
        let mut fields = Vec::new();
        for field in &schema.fields {
            let column = df.column(&field.name).ok().map(|e| self.new_column(e));
            fields.push(MontyObject::tuple([
                MontyObject::string(field.name.as_str()),
                MontyObject::string(field.data_type.simple_string()),
                MontyObject::bool(field.nullable),
                column.unwrap_or_else(MontyObject::none),
                type_spec::to_spec(&field.data_type),
            ]));
        }
        let handle = self.add(Object::DataFrame(df));
        MontyObject::tuple([MontyObject::int(handle as i64), MontyObject::list(fields)])
    }

    /// A new Column as the prelude builds its Python object: `(handle, the name Spark gives it)`.
    fn new_column(&mut self, expr: Expr) -> MontyObject {
        let text = column::repr_text(&expr);
        self.new_column_shown(expr, text)
    }

    /// A new Column whose `repr` shows `text`.
    fn new_column_shown(&mut self, expr: Expr, text: String) -> MontyObject {
        MontyObject::tuple([MontyObject::int(self.add(Object::Column(expr)) as i64), MontyObject::string(text)])
    }

    /// Appends what Python's `print(text)` would.
    fn print(&mut self, text: &str) {
        self.write_out(&format!("{text}\n"));
    }

    /// Adds text to the program's output.
    fn write_out(&mut self, text: &str) {
        self.stdout.push_str(text);
        if let Some(echo) = &self.echo {
            echo(text);
        }
    }

    /// Writes a warning to stderr, as Python's `warnings` module does.
    fn write_err(&mut self, text: &str) {
        self.stderr.push_str(text);
        if let Some(echo) = &self.echo_err {
            echo(text);
        }
    }
}
