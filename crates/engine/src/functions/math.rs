//! Math beyond the basics: inverse and hyperbolic trigonometry, `cbrt`, `expm1`, `log1p`, `hypot`, `rint`,
//! `factorial`, `pi()`, `e()`, and the bit operations `shiftleft`, `shiftright`, `shiftrightunsigned`, `bit_count`
//! and `~`.
//!
//! Spark computes with Java's `StrictMath`, which is fdlibm; `libm` is a port of the same C library, so the last
//! bit of a result is the same as Spark's — except for `log`, `log10` and `cbrt`, which `strict_math` follows step by
//! step.

use crate::types::SparkType;
use crate::value::Value;

pub mod strict_math;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathFunction {
    Acos,
    Asin,
    Atan,
    Atan2,
    Acosh,
    Asinh,
    Atanh,
    Cosh,
    Sinh,
    Tanh,
    Cbrt,
    Expm1,
    Log1p,
    Hypot,
    Rint,
    Factorial,
    Pi,
    E,
    ShiftLeft,
    ShiftRight,
    ShiftRightUnsigned,
    BitCount,
    /// `~x`: every bit flipped.
    BitwiseNot,
}

use MathFunction::*;

const ALL: [MathFunction; 23] = [
    Acos, Asin, Atan, Atan2, Acosh, Asinh, Atanh, Cosh, Sinh, Tanh, Cbrt, Expm1, Log1p, Hypot, Rint, Factorial, Pi, E,
    ShiftLeft, ShiftRight, ShiftRightUnsigned, BitCount, BitwiseNot,
];

impl MathFunction {
    /// The name as Spark shows it in column names (some in capitals, as Spark writes them).
    pub fn name(self) -> &'static str {
        match self {
            Acos => "ACOS",
            Asin => "ASIN",
            Atan => "ATAN",
            Atan2 => "ATAN2",
            Acosh => "ACOSH",
            Asinh => "ASINH",
            Atanh => "ATANH",
            Cosh => "COSH",
            Sinh => "SINH",
            Tanh => "TANH",
            Cbrt => "CBRT",
            Expm1 => "EXPM1",
            Log1p => "LOG1P",
            Hypot => "HYPOT",
            Rint => "rint",
            Factorial => "factorial",
            Pi => "PI",
            E => "E",
            ShiftLeft => "shiftleft",
            ShiftRight => "shiftright",
            ShiftRightUnsigned => "shiftrightunsigned",
            BitCount => "bit_count",
            BitwiseNot => "bitwise_not",
        }
    }

    /// The function called `name` (lower-case).
    pub fn by_name(name: &str) -> Option<Self> {
        ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(name))
    }

    pub fn arity(self) -> (usize, usize) {
        match self {
            Pi | E => (0, 0),
            Atan2 | Hypot | ShiftLeft | ShiftRight | ShiftRightUnsigned => (2, 2),
            _ => (1, 1),
        }
    }

    /// The types the arguments are cast to, given the first argument's type.
    pub fn argument_types(self, first: SparkType) -> Vec<SparkType> {
        use SparkType::*;
        let whole = |t: SparkType| if t == Long { Long } else { Integer };
        match self {
            Pi | E => vec![],
            Atan2 | Hypot => vec![Double, Double],
            Factorial => vec![Integer],
            ShiftLeft | ShiftRight | ShiftRightUnsigned => vec![whole(first), Integer],
            BitCount if matches!(first, Byte | Short | Integer | Long | Boolean) => vec![first],
            BitwiseNot if matches!(first, Byte | Short | Integer | Long) => vec![first],
            BitCount | BitwiseNot => vec![Long],
            _ => vec![Double],
        }
    }

    pub fn return_type(self, first: SparkType) -> SparkType {
        match self {
            Factorial => SparkType::Long,
            BitCount => SparkType::Integer,
            ShiftLeft | ShiftRight | ShiftRightUnsigned | BitwiseNot => first,
            _ => SparkType::Double,
        }
    }

    /// The result for non-NULL arguments of the argument types.
    pub fn apply(self, args: &[Value]) -> Value {
        let real = |i: usize| args[i].as_f64().unwrap_or(f64::NAN);
        let whole = |i: usize| args[i].as_i64().unwrap_or(0);
        match self {
            Acos => Value::Double(libm::acos(real(0))),
            Asin => Value::Double(libm::asin(real(0))),
            Atan => Value::Double(libm::atan(real(0))),
            Atan2 => Value::Double(libm::atan2(real(0), real(1))),
            Acosh => Value::Double(acosh(real(0))),
            Asinh => Value::Double(asinh(real(0))),
            Atanh => Value::Double(0.5 * (libm::log1p(real(0)) - libm::log1p(-real(0)))),
            Cosh => Value::Double(libm::cosh(real(0))),
            Sinh => Value::Double(libm::sinh(real(0))),
            Tanh => Value::Double(libm::tanh(real(0))),
            Cbrt => Value::Double(strict_math::cbrt(real(0))),
            Expm1 => Value::Double(libm::expm1(real(0))),
            Log1p => Value::Double(libm::log1p(real(0))),
            Hypot => Value::Double(libm::hypot(real(0), real(1))),
            Rint => Value::Double(real(0).round_ties_even()),
            Factorial => match whole(0) {
                n @ 0..=20 => Value::Long((1..=n).product()),
                _ => Value::Null,
            },
            Pi => Value::Double(std::f64::consts::PI),
            E => Value::Double(std::f64::consts::E),
            ShiftLeft | ShiftRight | ShiftRightUnsigned => shift(self, &args[0], whole(1)),
            BitCount => Value::Integer(match &args[0] {
                Value::Boolean(b) => i32::from(*b),
                other => other.as_i64().unwrap_or(0).count_ones() as i32,
            }),
            BitwiseNot => match &args[0] {
                Value::Byte(v) => Value::Byte(!v),
                Value::Short(v) => Value::Short(!v),
                Value::Integer(v) => Value::Integer(!v),
                other => Value::Long(!other.as_i64().unwrap_or(0)),
            },
        }
    }
}

/// Beyond 2^28 the square root adds nothing; below 2^-28 `asinh(x)` is `x` to the last bit.
const LARGE: f64 = 268_435_456.0;
const TINY: f64 = 3.725_290_298_461_914e-9;

/// Spark's `asinh` (fdlibm's method): the logarithm written so that it keeps its precision near 0 and past 2^28.
fn asinh(x: f64) -> f64 {
    let a = x.abs();
    let w = if a.is_infinite() || a.is_nan() || a < TINY {
        a
    } else if a > LARGE {
        strict_math::log(a) + strict_math::log(2.0)
    } else if a > 2.0 {
        strict_math::log(2.0 * a + 1.0 / ((x * x + 1.0).sqrt() + a))
    } else {
        let t = x * x;
        libm::log1p(a + t / (1.0 + (1.0 + t).sqrt()))
    };
    w.copysign(x)
}

/// Spark's `acosh` (fdlibm's method); NaN below 1.
fn acosh(x: f64) -> f64 {
    if x < 1.0 {
        f64::NAN
    } else if x >= LARGE {
        strict_math::log(x) + strict_math::log(2.0)
    } else if x == 1.0 {
        0.0
    } else if x > 2.0 {
        strict_math::log(2.0 * x - 1.0 / (x + (x * x - 1.0).sqrt()))
    } else {
        let t = x - 1.0;
        libm::log1p(t + (2.0 * t + t * t).sqrt())
    }
}

/// Java's shifts: an int shifts by the low 5 bits of the amount, a long by the low 6.
fn shift(function: MathFunction, value: &Value, by: i64) -> Value {
    match value {
        Value::Integer(v) => Value::Integer(match function {
            ShiftLeft => v.wrapping_shl(by as u32),
            ShiftRight => v.wrapping_shr(by as u32),
            _ => (*v as u32).wrapping_shr(by as u32) as i32,
        }),
        other => {
            let v = other.as_i64().unwrap_or(0);
            Value::Long(match function {
                ShiftLeft => v.wrapping_shl(by as u32),
                ShiftRight => v.wrapping_shr(by as u32),
                _ => (v as u64).wrapping_shr(by as u32) as i64,
            })
        }
    }
}
