//! Column operators and `pyspark.sql.functions`: each builds an engine expression and returns its handle.

use kindling_engine::expr::window::{FrameBound, FrameKind, WindowFrame, WindowFunction, WindowSpec};
use kindling_engine::expr::nondeterministic::Nondeterministic;
use kindling_engine::expr::higher_order::{HigherOrder, HigherOrderFunction, Lambda};
use kindling_engine::expr::{AggregateFunction, BinaryOp, Expr, col, lit, when};
use kindling_engine::functions::{DateTimeFunction, JsonFunction, MathFunction, ScalarFunction, TextFunction};
use kindling_engine::sort::SortOrder;
use kindling_engine::types::SparkType;
use kindling_engine::value::Value;
use monty_types::MontyObject;

use super::{Args, Host, Object};
use crate::error::{PySparkError, Result};
use crate::values::PyValue;
use crate::{not_supported, type_error};

/// A column name as SQL text: in backticks unless it is a plain identifier, as Spark's `quoteIfNeeded`.
fn quoted_if_needed(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain { name.to_string() } else { format!("`{}`", name.replace('`', "``")) }
}

/// The arguments of each function that are plain values, not columns (`date_trunc('hour', ts)`: the first).
fn value_arguments(function: ScalarFunction) -> &'static [usize] {
    use kindling_engine::functions::CollectionFunction as C;
    use kindling_engine::functions::PerRowFunction as F;
    use ScalarFunction::*;
    match function {
        DateTrunc | ConcatWs | PerRow(F::Locate | F::TimestampAdd | F::TimestampDiff) => &[0],
        ToDate | ToTimestamp | DateFormat | UnixTimestamp | Round => &[1],
        PerRow(F::Instr | F::Encode | F::Decode | F::NextDay | F::ToBinary | F::ToNumber) => &[1],
        PerRow(F::Lpad | F::Rpad | F::Levenshtein | F::MonthsBetween) => &[2],
        PerRow(F::Sha2 | F::Trunc | F::FormatNumber) => &[1],
        PerRow(F::Translate | F::RegexpReplace | F::RegexpExtract) => &[1, 2],
        Collection(C::Split) => &[1],
        Collection(C::ArrayContains | C::ElementAt | C::SortArray | C::ArrayPosition | C::ArrayRemove) => &[1],
        Collection(C::ArrayJoin | C::Slice) => &[1, 2],
        PerRow(F::Text(TextFunction::SubstringIndex)) => &[1, 2],
        Json(JsonFunction::GetJsonObject) => &[1],
        PerRow(F::Text(TextFunction::FormatString)) => &[0],
        PerRow(F::DateTime(DateTimeFunction::FromUtcTimestamp | DateTimeFunction::ToUtcTimestamp)) => &[1],
        PerRow(F::Math(MathFunction::ShiftLeft | MathFunction::ShiftRight | MathFunction::ShiftRightUnsigned)) => &[1],
        _ => &[],
    }
}

impl Host {
    /// A Column given to `spark.sql("… {c} …", c=df.zone)`: its name as SQL, if it is only a column reference.
    fn plain_reference(&self, args: &Args) -> Result<MontyObject> {
        match self.column_expr(args.get(0))? {
            Expr::Column(name) => Ok(MontyObject::string(quoted_if_needed(&name))),
            Expr::Attribute(attribute) => Ok(MontyObject::string(quoted_if_needed(&attribute.name))),
            _ => Err(PySparkError::PySparkValue(format!(
                "[VALUE_NOT_PLAIN_COLUMN_REFERENCE] Value `{}` in `{}` should be a plain column reference such as \
                 `df.col` or `col('column')`.",
                args.str(2)?,
                args.str(1)?
            ))),
        }
    }

    pub(super) fn column_op(&mut self, name: &str, args: &Args) -> Result<MontyObject> {
        if name == "sort" {
            let mut order = SortOrder::new(self.column_expr(args.get(0))?, args.bool(1)?);
            if let PyValue::Bool(nulls_first) = args.get(2) {
                order.nulls_first = *nulls_first;
            }
            let text = format!("{} {}", order.expr.sql_name(), order.direction());
            let handle = self.add(Object::Sort(order));
            return Ok(MontyObject::tuple([MontyObject::int(handle as i64), MontyObject::string(text)]));
        }
        let expr = match name {
            "alias" => match self.column_expr(args.get(0))? {
                // `posexplode(arr).alias("p", "c")` names each generated column.
                Expr::Generator(mut generator) => {
                    generator.aliases = args.rest(1).iter().map(|name| match name {
                        PyValue::Str(name) => Ok(name.clone()),
                        other => type_error!("an alias must be a str, got {}", other.type_name()),
                    }).collect::<Result<_>>()?;
                    Expr::Generator(generator)
                }
                expr => expr.alias(args.str(1)?),
            },
            "cast" => self.column_expr(args.get(0))?.cast(parse_type(args.str(1)?)?),
            "try_cast" => {
                kindling_engine::expr::try_cast(self.column_expr(args.get(0))?, parse_type(args.str(1)?)?)
            }
            "is_null" => self.column_expr(args.get(0))?.is_null(),
            "is_not_null" => self.column_expr(args.get(0))?.is_not_null(),
            "isin" => {
                let list = args.list(1)?.iter().map(|v| self.expr_or_literal(v)).collect::<Result<_>>()?;
                self.column_expr(args.get(0))?.is_in(list)
            }
            "between" => {
                let (low, high) = (self.expr_or_literal(args.get(1))?, self.expr_or_literal(args.get(2))?);
                self.column_expr(args.get(0))?.between(low, high)
            }
            "like" => self.column_expr(args.get(0))?.like(args.str(1)?),
            "rlike" => {
                let (text, pattern) = (self.column_expr(args.get(0))?, args.str(1)?);
                let repr = format!("rlike({}, '{pattern}')", repr_text(&text));
                let shown = format!("RLIKE({}, {pattern})", text.sql_name());
                let rlike = ScalarFunction::PerRow(kindling_engine::functions::PerRowFunction::RLike);
                let expr = kindling_engine::expr::call(rlike, vec![text, lit(pattern)]).alias(&shown);
                return Ok(self.new_column_shown(expr, repr));
            }
            "over" => return self.over(args),
            "plain_reference" => return self.plain_reference(args),
            "when" => {
                let (condition, value) = (self.column_expr(args.get(1))?, self.expr_or_literal(args.get(2))?);
                match self.column_expr(args.get(0))? {
                    case @ Expr::CaseWhen { otherwise: None, .. } => case.when(condition, value),
                    _ => type_error!("when() can only be applied on a Column previously generated by when() function"),
                }
            }
            "otherwise" => {
                let value = self.expr_or_literal(args.get(1))?;
                match self.column_expr(args.get(0))? {
                    case @ Expr::CaseWhen { otherwise: None, .. } => case.otherwise(value),
                    _ => type_error!("otherwise() can only be applied once on a Column previously generated by when()"),
                }
            }
            other => not_supported!("Column.{other} is not supported by Kindling yet"),
        };
        Ok(self.new_column(expr))
    }

    /// A Column an operator made in the sandbox (`_op`, `_args`), as an expression.
    pub(super) fn operator(&self, op: &str, operands: &[PyValue]) -> Result<Expr> {
        let operand = |i: usize| self.expr_or_literal(operands.get(i).unwrap_or(&PyValue::None));
        match op {
            "not" => return Ok(!operand(0)?),
            "negate" => return Ok(Expr::Negative(Box::new(operand(0)?))),
            "getitem" | "getfield" => {
                use kindling_engine::functions::CollectionFunction;
                let function = if op == "getitem" { CollectionFunction::GetItem } else { CollectionFunction::GetField };
                let (container, key) = (self.column_expr(operands.first().unwrap_or(&PyValue::None))?, operand(1)?);
                return Ok(kindling_engine::expr::call(ScalarFunction::Collection(function), vec![container, key]));
            }
            "dataframe_column" => {
                let df = self.dataframe(operands.first().unwrap_or(&PyValue::None))?;
                let PyValue::Str(name) = operands.get(1).unwrap_or(&PyValue::None) else { type_error!("a column name is needed") };
                return Ok(df.column(name)?);
            }
            _ => {}
        }
        let (left, right) = (operand(0)?, operand(1)?);
        Ok(match op {
            "==" => left.eq(right),
            "!=" => left.not_eq(right),
            "<" => left.lt(right),
            "<=" => left.lt_eq(right),
            ">" => left.gt(right),
            ">=" => left.gt_eq(right),
            "<=>" => left.eq_null_safe(right),
            "+" => left.plus(right),
            "-" => left.minus(right),
            "*" => left.multiply(right),
            "/" => left.divide(right),
            "%" => left.modulo(right),
            "&" => left.and(right),
            "|" => left.or(right),
            "bitwiseAND" => Expr::Binary { op: BinaryOp::BitwiseAnd, left: Box::new(left), right: Box::new(right) },
            "bitwiseOR" => Expr::Binary { op: BinaryOp::BitwiseOr, left: Box::new(left), right: Box::new(right) },
            "bitwiseXOR" => Expr::Binary { op: BinaryOp::BitwiseXor, left: Box::new(left), right: Box::new(right) },
            other => not_supported!("the operator {other} on Columns is not supported by Kindling yet"),
        })
    }

    pub(super) fn functions_op(&mut self, name: &str, args: &Args) -> Result<MontyObject> {
        let expr = match name {
            "col" => match args.get(0) {
                PyValue::Str(name) => col(name),
                other => type_error!("[NOT_STR] Argument `col` should be a str, got {}.", other.type_name()),
            },
            "lit" => self.expr_or_literal(args.get(0))?,
            // `expr("*")` is every column, as `col("*")`.
            "expr" if args.str(0)?.trim() == "*" => col("*"),
            "expr" => kindling_sql::expression(args.str(0)?)?,
            "when" => when(self.column_expr(args.get(0))?, self.expr_or_literal(args.get(1))?),
            "call" => self.function_call(args)?,
            "aggregate" => self.aggregate_call(args)?,
            "window_function" => self.window_function_call(args)?,
            "higher_order" => self.higher_order_call(args)?,
            // The delimiter is a value (a string), or a Column.
            "listagg" => {
                let delimiter = match args.get(2) {
                    PyValue::None => None,
                    given => Some(self.expr_or_literal(given)?),
                };
                kindling_engine::expr::listagg(args.str(0)?, self.expr_or_name(args.get(1))?, delimiter, args.bool(3)?, None)
            }
            "time_window" => kindling_engine::functions::time_window::window_call(
                self.expr_or_name(args.get(0))?,
                args.str(1)?,
                args.opt_str(2)?,
                args.opt_str(3)?,
            )?,
            "generator" => {
                let name = args.str(0)?;
                let mut arguments = vec![self.expr_or_name(args.get(1))?];
                // json_tuple's field names are values; stack's values are columns.
                for field in args.rest(2) {
                    arguments.push(if name == "stack" { self.expr_or_name(field)? } else { self.expr_or_literal(field)? });
                }
                let Some(generator) = kindling_engine::expr::generator::Generator::call(name, &arguments) else {
                    not_supported!("functions.{name} is not supported by Kindling yet")
                };
                Expr::Generator(Box::new(generator))
            }
            other => not_supported!("functions.{other} is not supported by Kindling yet"),
        };
        Ok(self.new_column(expr))
    }

    /// `F.transform('xs', lambda x: x + 1)`: the function's name, how many value arguments follow, the values,
    /// then per lambda the names of its variables and the Column its body made from them.
    fn higher_order_call(&self, args: &Args) -> Result<Expr> {
        let name = args.str(0)?;
        let Some(function) = HigherOrderFunction::by_name(name) else { not_supported!("functions.{name} is not supported by Kindling yet") };
        let count = usize::try_from(args.int(1)?).unwrap_or(0);
        let values = args.rest(2).iter().take(count).map(|value| self.expr_or_name(value)).collect::<Result<Vec<_>>>()?;
        let mut lambdas = Vec::new();
        for pair in args.rest(2 + count).chunks(2) {
            let [names, body] = pair else { type_error!("a lambda needs its variables and its body") };
            let names: Vec<&str> = names.items().unwrap_or_default().iter().filter_map(|n| match n {
                PyValue::Str(name) => Some(name.as_str()),
                _ => None,
            }).collect();
            lambdas.push(Lambda::new(&names, self.column_expr(body)?));
        }
        Ok(Expr::HigherOrder(Box::new(HigherOrder::call(function, values, lambdas)?)))
    }

    /// `F.rank()`, `F.lag('fare', 1, 0.0)`, `F.nth_value('fare', 2, True)`: the column is named, the rest are values.
    fn window_function_call(&self, args: &Args) -> Result<Expr> {
        let name = args.str(0)?;
        let Some(function) = WindowFunction::by_name(name) else { not_supported!("functions.{name} is not supported by Kindling yet") };
        let given = args.rest(1);
        let (given, ignore_nulls) = match (function, given) {
            (WindowFunction::NthValue, [column, offset, ignore]) => (&[column.clone(), offset.clone()][..], matches!(ignore, PyValue::Bool(true))),
            _ => (given, false),
        };
        let reads_a_column = matches!(function, WindowFunction::Lag | WindowFunction::Lead | WindowFunction::NthValue);
        let args = self.call_arguments(given, |i| !(reads_a_column && i == 0))?;
        Ok(Expr::WindowFunction { function, args, ignore_nulls })
    }

    /// `column.over(window)`: an aggregate or a window function computed over each row's window. Shown as
    /// PySpark shows it before analysis: without a frame when none was given.
    fn over(&mut self, args: &Args) -> Result<MontyObject> {
        let function = self.column_expr(args.get(0))?;
        let (function, name) = match function {
            Expr::Alias { expr, name, .. } => (*expr, Some(name)),
            other => (other, None),
        };
        if !matches!(function, Expr::Aggregate { .. } | Expr::WindowFunction { .. }) {
            return Err(PySparkError::Spark { class: "AnalysisException", message: format!(
                "[UNSUPPORTED_EXPR_FOR_WINDOW] Expression \"{}\" not supported within a window function. SQLSTATE: 42P20",
                function.sql_name()
            ) });
        }
        let partition_by = args.list(1)?.iter().map(|key| self.expr_or_name(key)).collect::<Result<Vec<_>>>()?;
        let order_by = args.list(2)?.iter().map(|key| self.sort_order(key, true)).collect::<Result<Vec<_>>>()?;
        let given = match args.get(3).items() {
            Some([PyValue::Str(kind), start, end]) => Some(WindowFrame {
                kind: if kind == "range" { FrameKind::Range } else { FrameKind::Rows },
                start: frame_bound(start),
                end: frame_bound(end),
            }),
            _ => None,
        };
        let frame = given.clone().unwrap_or_else(|| WindowFrame::default_for(!order_by.is_empty()));
        let spec = WindowSpec { partition_by, order_by, frame };
        let mut clauses = spec.key_clauses();
        clauses.extend(given.map(|frame| frame.to_string()));
        let text = format!("{} OVER ({})", repr_text(&function), clauses.join(" "));
        let window = Expr::Window { function: Box::new(function), spec: Box::new(spec) };
        let expr = match name {
            Some(name) => window.alias(&name),
            None => window,
        };
        Ok(self.new_column_shown(expr, text))
    }

    fn function_call(&self, args: &Args) -> Result<Expr> {
        let name = args.str(0)?;
        let Some(function) = ScalarFunction::by_name(name) else {
            return self.replaced_function_call(name, args);
        };
        if function == ScalarFunction::UnixTimestamp && matches!(args.get(1), PyValue::None) {
            not_supported!("unix_timestamp() without a column (the current time) is not supported by Kindling yet");
        }
        let literal_positions = value_arguments(function);
        let arguments = self.call_arguments(args.rest(1), |i| literal_positions.contains(&i))?;
        // Spark fills in some defaults and names the call with them (`regexp_replace(s, a, b, 1)`).
        Ok(kindling_sql::replaced::replaced_call(name, &arguments)
            .unwrap_or_else(|| kindling_sql::expression::named_call(name, function, arguments)))
    }

    /// `F.nvl`, `F.nullif`, `F.from_unixtime`, …: functions Spark replaces by others, and the nondeterministic ones
    /// (`F.rand(42)`), built as the SQL front end builds them (a string names a column, but a pattern is a value).
    fn replaced_function_call(&self, name: &str, args: &Args) -> Result<Expr> {
        let pattern_second = matches!(name, "from_unixtime" | "to_char" | "to_varchar");
        let arguments = self.call_arguments(args.rest(1), |i| pattern_second && i == 1)?;
        if let Some(leaf) = Nondeterministic::call(name, &arguments) {
            return Ok(Expr::Nondeterministic(leaf?));
        }
        match kindling_sql::replaced::replaced_call(name, &arguments) {
            Some(expr) => Ok(expr),
            None => not_supported!("functions.{name} is not supported by Kindling yet"),
        }
    }

    /// A function's arguments as PySpark reads them: a string names a column unless the function takes a value at
    /// that position (`is_value`); a number is always a value.
    fn call_arguments(&self, values: &[PyValue], is_value: impl Fn(usize) -> bool) -> Result<Vec<Expr>> {
        values
            .iter()
            .enumerate()
            .map(|(i, value)| {
                let names_a_column = matches!(value, PyValue::Str(_) | PyValue::Instance { .. }) && !is_value(i);
                if names_a_column { self.expr_or_name(value) } else { self.expr_or_literal(value) }
            })
            .collect()
    }

    fn aggregate_call(&self, args: &Args) -> Result<Expr> {
        let name = args.str(0)?;
        if let Some(renamed) = kindling_sql::expression::renamed_aggregate(name) {
            let argument = self.expr_or_name(args.get(1))?;
            let shown = format!("{name}({})", argument.sql_name());
            return Ok(kindling_engine::expr::aggregate(renamed, argument).alias(&shown));
        }
        if name == "approx_count_distinct" {
            let relative_sd = match args.get(3) {
                PyValue::None => None,
                given => Some(self.expr_or_literal(given)?).and_then(|e| match e {
                    Expr::Literal(value) => value.as_f64(),
                    _ => None,
                }),
            };
            return Ok(kindling_engine::expr::approx_count_distinct(self.expr_or_name(args.get(1))?, relative_sd)?);
        }
        if name == "histogram_numeric" {
            let bins = self.expr_or_literal(args.get(3))?;
            return Ok(kindling_engine::expr::histogram_numeric(self.expr_or_name(args.get(1))?, bins)?);
        }
        if let Some(last) = match name {
            "first_value" | "any_value" => Some(false),
            "last_value" => Some(true),
            _ => None,
        } {
            let ignoring = kindling_sql::expression::Ignoring { by_argument: matches!(args.get(3), PyValue::Bool(true)), by_clause: false };
            return Ok(kindling_sql::expression::picking_aggregate(name, last, self.expr_or_name(args.get(1))?, ignoring, false));
        }
        let function = match name {
            "first" => AggregateFunction::First,
            "first_ignore_nulls" => AggregateFunction::FirstIgnoreNulls,
            "last" => AggregateFunction::Last,
            "last_ignore_nulls" => AggregateFunction::LastIgnoreNulls,
            "product" => AggregateFunction::Product,
            other => match AggregateFunction::named(other) {
                Some(function) => function,
                None => not_supported!("functions.{other} is not supported by Kindling yet"),
            },
        };
        // count('*') counts rows, as count(1) does.
        let argument = match self.expr_or_name(args.get(1))? {
            Expr::Column(star) if star == "*" && function == AggregateFunction::Count => lit(1),
            other => other,
        };
        let distinct = args.bool(2)?;
        let mut arguments = vec![argument];
        for more in args.rest(3) {
            // A percentile's percentage and accuracy are values; a covariance's second argument is a column.
            arguments.push(if function.is_percentile() { self.expr_or_literal(more)? } else { self.expr_or_name(more)? });
        }
        let call = Expr::Aggregate { function, args: arguments, distinct, filter: None };
        if name == "approx_percentile" {
            let shown = call.sql_name().replacen(function.name(), name, 1);
            return Ok(call.alias(&shown));
        }
        Ok(call)
    }
}

/// One end of a `rowsBetween`/`rangeBetween` frame as the prelude hands it on: a string for an unbounded end, else
/// a number of rows (or an amount of the ordering value) before (negative) or after the current row.
fn frame_bound(value: &PyValue) -> FrameBound {
    match value {
        PyValue::Str(end) if end == "unboundedPreceding" => FrameBound::UnboundedPreceding,
        PyValue::Str(_) => FrameBound::UnboundedFollowing,
        PyValue::Int(0) => FrameBound::CurrentRow,
        // Spark reads PySpark's offsets as written: one row before is "-1 FOLLOWING".
        PyValue::Int(n) => FrameBound::Following(i32::try_from(*n).map_or(Value::Long(*n), Value::Integer)),
        _ => FrameBound::CurrentRow,
    }
}

/// The text inside PySpark 4's `Column<'…'>`: an operator is shown as a call on its operands (`*(total_amount, 2)`),
/// an alias as `… AS name`; anything else by the name Spark gives it.
pub(super) fn repr_text(expr: &Expr) -> String {
    match expr {
        Expr::Binary { op, left, right } => format!("{}({}, {})", op.symbol(), repr_text(left), repr_text(right)),
        Expr::Alias { expr, name, .. } => format!("{} AS {name}", repr_text(expr)),
        other => other.sql_name(),
    }
}

pub(super) fn parse_type(name: &str) -> Result<SparkType> {
    SparkType::parse(name).map_err(|_| {
        PySparkError::Spark {
            class: "ParseException",
            message: format!("[UNSUPPORTED_DATATYPE] Unsupported data type \"{}\". SQLSTATE: 0A000", name.to_uppercase()),
        }
    })
}
