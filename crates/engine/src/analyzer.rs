//! The analyzer: checks a query before anything runs, as Spark does when a DataFrame is built.
//!
//! It resolves each column name against the columns the plan below provides — case-insensitively, as Spark does by
//! default, so `pulocationid` finds `PULocationID` — and reports a missing name with the closest existing ones.
//! Then it makes the types fit: `int + double` becomes `double + double`, `ts >= '2020-01-01'` compares
//! timestamps, `7 / 2` divides doubles (3.5). The casts it adds are visible in `explain()`.

use crate::aggregate;
use crate::expr::cast::can_cast;
use crate::expr::{AggregateFunction, Attribute, BinaryOp, Expr};
use crate::functions::Signature;
use crate::types::SparkType;
use crate::{EngineError, Result};

mod collection_args;
mod window;

pub use window::frame_of;

/// Resolves every column name in `expr` against `input` and applies type coercion, bottom-up — but a lambda's
/// body only once its call's other arguments are resolved, which give its parameters their types.
pub fn resolve(expr: Expr, input: &[Attribute]) -> Result<Expr> {
    match expr {
        Expr::Column(name) => resolve_column(&name, input),
        Expr::HigherOrder(call) => {
            let crate::expr::higher_order::HigherOrder { function, args, lambdas } = *call;
            let args = args.into_iter().map(|a| resolve(a, input)).collect::<Result<_>>()?;
            let bound = crate::expr::higher_order::HigherOrder { function, args, lambdas }.bind()?;
            let resolved = bound.clone().with_bodies(|body| resolve(body, input))?;
            resolved.check_results(&bound)?;
            Ok(Expr::HigherOrder(Box::new(resolved)))
        }
        other => coerce(other.map_children(|child| resolve(child, input))?),
    }
}

/// A column by name; `s.x.y` that names no column (nor `qualifier.column`) is field `y` of field `x` of struct
/// column `s`, as Spark resolves it.
fn resolve_column(name: &str, input: &[Attribute]) -> Result<Expr> {
    let not_found = match resolve_name(name, input) {
        Ok(attribute) => return Ok(Expr::Attribute(attribute)),
        Err(error @ EngineError::ColumnNotFound { .. }) => error,
        Err(other) => return Err(other),
    };
    let parts: Vec<&str> = name.trim_matches('`').split('.').collect();
    // The column is the longest prefix that names one (`q.s` may be a qualified column), the rest its fields.
    for split in (1..parts.len()).rev() {
        let Ok(column) = resolve_name(&parts[..split].join("."), input) else { continue };
        let mut expr = Expr::Attribute(column);
        for field in &parts[split..] {
            let SparkType::Struct(fields) = expr.data_type() else { return Err(not_found) };
            let Some(found) = fields.iter().find(|f| f.name.eq_ignore_ascii_case(field)) else { return Err(not_found) };
            let get_field = crate::functions::ScalarFunction::Collection(crate::functions::CollectionFunction::GetField);
            expr = Expr::Function { function: get_field, args: vec![expr, crate::expr::lit(found.name.as_str())] };
        }
        return Ok(expr);
    }
    Err(not_found)
}

/// A join condition must be a deterministic boolean, as Spark's analyzer checks (a non-boolean one would otherwise reach the
/// join's tasks).
pub fn check_join_condition(condition: &Expr) -> Result<()> {
    if crate::expr::nondeterministic::is_nondeterministic(condition) {
        return Err(EngineError::Analysis(format!(
            "[INVALID_NON_DETERMINISTIC_EXPRESSIONS] The operator expects a deterministic expression, but the actual \
             expression is \"{}\". SQLSTATE: 42K0E",
            condition.sql_name()
        )));
    }
    if condition.data_type() == SparkType::Boolean {
        return Ok(());
    }
    Err(EngineError::Analysis(format!(
        "[JOIN_CONDITION_IS_NOT_BOOLEAN_TYPE] The join condition \"{}\" has the invalid type \"{}\", expected \"BOOLEAN\". \
         SQLSTATE: 42K0E",
        condition.sql_name(),
        condition.data_type().simple_string().to_uppercase()
    )))
}

/// Checks that every column `exprs` read is one `input` provides. A column taken from another DataFrame
/// (`df2.select(df1.id)`) is already resolved, but to a column this operator cannot see: Spark's
/// `MISSING_ATTRIBUTES` error. `operator` is the operator's line as plans print it (`Filter (zone#3 > 1)`).
pub fn check_inputs(exprs: &[Expr], input: &[Attribute], operator: &str) -> Result<()> {
    let missing = missing_inputs(exprs, input);
    if missing.is_empty() {
        return Ok(());
    }
    let names = |attributes: &mut dyn Iterator<Item = &Attribute>| attributes.map(|a| format!("\"{}\"", a.name)).collect::<Vec<_>>().join(", ");
    let location = format!(
        "Resolved attribute(s) {} missing from {} in operator !{operator}.",
        names(&mut missing.iter()),
        names(&mut input.iter())
    );
    let same_names: Vec<&Attribute> = missing.iter().filter(|m| input.iter().any(|i| i.name.eq_ignore_ascii_case(&m.name))).collect();
    Err(EngineError::Analysis(if same_names.is_empty() {
        // Spark's message leaves an empty slot here for the same-name hint: two spaces before the SQLSTATE.
        format!("[MISSING_ATTRIBUTES.RESOLVED_ATTRIBUTE_MISSING_FROM_INPUT] {location}  SQLSTATE: XX000")
    } else {
        format!(
            "[MISSING_ATTRIBUTES.RESOLVED_ATTRIBUTE_APPEAR_IN_OPERATION] {location} Attribute(s) with the same name appear \
             in the operation: {}.\nPlease check if the right attribute(s) are used. SQLSTATE: XX000",
            names(&mut same_names.into_iter())
        )
    }))
}

/// The columns `exprs` read that `input` does not provide, each once.
pub fn missing_inputs(exprs: &[Expr], input: &[Attribute]) -> Vec<Attribute> {
    let mut missing: Vec<Attribute> = Vec::new();
    for attribute in exprs.iter().flat_map(Expr::references) {
        if !input.iter().any(|i| i.id == attribute.id) && !missing.iter().any(|m| m.id == attribute.id) {
            missing.push(attribute);
        }
    }
    missing
}

/// The one column of `input` called `name`, compared case-insensitively; `pul.Zone` names the column `Zone` of
/// the DataFrame aliased `pul`.
pub fn resolve_name(name: &str, input: &[Attribute]) -> Result<Attribute> {
    let name = name.trim_matches('`');
    let qualified: Vec<&Attribute> = match name.split_once('.') {
        Some((qualifier, column)) => input
            .iter()
            .filter(|a| a.qualifier.as_deref().is_some_and(|q| q.eq_ignore_ascii_case(qualifier)) && a.name.eq_ignore_ascii_case(column))
            .collect(),
        None => Vec::new(),
    };
    let named = |hidden: bool| -> Vec<&Attribute> {
        input.iter().filter(|a| a.hidden == hidden && a.name.eq_ignore_ascii_case(name)).collect()
    };
    let matches: Vec<&Attribute> = match (qualified.is_empty(), named(false)) {
        (false, _) => qualified,
        (true, visible) if visible.is_empty() => named(true),
        (true, visible) => visible,
    };
    match matches.as_slice() {
        [one] => Ok(Attribute { hidden: false, ..(*one).clone() }),
        [] => Err(EngineError::ColumnNotFound { name: name.to_string(), available: candidates(name, input) }),
        several => Err(EngineError::Analysis(format!(
            "[AMBIGUOUS_REFERENCE] Reference `{name}` is ambiguous, could be: [{}]. SQLSTATE: 42704",
            several
                .iter()
                .map(|a| match &a.qualifier {
                    Some(qualifier) => format!("`{qualifier}`.`{}`", a.name),
                    None => format!("`{}`", a.name),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The names Spark suggests for an unresolved `name`: qualified (`g.id`) when the name was, plain otherwise.
fn candidates(name: &str, input: &[Attribute]) -> Vec<String> {
    let qualified = name.contains('.');
    input
        .iter()
        .map(|a| match &a.qualifier {
            Some(qualifier) if qualified => format!("{qualifier}.{}", a.name),
            _ => a.name.clone(),
        })
        .collect()
}

/// `g.id` as Spark quotes it in messages: `` `g`.`id` ``.
fn quoted(name: &str) -> String {
    name.split('.').map(|part| format!("`{part}`")).collect::<Vec<_>>().join(".")
}

/// Spark's message for a name that matches no column, with up to five suggestions, closest first. Like Spark, it
/// measures the edit distance between the quoted column name and the name as typed; ties keep column order. With no
/// column to suggest (`SELECT nope`), Spark's message has no suggestion part (and two spaces before SQLSTATE).
pub fn unresolved_column_message(name: &str, available: &[String]) -> String {
    if available.is_empty() {
        return format!(
            "[UNRESOLVED_COLUMN.WITHOUT_SUGGESTION] A column, variable, or function parameter with name {} cannot be \
             resolved.  SQLSTATE: 42703",
            quoted(name)
        );
    }
    let mut candidates: Vec<String> = available.iter().map(|c| quoted(c)).collect();
    candidates.sort_by_key(|c| crate::functions::spelling::edit_distance(c, name));
    let suggestions: Vec<String> = candidates.into_iter().take(5).collect();
    format!(
        "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name {} cannot be \
         resolved. Did you mean one of the following? [{}]. SQLSTATE: 42703",
        quoted(name),
        suggestions.join(", ")
    )
}

/// Applies Spark's implicit casts to one node whose children are already resolved.
fn coerce(expr: Expr) -> Result<Expr> {
    Ok(match expr {
        // The name of a type is known once the argument is resolved: `typeof(x)` is a constant.
        Expr::Function { function: crate::functions::ScalarFunction::PerRow(crate::functions::PerRowFunction::TypeOf), args }
            if args.len() == 1 =>
        {
            Expr::Literal(crate::value::Value::String(args[0].data_type().simple_string()))
        }
        Expr::Function { function: crate::functions::ScalarFunction::Grouping(_), .. } => {
            return Err(crate::functions::grouping::unsupported());
        }
        Expr::Window { function, spec } => window::check_window(*function, *spec)?,
        Expr::Binary { op, left, right } => coerce_binary(op, *left, *right)?,
        Expr::Not(e) => Expr::Not(Box::new(expect_boolean(*e, "NOT")?)),
        Expr::Negative(e) if !e.data_type().is_numeric() && !e.data_type().is_interval() => {
            return Err(mismatch(&format!("-{}", e.sql_name()), "numeric", e.data_type()));
        }
        Expr::In { expr, list } => {
            let mut common = expr.data_type();
            for item in &list {
                common = wider_type(&common, &item.data_type()).ok_or_else(|| {
                    EngineError::Analysis(format!(
                        "[DATATYPE_MISMATCH.DATA_DIFF_TYPES] Cannot resolve \"{}\" due to data type mismatch: Input \
                         to `in` should all be the same type, but it's [\"{}\", \"{}\"].",
                        expr.sql_name(),
                        expr.data_type().simple_string().to_uppercase(),
                        item.data_type().simple_string().to_uppercase()
                    ))
                })?;
            }
            let list = list.into_iter().map(|e| cast_to(e, common.clone())).collect();
            Expr::In { expr: Box::new(cast_to(*expr, common)), list }
        }
        Expr::Like { expr, pattern } => {
            Expr::Like { expr: Box::new(cast_to(*expr, SparkType::String)), pattern: Box::new(cast_to(*pattern, SparkType::String)) }
        }
        Expr::CaseWhen { branches, otherwise } => coerce_case_when(branches, otherwise)?,
        Expr::Cast { expr, to } => {
            let from = expr.data_type();
            let integral = matches!(from, SparkType::Byte | SparkType::Short | SparkType::Integer | SparkType::Long);
            if integral && to == SparkType::Binary {
                // Spark without ANSI mode casts these; with it, it says how to get that behaviour.
                let (from, to_name) = (from.simple_string().to_uppercase(), to.simple_string().to_uppercase());
                return Err(EngineError::Analysis(format!(
                    "[DATATYPE_MISMATCH.CAST_WITH_CONF_SUGGESTION] Cannot resolve \"{}\" due to data type mismatch: \
                     cannot cast \"{from}\" to \"{to_name}\" with ANSI mode on. If you have to cast \"{from}\" to \
                     \"{to_name}\", you can set \"spark.sql.ansi.enabled\" as 'false'. SQLSTATE: 42K09",
                    Expr::Cast { expr: expr.clone(), to: to.clone() }.sql_name()
                )));
            }
            if !can_cast(&expr.data_type(), &to) {
                return Err(EngineError::Analysis(format!(
                    "[DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION] Cannot resolve \"{}\" due to data type mismatch: \
                     cannot cast \"{}\" to \"{}\".",
                    Expr::Cast { expr: expr.clone(), to: to.clone() }.sql_name(),
                    expr.data_type().simple_string().to_uppercase(),
                    to.simple_string().to_uppercase()
                )));
            }
            Expr::Cast { expr, to }
        }
        Expr::Function { function, args } => {
            let (min, max) = function.arity();
            if args.len() < min || args.len() > max {
                return Err(EngineError::Analysis(format!(
                    "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{}` requires {} parameters but the actual number is {}.",
                    function.name(),
                    if min == max { min.to_string() } else { format!("[{min}, {}]", if max == usize::MAX { "...".into() } else { max.to_string() }) },
                    args.len()
                )));
            }
            let args = with_default_pad(function, args);
            let function = function_for_types(function, &args);
            let args = match function.signature(&args) {
                Signature::Exact(types) => {
                    args.into_iter().zip(types).map(|(a, t)| implicit_cast(a, t, function.name())).collect::<Result<_>>()?
                }
                Signature::Strings => args.into_iter().map(|a| cast_to(a, SparkType::String)).collect(),
                Signature::DateAndDays => {
                    let [date, days] = <[Expr; 2]>::try_from(args).map_err(|_| EngineError::Internal("two arguments".into()))?;
                    let whole = matches!(
                        days.data_type(),
                        SparkType::Byte | SparkType::Short | SparkType::Integer | SparkType::String | SparkType::Null
                    );
                    if !whole {
                        let call = format!("{}({}, {})", function.name(), date.sql_name(), days.sql_name());
                        return Err(mismatch(&call, "(\"INT\" or \"SMALLINT\" or \"TINYINT\")", days.data_type()));
                    }
                    vec![implicit_cast(date, SparkType::Date, function.name())?, cast_to(days, SparkType::Integer)]
                }
                Signature::Common => {
                    let common = common_type(&args, function.name())?;
                    args.into_iter().map(|a| cast_to(a, common.clone())).collect()
                }
                Signature::AsGiven => args,
                Signature::Collection => match function {
                    crate::functions::ScalarFunction::Collection(collection) => collection_args::coerce(collection, args)?,
                    other => return Err(EngineError::Internal(format!("{} takes no arrays", other.name()))),
                },
                Signature::Numeric => {
                    let mut args = args.into_iter();
                    let value = args.next().expect("arity checked above");
                    let value = if value.data_type().is_numeric() {
                        value
                    } else {
                        implicit_cast(value, SparkType::Double, function.name())?
                    };
                    std::iter::once(value).chain(args.map(|a| cast_to(a, SparkType::Integer))).collect()
                }
            };
            if let crate::functions::ScalarFunction::Json(json) = function {
                json.check(&args)?;
            }
            if let crate::functions::ScalarFunction::Csv(csv) = function {
                csv.check(&args)?;
            }
            Expr::Function { function, args }
        }
        Expr::Aggregate { function, args, distinct, filter } => {
            if let Some(filter) = &filter {
                check_aggregate_filter(filter)?;
            }
            if function == AggregateFunction::Count {
                return Ok(Expr::Aggregate { function, args, distinct, filter });
            }
            if let AggregateFunction::Statistic(statistic) = function {
                let args = args.into_iter().map(|arg| implicit_cast(arg, SparkType::Double, statistic.name())).collect::<Result<_>>()?;
                return Ok(Expr::Aggregate { function, args, distinct, filter });
            }
            if function.is_percentile() {
                return Ok(Expr::Aggregate { function, args: percentile_args(function, args)?, distinct, filter });
            }
            if let AggregateFunction::HistogramNumeric { .. } = function {
                return Ok(Expr::Aggregate { function, args: histogram_args(args)?, distinct, filter });
            }
            // The value as it is (every type hashes), and the constant error aimed at; a value and an ordering.
            if matches!(function, AggregateFunction::ApproxCountDistinct { .. }) || function.takes_pairs() {
                return Ok(Expr::Aggregate { function, args, distinct, filter });
            }
            let Ok::<[Expr; 1], _>([arg]) = args.try_into() else {
                return Err(EngineError::Internal(format!("{} takes one argument", function.name())));
            };
            // Text is read as a boolean (Spark's implicit cast): `every('true')`.
            let arg = if matches!(function, AggregateFunction::BoolAnd | AggregateFunction::BoolOr) && arg.data_type() == SparkType::String {
                cast_to(arg, SparkType::Boolean)
            } else {
                arg
            };
            if matches!(function, AggregateFunction::BoolAnd | AggregateFunction::BoolOr) && !aggregate::accepts(function, arg.data_type()) {
                let name = if function == AggregateFunction::BoolAnd { "bool_and" } else { "bool_or" };
                return Err(EngineError::Analysis(format!(
                    "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{name}({})\" due to data type mismatch: The \
                     first parameter requires the \"BOOLEAN\" type, however \"{}\" has the type \"{}\". SQLSTATE: 42K09",
                    arg.sql_name(),
                    arg.sql_name(),
                    arg.data_type().simple_string().to_uppercase()
                )));
            }
            if matches!(function, AggregateFunction::BitAnd | AggregateFunction::BitOr | AggregateFunction::BitXor)
                && !aggregate::accepts(function, arg.data_type())
            {
                return Err(EngineError::Analysis(format!(
                    "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{}({})\" due to data type mismatch: The \
                     first parameter requires the \"INTEGRAL\" type, however \"{}\" has the type \"{}\". SQLSTATE: 42K09",
                    function.name(),
                    arg.sql_name(),
                    arg.sql_name(),
                    arg.data_type().simple_string().to_uppercase()
                )));
            }
            // Spark averages timestamps as seconds since the epoch (an implicit cast to double).
            let arg = if function == AggregateFunction::Avg && arg.data_type() == SparkType::Timestamp { cast_to(arg, SparkType::Double) } else { arg };
            if !aggregate::accepts(function, arg.data_type()) {
                return Err(mismatch(&format!("{}({})", function.name(), arg.sql_name()), "numeric", arg.data_type()));
            }
            // A number is widened where the values are folded (`expr::aggregated_values`); text is cast here.
            let widened_later = matches!(function, AggregateFunction::Sum | AggregateFunction::Avg) && arg.data_type().is_numeric();
            let to = aggregate::input_type(function, arg.data_type());
            let arg = if widened_later { arg } else { cast_to(arg, to) };
            Expr::Aggregate { function, args: vec![arg], distinct, filter }
        }
        other => other,
    })
}

/// A percentile's value cast as it is aggregated, its percentage(s) as doubles, and the default Spark names it
/// with: `percentile_approx(x, 0.5, 10000)`, `percentile(x, 0.3, 1)`.
fn percentile_args(function: AggregateFunction, args: Vec<Expr>) -> Result<Vec<Expr>> {
    let mut args = args.into_iter();
    let Some(value) = args.next() else {
        return Err(EngineError::Internal(format!("{} takes a column", function.name())));
    };
    if !aggregate::accepts(function, value.data_type()) {
        return Err(mismatch(&format!("{}({})", function.name(), value.sql_name()), "numeric", value.data_type()));
    }
    let mut cast: Vec<Expr> = vec![cast_to(value.clone(), aggregate::input_type(function, value.data_type()))];
    if function == AggregateFunction::Median {
        return Ok(cast);
    }
    let percentage = args.next().unwrap_or(crate::expr::lit(0.5));
    let percentage_type = match percentage.data_type() {
        SparkType::Array(_) => SparkType::array_of(SparkType::Double, false),
        _ => SparkType::Double,
    };
    cast.push(cast_to(percentage, percentage_type));
    let default = if function == AggregateFunction::PercentileApprox { 10_000 } else { 1 };
    let third = args.next().unwrap_or(crate::expr::lit(default));
    // Kindling counts each row once: a frequency column would silently be read as 1.
    let counts_once = matches!(&third, Expr::Literal(v) if v.as_i64() == Some(1));
    if function == AggregateFunction::Percentile && !counts_once {
        return Err(EngineError::Analysis(format!(
            "[UNSUPPORTED_FEATURE] percentile with a frequency ({}) is not supported by Kindling yet (real Spark runs \
             it). SQLSTATE: 0A000",
            third.sql_name()
        )));
    }
    cast.push(cast_to(third, SparkType::Integer));
    Ok(cast)
}

fn first_window(expr: &Expr) -> Option<&Expr> {
    match expr {
        Expr::Window { .. } => Some(expr),
        other => other.children().into_iter().find_map(first_window),
    }
}

/// `FILTER (WHERE condition)` of an aggregate: a boolean that reads the input rows only.
fn check_aggregate_filter(filter: &Expr) -> Result<()> {
    if let Some(window) = first_window(filter) {
        return Err(EngineError::Analysis(format!(
            "[INVALID_AGGREGATE_FILTER.CONTAINS_WINDOW_FUNCTION] The FILTER expression \"{}\" in an aggregate function \
             is invalid. Expected a FILTER expression without a window function, but found \"{}\". SQLSTATE: 42903",
            filter.sql_name(),
            window.sql_name()
        )));
    }
    let problem = if filter.data_type() != SparkType::Boolean {
        Some(("NOT_BOOLEAN", "Filter expression must be boolean"))
    } else if filter.contains_aggregate() {
        Some(("CONTAINS_AGGREGATE", "Expected a FILTER expression without an aggregation"))
    } else {
        None
    };
    match problem {
        Some((kind, why)) => Err(EngineError::Analysis(format!(
            "[INVALID_AGGREGATE_FILTER.{kind}] The FILTER expression {} in an aggregate function is invalid. {why}, \
             but found {}. SQLSTATE: 42903",
            filter.sql_name(),
            filter.data_type().simple_string().to_uppercase()
        ))),
        None => Ok(()),
    }
}

fn coerce_binary(op: BinaryOp, left: Expr, right: Expr) -> Result<Expr> {
    let (lt, rt) = (left.data_type(), right.data_type());
    let rebuild = |l: Expr, r: Expr| Expr::Binary { op, left: Box::new(l), right: Box::new(r) };
    if op.is_logical() {
        let name = op.symbol();
        return Ok(rebuild(expect_boolean(left, name)?, expect_boolean(right, name)?));
    }
    let type_error = || {
        let shown = rebuild(left.clone(), right.clone()).sql_name();
        EngineError::Analysis(format!(
            "[DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES] Cannot resolve \"{shown}\" due to data type mismatch: the left \
             and right operands of the binary operator have incompatible types (\"{}\" and \"{}\"). SQLSTATE: 42K09",
            lt.simple_string().to_uppercase(),
            rt.simple_string().to_uppercase()
        ))
    };
    if op.is_bitwise() {
        let integral = |t: &SparkType| matches!(t, SparkType::Byte | SparkType::Short | SparkType::Integer | SparkType::Long | SparkType::Null);
        if (!integral(&lt) || !integral(&rt)) && lt != rt && lt != SparkType::Null && rt != SparkType::Null {
            return Err(type_error());
        }
        if let Some(wrong) = [&lt, &rt].into_iter().find(|t| !integral(t)) {
            return Err(EngineError::Analysis(format!(
                "[DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE] Cannot resolve \"{}\" due to data type mismatch: the binary \
                 operator requires the input type \"INTEGRAL\", not \"{}\". SQLSTATE: 42K09",
                rebuild(left.clone(), right.clone()).sql_name(),
                wrong.simple_string().to_uppercase()
            )));
        }
        let common = match wider_type(&lt, &rt) {
            Some(SparkType::Null) | None => SparkType::Integer,
            Some(common) => common,
        };
        return Ok(rebuild(cast_to(left, common.clone()), cast_to(right, common)));
    }
    let decimal = |t: &SparkType| matches!(t, SparkType::Decimal { .. });
    if op.is_arithmetic()
        && (decimal(&lt) || decimal(&rt))
        && let (Some(l), Some(r)) = (exact_decimal(&left, &lt), exact_decimal(&right, &rt))
    {
        // Decimals keep their own precision and scale; the result's follow from them (see `decimal_result_type`).
        return Ok(rebuild(cast_to(left, l), cast_to(right, r)));
    }
    if let Some(days) = date_plus_days(op, &left, &right)? {
        return Ok(days);
    }
    if let Some(moved) = date_time_arithmetic(op, &left, &right) {
        return Ok(moved);
    }
    if op == BinaryOp::Divide {
        // Spark's `/` on anything but decimals is a division of doubles: 7 / 2 = 3.5.
        if !(is_number_like(&lt) && is_number_like(&rt)) {
            return Err(type_error());
        }
        return Ok(rebuild(cast_to(left, SparkType::Double), cast_to(right, SparkType::Double)));
    }
    if op.is_arithmetic() {
        let common = match (&lt, &rt) {
            (a, b) if is_number_like(a) && is_number_like(b) => {
                let (a, b) = (numeric_or_double(a), numeric_or_double(b));
                if decimal(&a) || decimal(&b) {
                    arithmetic_type(op, &literal_decimal(&left, &a), &literal_decimal(&right, &b))
                } else {
                    arithmetic_type(op, &a, &b)
                }
            }
            _ => None,
        }
        .ok_or_else(type_error)?;
        return Ok(rebuild(cast_to(left, common.clone()), cast_to(right, common)));
    }
    let common = comparison_type(&lt, &rt).ok_or_else(type_error)?;
    Ok(rebuild(cast_to(left, common.clone()), cast_to(right, common)))
}

fn is_number_like(t: &SparkType) -> bool {
    t.is_numeric() || matches!(t, SparkType::Null | SparkType::String)
}

/// Next to a decimal, an integer literal counts as a decimal of just its own digits (`1` is `decimal(1,0)`), as
/// Spark's decimal precision rules say; every other operand keeps its type.
fn literal_decimal(expr: &Expr, data_type: &SparkType) -> SparkType {
    let digits = |v: i64| v.unsigned_abs().to_string().len() as u8;
    match expr {
        Expr::Literal(crate::value::Value::Integer(v)) => SparkType::Decimal { precision: digits(*v as i64), scale: 0 },
        Expr::Literal(crate::value::Value::Long(v)) => SparkType::Decimal { precision: digits(*v), scale: 0 },
        _ => data_type.clone(),
    }
}

/// Both operands as decimals, when one is a decimal and the other a decimal or a whole number: the arithmetic is
/// then exact. `None` when a side is a double, a float, a string or NULL.
fn exact_decimal(expr: &Expr, data_type: &SparkType) -> Option<SparkType> {
    match data_type {
        SparkType::Decimal { .. } => Some(data_type.clone()),
        SparkType::Byte | SparkType::Short | SparkType::Integer | SparkType::Long => {
            let (precision, scale) = as_decimal(&literal_decimal(expr, data_type))?;
            Some(SparkType::Decimal { precision, scale })
        }
        _ => None,
    }
}

/// In arithmetic a string stands for a double and NULL for whatever the other side is.
fn numeric_or_double(t: &SparkType) -> SparkType {
    if *t == SparkType::String { SparkType::Double } else { t.clone() }
}

fn arithmetic_type(op: BinaryOp, a: &SparkType, b: &SparkType) -> Option<SparkType> {
    use SparkType::*;
    match (as_decimal(a), as_decimal(b)) {
        (Some((p1, s1)), Some((p2, s2))) if matches!(a, Decimal { .. }) || matches!(b, Decimal { .. }) => {
            let (precision, scale) = match op {
                BinaryOp::Multiply => (p1 as i32 + p2 as i32 + 1, s1 as i32 + s2 as i32),
                _ => {
                    let scale = s1.max(s2) as i32;
                    ((p1 as i32 - s1 as i32).max(p2 as i32 - s2 as i32) + scale + 1, scale)
                }
            };
            Some(SparkType::bounded_decimal(precision, scale))
        }
        _ => wider_type(a, b),
    }
}


/// Integral types as the decimal that holds every value (int → decimal(10,0)).
fn as_decimal(t: &SparkType) -> Option<(u8, i8)> {
    match t {
        SparkType::Decimal { precision, scale } => Some((*precision, *scale)),
        SparkType::Byte => Some((3, 0)),
        SparkType::Short => Some((5, 0)),
        SparkType::Integer => Some((10, 0)),
        SparkType::Long => Some((20, 0)),
        _ => None,
    }
}

/// The type two sides of a comparison are brought to.
fn comparison_type(a: &SparkType, b: &SparkType) -> Option<SparkType> {
    use SparkType::*;
    let temporal = |t: &SparkType| matches!(t, Date | Timestamp | TimestampNtz);
    match (a, b) {
        (String, t) | (t, String) if temporal(t) || t.is_numeric() || *t == Boolean => Some(t.clone()),
        _ => wider_type(a, b),
    }
}

/// The narrowest type both `a` and `b` widen to, if any (Spark's `findWiderTypeForTwo`).
pub fn wider_type(a: &SparkType, b: &SparkType) -> Option<SparkType> {
    use SparkType::*;
    let rank = |t: &SparkType| match t {
        Byte => Some(1),
        Short => Some(2),
        Integer => Some(3),
        Long => Some(4),
        _ => None,
    };
    Some(match (a, b) {
        (a, b) if a == b => a.clone(),
        (Null, t) | (t, Null) => t.clone(),
        (Double, t) | (t, Double) if t.is_numeric() => Double,
        (Float, Decimal { .. }) | (Decimal { .. }, Float) => Double,
        (Float, t) | (t, Float) if t.is_numeric() => Float,
        (Decimal { .. }, _) | (_, Decimal { .. }) => {
            let ((p1, s1), (p2, s2)) = (as_decimal(a)?, as_decimal(b)?);
            let scale = s1.max(s2) as i32;
            let integer_digits = (p1 as i32 - s1 as i32).max(p2 as i32 - s2 as i32);
            SparkType::bounded_decimal(integer_digits + scale, scale)
        }
        (a, b) if rank(a).is_some() && rank(b).is_some() => if rank(a) > rank(b) { a.clone() } else { b.clone() },
        (Date, Timestamp | TimestampNtz) => b.clone(),
        (Timestamp | TimestampNtz, Date) => a.clone(),
        (Timestamp, TimestampNtz) | (TimestampNtz, Timestamp) => Timestamp,
        (String, t) | (t, String) if !t.is_nested() => String,
        (Array(x), Array(y)) => SparkType::array_of(wider_type(&x.element, &y.element)?, x.contains_null || y.contains_null),
        (Map(x), Map(y)) => SparkType::map_of(
            wider_type(&x.key, &y.key)?,
            wider_type(&x.value, &y.value)?,
            x.value_contains_null || y.value_contains_null,
        ),
        _ => return None,
    })
}

fn common_type(args: &[Expr], function: &str) -> Result<SparkType> {
    let mut common = SparkType::Null;
    for arg in args {
        common = wider_type(&common, &arg.data_type()).ok_or_else(|| {
            EngineError::Analysis(format!(
                "[DATATYPE_MISMATCH.DATA_DIFF_TYPES] Cannot resolve \"{function}(...)\" due to data type mismatch: \
                 Input to `{function}` should all be the same type, but it has \"{}\" and \"{}\".",
                common.simple_string().to_uppercase(),
                arg.data_type().simple_string().to_uppercase()
            ))
        })?;
    }
    Ok(common)
}

fn coerce_case_when(branches: Vec<(Expr, Expr)>, otherwise: Option<Box<Expr>>) -> Result<Expr> {
    let values: Vec<Expr> = branches.iter().map(|(_, v)| v.clone()).chain(otherwise.as_deref().cloned()).collect();
    let common = common_type(&values, "CASE WHEN")?;
    let branches = branches
        .into_iter()
        .map(|(c, v)| Ok((expect_boolean(c, "WHEN")?, cast_to(v, common.clone()))))
        .collect::<Result<_>>()?;
    Ok(Expr::CaseWhen { branches, otherwise: otherwise.map(|e| Box::new(cast_to(*e, common))) })
}

fn expect_boolean(expr: Expr, operator: &str) -> Result<Expr> {
    match expr.data_type() {
        SparkType::Boolean => Ok(expr),
        SparkType::Null => Ok(cast_to(expr, SparkType::Boolean)),
        other => Err(mismatch(&format!("{operator} {}", expr.sql_name()), "boolean", other)),
    }
}

/// `histogram_numeric`'s value as it folds it: a number, date, timestamp or interval as it is, text read as a
/// double (Spark's implicit cast).
fn histogram_args(mut args: Vec<Expr>) -> Result<Vec<Expr>> {
    let value = args.remove(0);
    let value = match value.data_type() {
        SparkType::String => cast_to(value, SparkType::Double),
        t if aggregate::accepts(AggregateFunction::HistogramNumeric { bins: 2 }, t.clone()) => value,
        t => {
            let shown = format!("histogram_numeric({}, {})", value.sql_name(), args.first().map_or(String::new(), Expr::sql_name));
            return Err(EngineError::Analysis(format!(
                "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{shown}\" due to data type mismatch: The first \
                 parameter requires the (\"NUMERIC\" or \"DATE\" or \"TIMESTAMP\" or \"TIMESTAMP_NTZ\" or \"INTERVAL YEAR TO \
                 MONTH\" or \"INTERVAL DAY TO SECOND\" or \"TIME\") type, however \"{}\" has the type \"{}\". SQLSTATE: 42K09",
                value.sql_name(),
                t.simple_string().to_uppercase()
            )));
        }
    };
    Ok(std::iter::once(value).chain(args).collect())
}

fn mismatch(shown: &str, wanted: &str, actual: SparkType) -> EngineError {
    EngineError::Analysis(format!(
        "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{shown}\" due to data type mismatch: the input \
         should have been {wanted}, but it is \"{}\". SQLSTATE: 42K09",
        actual.simple_string().to_uppercase()
    ))
}

/// `date + n`, `n + date` and `date - n` are `date_add` / `date_sub` of a whole number of days (TINYINT, SMALLINT or
/// INT, as Spark takes them); `None` for other operands.
fn date_plus_days(op: BinaryOp, left: &Expr, right: &Expr) -> Result<Option<Expr>> {
    use crate::functions::{PerRowFunction, ScalarFunction};
    let (date, days, function) = match (op, left.data_type(), right.data_type()) {
        (BinaryOp::Plus, SparkType::Date, t) if t != SparkType::Null && !t.is_interval() => (left, right, PerRowFunction::DateAdd),
        (BinaryOp::Plus, t, SparkType::Date) if t != SparkType::Null && !t.is_interval() => (right, left, PerRowFunction::DateAdd),
        (BinaryOp::Minus, SparkType::Date, t) if t.is_numeric() => (left, right, PerRowFunction::DateSub),
        _ => return Ok(None),
    };
    let call = Expr::Function { function: ScalarFunction::PerRow(function), args: vec![date.clone(), days.clone()] };
    if !matches!(days.data_type(), SparkType::Byte | SparkType::Short | SparkType::Integer) {
        return Err(mismatch(&call.sql_name(), "(\"INT\" or \"SMALLINT\" or \"TINYINT\")", days.data_type()));
    }
    Ok(Some(call))
}

/// Dates and timestamps moved by intervals (`date - INTERVAL '1' MONTH`), and the interval between two dates or
/// two timestamps; `None` for other operands.
fn date_time_arithmetic(op: BinaryOp, left: &Expr, right: &Expr) -> Option<Expr> {
    use crate::functions::{PerRowFunction as F, ScalarFunction};
    use SparkType::*;
    let function = |f: F, args: Vec<Expr>| Expr::Function { function: ScalarFunction::PerRow(f), args };
    let signed = |interval: &Expr| if op == BinaryOp::Minus { Expr::Negative(Box::new(interval.clone())) } else { interval.clone() };
    let whole_days = |t: &SparkType| matches!(t, DayTimeInterval { start: crate::interval::DAY, end: crate::interval::DAY });
    let (lt, rt) = (left.data_type(), right.data_type());
    Some(match (op, &lt, &rt) {
        (BinaryOp::Plus | BinaryOp::Minus, Date, YearMonthInterval { .. }) => function(F::DatePlusInterval, vec![left.clone(), signed(right)]),
        (BinaryOp::Plus | BinaryOp::Minus, Date, t) if whole_days(t) => function(F::DatePlusInterval, vec![left.clone(), signed(right)]),
        (BinaryOp::Plus, YearMonthInterval { .. }, Date) => function(F::DatePlusInterval, vec![right.clone(), left.clone()]),
        (BinaryOp::Plus, t, Date) if whole_days(t) => function(F::DatePlusInterval, vec![right.clone(), left.clone()]),
        (BinaryOp::Plus | BinaryOp::Minus, Date | Timestamp | TimestampNtz, t) if t.is_interval() => {
            function(F::TimestampPlusInterval, vec![cast_to(left.clone(), Timestamp), signed(right)])
        }
        (BinaryOp::Plus, t, Date | Timestamp | TimestampNtz) if t.is_interval() => {
            function(F::TimestampPlusInterval, vec![cast_to(right.clone(), Timestamp), left.clone()])
        }
        (BinaryOp::Minus, Date, Date | String | Null) | (BinaryOp::Minus, String | Null, Date) => {
            function(F::SubtractDates, vec![cast_to(left.clone(), Date), cast_to(right.clone(), Date)])
        }
        (BinaryOp::Minus, Timestamp, Timestamp | Date) | (BinaryOp::Minus, Date, Timestamp) => {
            function(F::SubtractTimestamps, vec![cast_to(left.clone(), Timestamp), cast_to(right.clone(), Timestamp)])
        }
        _ => return None,
    })
}

/// The function a call means for its arguments' types: `concat` of arrays joins the arrays; `col[key]` of a struct
/// reads a field; `reverse` of an array reverses its elements.
fn function_for_types(function: crate::functions::ScalarFunction, args: &[Expr]) -> crate::functions::ScalarFunction {
    use crate::functions::{CollectionFunction, ScalarFunction};
    let first = args.first().map(Expr::data_type);
    match (function, first) {
        (ScalarFunction::Concat, _) if args.iter().any(|a| matches!(a.data_type(), SparkType::Array(_))) => {
            ScalarFunction::Collection(CollectionFunction::ArrayConcat)
        }
        (ScalarFunction::Collection(CollectionFunction::GetItem), Some(SparkType::Struct(_))) => {
            ScalarFunction::Collection(CollectionFunction::GetField)
        }
        (ScalarFunction::PerRow(crate::functions::PerRowFunction::Reverse), Some(SparkType::Array(_))) => {
            ScalarFunction::Collection(CollectionFunction::ArrayReverse)
        }
        _ => function,
    }
}

/// `lpad(s, n)` pads with spaces, or with zero bytes when `s` is binary; the call then shows the pad it used.
fn with_default_pad(function: crate::functions::ScalarFunction, mut args: Vec<Expr>) -> Vec<Expr> {
    use crate::functions::PerRowFunction::{Lpad, Rpad};
    if matches!(function, crate::functions::ScalarFunction::PerRow(Lpad | Rpad)) && args.len() == 2 {
        let binary = args[0].data_type() == SparkType::Binary;
        args.push(if binary { crate::expr::lit(crate::value::Value::Binary(vec![0])) } else { crate::expr::lit(" ") });
    }
    args
}

/// `expr` as type `to`, if Spark would cast it implicitly; otherwise an analysis error.
fn implicit_cast(expr: Expr, to: SparkType, function: &str) -> Result<Expr> {
    let from = expr.data_type();
    // Spark's ANSI rules: numbers convert among themselves, every value can be read as a string, a string as any
    // value.
    let allowed = from == to
        || from == SparkType::Null
        || (from.is_numeric() && to.is_numeric())
        || to == SparkType::String
        || matches!(
            (&from, &to),
            (SparkType::String, _)
                | (SparkType::Date, SparkType::Timestamp | SparkType::TimestampNtz)
                | (SparkType::Timestamp | SparkType::TimestampNtz, SparkType::Date | SparkType::Timestamp)
        );
    if !allowed {
        return Err(mismatch(&format!("{function}({})", expr.sql_name()), &to.simple_string().to_uppercase(), from));
    }
    Ok(cast_to(expr, to))
}

/// Wraps `expr` in a cast unless it already has type `to`; NULL literals simply take the type.
pub fn cast_to(expr: Expr, to: SparkType) -> Expr {
    if expr.data_type() == to { expr } else { expr.cast(to) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{col, lit};

    fn columns() -> Vec<Attribute> {
        vec![
            Attribute::new("PULocationID", SparkType::Integer, true),
            Attribute::new("total_amount", SparkType::Double, true),
            Attribute::new("lpep_pickup_datetime", SparkType::TimestampNtz, true),
        ]
    }

    #[test]
    fn names_resolve_case_insensitively() {
        let resolved = resolve(col("pulocationid"), &columns()).unwrap();
        assert_eq!(resolved.sql_name(), "PULocationID");
    }

    #[test]
    fn a_missing_name_suggests_the_closest_columns() {
        let error = resolve(col("total_amont"), &columns()).unwrap_err().to_string();
        assert!(error.starts_with("[UNRESOLVED_COLUMN.WITH_SUGGESTION]"), "{error}");
        assert!(error.contains("`total_amont` cannot be resolved. Did you mean one of the following? [`total_amount`,"), "{error}");
    }

    #[test]
    fn a_missing_name_with_no_columns_around_has_no_suggestion() {
        // What pyspark 4.3 says for `SELECT 1 AS a, nope`, up to the position it appends.
        let error = resolve(col("nope"), &[]).unwrap_err().to_string();
        assert_eq!(
            error,
            "[UNRESOLVED_COLUMN.WITHOUT_SUGGESTION] A column, variable, or function parameter with name `nope` cannot \
             be resolved.  SQLSTATE: 42703"
        );
    }

    #[test]
    fn a_column_of_another_dataframe_is_a_missing_attribute() {
        let input = vec![Attribute::new("id", SparkType::Long, false)];
        let other_id = Expr::Attribute(Attribute::new("id", SparkType::Long, false));
        let project = format!("Project [{}]", other_id.plan_string());
        let error = check_inputs(std::slice::from_ref(&other_id), &input, &project).unwrap_err().to_string();
        // pyspark 4.3 for `spark.range(3).select(spark.range(5).id)`, but for the attribute's number.
        let expected = format!(
            "[MISSING_ATTRIBUTES.RESOLVED_ATTRIBUTE_APPEAR_IN_OPERATION] Resolved attribute(s) \"id\" missing from \"id\" \
             in operator !Project [{}]. Attribute(s) with the same name appear in the operation: \"id\".\nPlease check \
             if the right attribute(s) are used. SQLSTATE: XX000",
            other_id.plan_string()
        );
        assert_eq!(error, expected);
        // pyspark 4.3 for `a.filter(b.z > 1)` (columns x, y and z, w), but for the attribute's number.
        let two = vec![Attribute::new("x", SparkType::Long, true), Attribute::new("y", SparkType::Long, true)];
        let z = Expr::Attribute(Attribute::new("z", SparkType::Long, true));
        let filter = format!("Filter ({} > cast(1 as bigint))", z.plan_string());
        let error = check_inputs(&[z], &two, &filter).unwrap_err().to_string();
        let expected = format!(
            "[MISSING_ATTRIBUTES.RESOLVED_ATTRIBUTE_MISSING_FROM_INPUT] Resolved attribute(s) \"z\" missing from \"x\", \"y\" \
             in operator !{filter}.  SQLSTATE: XX000"
        );
        assert_eq!(error, expected);
        assert!(check_inputs(&[Expr::Attribute(input[0].clone())], &input, "Project").is_ok());
    }

    #[test]
    fn mixed_arithmetic_widens_and_division_is_on_doubles() {
        let sum = resolve(col("PULocationID").plus(col("total_amount")), &columns()).unwrap();
        assert_eq!(sum.data_type(), SparkType::Double);
        assert_eq!(resolve(lit(7).divide(lit(2)), &[]).unwrap().data_type(), SparkType::Double);
        assert_eq!(resolve(lit(7).plus(lit(2i64)), &[]).unwrap().data_type(), SparkType::Long);
    }

    #[test]
    fn strings_compared_with_timestamps_become_timestamps() {
        let condition = resolve(col("lpep_pickup_datetime").gt_eq(lit("2020-01-01 00:00:00")), &columns()).unwrap();
        let Expr::Binary { right, .. } = condition else { panic!("a comparison") };
        assert_eq!(right.data_type(), SparkType::TimestampNtz);
    }

    #[test]
    fn incompatible_types_are_reported() {
        let error = resolve(col("total_amount").plus(lit(true)), &columns()).unwrap_err().to_string();
        assert!(error.starts_with("[DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES]"), "{error}");
    }

    #[test]
    fn union_widens_long_and_double_to_double() {
        assert_eq!(wider_type(&SparkType::Long, &SparkType::Double), Some(SparkType::Double));
        assert_eq!(wider_type(&SparkType::Integer, &SparkType::Long), Some(SparkType::Long));
        assert_eq!(wider_type(&SparkType::Boolean, &SparkType::Date), None);
    }
}
