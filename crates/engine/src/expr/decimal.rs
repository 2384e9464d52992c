//! Exact decimal arithmetic, as Spark computes `+ - * / %` on decimals: the exact result (in 256-bit integers, so
//! that a product of two 38-digit numbers fits), rounded half up to the result type's scale; a result with more
//! digits than the type holds is Spark's ANSI `NUMERIC_VALUE_OUT_OF_RANGE` error, not a wrong number.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Decimal128Array};
use arrow::datatypes::{Decimal128Type, i256};

use super::BinaryOp;
use crate::{EngineError, Result};

/// `l op r` for two decimal arrays, as decimals of `precision` and `scale`.
pub fn arithmetic(op: BinaryOp, l: &ArrayRef, r: &ArrayRef, precision: u8, scale: i8) -> Result<ArrayRef> {
    let (left, right) = (l.as_primitive::<Decimal128Type>(), r.as_primitive::<Decimal128Type>());
    let (ls, rs) = (scale_of(l), scale_of(r));
    let limit = i256::from_i128(10).wrapping_pow(u32::from(precision));
    let mut values = Vec::with_capacity(left.len());
    for row in 0..left.len() {
        if left.is_null(row) || right.is_null(row) {
            values.push(None);
            continue;
        }
        let (a, b) = (i256::from_i128(left.value(row)), i256::from_i128(right.value(row)));
        let exact = compute(op, a, ls, b, rs, scale)?;
        match exact {
            Some(value) if value < limit && value > limit.wrapping_neg() => values.push(value.to_i128()),
            _ => return Err(out_of_range(op, left.value(row), ls, right.value(row), rs, precision, scale)),
        }
    }
    let array = Decimal128Array::from(values).with_precision_and_scale(precision, scale)?;
    Ok(Arc::new(array))
}

fn scale_of(array: &ArrayRef) -> i8 {
    match array.data_type() {
        arrow::datatypes::DataType::Decimal128(_, scale) => *scale,
        _ => 0,
    }
}

/// The unscaled result at `scale`, or `None` if it does not fit 256 bits.
fn compute(op: BinaryOp, a: i256, sa: i8, b: i256, sb: i8, scale: i8) -> Result<Option<i256>> {
    let ten = |n: i32| i256::from_i128(10).checked_pow(n.max(0) as u32);
    let zero = i256::ZERO;
    if matches!(op, BinaryOp::Divide | BinaryOp::Remainder) && b == zero {
        let (class, function) = if op == BinaryOp::Divide { ("DIVIDE_BY_ZERO", "try_divide") } else { ("REMAINDER_BY_ZERO", "try_mod") };
        let what = if op == BinaryOp::Divide { "Division" } else { "Remainder" };
        return Err(EngineError::Runtime(format!(
            "[{class}] {what} by zero. Use `{function}` to tolerate divisor being 0 and return NULL instead. If \
             necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: 22012"
        )));
    }
    let (sa, sb, scale) = (i32::from(sa), i32::from(sb), i32::from(scale));
    // Brings a value at `from` decimals to `to` decimals, rounding half up when decimals are dropped.
    let rescale = |value: i256, from: i32, to: i32| -> Option<i256> {
        if to >= from {
            value.checked_mul(ten(to - from)?)
        } else {
            Some(divide_half_up(value, ten(from - to)?))
        }
    };
    Ok(match op {
        BinaryOp::Plus | BinaryOp::Minus | BinaryOp::Remainder => {
            let common = sa.max(sb);
            let (x, y) = (rescale(a, sa, common), rescale(b, sb, common));
            let (Some(x), Some(y)) = (x, y) else { return Ok(None) };
            let exact = match op {
                BinaryOp::Plus => x.checked_add(y),
                BinaryOp::Minus => x.checked_sub(y),
                _ => x.checked_rem(y),
            };
            exact.and_then(|value| rescale(value, common, scale))
        }
        BinaryOp::Multiply => a.checked_mul(b).and_then(|product| rescale(product, sa + sb, scale)),
        _ => {
            // a / b at `scale` decimals: a·10^(sb + scale − sa) / b, rounded half up.
            let shift = sb + scale - sa;
            let (numerator, denominator) = if shift >= 0 {
                (ten(shift).and_then(|t| a.checked_mul(t)), Some(b))
            } else {
                (Some(a), ten(-shift).and_then(|t| b.checked_mul(t)))
            };
            match (numerator, denominator) {
                (Some(n), Some(d)) => Some(divide_half_up(n, d)),
                _ => None,
            }
        }
    })
}

/// `n / d` rounded half away from zero (Java's `RoundingMode.HALF_UP`).
fn divide_half_up(n: i256, d: i256) -> i256 {
    let (quotient, remainder) = (n.wrapping_div(d), n.wrapping_rem(d));
    let twice = remainder.wrapping_abs().wrapping_mul(i256::from_i128(2));
    if twice >= d.wrapping_abs() {
        let away = if (n < i256::ZERO) != (d < i256::ZERO) { i256::MINUS_ONE } else { i256::ONE };
        quotient.wrapping_add(away)
    } else {
        quotient
    }
}

fn out_of_range(op: BinaryOp, a: i128, sa: i8, b: i128, sb: i8, precision: u8, scale: i8) -> EngineError {
    let shown = |value: i128, scale: i8| {
        Decimal128Array::from(vec![value]).with_precision_and_scale(38, scale).map_or(value.to_string(), |a| a.value_as_string(0))
    };
    EngineError::Runtime(format!(
        "[NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION]  The result of {} {} {} cannot be represented as \
         Decimal({precision}, {scale}). If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error, \
         and return NULL instead. SQLSTATE: 22003",
        shown(a, sa),
        op.symbol(),
        shown(b, sb)
    ))
}
