//! Evaluating a resolved expression over a batch of rows, with Arrow's compute kernels.
//!
//! Spark's ANSI mode turns integer overflow and division by zero into errors. Spark also evaluates `AND`, `OR` and
//! `CASE WHEN` lazily — `CASE WHEN x = 0 THEN NULL ELSE y / x END` never divides by zero — so here the right side of
//! `AND`/`OR` and each branch of a `CASE` are evaluated only on the rows that still need them.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, RecordBatch, UInt32Array, new_null_array};
use arrow::compute::kernels::cmp;
use arrow::compute::kernels::numeric;
use arrow::compute::{and_kleene, interleave, is_not_null, is_null, not, or_kleene, take, take_record_batch};
use arrow::datatypes::{DataType, Float64Type};
use arrow::error::ArrowError;

use super::{Attribute, BinaryOp, Expr};
use crate::types::SparkType;
use crate::{EngineError, Result};

/// The value of `expr` for every row of `batch`, whose columns are the attributes `input`.
pub fn evaluate(expr: &Expr, batch: &RecordBatch, input: &[Attribute]) -> Result<ArrayRef> {
    match expr {
        Expr::Attribute(a) | Expr::LambdaVariable(a) => Ok(batch.column(position(input, a)?).clone()),
        Expr::HigherOrder(call) => super::higher_order::evaluate_call(call, batch, input),
        Expr::Literal(v) => Ok(v.to_array(batch.num_rows())),
        Expr::Alias { expr, .. } => evaluate(expr, batch, input),
        Expr::Binary { op: op @ (BinaryOp::And | BinaryOp::Or), left, right } => {
            logical(*op, left, right, batch, input)
        }
        Expr::Binary { op, left, right } => {
            let l = evaluate(left, batch, input)?;
            let r = evaluate(right, batch, input)?;
            if op.is_arithmetic() {
                arithmetic(*op, &l, &r, expr.data_type())
            } else if op.is_bitwise() {
                bitwise(*op, &l, &r)
            } else {
                compare(*op, &l, &r)
            }
        }
        Expr::Negative(e) => numeric::neg(&evaluate(e, batch, input)?).map_err(ansi_error),
        Expr::Not(e) => Ok(Arc::new(not(evaluate(e, batch, input)?.as_boolean())?)),
        Expr::IsNull(e) => Ok(Arc::new(is_null(&evaluate(e, batch, input)?)?)),
        Expr::IsNotNull(e) => Ok(Arc::new(is_not_null(&evaluate(e, batch, input)?)?)),
        Expr::In { expr, list } => {
            let value = evaluate(expr, batch, input)?;
            let mut found = BooleanArray::from(vec![false; batch.num_rows()]);
            for item in list {
                let matches = cmp::eq(&value, &evaluate(item, batch, input)?)?;
                found = or_kleene(&found, &matches)?;
            }
            Ok(Arc::new(found))
        }
        Expr::Like { expr, pattern } => {
            let value = evaluate(expr, batch, input)?;
            let pattern = evaluate(pattern, batch, input)?;
            Ok(Arc::new(arrow::compute::kernels::comparison::like(&value, &pattern)?))
        }
        Expr::CaseWhen { branches, otherwise } => case_when(expr.data_type(), branches, otherwise.as_deref(), batch, input),
        Expr::Cast { expr, to } => super::cast::cast(&evaluate(expr, batch, input)?, &expr.data_type(), to),
        Expr::Function { function, args } => {
            let values = args.iter().map(|a| evaluate(a, batch, input)).collect::<Result<Vec<_>>>()?;
            let types: Vec<SparkType> = args.iter().map(Expr::data_type).collect();
            function.evaluate(&values, &types, batch.num_rows(), &expr.data_type())
        }
        Expr::Udf { function, args } => {
            let values = args.iter().map(|a| evaluate(a, batch, input)).collect::<Result<Vec<_>>>()?;
            function.invoke(&values, batch.num_rows())
        }
        Expr::Column(name) => Err(EngineError::Internal(format!("column `{name}` was not resolved before evaluation"))),
        Expr::TryEval(inner) => try_evaluate(inner, batch, input),
        Expr::Nondeterministic(leaf) => Err(EngineError::Internal(format!(
            "{} is evaluated by the operator's task, which knows the partition",
            leaf.name()
        ))),
        Expr::Aggregate { .. } | Expr::Window { .. } | Expr::WindowFunction { .. } | Expr::Generator(_) => Err(EngineError::Internal(format!(
            "{} is evaluated by its own operator, not row by row",
            expr.sql_name()
        ))),
    }
}

/// `try_…`: the expression's values; when it fails on the batch, each row again on its own, NULL where that fails
/// (an error in the data — a bad number, an overflow — not a bug, which still surfaces).
fn try_evaluate(expr: &Expr, batch: &RecordBatch, input: &[Attribute]) -> Result<ArrayRef> {
    let fails = |error: &EngineError| matches!(error, EngineError::Runtime(_) | EngineError::IllegalArgument(_) | EngineError::Arrow(_));
    match evaluate(expr, batch, input) {
        Err(error) if fails(&error) => {
            let rows = (0..batch.num_rows())
                .map(|row| match evaluate(expr, &batch.slice(row, 1), input) {
                    Err(error) if fails(&error) => Ok(new_null_array(&expr.data_type().to_arrow(), 1)),
                    other => other,
                })
                .collect::<Result<Vec<_>>>()?;
            let parts: Vec<&dyn Array> = rows.iter().map(|a| a.as_ref()).collect();
            if parts.is_empty() {
                return Ok(new_null_array(&expr.data_type().to_arrow(), 0));
            }
            Ok(arrow::compute::concat(&parts)?)
        }
        other => other,
    }
}

/// The value of an expression that reads no column (`1 + 2`, `array(0.25, 0.75)`).
pub fn constant_value(expr: &Expr) -> Result<crate::value::Value> {
    let one_row = RecordBatch::try_new_with_options(
        Arc::new(arrow::datatypes::Schema::empty()),
        vec![],
        &arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(1)),
    )?;
    Ok(crate::value::Value::from_array(evaluate(expr, &one_row, &[])?.as_ref(), 0)?.of_type(&expr.data_type()))
}

/// The rows where a condition is true: NULL counts as false, as in a WHERE clause.
pub fn is_true(condition: &BooleanArray) -> BooleanArray {
    match condition.nulls() {
        Some(nulls) => BooleanArray::new(condition.values() & nulls.inner(), None),
        None => condition.clone(),
    }
}

fn position(input: &[Attribute], attribute: &Attribute) -> Result<usize> {
    input.iter().position(|a| a.id == attribute.id).ok_or_else(|| {
        EngineError::Internal(format!("attribute {}#{} is not among the operator's inputs", attribute.name, attribute.id.0))
    })
}

/// `AND` / `OR` with three-valued logic; the right side only sees the rows the left side left undecided.
fn logical(op: BinaryOp, left: &Expr, right: &Expr, batch: &RecordBatch, input: &[Attribute]) -> Result<ArrayRef> {
    let l = evaluate(left, batch, input)?;
    let l = l.as_boolean();
    let decided = |row: usize| l.is_valid(row) && l.value(row) == (op == BinaryOp::Or);
    let undecided: Vec<u32> = (0..l.len()).filter(|&row| !decided(row)).map(|row| row as u32).collect();
    if undecided.is_empty() {
        return Ok(Arc::new(l.clone()));
    }
    let r = evaluate_on_rows(right, batch, input, &undecided)?;
    let combine = if op == BinaryOp::And { and_kleene } else { or_kleene };
    Ok(Arc::new(combine(l, r.as_boolean())?))
}

/// Evaluates `expr` only on `rows` of `batch`; the other rows of the result are NULL.
fn evaluate_on_rows(expr: &Expr, batch: &RecordBatch, input: &[Attribute], rows: &[u32]) -> Result<ArrayRef> {
    if rows.len() == batch.num_rows() {
        return evaluate(expr, batch, input);
    }
    let subset = take_record_batch(batch, &UInt32Array::from(rows.to_vec()))?;
    let values = evaluate(expr, &subset, input)?;
    let mut slot_of_row: Vec<Option<u32>> = vec![None; batch.num_rows()];
    for (slot, &row) in rows.iter().enumerate() {
        slot_of_row[row as usize] = Some(slot as u32);
    }
    Ok(take(&values, &UInt32Array::from(slot_of_row), None)?)
}

fn case_when(
    data_type: SparkType,
    branches: &[(Expr, Expr)],
    otherwise: Option<&Expr>,
    batch: &RecordBatch,
    input: &[Attribute],
) -> Result<ArrayRef> {
    let mut remaining: Vec<u32> = (0..batch.num_rows() as u32).collect();
    let mut sources: Vec<ArrayRef> = vec![new_null_array(&data_type.to_arrow(), 1)];
    let mut picks: Vec<(usize, usize)> = vec![(0, 0); batch.num_rows()];
    for (condition, value) in branches {
        if remaining.is_empty() {
            break;
        }
        let subset = take_record_batch(batch, &UInt32Array::from(remaining.clone()))?;
        let holds = evaluate(condition, &subset, input)?;
        let holds = holds.as_boolean();
        let (taken, rest): (Vec<usize>, Vec<usize>) =
            (0..remaining.len()).partition(|&i| holds.is_valid(i) && holds.value(i));
        if !taken.is_empty() {
            let rows: Vec<u32> = taken.iter().map(|&i| remaining[i]).collect();
            let values = evaluate(value, &take_record_batch(batch, &UInt32Array::from(rows.clone()))?, input)?;
            sources.push(values);
            for (slot, row) in rows.into_iter().enumerate() {
                picks[row as usize] = (sources.len() - 1, slot);
            }
        }
        remaining = rest.into_iter().map(|i| remaining[i]).collect();
    }
    if let (Some(otherwise), false) = (otherwise, remaining.is_empty()) {
        let values = evaluate(otherwise, &take_record_batch(batch, &UInt32Array::from(remaining.clone()))?, input)?;
        sources.push(values);
        for (slot, row) in remaining.into_iter().enumerate() {
            picks[row as usize] = (sources.len() - 1, slot);
        }
    }
    let sources: Vec<&dyn Array> = sources.iter().map(|a| a.as_ref()).collect();
    Ok(interleave(&sources, &picks)?)
}

fn arithmetic(op: BinaryOp, l: &ArrayRef, r: &ArrayRef, data_type: SparkType) -> Result<ArrayRef> {
    let ansi = crate::query_settings::ansi();
    if !ansi && matches!(op, BinaryOp::Divide | BinaryOp::Remainder) && has_zero(r) {
        // Outside ANSI mode a division by zero is NULL.
        let zero = arrow::compute::cast(&(Arc::new(arrow::array::Int32Array::from(vec![0])) as ArrayRef), r.data_type())?;
        let is_zero = cmp::eq(r, &arrow::array::Scalar::new(zero))?;
        let divisor = arrow::compute::nullif(r, &is_zero)?;
        return arithmetic(op, l, &divisor, data_type);
    }
    if op == BinaryOp::Divide && has_zero(r) {
        return Err(EngineError::Runtime(
            "[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. \
             If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: 22012"
                .into(),
        ));
    }
    if op == BinaryOp::Remainder && has_zero(r) {
        return Err(EngineError::Runtime(
            "[REMAINDER_BY_ZERO] Remainder by zero. Use `try_mod` to tolerate divisor being 0 and return NULL instead. \
             If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: 22012"
                .into(),
        ));
    }
    if let (DataType::Decimal128(..), DataType::Decimal128(..), SparkType::Decimal { precision, scale }) =
        (l.data_type(), r.data_type(), &data_type)
    {
        return super::decimal::arithmetic(op, l, r, *precision, *scale);
    }
    let result = match (op, ansi) {
        (BinaryOp::Plus, true) => numeric::add(l, r),
        (BinaryOp::Minus, true) => numeric::sub(l, r),
        (BinaryOp::Multiply, true) => numeric::mul(l, r),
        // Outside ANSI mode whole numbers wrap around on overflow, as Java's do.
        (BinaryOp::Plus, false) => numeric::add_wrapping(l, r),
        (BinaryOp::Minus, false) => numeric::sub_wrapping(l, r),
        (BinaryOp::Multiply, false) => numeric::mul_wrapping(l, r),
        (BinaryOp::Divide, _) => numeric::div(l, r),
        _ => numeric::rem(l, r),
    };
    let result = result.map_err(|e| match e {
        ArrowError::ArithmeticOverflow(_) => overflow_error(op),
        other => ansi_error(other),
    })?;
    if let SparkType::Decimal { precision, scale } = data_type {
        return Ok(arrow::compute::cast(&result, &DataType::Decimal128(precision, scale))?);
    }
    Ok(result)
}

/// `a & b`, `a | b`, `a ^ b` of whole numbers of one type (the analyzer casts both sides to it).
fn bitwise(op: BinaryOp, l: &ArrayRef, r: &ArrayRef) -> Result<ArrayRef> {
    use arrow::compute::kernels::bitwise::{bitwise_and, bitwise_or, bitwise_xor};
    use arrow::datatypes::{Int8Type, Int16Type, Int32Type, Int64Type};
    macro_rules! apply {
        ($t:ty) => {{
            let (l, r) = (l.as_primitive::<$t>(), r.as_primitive::<$t>());
            let result = match op {
                BinaryOp::BitwiseAnd => bitwise_and(l, r)?,
                BinaryOp::BitwiseOr => bitwise_or(l, r)?,
                _ => bitwise_xor(l, r)?,
            };
            Arc::new(result) as ArrayRef
        }};
    }
    Ok(match l.data_type() {
        DataType::Int8 => apply!(Int8Type),
        DataType::Int16 => apply!(Int16Type),
        DataType::Int32 => apply!(Int32Type),
        DataType::Int64 => apply!(Int64Type),
        other => return Err(EngineError::Internal(format!("{} on {other}", op.symbol()))),
    })
}

fn has_zero(divisor: &ArrayRef) -> bool {
    let zero = arrow::compute::cast(&(Arc::new(arrow::array::Int32Array::from(vec![0])) as ArrayRef), divisor.data_type());
    match zero {
        Ok(zero) => cmp::eq(divisor, &arrow::array::Scalar::new(zero)).map(|eq| eq.true_count() > 0).unwrap_or(false),
        Err(_) => false,
    }
}

fn compare(op: BinaryOp, l: &ArrayRef, r: &ArrayRef) -> Result<ArrayRef> {
    let result = match op {
        BinaryOp::Eq => cmp::eq(l, r),
        BinaryOp::NullSafeEq => cmp::not_distinct(l, r),
        BinaryOp::Lt => cmp::lt(l, r),
        BinaryOp::LtEq => cmp::lt_eq(l, r),
        BinaryOp::Gt => cmp::gt(l, r),
        _ => cmp::gt_eq(l, r),
    }?;
    Ok(Arc::new(spark_nan_semantics(op, l, r, result)?))
}

/// Spark treats NaN as equal to NaN and greater than every other double; IEEE (and Arrow) say otherwise.
fn spark_nan_semantics(op: BinaryOp, l: &ArrayRef, r: &ArrayRef, result: BooleanArray) -> Result<BooleanArray> {
    if l.data_type() != &DataType::Float64 {
        return Ok(result);
    }
    let (ls, rs) = (l.as_primitive::<Float64Type>(), r.as_primitive::<Float64Type>());
    if !ls.values().iter().chain(rs.values().iter()).any(|v| v.is_nan()) {
        return Ok(result);
    }
    let fixed = (0..result.len()).map(|row| {
        if result.is_null(row) {
            return None;
        }
        let (a, b) = (ls.value(row), rs.value(row));
        let ordering = a.is_nan().cmp(&b.is_nan()).then_with(|| a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal));
        Some(match op {
            BinaryOp::Eq | BinaryOp::NullSafeEq => ordering.is_eq(),
            BinaryOp::Lt => ordering.is_lt(),
            BinaryOp::LtEq => ordering.is_le(),
            BinaryOp::Gt => ordering.is_gt(),
            _ => ordering.is_ge(),
        })
    });
    Ok(fixed.collect())
}

/// Spark's ANSI overflow error, which names the `try_` function that would return NULL instead.
fn overflow_error(op: BinaryOp) -> EngineError {
    let try_function = match op {
        BinaryOp::Plus => "try_add",
        BinaryOp::Minus => "try_subtract",
        BinaryOp::Multiply => "try_multiply",
        BinaryOp::Divide => "try_divide",
        _ => "try_mod",
    };
    EngineError::Runtime(format!(
        "[ARITHMETIC_OVERFLOW] overflow. Use '{try_function}' to tolerate overflow and return NULL instead. If \
         necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: 22003"
    ))
}

/// Arrow's arithmetic errors in Spark's words.
pub fn ansi_error(error: ArrowError) -> EngineError {
    match error {
        ArrowError::ArithmeticOverflow(_) => EngineError::Runtime(
            "[ARITHMETIC_OVERFLOW] integer overflow. Use 'try_add' to tolerate overflow and return NULL instead. If \
             necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: 22003"
                .into(),
        ),
        ArrowError::DivideByZero => EngineError::Runtime("[DIVIDE_BY_ZERO] Division by zero. SQLSTATE: 22012".into()),
        other => EngineError::Arrow(other),
    }
}

#[cfg(test)]
mod tests {
    use arrow::datatypes::{Field, Schema};

    use super::*;
    use crate::expr::lit;
    use crate::value::Value;

    fn one_row() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int32, false)]));
        RecordBatch::try_new(schema, vec![Arc::new(arrow::array::Int32Array::from(vec![0]))]).unwrap()
    }

    fn value_of(expr: &Expr) -> Result<Value> {
        Value::from_array(&evaluate(expr, &one_row(), &[])?, 0)
    }

    #[test]
    fn integer_overflow_and_division_by_zero_are_errors() {
        let overflow = lit(i32::MAX).plus(lit(1));
        assert!(value_of(&overflow).unwrap_err().to_string().starts_with("[ARITHMETIC_OVERFLOW]"));
        let by_zero = lit(1.0).divide(lit(0.0));
        assert!(value_of(&by_zero).unwrap_err().to_string().starts_with("[DIVIDE_BY_ZERO]"));
    }

    #[test]
    fn case_when_only_evaluates_the_branch_a_row_takes() {
        let safe = Expr::CaseWhen {
            branches: vec![(lit(0.0).eq(lit(0.0)), Expr::Literal(Value::Double(-1.0)))],
            otherwise: Some(Box::new(lit(1.0).divide(lit(0.0)))),
        };
        assert_eq!(value_of(&safe).unwrap(), Value::Double(-1.0));
    }

    #[test]
    fn and_skips_its_right_side_where_the_left_is_false() {
        let guarded = lit(false).and(lit(1.0).divide(lit(0.0)).gt(lit(1.0)));
        assert_eq!(value_of(&guarded).unwrap(), Value::Boolean(false));
    }

    #[test]
    fn nan_equals_nan_as_in_spark() {
        assert_eq!(value_of(&lit(f64::NAN).eq(lit(f64::NAN))).unwrap(), Value::Boolean(true));
        assert_eq!(value_of(&lit(f64::NAN).gt(lit(1.0))).unwrap(), Value::Boolean(true));
    }
}
