//! Higher-order functions: functions that take a *lambda* — a small function written inside the query — and apply
//! it to every element of an array or every entry of a map: `transform(xs, x -> x * 2)`,
//! `filter(xs, x -> x > 0)`, `aggregate(xs, 0, (acc, x) -> acc + x)`, `map_filter(m, (k, v) -> v > 1)`.
//!
//! A lambda's parameters are variables, not columns: inside `x -> x + y`, `x` is each element in turn while `y`
//! is still the row's column. The analyzer binds each parameter name to a [`Expr::LambdaVariable`] whose type is
//! what the function hands it (an element, its index, an accumulator, a key and a value), so that the body is
//! typed like any expression. A lambda variable shadows a column of the same name.
//!
//! Spark runs the lambda once per element. Here every element of a batch becomes one row of a batch of its own —
//! the variables as columns, beside the row's columns the body reads — and the body is evaluated over that batch
//! with the ordinary Arrow kernels; the results are then put back together per row (an array again, a filter's
//! kept elements, a boolean per row). Only `aggregate`, whose accumulator carries from one element to the next,
//! goes element position by element position.

use std::collections::HashSet;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int32Array, ListArray, MapArray, RecordBatch, RecordBatchOptions, StructArray, UInt32Array, new_null_array};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::compute::{interleave, take};
use arrow::datatypes::{DataType, Field, Fields, Schema};
use arrow::row::{RowConverter, SortField};

use super::eval::evaluate;
use super::{Attribute, Expr, ExprId};
use crate::functions::{duplicated_map_key, null_map_key};
use crate::types::SparkType;
use crate::value::Value;
use crate::{EngineError, Result};

/// A function that applies one or two lambdas to an array or a map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HigherOrderFunction {
    /// `transform(xs, x -> …)` or `(x, i) -> …`: each element replaced by the lambda's value.
    Transform,
    /// `filter(xs, x -> …)` or `(x, i) -> …`: the elements for which the lambda is true.
    Filter,
    /// `exists(xs, x -> …)`: whether the lambda is true for some element (NULL if unknown).
    Exists,
    /// `forall(xs, x -> …)`: whether the lambda is true for every element (NULL if unknown).
    Forall,
    /// `aggregate(xs, zero, (acc, x) -> …[, acc -> …])`: a fold from `zero`, then a finishing step.
    Aggregate,
    /// `reduce(…)`: `aggregate` under another name.
    Reduce,
    /// `zip_with(xs, ys, (x, y) -> …)`: pairs of elements at the same position, the shorter array padded with NULL.
    ZipWith,
    /// `array_sort(xs, (l, r) -> …)`: sorted by a comparator that returns a negative, zero or positive number.
    ArraySort,
    /// `map_filter(m, (k, v) -> …)`: the entries for which the lambda is true.
    MapFilter,
    /// `transform_keys(m, (k, v) -> …)`: each key replaced by the lambda's value.
    TransformKeys,
    /// `transform_values(m, (k, v) -> …)`: each value replaced by the lambda's value.
    TransformValues,
    /// `map_zip_with(m1, m2, (k, v1, v2) -> …)`: one entry per key of either map, NULL for a missing value.
    MapZipWith,
}

impl HigherOrderFunction {
    const ALL: [Self; 12] = [
        Self::Transform,
        Self::Filter,
        Self::Exists,
        Self::Forall,
        Self::Aggregate,
        Self::Reduce,
        Self::ZipWith,
        Self::ArraySort,
        Self::MapFilter,
        Self::TransformKeys,
        Self::TransformValues,
        Self::MapZipWith,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Transform => "transform",
            Self::Filter => "filter",
            Self::Exists => "exists",
            Self::Forall => "forall",
            Self::Aggregate => "aggregate",
            Self::Reduce => "reduce",
            Self::ZipWith => "zip_with",
            Self::ArraySort => "array_sort",
            Self::MapFilter => "map_filter",
            Self::TransformKeys => "transform_keys",
            Self::TransformValues => "transform_values",
            Self::MapZipWith => "map_zip_with",
        }
    }

    pub fn by_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// How many of the arguments are values (the arrays, maps and zero) before the lambdas.
    fn value_count(self) -> usize {
        match self {
            Self::Aggregate | Self::Reduce | Self::ZipWith | Self::MapZipWith => 2,
            _ => 1,
        }
    }

    /// How many of the value arguments are the arrays or maps walked (two for the zipping functions).
    fn collections(self) -> usize {
        if matches!(self, Self::ZipWith | Self::MapZipWith) { 2 } else { 1 }
    }

    fn folds(self) -> bool {
        matches!(self, Self::Aggregate | Self::Reduce)
    }

    fn takes_maps(self) -> bool {
        matches!(self, Self::MapFilter | Self::TransformKeys | Self::TransformValues | Self::MapZipWith)
    }
}

/// `params -> body`. Before analysis the parameters have no type and the body names them as columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Lambda {
    pub params: Vec<Attribute>,
    pub body: Expr,
}

impl Lambda {
    /// An unbound lambda: the body refers to the parameters by name.
    pub fn new(params: &[&str], body: Expr) -> Self {
        Self { params: params.iter().map(|name| Attribute::new(*name, SparkType::Null, true)).collect(), body }
    }
}

/// A call of a higher-order function: its value arguments, then its lambdas.
#[derive(Debug, Clone, PartialEq)]
pub struct HigherOrder {
    pub function: HigherOrderFunction,
    pub args: Vec<Expr>,
    pub lambdas: Vec<Lambda>,
}

impl HigherOrder {
    /// The call `function(args…, lambdas…)` as written, checked for the number of arguments; `aggregate` without
    /// a finishing lambda gets Spark's identity (`id -> id`).
    pub fn call(function: HigherOrderFunction, args: Vec<Expr>, mut lambdas: Vec<Lambda>) -> Result<Self> {
        let given = args.len() + lambdas.len();
        let (min, max) = (function.value_count() + 1, function.value_count() + 1 + usize::from(function.folds()));
        if given < min || given > max {
            let wanted = if min == max { min.to_string() } else { format!("[{min}, {max}]") };
            return Err(EngineError::Analysis(format!(
                "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{}` requires {wanted} parameters but the actual number is \
                 {given}. Please, refer to 'https://spark.apache.org/docs/latest/sql-ref-functions.html' for a fix. \
                 SQLSTATE: 42605",
                function.name()
            )));
        }
        if args.len() != function.value_count() {
            return Err(EngineError::Analysis(format!(
                "[INVALID_LAMBDA_FUNCTION_CALL] Invalid lambda function call: `{}` takes {} value argument(s) and then \
                 a lambda function such as `x -> x + 1`. SQLSTATE: 42K0D",
                function.name(),
                function.value_count()
            )));
        }
        if function.folds() && lambdas.len() == 1 {
            lambdas.push(Lambda::new(&["id"], Expr::Column("id".into())));
        }
        Ok(Self { function, args, lambdas })
    }

    /// What the function hands lambda number `index`: a type and whether it may be NULL, per parameter.
    fn supplied(&self, index: usize, declared: usize) -> Vec<(SparkType, bool)> {
        let element = |arg: &Expr| match arg.data_type() {
            SparkType::Array(array) => (array.element.clone(), array.contains_null),
            _ => (SparkType::Null, true),
        };
        let entry = |arg: &Expr| match arg.data_type() {
            SparkType::Map(map) => (map.key.clone(), map.value.clone(), map.value_contains_null),
            _ => (SparkType::Null, SparkType::Null, true),
        };
        let first = &self.args[0];
        match self.function {
            HigherOrderFunction::Transform | HigherOrderFunction::Filter if declared == 2 => {
                vec![element(first), (SparkType::Integer, false)]
            }
            HigherOrderFunction::Transform
            | HigherOrderFunction::Filter
            | HigherOrderFunction::Exists
            | HigherOrderFunction::Forall => vec![element(first)],
            HigherOrderFunction::ArraySort => vec![element(first), element(first)],
            HigherOrderFunction::Aggregate | HigherOrderFunction::Reduce => {
                let accumulator = (self.args[1].data_type(), true);
                if index == 0 { vec![accumulator, element(first)] } else { vec![accumulator] }
            }
            HigherOrderFunction::ZipWith => vec![(element(first).0, true), (element(&self.args[1]).0, true)],
            HigherOrderFunction::MapFilter | HigherOrderFunction::TransformKeys | HigherOrderFunction::TransformValues => {
                let (key, value, value_null) = entry(first);
                vec![(key, false), (value, value_null)]
            }
            HigherOrderFunction::MapZipWith => {
                let (key, left, _) = entry(first);
                vec![(key, false), (left, true), (entry(&self.args[1]).1, true)]
            }
        }
    }

    /// Types the lambda parameters from the resolved value arguments and binds their names in the bodies; the
    /// bodies are then resolved by the caller like any expression.
    pub fn bind(mut self) -> Result<Self> {
        self.check_value_types()?;
        for index in 0..self.lambdas.len() {
            let declared = self.lambdas[index].params.len();
            let supplied = self.supplied(index, declared);
            if supplied.len() != declared {
                return Err(EngineError::Analysis(format!(
                    "[INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH] Invalid lambda function call. A higher order \
                     function expects {declared} arguments, but got {}. SQLSTATE: 42K0D",
                    supplied.len()
                )));
            }
            let lambda = &mut self.lambdas[index];
            for (param, (data_type, nullable)) in lambda.params.iter_mut().zip(supplied) {
                // The id stays: a plan analyzed again must find the variables its bodies already read.
                *param = Attribute::new(param.name.clone(), data_type, nullable).with_id(param.id);
            }
            let body = std::mem::replace(&mut lambda.body, Expr::Literal(Value::Null));
            lambda.body = bind_names(body, &lambda.params);
        }
        Ok(self)
    }

    fn check_value_types(&self) -> Result<()> {
        let wanted = if self.function.takes_maps() { "MAP" } else { "ARRAY" };
        for (position, arg) in self.args.iter().take(self.function.collections()).enumerate() {
            let fits = match arg.data_type() {
                SparkType::Array(_) => wanted == "ARRAY",
                SparkType::Map(_) => wanted == "MAP",
                SparkType::Null => true,
                _ => false,
            };
            if !fits {
                return Err(self.mismatch(position, wanted, &arg.sql_name(), &arg.data_type()));
            }
        }
        Ok(())
    }

    fn mismatch(&self, position: usize, wanted: &str, shown: &str, actual: &SparkType) -> EngineError {
        const ORDINALS: [&str; 4] = ["first", "second", "third", "fourth"];
        EngineError::Analysis(format!(
            "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{}\" due to data type mismatch: The {} \
             parameter requires the \"{wanted}\" type, however \"{shown}\" has the type \"{}\". SQLSTATE: 42K09",
            Expr::HigherOrder(Box::new(self.clone())).sql_name(),
            ORDINALS[position],
            actual.simple_string().to_uppercase()
        ))
    }

    /// Checks what the resolved lambdas return: a condition is boolean, a comparator a whole number, a fold's step
    /// the accumulator's type.
    /// `shown` is the call as bound before its bodies were resolved, which error messages name (without the
    /// casts the analyzer added).
    pub fn check_results(&self, shown: &HigherOrder) -> Result<()> {
        let body = &self.lambdas[0].body;
        let position = self.args.len();
        let wanted = match self.function {
            HigherOrderFunction::Filter | HigherOrderFunction::Exists | HigherOrderFunction::Forall | HigherOrderFunction::MapFilter => {
                Some(SparkType::Boolean)
            }
            HigherOrderFunction::Aggregate | HigherOrderFunction::Reduce => Some(self.args[1].data_type()),
            _ => None,
        };
        if let Some(wanted) = wanted
            && body.data_type() != wanted
        {
            return Err(shown.mismatch(position, &wanted.simple_string().to_uppercase(), &shown.lambda_name(0), &body.data_type()));
        }
        if self.function == HigherOrderFunction::ArraySort && body.data_type() != SparkType::Integer {
            return Err(EngineError::Analysis(format!(
                "[DATATYPE_MISMATCH.UNEXPECTED_RETURN_TYPE] Cannot resolve \"{}\" due to data type mismatch: The \
                 `lambdafunction` requires return \"INT\" type, but the actual is \"{}\" type. SQLSTATE: 42K09",
                Expr::HigherOrder(Box::new(shown.clone())).sql_name(),
                body.data_type().simple_string().to_uppercase()
            )));
        }
        Ok(())
    }

    fn lambda_name(&self, index: usize) -> String {
        let mut text = String::new();
        let lambda = &self.lambdas[index];
        write_lambda(&mut text, lambda, &|e: &Expr| e.sql_name(), false);
        text
    }

    pub fn data_type(&self) -> SparkType {
        let first = self.args[0].data_type();
        let body = &self.lambdas[0].body;
        match (self.function, &first) {
            (HigherOrderFunction::Transform | HigherOrderFunction::ZipWith, _) => SparkType::array_of(body.data_type(), body.nullable()),
            (HigherOrderFunction::Exists | HigherOrderFunction::Forall, _) => SparkType::Boolean,
            (HigherOrderFunction::Aggregate | HigherOrderFunction::Reduce, _) => self.lambdas[1].body.data_type(),
            (HigherOrderFunction::TransformKeys, SparkType::Map(map)) => {
                SparkType::map_of(body.data_type(), map.value.clone(), map.value_contains_null)
            }
            (HigherOrderFunction::TransformValues | HigherOrderFunction::MapZipWith, SparkType::Map(map)) => {
                SparkType::map_of(map.key.clone(), body.data_type(), body.nullable())
            }
            _ => first,
        }
    }

    pub fn nullable(&self) -> bool {
        let any_null = self.args.iter().take(self.function.collections()).any(Expr::nullable);
        match self.function {
            HigherOrderFunction::Exists | HigherOrderFunction::Forall => any_null || self.lambdas[0].body.nullable(),
            HigherOrderFunction::Aggregate | HigherOrderFunction::Reduce => any_null || self.lambdas[1].body.nullable(),
            _ => any_null,
        }
    }

    /// The children of the call, in order: the value arguments, then each lambda's body.
    pub fn children(&self) -> Vec<&Expr> {
        self.args.iter().chain(self.lambdas.iter().map(|l| &l.body)).collect()
    }

    pub fn map_children<E>(self, mut f: impl FnMut(Expr) -> std::result::Result<Expr, E>) -> std::result::Result<Self, E> {
        let args = self.args.into_iter().map(&mut f).collect::<std::result::Result<_, E>>()?;
        let lambdas = self
            .lambdas
            .into_iter()
            .map(|l| Ok(Lambda { params: l.params, body: f(l.body)? }))
            .collect::<std::result::Result<_, E>>()?;
        Ok(Self { function: self.function, args, lambdas })
    }

    /// The same call with each lambda's body replaced by `f(body)` (the value arguments, resolved first, stay).
    pub fn with_bodies<E>(self, mut f: impl FnMut(Expr) -> std::result::Result<Expr, E>) -> std::result::Result<Self, E> {
        let lambdas = self
            .lambdas
            .into_iter()
            .map(|l| Ok(Lambda { params: l.params, body: f(l.body)? }))
            .collect::<std::result::Result<_, E>>()?;
        Ok(Self { lambdas, ..self })
    }

    /// `transform(xs, lambdafunction((x + 1), x))` — the variables named as Spark names them in this style.
    pub fn write(&self, out: &mut String, write: &dyn Fn(&Expr) -> String, plan: bool) {
        out.push_str(self.function.name());
        out.push('(');
        let args: Vec<String> = self.args.iter().map(write).collect();
        out.push_str(&args.join(", "));
        for lambda in &self.lambdas {
            out.push_str(", ");
            write_lambda(out, lambda, write, plan);
        }
        out.push(')');
    }
}

fn write_lambda(out: &mut String, lambda: &Lambda, write: &dyn Fn(&Expr) -> String, plan: bool) {
    out.push_str("lambdafunction(");
    // A name is taken before analysis too, when the body still reads its parameters by name.
    let body = if plan { lambda.body.clone() } else { bind_names(lambda.body.clone(), &lambda.params) };
    out.push_str(&write(&body));
    for param in &lambda.params {
        out.push_str(", ");
        out.push_str(&write(&Expr::LambdaVariable(param.clone())));
    }
    if plan {
        out.push_str(", false");
    }
    out.push(')');
}

/// `body` with each column named like one of `params` read as that parameter — except inside a nested lambda
/// that declares the same name again.
fn bind_names(body: Expr, params: &[Attribute]) -> Expr {
    match body {
        Expr::Column(name) => match params.iter().find(|p| p.name.eq_ignore_ascii_case(name.trim_matches('`'))) {
            Some(param) => Expr::LambdaVariable(param.clone()),
            None => Expr::Column(name),
        },
        Expr::HigherOrder(call) => {
            let HigherOrder { function, args, lambdas } = *call;
            let args = args.into_iter().map(|a| bind_names(a, params)).collect();
            let lambdas = lambdas
                .into_iter()
                .map(|lambda| {
                    let visible: Vec<Attribute> = params
                        .iter()
                        .filter(|p| !lambda.params.iter().any(|own| own.name.eq_ignore_ascii_case(&p.name)))
                        .cloned()
                        .collect();
                    Lambda { body: bind_names(lambda.body, &visible), params: lambda.params }
                })
                .collect();
            Expr::HigherOrder(Box::new(HigherOrder { function, args, lambdas }))
        }
        other => {
            let bound: std::result::Result<Expr, std::convert::Infallible> = other.map_children(|c| Ok(bind_names(c, params)));
            bound.unwrap_or_else(|never| match never {})
        }
    }
}

/// Evaluates a higher-order call over a batch.
pub fn evaluate_call(call: &HigherOrder, batch: &RecordBatch, input: &[Attribute]) -> Result<ArrayRef> {
    let values = call.args.iter().map(|a| evaluate(a, batch, input)).collect::<Result<Vec<_>>>()?;
    let result_type = call.data_type();
    if values.iter().take(call.function.collections()).any(|v| v.data_type() == &DataType::Null) {
        return Ok(new_null_array(&result_type.to_arrow(), batch.num_rows()));
    }
    let scope = Scope { batch, input };
    match call.function {
        HigherOrderFunction::Transform | HigherOrderFunction::Filter | HigherOrderFunction::Exists | HigherOrderFunction::Forall => {
            scope.over_elements(call, &values[0], &result_type)
        }
        HigherOrderFunction::Aggregate | HigherOrderFunction::Reduce => scope.fold(call, &values[0], &values[1]),
        HigherOrderFunction::ZipWith => scope.zip_with(call, &values[0], &values[1], &result_type),
        HigherOrderFunction::ArraySort => scope.sort(call, &values[0]),
        HigherOrderFunction::MapFilter | HigherOrderFunction::TransformKeys | HigherOrderFunction::TransformValues => {
            scope.over_entries(call, &values[0], &result_type)
        }
        HigherOrderFunction::MapZipWith => scope.map_zip_with(call, &values[0], &values[1], &result_type),
    }
}

/// How many comparisons a comparator is evaluated for at once, and at most for one array.
const PAIRS_PER_BATCH: usize = 1 << 16;
const MAX_SORTED_PAIRS: usize = 4096 * 4096;

/// The batch a call is evaluated over, from which a lambda's batches are made.
struct Scope<'a> {
    batch: &'a RecordBatch,
    input: &'a [Attribute],
}

/// Which elements of an array column to hand a lambda: their positions in the array's values and the row each
/// belongs to, with the offsets of each row's run (a NULL array has none).
struct Elements {
    positions: UInt32Array,
    parents: UInt32Array,
    offsets: Vec<i32>,
}

impl Elements {
    fn of_list(list: &ListArray) -> Self {
        Self::of_runs(list.value_offsets(), list.nulls())
    }

    fn of_map(map: &MapArray) -> Self {
        Self::of_runs(map.value_offsets(), map.nulls())
    }

    fn of_runs(runs: &[i32], nulls: Option<&NullBuffer>) -> Self {
        let (mut positions, mut parents, mut offsets) = (Vec::new(), Vec::new(), vec![0i32]);
        for row in 0..runs.len() - 1 {
            if nulls.is_none_or(|n| n.is_valid(row)) {
                for position in runs[row]..runs[row + 1] {
                    positions.push(position as u32);
                    parents.push(row as u32);
                }
            }
            offsets.push(positions.len() as i32);
        }
        Self { positions: positions.into(), parents: parents.into(), offsets }
    }

    /// Each element's position within its own array, from 0.
    fn indexes(&self) -> Int32Array {
        (0..self.offsets.len() - 1)
            .flat_map(|row| 0..self.offsets[row + 1] - self.offsets[row])
            .collect()
    }
}

impl Scope<'_> {
    /// The lambda's body over one row per entry of `parents`, its parameters taking `arguments`.
    fn apply(&self, lambda: &Lambda, parents: &UInt32Array, arguments: Vec<ArrayRef>) -> Result<ArrayRef> {
        let captured = captured(&lambda.body, &lambda.params);
        let mut columns = Vec::with_capacity(captured.len() + arguments.len());
        for attribute in &captured {
            let Some(position) = self.input.iter().position(|a| a.id == attribute.id) else {
                return Err(EngineError::Internal(format!("{} is not an input of the lambda's call", attribute.plan_string())));
            };
            columns.push(take(self.batch.column(position).as_ref(), parents, None)?);
        }
        columns.extend(arguments);
        let attributes: Vec<Attribute> = captured.into_iter().chain(lambda.params.iter().cloned()).collect();
        let fields: Fields = columns
            .iter()
            .enumerate()
            .map(|(i, c)| Field::new(format!("_{i}"), c.data_type().clone(), true))
            .collect();
        let options = RecordBatchOptions::new().with_row_count(Some(parents.len()));
        let batch = RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), columns, &options)?;
        evaluate(&lambda.body, &batch, &attributes)
    }

    fn over_elements(&self, call: &HigherOrder, array: &ArrayRef, result_type: &SparkType) -> Result<ArrayRef> {
        let list = array.as_list::<i32>();
        let elements = Elements::of_list(list);
        let lambda = &call.lambdas[0];
        let mut arguments = vec![take(list.values().as_ref(), &elements.positions, None)?];
        if lambda.params.len() == 2 {
            arguments.push(Arc::new(elements.indexes()));
        }
        let results = self.apply(lambda, &elements.parents, arguments)?;
        match call.function {
            HigherOrderFunction::Transform => list_of(result_type, elements.offsets, results, list.nulls().cloned()),
            HigherOrderFunction::Filter => {
                let keep = results.as_boolean();
                let (kept, offsets) = kept_runs(&elements, keep);
                let values = take(list.values().as_ref(), &kept, None)?;
                list_of(result_type, offsets, values, list.nulls().cloned())
            }
            _ => Ok(Arc::new(quantified(call.function == HigherOrderFunction::Exists, &elements, results.as_boolean(), list.nulls()))),
        }
    }

    fn over_entries(&self, call: &HigherOrder, map: &ArrayRef, result_type: &SparkType) -> Result<ArrayRef> {
        let map = map.as_map();
        let entries = Elements::of_map(map);
        let keys = take(map.keys().as_ref(), &entries.positions, None)?;
        let values = take(map.values().as_ref(), &entries.positions, None)?;
        let results = self.apply(&call.lambdas[0], &entries.parents, vec![keys.clone(), values.clone()])?;
        let (keys, values, offsets) = match call.function {
            HigherOrderFunction::MapFilter => {
                let (kept, offsets) = kept_runs(&entries, results.as_boolean());
                let keys = take(map.keys().as_ref(), &kept, None)?;
                (keys, take(map.values().as_ref(), &kept, None)?, offsets)
            }
            HigherOrderFunction::TransformKeys => {
                check_keys(&results, &entries.offsets)?;
                (results, values, entries.offsets)
            }
            _ => (keys, results, entries.offsets),
        };
        map_of(result_type, offsets, keys, values, map.nulls().cloned())
    }

    /// `aggregate`: the accumulator starts at `zero` and takes one element position at a time, over the rows whose
    /// array is that long; the finishing lambda then runs once per row.
    fn fold(&self, call: &HigherOrder, array: &ArrayRef, zero: &ArrayRef) -> Result<ArrayRef> {
        let list = array.as_list::<i32>();
        let offsets = list.value_offsets();
        let rows: Vec<u32> = (0..list.len()).filter(|&r| list.is_valid(r)).map(|r| r as u32).collect();
        let mut accumulator = take(zero.as_ref(), &UInt32Array::from(rows.clone()), None)?;
        for step in 0.. {
            let active: Vec<usize> = (0..rows.len()).filter(|&i| (offsets[rows[i] as usize + 1] - offsets[rows[i] as usize]) as usize > step).collect();
            if active.is_empty() {
                break;
            }
            let parents: UInt32Array = active.iter().map(|&i| rows[i]).collect();
            let positions: UInt32Array = active.iter().map(|&i| (offsets[rows[i] as usize] as usize + step) as u32).collect();
            let current = take(accumulator.as_ref(), &active.iter().map(|&i| i as u32).collect::<UInt32Array>(), None)?;
            let element = take(list.values().as_ref(), &positions, None)?;
            let merged = self.apply(&call.lambdas[0], &parents, vec![current, element])?;
            let mut picks: Vec<(usize, usize)> = (0..rows.len()).map(|i| (0, i)).collect();
            for (j, &i) in active.iter().enumerate() {
                picks[i] = (1, j);
            }
            accumulator = interleave(&[accumulator.as_ref(), merged.as_ref()], &picks)?;
        }
        let finished = self.apply(&call.lambdas[1], &UInt32Array::from(rows.clone()), vec![accumulator])?;
        scattered(&finished, &rows, list.len())
    }

    /// `zip_with`: element `i` of each array side by side, NULL past the end of the shorter one.
    fn zip_with(&self, call: &HigherOrder, left: &ArrayRef, right: &ArrayRef, result_type: &SparkType) -> Result<ArrayRef> {
        let (left, right) = (left.as_list::<i32>(), right.as_list::<i32>());
        let (l, r) = (left.value_offsets(), right.value_offsets());
        let (mut from_left, mut from_right, mut parents, mut offsets) = (Vec::new(), Vec::new(), Vec::new(), vec![0i32]);
        for row in 0..left.len() {
            if left.is_valid(row) && right.is_valid(row) {
                let (left_len, right_len) = (l[row + 1] - l[row], r[row + 1] - r[row]);
                for i in 0..left_len.max(right_len) {
                    from_left.push((i < left_len).then_some((l[row] + i) as u32));
                    from_right.push((i < right_len).then_some((r[row] + i) as u32));
                    parents.push(row as u32);
                }
            }
            offsets.push(parents.len() as i32);
        }
        let lefts = take(left.values().as_ref(), &UInt32Array::from(from_left), None)?;
        let rights = take(right.values().as_ref(), &UInt32Array::from(from_right), None)?;
        let results = self.apply(&call.lambdas[0], &UInt32Array::from(parents), vec![lefts, rights])?;
        let nulls = NullBuffer::union(left.nulls(), right.nulls());
        list_of(result_type, offsets, results, nulls)
    }

    /// `array_sort` with a comparator: the comparator's value for every ordered pair of a row's elements, a batch
    /// of rows at a time, then a stable sort that reads them (Spark's sort is stable too).
    fn sort(&self, call: &HigherOrder, array: &ArrayRef) -> Result<ArrayRef> {
        let list = array.as_list::<i32>();
        let elements = Elements::of_list(list);
        let pairs_of = |row: usize| ((elements.offsets[row + 1] - elements.offsets[row]) as usize).pow(2);
        if let Some(row) = (0..list.len()).find(|&row| pairs_of(row) > MAX_SORTED_PAIRS) {
            return Err(EngineError::Runtime(format!(
                "array_sort with a comparator sorts arrays of up to {} elements in Kindling; row {} has {}.",
                MAX_SORTED_PAIRS.isqrt(),
                row + 1,
                pairs_of(row).isqrt()
            )));
        }
        let mut order = Vec::with_capacity(elements.positions.len());
        let mut start = 0;
        while start < list.len() {
            let mut end = start + 1;
            let mut pairs = pairs_of(start);
            while end < list.len() && pairs + pairs_of(end) <= PAIRS_PER_BATCH {
                pairs += pairs_of(end);
                end += 1;
            }
            order.extend(self.sorted_rows(call, list, &elements, start..end)?);
            start = end;
        }
        let values = take(list.values().as_ref(), &UInt32Array::from(order), None)?;
        let field = match list.data_type() {
            DataType::List(field) => field.clone(),
            other => return Err(EngineError::Internal(format!("array_sort over {other}"))),
        };
        Ok(Arc::new(ListArray::try_new(field, OffsetBuffer::new(elements.offsets.into()), values, list.nulls().cloned())?))
    }

    /// The positions of the elements of `rows`, each row's sorted by the comparator.
    fn sorted_rows(&self, call: &HigherOrder, list: &ListArray, elements: &Elements, rows: std::ops::Range<usize>) -> Result<Vec<u32>> {
        let run = |row: usize| elements.offsets[row] as usize..elements.offsets[row + 1] as usize;
        let (mut lefts, mut rights, mut parents) = (Vec::new(), Vec::new(), Vec::new());
        for row in rows.clone() {
            for i in run(row) {
                for j in run(row) {
                    lefts.push(elements.positions.value(i));
                    rights.push(elements.positions.value(j));
                    parents.push(row as u32);
                }
            }
        }
        let arguments = vec![
            take(list.values().as_ref(), &UInt32Array::from(lefts), None)?,
            take(list.values().as_ref(), &UInt32Array::from(rights), None)?,
        ];
        let compared = self.apply(&call.lambdas[0], &UInt32Array::from(parents), arguments)?;
        let compared = compared.as_primitive::<arrow::datatypes::Int32Type>();
        let mut order = Vec::new();
        let mut first_pair = 0;
        for row in rows {
            let run = run(row);
            let n = run.len();
            let mut sorted: Vec<usize> = (0..n).collect();
            let mut failure = None;
            sorted.sort_by(|&a, &b| {
                let pair = first_pair + a * n + b;
                if compared.is_null(pair) {
                    failure.get_or_insert((run.start + a, run.start + b));
                    return std::cmp::Ordering::Equal;
                }
                compared.value(pair).cmp(&0)
            });
            if let Some((a, b)) = failure {
                let shown = |i: usize| Value::from_array(list.values().as_ref(), elements.positions.value(i) as usize).map(|v| v.to_string());
                return Err(EngineError::Runtime(format!(
                    "[COMPARATOR_RETURNS_NULL] The comparator has returned a NULL for a comparison between {} and {}. \
                     It should return a positive integer for \"greater than\", 0 for \"equal\" and a negative integer \
                     for \"less than\". To revert to deprecated behavior where NULL is treated as 0 (equal), you must \
                     set \"spark.sql.legacy.allowNullComparisonResultInArraySort\" to \"true\". SQLSTATE: 22004",
                    shown(a)?,
                    shown(b)?
                )));
            }
            order.extend(sorted.into_iter().map(|i| elements.positions.value(run.start + i)));
            first_pair += n * n;
        }
        Ok(order)
    }

    /// `map_zip_with`: per row the keys of the first map in order, then the second's new keys; each with its value
    /// in either map (NULL where the map lacks the key).
    fn map_zip_with(&self, call: &HigherOrder, left: &ArrayRef, right: &ArrayRef, result_type: &SparkType) -> Result<ArrayRef> {
        let (left, right) = (left.as_map(), right.as_map());
        let converter = RowConverter::new(vec![SortField::new(left.keys().data_type().clone())])?;
        let left_keys = converter.convert_columns(&[left.keys().clone()])?;
        let right_keys = converter.convert_columns(&[right.keys().clone()])?;
        let (l, r) = (left.value_offsets(), right.value_offsets());
        let (mut keys, mut from_left, mut from_right, mut parents, mut offsets) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), vec![0i32]);
        for row in 0..left.len() {
            if left.is_valid(row) && right.is_valid(row) {
                let lefts: Vec<usize> = (l[row] as usize..l[row + 1] as usize).collect();
                let rights: Vec<usize> = (r[row] as usize..r[row + 1] as usize).collect();
                for &i in &lefts {
                    keys.push((0, i));
                    from_left.push(Some(i as u32));
                    from_right.push(rights.iter().find(|&&j| right_keys.row(j) == left_keys.row(i)).map(|&j| j as u32));
                    parents.push(row as u32);
                }
                for &j in &rights {
                    if !lefts.iter().any(|&i| left_keys.row(i) == right_keys.row(j)) {
                        keys.push((1, j));
                        from_left.push(None);
                        from_right.push(Some(j as u32));
                        parents.push(row as u32);
                    }
                }
            }
            offsets.push(parents.len() as i32);
        }
        let keys = interleave(&[left.keys().as_ref(), right.keys().as_ref()], &keys)?;
        let lefts = take(left.values().as_ref(), &UInt32Array::from(from_left), None)?;
        let rights = take(right.values().as_ref(), &UInt32Array::from(from_right), None)?;
        let results = self.apply(&call.lambdas[0], &UInt32Array::from(parents), vec![keys.clone(), lefts, rights])?;
        map_of(result_type, offsets, keys, results, NullBuffer::union(left.nulls(), right.nulls()))
    }
}

/// The attributes and outer lambda variables a body reads: not its own parameters, nor those of lambdas inside it.
fn captured(body: &Expr, params: &[Attribute]) -> Vec<Attribute> {
    let mut read: Vec<Attribute> = Vec::new();
    let mut declared: Vec<ExprId> = params.iter().map(|p| p.id).collect();
    walk(body, &mut |e: &Expr| match e {
        Expr::Attribute(a) | Expr::LambdaVariable(a) if !read.iter().any(|r| r.id == a.id) => read.push(a.clone()),
        Expr::HigherOrder(call) => declared.extend(call.lambdas.iter().flat_map(|l| l.params.iter().map(|p| p.id))),
        _ => {}
    });
    read.retain(|a| !declared.contains(&a.id));
    read
}

fn walk(expr: &Expr, visit: &mut impl FnMut(&Expr)) {
    visit(expr);
    for child in expr.children() {
        walk(child, visit);
    }
}

/// The positions of the elements where `keep` is true, and the offsets of what each row keeps.
fn kept_runs(elements: &Elements, keep: &BooleanArray) -> (UInt32Array, Vec<i32>) {
    let mut kept = Vec::new();
    let mut offsets = vec![0i32];
    for row in 0..elements.offsets.len() - 1 {
        for i in elements.offsets[row] as usize..elements.offsets[row + 1] as usize {
            if keep.is_valid(i) && keep.value(i) {
                kept.push(elements.positions.value(i));
            }
        }
        offsets.push(kept.len() as i32);
    }
    (kept.into(), offsets)
}

/// `exists` (some element true) or `forall` (every element true) per row, with SQL's three-valued logic: an
/// unknown (NULL) element makes the answer unknown unless another element settles it.
fn quantified(exists: bool, elements: &Elements, results: &BooleanArray, nulls: Option<&NullBuffer>) -> BooleanArray {
    (0..elements.offsets.len() - 1)
        .map(|row| {
            if nulls.is_some_and(|n| n.is_null(row)) {
                return None;
            }
            let mut unknown = false;
            for i in elements.offsets[row] as usize..elements.offsets[row + 1] as usize {
                if results.is_null(i) {
                    unknown = true;
                } else if results.value(i) == exists {
                    return Some(exists);
                }
            }
            if unknown { None } else { Some(!exists) }
        })
        .collect()
}

/// `values` (one per entry of `rows`) placed at those rows of an array of `len` rows, NULL elsewhere.
fn scattered(values: &ArrayRef, rows: &[u32], len: usize) -> Result<ArrayRef> {
    let mut picks = vec![None; len];
    for (i, &row) in rows.iter().enumerate() {
        picks[row as usize] = Some(i as u32);
    }
    Ok(take(values.as_ref(), &UInt32Array::from(picks), None)?)
}

fn list_of(result_type: &SparkType, offsets: Vec<i32>, values: ArrayRef, nulls: Option<NullBuffer>) -> Result<ArrayRef> {
    let DataType::List(field) = result_type.to_arrow() else {
        return Err(EngineError::Internal(format!("an array function typed {}", result_type.simple_string())));
    };
    let values = conform(values, field.data_type())?;
    Ok(Arc::new(ListArray::try_new(field, OffsetBuffer::new(offsets.into()), values, nulls)?))
}

fn map_of(result_type: &SparkType, offsets: Vec<i32>, keys: ArrayRef, values: ArrayRef, nulls: Option<NullBuffer>) -> Result<ArrayRef> {
    let DataType::Map(entries, sorted) = result_type.to_arrow() else {
        return Err(EngineError::Internal(format!("a map function typed {}", result_type.simple_string())));
    };
    let DataType::Struct(fields) = entries.data_type() else {
        return Err(EngineError::Internal("map entries that are no struct".into()));
    };
    let columns = vec![conform(keys, fields[0].data_type())?, conform(values, fields[1].data_type())?];
    let entries_array = StructArray::try_new(fields.clone(), columns, None)?;
    Ok(Arc::new(MapArray::try_new(entries.clone(), OffsetBuffer::new(offsets.into()), entries_array, nulls, sorted)?))
}

/// The values as the result type holds them: a NULL-typed body (`x -> NULL`) gives NULLs of the element's type.
fn conform(values: ArrayRef, to: &DataType) -> Result<ArrayRef> {
    if values.data_type() == to {
        return Ok(values);
    }
    Ok(arrow::compute::cast(&values, to)?)
}

/// New map keys must be set and distinct within each map (Spark's default `spark.sql.mapKeyDedupPolicy`).
fn check_keys(keys: &ArrayRef, offsets: &[i32]) -> Result<()> {
    if keys.logical_null_count() > 0 {
        return Err(null_map_key());
    }
    let converter = RowConverter::new(vec![SortField::new(keys.data_type().clone())])?;
    let rows = converter.convert_columns(std::slice::from_ref(keys))?;
    for run in offsets.windows(2) {
        let mut seen = HashSet::new();
        for i in run[0] as usize..run[1] as usize {
            if !seen.insert(rows.row(i)) {
                return Err(duplicated_map_key(&Value::from_array(keys.as_ref(), i)?));
            }
        }
    }
    Ok(())
}
