//! Partitioners: which partition a row goes to when data is shuffled.
//!
//! An exchange (a shuffle) moves rows between partitions so that rows with equal keys meet in the same partition.
//! Spark's `hashpartitioning(keys, n)` sends a row to partition `pmod(murmur3(keys), n)`, where `murmur3` is
//! Murmur3_x86_32 seeded with 42 and chained over the key columns: the hash of one column is the seed of the next.
//! NULL leaves the running hash unchanged (the same walk with XXH64 is `xxhash64`). Kindling computes the same bits, so a key lands in the same partition
//! id as in Spark, and the UI can say "this key went to partition 17" and be right about Spark too.

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimeUnit,
    TimestampMicrosecondType,
};

use crate::{EngineError, Result};

/// The seed Spark's `Murmur3Hash` (and so `hash()` and hash partitioning) starts from.
pub const SPARK_HASH_SEED: i32 = 42;

/// Spark's `hash(col1, col2, ...)` for every row of `columns` (all of equal length).
pub fn spark_hash(columns: &[ArrayRef]) -> Result<Vec<i32>> {
    hash_rows::<Murmur3>(columns, SPARK_HASH_SEED)
}

/// Spark's `xxhash64(col1, col2, ...)` for every row of `columns`: the same walk over the values as `hash`, with
/// XXH64 (seeded 42) in place of Murmur3.
pub fn spark_xxhash64(columns: &[ArrayRef]) -> Result<Vec<i64>> {
    hash_rows::<XxHash64>(columns, i64::from(SPARK_HASH_SEED))
}

/// Each row's hash of `columns`, one column after another, each seeded with the hash so far.
pub fn hash_rows<H: SparkHasher>(columns: &[ArrayRef], seed: H::Hash) -> Result<Vec<H::Hash>> {
    let rows = columns.first().map_or(0, |c| c.len());
    let mut hashes = vec![seed; rows];
    for column in columns {
        hash_column_into::<H>(column, &mut hashes)?;
    }
    Ok(hashes)
}

/// The partition each row goes to under `hashpartitioning(columns, partitions)`.
pub fn hash_partition_ids(columns: &[ArrayRef], partitions: usize) -> Result<Vec<u32>> {
    if partitions == 0 {
        crate::invalid_argument!("hash partitioning into 0 partitions");
    }
    let n = i64::try_from(partitions).map_err(|_| EngineError::InvalidArgument("too many partitions".into()))?;
    Ok(spark_hash(columns)?.into_iter().map(|hash| i64::from(hash).rem_euclid(n) as u32).collect())
}

/// A hash Spark computes value by value: how it hashes an int, a long and bytes, each from a seed. Every other
/// type is hashed as one of these (a date as its day number, a double as its bits, a string as its UTF-8 bytes).
pub trait SparkHasher {
    type Hash: Copy;
    fn int(value: i32, seed: Self::Hash) -> Self::Hash;
    fn long(value: i64, seed: Self::Hash) -> Self::Hash;
    fn bytes(bytes: &[u8], seed: Self::Hash) -> Self::Hash;
}

/// Murmur3_x86_32, as Spark's `Murmur3Hash`.
pub struct Murmur3;

impl SparkHasher for Murmur3 {
    type Hash = i32;
    fn int(value: i32, seed: i32) -> i32 {
        hash_int(value, seed)
    }
    fn long(value: i64, seed: i32) -> i32 {
        hash_long(value, seed)
    }
    fn bytes(bytes: &[u8], seed: i32) -> i32 {
        hash_bytes(bytes, seed)
    }
}

/// XXH64 of the value's little-endian bytes, as Spark's `XxHash64`.
pub struct XxHash64;

impl SparkHasher for XxHash64 {
    type Hash = i64;
    fn int(value: i32, seed: i64) -> i64 {
        Self::bytes(&value.to_le_bytes(), seed)
    }
    fn long(value: i64, seed: i64) -> i64 {
        Self::bytes(&value.to_le_bytes(), seed)
    }
    fn bytes(bytes: &[u8], seed: i64) -> i64 {
        twox_hash::XxHash64::oneshot(seed as u64, bytes) as i64
    }
}

/// Folds one column into the running per-row hashes.
fn hash_column_into<H: SparkHasher>(column: &ArrayRef, hashes: &mut [H::Hash]) -> Result<()> {
    match column.data_type() {
        DataType::Null => {}
        DataType::Boolean => {
            let values = column.as_boolean();
            fold(column, hashes, |row, seed| H::int(i32::from(values.value(row)), seed));
        }
        DataType::Int8 => fold_primitive::<Int8Type, H::Hash>(column, hashes, |v, seed| H::int(i32::from(v), seed)),
        DataType::Int16 => fold_primitive::<Int16Type, H::Hash>(column, hashes, |v, seed| H::int(i32::from(v), seed)),
        DataType::Int32 => fold_primitive::<Int32Type, H::Hash>(column, hashes, H::int),
        DataType::Date32 => fold_primitive::<Date32Type, H::Hash>(column, hashes, H::int),
        DataType::Int64 => fold_primitive::<Int64Type, H::Hash>(column, hashes, H::long),
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            fold_primitive::<TimestampMicrosecondType, H::Hash>(column, hashes, H::long)
        }
        DataType::Float32 => fold_primitive::<Float32Type, H::Hash>(column, hashes, |v, seed| H::int(float_bits(v), seed)),
        DataType::Float64 => fold_primitive::<Float64Type, H::Hash>(column, hashes, |v, seed| H::long(double_bits(v), seed)),
        DataType::Utf8 => {
            let values = column.as_string::<i32>();
            fold(column, hashes, |row, seed| H::bytes(values.value(row).as_bytes(), seed));
        }
        DataType::LargeUtf8 => {
            let values = column.as_string::<i64>();
            fold(column, hashes, |row, seed| H::bytes(values.value(row).as_bytes(), seed));
        }
        DataType::Utf8View => {
            let values = column.as_string_view();
            fold(column, hashes, |row, seed| H::bytes(values.value(row).as_bytes(), seed));
        }
        DataType::Binary => {
            let values = column.as_binary::<i32>();
            fold(column, hashes, |row, seed| H::bytes(values.value(row), seed));
        }
        // Spark hashes a decimal of up to 18 digits as its unscaled long, a wider one as the bytes of its unscaled
        // `BigInteger`.
        DataType::Decimal128(precision, _) if *precision <= 18 => {
            fold_primitive::<Decimal128Type, H::Hash>(column, hashes, |v, seed| H::long(v as i64, seed))
        }
        DataType::Decimal128(..) => {
            fold_primitive::<Decimal128Type, H::Hash>(column, hashes, |v, seed| H::bytes(&big_integer_bytes(v), seed))
        }
        // Spark hashes an array's elements, a map's keys and values in turn, a struct's fields, each seeded with the
        // hash so far; NULL parts leave it unchanged.
        DataType::List(_) => {
            let lists = column.as_list::<i32>();
            fold_nested(column, hashes, |row, seed| hash_sequence::<H>(&[lists.value(row)], seed))?;
        }
        DataType::Map(..) => {
            let maps = column.as_map();
            fold_nested(column, hashes, |row, seed| {
                let entries = maps.value(row);
                let (keys, values) = (entries.column(0).clone(), entries.column(1).clone());
                let mut hash = seed;
                for i in 0..entries.len() {
                    hash = hash_sequence::<H>(&[keys.slice(i, 1), values.slice(i, 1)], hash)?;
                }
                Ok(hash)
            })?;
        }
        DataType::Struct(_) => {
            let fields = column.as_struct();
            fold_nested(column, hashes, |row, seed| {
                let parts: Vec<ArrayRef> = fields.columns().iter().map(|c| c.slice(row, 1)).collect();
                hash_sequence::<H>(&parts, seed)
            })?;
        }
        other => {
            return Err(EngineError::InvalidArgument(format!("hash partitioning by a {other} column is not supported yet")));
        }
    }
    Ok(())
}

/// The hash of the values of `arrays`, one after another, each seeded with the hash so far.
fn hash_sequence<H: SparkHasher>(arrays: &[ArrayRef], seed: H::Hash) -> Result<H::Hash> {
    let mut hash = [seed];
    for array in arrays {
        for i in 0..array.len() {
            hash_column_into::<H>(&array.slice(i, 1), &mut hash)?;
        }
    }
    Ok(hash[0])
}

fn fold_nested<T: Copy>(column: &ArrayRef, hashes: &mut [T], hash_row: impl Fn(usize, T) -> Result<T>) -> Result<()> {
    for (row, hash) in hashes.iter_mut().enumerate() {
        if column.is_valid(row) {
            *hash = hash_row(row, *hash)?;
        }
    }
    Ok(())
}

/// Java's `BigInteger.toByteArray`: big-endian two's complement in the fewest bytes that keep the sign.
fn big_integer_bytes(value: i128) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let redundant = bytes
        .windows(2)
        .take_while(|pair| (pair[0] == 0x00 && pair[1] & 0x80 == 0) || (pair[0] == 0xFF && pair[1] & 0x80 != 0))
        .count();
    bytes[redundant..].to_vec()
}

fn fold<T: Copy>(column: &ArrayRef, hashes: &mut [T], hash_row: impl Fn(usize, T) -> T) {
    for (row, hash) in hashes.iter_mut().enumerate() {
        if column.is_valid(row) {
            *hash = hash_row(row, *hash);
        }
    }
}

fn fold_primitive<P: arrow::datatypes::ArrowPrimitiveType, T: Copy>(
    column: &ArrayRef,
    hashes: &mut [T],
    hash_value: impl Fn(P::Native, T) -> T,
) {
    let values = column.as_primitive::<P>().values();
    fold(column, hashes, |row, seed| hash_value(values[row], seed));
}

/// Java's `Float.floatToIntBits` after Spark folds -0.0 into 0.0: one bit pattern for every NaN.
fn float_bits(value: f32) -> i32 {
    if value == 0.0 {
        0
    } else if value.is_nan() {
        0x7fc0_0000
    } else {
        value.to_bits() as i32
    }
}

/// Java's `Double.doubleToLongBits` after Spark folds -0.0 into 0.0: one bit pattern for every NaN.
fn double_bits(value: f64) -> i64 {
    if value == 0.0 {
        0
    } else if value.is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        value.to_bits() as i64
    }
}

const C1: i32 = 0xcc9e_2d51_u32 as i32;
const C2: i32 = 0x1b87_3593;

fn mix_k1(k1: i32) -> i32 {
    k1.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2)
}

fn mix_h1(h1: i32, k1: i32) -> i32 {
    (h1 ^ k1).rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64_u32 as i32)
}

/// The finalisation mix: every input bit affects every output bit.
fn fmix(h1: i32, length: usize) -> i32 {
    let mut h = (h1 ^ length as i32) as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h as i32
}

fn hash_int(value: i32, seed: i32) -> i32 {
    fmix(mix_h1(seed, mix_k1(value)), 4)
}

fn hash_long(value: i64, seed: i32) -> i32 {
    let low = mix_h1(seed, mix_k1(value as i32));
    fmix(mix_h1(low, mix_k1((value >> 32) as i32)), 8)
}

/// Spark's `hashUnsafeBytes`: whole little-endian 4-byte words first, then each trailing byte on its own, as a
/// sign-extended int. (This differs from textbook Murmur3 for lengths that are not a multiple of 4, and Spark
/// keeps it for compatibility.)
fn hash_bytes(bytes: &[u8], seed: i32) -> i32 {
    let words = bytes.chunks_exact(4);
    let tail = words.remainder();
    let mut h1 = seed;
    for word in words {
        h1 = mix_h1(h1, mix_k1(i32::from_le_bytes([word[0], word[1], word[2], word[3]])));
    }
    for &byte in tail {
        h1 = mix_h1(h1, mix_k1(i32::from(byte as i8)));
    }
    fmix(h1, bytes.len())
}

/// Where `repartition(n)` (round-robin) starts for the rows of map partition `map_partition`: Spark seeds its
/// `XORShiftRandom` with the partition id and takes `nextInt(n)`; the first row then goes to the partition after that
/// one. Every map partition thus starts somewhere different, yet reproducibly.
pub fn round_robin_start(map_partition: usize, partitions: usize) -> usize {
    crate::random::XorShiftRandom::new(map_partition as i64).next_int(partitions as i32) as usize
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{BinaryArray, Decimal128Array};

    use super::*;

    /// `SELECT hash(CAST(11.0 AS DECIMAL(3,1))), …` in pyspark 4.3.
    #[test]
    fn decimals_and_binary_hash_as_spark_hashes_them() {
        let decimal = |value: i128, precision: u8, scale: i8| -> ArrayRef {
            Arc::new(Decimal128Array::from(vec![value]).with_precision_and_scale(precision, scale).unwrap())
        };
        let hash = |column: ArrayRef| spark_hash(&[column]).unwrap()[0];
        assert_eq!(hash(decimal(110, 3, 1)), 588972421);
        assert_eq!(hash(decimal(-123456789012345678905, 38, 1)), -777928638);
        assert_eq!(hash(decimal(99999999999999999999999999999999999999, 38, 0)), -817514053);
        assert_eq!(hash(decimal(-1, 20, 0)), 1398487324);
        assert_eq!(hash(decimal(128, 20, 0)), -544401882);
        assert_eq!(hash(Arc::new(BinaryArray::from(vec![&[1u8, 2, 3, 4, 5][..]]))), -2064006189);
    }
}
