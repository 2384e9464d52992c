//! PySpark's `portable_hash`: the hash that decides which partition a key goes to in `reduceByKey`/`groupByKey`.
//!
//! It is Python's own `hash()`, made the same in every worker: tuples are combined with a fixed recipe, `None`
//! hashes to 0, and strings and datetimes are hashed with SipHash-1-3 under the zero key that `PYTHONHASHSEED=0`
//! (which Spark sets for its workers) gives. Reproducing it exactly keeps Kindling's partition ids equal to Spark's.

use std::hash::Hasher;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use siphasher::sip::SipHasher13;

use crate::values::PyValue;

/// Python's modulus for numeric hashes, 2**61 - 1.
const MODULUS: u64 = (1 << 61) - 1;

/// `pyspark.rdd.portable_hash(value)`; `None` for a value Python cannot hash (a list, a dict).
pub fn portable_hash(value: &PyValue) -> Option<i64> {
    Some(match value {
        PyValue::None => 0,
        PyValue::Tuple(items) | PyValue::NamedTuple { values: items, .. } => tuple_hash(items)?,
        PyValue::Bool(b) => i64::from(*b),
        PyValue::Int(i) => int_hash(*i),
        PyValue::Float(f) => float_hash(*f),
        PyValue::Str(s) => str_hash(s),
        PyValue::DateTime(dt) => bytes_hash(&datetime_bytes(dt)),
        PyValue::Date(d) => bytes_hash(&date_bytes(d)),
        _ => return None,
    })
}

fn tuple_hash(items: &[PyValue]) -> Option<i64> {
    let mut h: u64 = 0x345678;
    for item in items {
        h ^= portable_hash(item)? as u64;
        h = h.wrapping_mul(1_000_003) & i64::MAX as u64;
    }
    h ^= items.len() as u64;
    Some(h as i64)
}

fn no_minus_one(hash: i64) -> i64 {
    if hash == -1 { -2 } else { hash }
}

fn int_hash(i: i64) -> i64 {
    let reduced = (i.unsigned_abs() % MODULUS) as i64;
    no_minus_one(if i < 0 { -reduced } else { reduced })
}

/// CPython's `_Py_HashDouble`: equal to the int's hash for integral values, else the value's binary fraction
/// reduced modulo 2**61 - 1.
fn float_hash(f: f64) -> i64 {
    if f.is_nan() {
        return 0;
    }
    if f.is_infinite() {
        return if f > 0.0 { 314_159 } else { -314_159 };
    }
    let (mut mantissa, mut exponent) = frexp(f.abs());
    let mut x: u64 = 0;
    while mantissa != 0.0 {
        x = ((x << 28) & MODULUS) | (x >> (61 - 28));
        mantissa *= 268_435_456.0;
        exponent -= 28;
        let digit = mantissa as u64;
        mantissa -= digit as f64;
        x += digit;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let exponent = if exponent >= 0 { exponent % 61 } else { 61 - 1 - ((-1 - exponent) % 61) } as u32;
    x = ((x << exponent) & MODULUS) | (x >> (61 - exponent));
    no_minus_one(if f < 0.0 { -(x as i64) } else { x as i64 })
}

/// `math.frexp` for a positive finite value: mantissa in [0.5, 1) and exponent.
fn frexp(f: f64) -> (f64, i32) {
    if f == 0.0 {
        return (0.0, 0);
    }
    let bits = f.to_bits();
    let raw_exponent = ((bits >> 52) & 0x7ff) as i32;
    if raw_exponent == 0 {
        let (mantissa, exponent) = frexp(f * 2f64.powi(54));
        return (mantissa, exponent - 54);
    }
    let mantissa = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (mantissa, raw_exponent - 1022)
}

/// A str hashes its characters as CPython stores them: one byte each if all fit in Latin-1, else two (UCS-2) or
/// four (UCS-4) bytes, little-endian.
fn str_hash(s: &str) -> i64 {
    if s.is_empty() {
        return 0;
    }
    let widest = s.chars().map(u32::from).max().unwrap_or(0);
    let bytes: Vec<u8> = if widest < 0x100 {
        s.chars().map(|c| u32::from(c) as u8).collect()
    } else if widest < 0x10000 {
        s.chars().flat_map(|c| (u32::from(c) as u16).to_le_bytes()).collect()
    } else {
        s.chars().flat_map(|c| u32::from(c).to_le_bytes()).collect()
    };
    bytes_hash(&bytes)
}

fn bytes_hash(bytes: &[u8]) -> i64 {
    let mut hasher = SipHasher13::new_with_keys(0, 0);
    hasher.write(bytes);
    no_minus_one(hasher.finish() as i64)
}

/// A naive datetime hashes its internal state: year (2 bytes), month, day, hour, minute, second, microsecond
/// (3 bytes), big-endian.
fn datetime_bytes(dt: &NaiveDateTime) -> Vec<u8> {
    let mut bytes = date_bytes(&dt.date());
    let micros = dt.nanosecond() / 1000;
    bytes.extend([dt.hour() as u8, dt.minute() as u8, dt.second() as u8]);
    bytes.extend(&micros.to_be_bytes()[1..]);
    bytes
}

fn date_bytes(d: &NaiveDate) -> Vec<u8> {
    let year = d.year() as u16;
    vec![(year >> 8) as u8, year as u8, d.month() as u8, d.day() as u8]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datetime(y: i32, m: u32, d: u32, hour: u32) -> PyValue {
        PyValue::DateTime(NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(hour, 0, 0).unwrap())
    }

    /// Expected values printed by CPython 3.11 with PYTHONHASHSEED=0 (`hash(x)`, `pyspark.rdd.portable_hash(x)`).
    #[test]
    fn hashes_equal_cpythons_with_the_zero_seed() {
        let str_hash = |s: &str| portable_hash(&PyValue::Str(s.into())).unwrap();
        assert_eq!(str_hash("abc"), -4594863902769663758);
        assert_eq!(str_hash(""), 0);
        assert_eq!(str_hash("Zoë"), 8284055948288861498);
        assert_eq!(str_hash("日本"), 6243316497235261705);
        assert_eq!(portable_hash(&datetime(2024, 1, 5, 13)), Some(7305694192738745333));
        let date = PyValue::Date(NaiveDate::from_ymd_opt(2024, 1, 5).unwrap());
        assert_eq!(portable_hash(&date), Some(6681758334122805278));
        let ints: Vec<i64> = [-1, 1 << 62, -(1 << 62)].iter().map(|&i| portable_hash(&PyValue::Int(i)).unwrap()).collect();
        assert_eq!(ints, [-2, 2, -2]);
        let floats: Vec<i64> = [1.5, -0.1, 1e300].iter().map(|&f| portable_hash(&PyValue::Float(f)).unwrap()).collect();
        assert_eq!(floats, [1152921504606846977, -230584300921369408, 1224995262755759164]);
        let pair = PyValue::Tuple(vec![datetime(2024, 1, 5, 13), PyValue::Int(132)]);
        assert_eq!(portable_hash(&pair), Some(1748234743476874987));
        let triple = PyValue::Tuple(vec![PyValue::Str("x".into()), PyValue::None, PyValue::Int(3)]);
        assert_eq!(portable_hash(&triple), Some(105605898645866899));
    }
}
