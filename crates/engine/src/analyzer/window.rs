//! Checking a window expression as Spark's analyzer does: ranking functions need an `ORDER BY` and have a fixed
//! frame, `lag`/`lead` look a fixed number of rows away, and a `RANGE` frame with an offset needs one ordering
//! value that is a number, a date or a timestamp.

use crate::expr::window::{FrameBound, FrameKind, WindowFrame, WindowFunction, WindowSpec};
use crate::expr::{Expr, lit};
use crate::types::SparkType;
use crate::value::Value;
use crate::{EngineError, Result};

use super::cast_to;

pub fn check_window(function: Expr, mut spec: WindowSpec) -> Result<Expr> {
    let function = match function {
        Expr::WindowFunction { function, args, ignore_nulls } => {
            if spec.order_by.is_empty() && function.ranks() {
                return Err(EngineError::Analysis(format!(
                    "[WINDOW_FUNCTION_FRAME_NOT_ORDERED] Window function {} requires the window to be ordered. You \
                     need to add an ORDER BY clause. For example: SELECT {}() OVER (PARTITION BY window_partition \
                     ORDER BY window_ordering) FROM table. SQLSTATE: 42601",
                    function.name(),
                    function.name().to_uppercase()
                )));
            }
            let (args, frame) = fixed_frame(function, args, &spec.frame)?;
            spec.frame = frame;
            Expr::WindowFunction { function, args, ignore_nulls }
        }
        aggregate => {
            check_frame(&spec)?;
            aggregate
        }
    };
    Ok(Expr::Window { function: Box::new(function), spec: Box::new(spec) })
}

/// The arguments and the frame a window function always has: `lag(x)` is `lag(x, 1, NULL)` over the row one
/// before; ranking functions see the rows up to the current one.
fn fixed_frame(function: WindowFunction, mut args: Vec<Expr>, given: &WindowFrame) -> Result<(Vec<Expr>, WindowFrame)> {
    match function {
        WindowFunction::Lag | WindowFunction::Lead => {
            let Some(input) = args.first().cloned() else {
                return Err(EngineError::Analysis(format!(
                    "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{}` requires [1, 3] parameters but the actual number is \
                     0. SQLSTATE: 42605",
                    function.name()
                )));
            };
            let offset = match args.get(1) {
                None => 1,
                Some(Expr::Literal(value)) => value.as_i64().unwrap_or(1),
                // A constant expression (`lag(v, +3)`) is as good as its value.
                Some(other) if is_constant(other) => crate::expr::eval::constant_value(other)?.as_i64().unwrap_or(1),
                Some(other) => return Err(not_foldable(function, other)),
            };
            let default = args.get(2).cloned().unwrap_or(lit(Value::Null));
            args = vec![input.clone(), lit(Value::Integer(offset as i32)), cast_to(default, input.data_type())];
            let frame = frame_of(function, &args, given);
            Ok((args, frame))
        }
        _ => Ok((args.clone(), frame_of(function, &args, given))),
    }
}

/// The frame a window function has whatever frame was `given` (which only `nth_value` keeps): `lag(x, n)` sees the
/// row `n` before, `cume_dist` the rows up to the current one's last tie, the other ranking functions the rows up
/// to the current one. Also how Spark names such a column.
pub fn frame_of(function: WindowFunction, args: &[Expr], given: &WindowFrame) -> WindowFrame {
    match function {
        WindowFunction::Lag | WindowFunction::Lead => {
            let offset = match args.get(1) {
                Some(Expr::Literal(value)) => value.as_i64().unwrap_or(1),
                _ => 1,
            };
            let rows = if function == WindowFunction::Lag { -offset } else { offset };
            let at = FrameBound::Following(Value::Integer(rows as i32));
            WindowFrame { kind: FrameKind::Rows, start: at.clone(), end: at }
        }
        WindowFunction::NthValue => given.clone(),
        WindowFunction::CumeDist => WindowFrame::default_for(true),
        _ => WindowFrame::running(),
    }
}

/// Whether `expr` reads nothing but constants (no column, aggregate, random value or user function).
fn is_constant(expr: &Expr) -> bool {
    let reads_rows = matches!(
        expr,
        Expr::Column(_) | Expr::Attribute(_) | Expr::Aggregate { .. } | Expr::Window { .. } | Expr::Udf { .. } | Expr::Nondeterministic(_) | Expr::LambdaVariable(_)
    );
    !reads_rows && expr.children().iter().all(|child| is_constant(child))
}

fn not_foldable(function: WindowFunction, arg: &Expr) -> EngineError {
    EngineError::Analysis(format!(
        "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve \"{}({})\" due to data type mismatch: the input offset \
         should be a foldable \"INT\" expression; however, got \"{}\". SQLSTATE: 42K09",
        function.name(),
        arg.sql_name(),
        arg.sql_name()
    ))
}

/// Whether a RANGE frame can reach `amount` away from an ordering value of type `ordering`, as Spark allows: a
/// number from a number or a date (days), an interval from a timestamp, a year-month or whole-day interval from a
/// date.
fn range_offset_fits(ordering: &SparkType, amount: &Value) -> bool {
    use crate::interval::DAY;
    match (ordering, amount) {
        (SparkType::Date, Value::DayTimeInterval { start, end, .. }) => *start == DAY && *end == DAY,
        (SparkType::Date, Value::YearMonthInterval { .. }) => true,
        (SparkType::Date, number) => number.as_i64().is_some(),
        (SparkType::Timestamp | SparkType::TimestampNtz, Value::DayTimeInterval { .. } | Value::YearMonthInterval { .. }) => true,
        (SparkType::Timestamp | SparkType::TimestampNtz, _) => false,
        (numeric, amount) => numeric.is_numeric() && amount.as_f64().is_some(),
    }
}

/// A frame's bounds must be in order, and a `RANGE` frame with an offset needs one numeric or temporal ordering.
fn check_frame(spec: &WindowSpec) -> Result<()> {
    let frame = &spec.frame;
    let position = |bound: &FrameBound| -> Option<f64> {
        match bound {
            FrameBound::UnboundedPreceding => Some(f64::NEG_INFINITY),
            FrameBound::Preceding(n) => n.as_f64().map(|n| -n),
            FrameBound::CurrentRow => Some(0.0),
            FrameBound::Following(n) => n.as_f64(),
            FrameBound::UnboundedFollowing => Some(f64::INFINITY),
        }
    };
    let mismatch = |kind: &str, why: &str| {
        EngineError::Analysis(format!(
            "[DATATYPE_MISMATCH.{kind}] Cannot resolve \"({frame})\" due to data type mismatch: {why}. SQLSTATE: 42K09"
        ))
    };
    if matches!(frame.start, FrameBound::UnboundedFollowing) || matches!(frame.end, FrameBound::UnboundedPreceding) {
        return Err(mismatch("SPECIFIED_WINDOW_FRAME_INVALID_BOUND", "Window frame upper bound must not be before its lower bound"));
    }
    if let (Some(start), Some(end)) = (position(&frame.start), position(&frame.end))
        && start > end
    {
        return Err(mismatch(
            "SPECIFIED_WINDOW_FRAME_WRONG_COMPARISON",
            "The lower bound of a window frame must be less than or equal to the upper bound",
        ));
    }
    let has_offset = [&frame.start, &frame.end].iter().any(|b| matches!(b, FrameBound::Preceding(_) | FrameBound::Following(_)));
    if frame.kind != FrameKind::Range || !has_offset {
        return Ok(());
    }
    match spec.order_by.as_slice() {
        [] => Err(mismatch("RANGE_FRAME_WITHOUT_ORDER", "A range window frame cannot be used in an unordered window specification")),
        [order] => {
            let ordering = order.expr.data_type();
            let offsets = [&frame.start, &frame.end].into_iter().filter_map(|bound| match bound {
                FrameBound::Preceding(amount) | FrameBound::Following(amount) => Some(amount),
                _ => None,
            });
            let offsets: Vec<&Value> = offsets.collect();
            if let ([lower, upper], [FrameBound::Preceding(_) | FrameBound::Following(_), FrameBound::Preceding(_) | FrameBound::Following(_)]) =
                (offsets.as_slice(), [&frame.start, &frame.end])
                && lower.spark_type() != upper.spark_type()
                && !(lower.spark_type().is_numeric() && upper.spark_type().is_numeric())
            {
                let shown = |bound: &FrameBound, amount: &Value| match bound {
                    FrameBound::Preceding(_) => format!("(- {amount})"),
                    _ => amount.to_string(),
                };
                return Err(EngineError::Analysis(format!(
                    "[DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_DIFF_TYPES] Cannot resolve \"{frame}\" due to data type \
                     mismatch: Window frame bounds \"{}\" and \"{}\" do not have the same type: \"{}\" <> \"{}\". \
                     SQLSTATE: 42K09",
                    shown(&frame.start, lower),
                    shown(&frame.end, upper),
                    lower.spark_type().simple_string().to_uppercase(),
                    upper.spark_type().simple_string().to_uppercase()
                )));
            }
            match offsets.into_iter().find(|amount| !range_offset_fits(&ordering, amount)) {
                None => Ok(()),
                Some(amount) => Err(mismatch(
                    "RANGE_FRAME_INVALID_TYPE",
                    &format!(
                        "The data type \"{}\" used in the order specification does not support the data type \"{}\" \
                         used in the range frame",
                        ordering.simple_string().to_uppercase(),
                        amount.spark_type().simple_string().to_uppercase()
                    ),
                )),
            }
        }
        _ => Err(mismatch("RANGE_FRAME_MULTI_ORDER", "A range window frame with value boundaries cannot be used in a window specification with multiple order by expressions")),
    }
}
