//! Sorting, and the range partitioning that makes a global sort possible.
//!
//! `orderBy` must order *all* rows, yet every task sees one partition. Spark solves it in two steps. First a range
//! exchange: a sample of the keys decides boundaries so that partition 0 gets the smallest keys, partition 1 the
//! next ones, and so on, in roughly equal shares. Then every task sorts its own partition. Reading the partitions
//! in order gives a fully sorted result. `sortWithinPartitions` is the second step alone, and
//! `orderBy(...).limit(n)` needs no exchange at all: each task keeps its own top n (TakeOrderedAndProject).
//!
//! Keys are compared in Arrow's row format, whose bytes order exactly as the sort order asks (ascending or
//! descending, NULLs first or last), so comparing two keys is comparing two byte strings. Keys of integers, dates
//! and timestamps skip the bytes: each row's key becomes one 128-bit number that orders the same way.

use std::cmp::Ordering;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, UInt32Array};
use arrow::datatypes::{DataType, Date32Type, Int8Type, Int16Type, Int32Type, Int64Type, TimeUnit, TimestampMicrosecondType};
use arrow::compute::{SortOptions, concat_batches, take_record_batch};
use arrow::row::{OwnedRow, RowConverter, Rows, SortField};

use crate::expr::eval::evaluate;
use crate::expr::{Attribute, Expr};
use crate::hash_aggregate::schema_of;
use crate::key_table::with_integers;
use crate::value::Value;
use crate::Result;

/// One key of an ordering: `total_amount DESC NULLS LAST`.
#[derive(Debug, Clone, PartialEq)]
pub struct SortOrder {
    pub expr: Expr,
    pub ascending: bool,
    pub nulls_first: bool,
}

impl SortOrder {
    /// Spark's defaults: ascending puts NULLs first, descending puts them last.
    pub fn new(expr: Expr, ascending: bool) -> Self {
        Self { expr, ascending, nulls_first: ascending }
    }

    /// `count#20L DESC NULLS LAST`, as plans print it.
    pub fn plan_string(&self) -> String {
        format!(
            "{} {} {}",
            self.expr.plan_string(),
            if self.ascending { "ASC" } else { "DESC" },
            if self.nulls_first { "NULLS FIRST" } else { "NULLS LAST" }
        )
    }

    fn sort_field(&self) -> SortField {
        let options = SortOptions { descending: !self.ascending, nulls_first: self.nulls_first };
        SortField::new_with_options(self.expr.data_type().to_arrow(), options)
    }
}

/// The keys of `batch` in row format, ordered as `order` says.
pub struct SortKeys {
    converter: RowConverter,
}

impl SortKeys {
    pub fn new(order: &[SortOrder]) -> Result<Self> {
        Ok(Self { converter: RowConverter::new(order.iter().map(SortOrder::sort_field).collect())? })
    }

    pub fn rows(&self, order: &[SortOrder], batch: &RecordBatch, input: &[Attribute]) -> Result<Rows> {
        self.convert(&order.iter().map(|o| evaluate(&o.expr, batch, input)).collect::<Result<Vec<ArrayRef>>>()?)
    }

    /// Evaluated key columns in row format.
    fn convert(&self, keys: &[ArrayRef]) -> Result<Rows> {
        Ok(self.converter.convert_columns(keys)?)
    }
}

/// All rows of `batches` as one batch sorted by `order`; rows with equal keys keep their order (a stable sort).
pub fn sort_batches(order: &[SortOrder], batches: &[RecordBatch], input: &[Attribute]) -> Result<Option<RecordBatch>> {
    if batches.is_empty() {
        return Ok(None);
    }
    let all = concat_batches(&schema_of(input), batches)?;
    let keys = order.iter().map(|o| evaluate(&o.expr, &all, input)).collect::<Result<Vec<ArrayRef>>>()?;
    let indices = match integer_keys(order, &keys) {
        Some(numbers) => sorted_numbers(numbers),
        None => sorted_indices(&SortKeys::new(order)?.convert(&keys)?),
    };
    Ok(Some(take_record_batch(&all, &UInt32Array::from(indices))?))
}

/// The row numbers of `rows` in key order; rows with equal keys keep their order.
fn sorted_indices(rows: &Rows) -> Vec<u32> {
    match fixed_width_keys(rows) {
        Some(keys) => sorted_numbers(keys),
        None => {
            let mut indices: Vec<u32> = (0..rows.num_rows() as u32).collect();
            indices.sort_by(|&a, &b| rows.row(a as usize).cmp(&rows.row(b as usize)));
            indices
        }
    }
}

/// Each row's key as one number that orders as the key does, when every key column is an integer, a date or a
/// timestamp and, with a NULL flag each, they fit in 128 bits (an hour and a zone id). The numbers are made
/// straight from the columns: no row format, whose offsets alone take 8 bytes a row, is built.
pub(crate) fn integer_keys(order: &[SortOrder], keys: &[ArrayRef]) -> Option<Vec<u128>> {
    let widths = keys
        .iter()
        .map(|key| match key.data_type() {
            DataType::Int8 => Some(8),
            DataType::Int16 => Some(16),
            DataType::Int32 | DataType::Date32 => Some(32),
            DataType::Int64 | DataType::Timestamp(TimeUnit::Microsecond, _) => Some(64),
            _ => None,
        })
        .collect::<Option<Vec<u32>>>()?;
    if widths.iter().map(|width| width + 1).sum::<u32>() > 128 {
        return None;
    }
    let mut numbers = vec![0u128; keys.first()?.len()];
    // The first key takes the highest bits; the bits left over stay 0 at the bottom.
    let mut shift = 128;
    for ((sort, key), width) in order.iter().zip(keys).zip(widths) {
        shift -= width + 1;
        put_integer_key(sort, key, width, shift, &mut numbers);
    }
    Some(numbers)
}

/// Puts one key column into bits `shift..shift + width + 1` of every row's number: a flag that puts NULLs first or
/// last, then the value as an unsigned number that orders as the signed one does (its sign bit flipped), every bit
/// flipped for a descending key.
fn put_integer_key(sort: &SortOrder, key: &ArrayRef, width: u32, shift: u32, numbers: &mut [u128]) {
    let mask = u64::MAX >> (64 - width);
    let sign = 1u64 << (width - 1);
    let present = u128::from(sort.nulls_first) << width;
    with_integers!(key, |values| {
        for (number, value) in numbers.iter_mut().zip(values) {
            let bits = (value as u64 & mask) ^ sign;
            let bits = if sort.ascending { bits } else { !bits & mask };
            *number |= (present | u128::from(bits)) << shift;
        }
    });
    if let Some(nulls) = key.logical_nulls().filter(|nulls| nulls.null_count() > 0) {
        let field = ((1u128 << (width + 1)) - 1) << shift;
        let null = u128::from(!sort.nulls_first) << width << shift;
        for (number, valid) in numbers.iter_mut().zip(nulls.iter()) {
            if !valid {
                *number = (*number & !field) | null;
            }
        }
    }
}

/// Row numbers in the order of `keys` (numbers that order as the rows' keys); equal keys keep their order.
fn sorted_numbers(keys: Vec<u128>) -> Vec<u32> {
    // (key, row) pairs are all distinct, so an unstable sort gives the stable order.
    let keys = match with_row_numbers(keys) {
        Ok(mut numbered) => {
            numbered.sort_unstable();
            return numbered.into_iter().map(|key| key as u32).collect();
        }
        Err(keys) => keys,
    };
    let mut pairs: Vec<(u128, u32)> = keys.into_iter().zip(0..).collect();
    pairs.sort_unstable();
    pairs.into_iter().map(|(_, row)| row).collect()
}

/// Each row's key as one integer, when every key has the same length of at most 16 bytes (any mix of ints, dates
/// and timestamps): comparing the integers compares the row format's bytes.
fn fixed_width_keys(rows: &Rows) -> Option<Vec<u128>> {
    let width = rows.iter().next()?.as_ref().len();
    if width > 16 {
        return None;
    }
    rows.iter()
        .map(|key| {
            let bytes = key.as_ref();
            let mut padded = [0u8; 16];
            padded.get_mut(..bytes.len()).filter(|_| bytes.len() == width)?.copy_from_slice(bytes);
            Some(u128::from_be_bytes(padded))
        })
        .collect()
}

/// The keys with their row numbers in their 32 low bits, when the bytes in which keys differ fit in the other 96:
/// one 16-byte number per row sorts twice as fast as a (key, row) pair of 32. Bytes every key shares (NULL flags
/// of columns without NULLs, the high bytes of an hour or of a zone id) are left out; they cannot change the order.
/// The numbers replace the keys in place, which spares a second array (16 MB for a million rows) and its first
/// touch; keys whose differing bytes do not fit come back as they were.
fn with_row_numbers(mut keys: Vec<u128>) -> std::result::Result<Vec<u128>, Vec<u128>> {
    let Some(&first) = keys.first() else { return Ok(keys) };
    let differing = keys.iter().fold(0, |differing, key| differing | (key ^ first));
    let runs = differing_runs(differing);
    if runs.iter().map(|&(_, bits)| bits).sum::<u32>() > 96 || u32::try_from(keys.len()).is_err() {
        return Err(keys);
    }
    let compact = |key: u128| runs.iter().fold(0u128, |compact, &(shift, bits)| compact << bits | (key >> shift) & ((1 << bits) - 1));
    for (key, row) in keys.iter_mut().zip(0u32..) {
        *key = compact(*key) << 32 | u128::from(row);
    }
    Ok(keys)
}

/// The runs of whole bytes in which `differing` has set bits, highest first, as (shift, bits): an hour and a zone id
/// are two runs, so a key is gathered in two steps rather than one per byte.
fn differing_runs(differing: u128) -> Vec<(u32, u32)> {
    let differs = |byte: u32| differing >> (8 * byte) & 0xff != 0;
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for byte in (0..16).rev().filter(|&byte| differs(byte)) {
        match runs.last_mut() {
            Some((shift, bits)) if *shift == 8 * (byte + 1) => (*shift, *bits) = (8 * byte, *bits + 8),
            _ => runs.push((8 * byte, 8)),
        }
    }
    runs
}

/// The first `limit` rows of `batches` in `order`.
pub fn top_rows(order: &[SortOrder], batches: &[RecordBatch], input: &[Attribute], limit: usize) -> Result<Vec<RecordBatch>> {
    Ok(sort_batches(order, batches, input)?.map(|sorted| sorted.slice(0, limit.min(sorted.num_rows()))).into_iter().collect())
}

/// The boundaries of a range exchange: partition `i` gets the keys after bound `i - 1` up to bound `i`.
pub struct RangeBounds {
    keys: SortKeys,
    bounds: Vec<OwnedRow>,
    /// The boundaries as text, for the trace.
    pub shown: Vec<String>,
}

impl RangeBounds {
    /// Picks up to `partitions - 1` boundaries from a sample of every map partition's keys, each sampled key
    /// weighted by how many rows it stands for (Spark's `RangePartitioner`).
    pub fn from_samples(order: &[SortOrder], map_outputs: &[Vec<RecordBatch>], input: &[Attribute], partitions: usize) -> Result<Self> {
        let keys = SortKeys::new(order)?;
        let sample_size = (20 * partitions).min(1_000_000);
        let per_partition = (3 * sample_size).div_ceil(map_outputs.len().max(1));
        // Sampled keys stay in their samples' row format, (sample, row) pairs are sorted; only the chosen
        // boundaries are copied out and written as text.
        let (mut samples, mut sample_keys, mut weights) = (Vec::new(), Vec::new(), Vec::new());
        for (map_partition, batches) in map_outputs.iter().enumerate() {
            let Some(all) = (!batches.is_empty()).then(|| concat_batches(&schema_of(input), batches)).transpose()? else {
                continue;
            };
            let picked = reservoir_sample(all.num_rows(), per_partition, map_partition as u64);
            if picked.is_empty() {
                continue;
            }
            weights.push(all.num_rows() as f64 / picked.len() as f64);
            let sample = take_record_batch(&all, &UInt32Array::from(picked))?;
            sample_keys.push(keys.rows(order, &sample, input)?);
            samples.push(sample);
        }
        let key = |&(sample, row): &(usize, usize)| sample_keys[sample].row(row);
        // (key bytes, (sample, row)): equal keys keep their sampling order, and as the pairs are all distinct an
        // unstable sort gives that order.
        let mut candidates: Vec<(&[u8], (usize, usize))> = sample_keys
            .iter()
            .enumerate()
            .flat_map(|(sample, rows)| rows.iter().enumerate().map(move |(row, key)| (key.data(), (sample, row))))
            .collect();
        candidates.sort_unstable();
        let candidates = candidates.into_iter().map(|(_, candidate)| candidate);
        let total: f64 = sample_keys.iter().zip(&weights).map(|(rows, weight)| rows.num_rows() as f64 * weight).sum();
        let step = total / partitions as f64;
        let (mut bounds, mut shown): (Vec<OwnedRow>, Vec<String>) = (Vec::new(), Vec::new());
        let mut cumulative = 0.0;
        let mut target = step;
        for candidate in candidates {
            cumulative += weights[candidate.0];
            if bounds.len() + 1 >= partitions {
                break;
            }
            if cumulative >= target && bounds.last().is_none_or(|last| last.row().cmp(&key(&candidate)) == Ordering::Less) {
                bounds.push(key(&candidate).owned());
                shown.push(key_text(order, &samples[candidate.0].slice(candidate.1, 1), input)?);
                target += step;
            }
        }
        Ok(Self { keys, bounds, shown })
    }

    /// The reduce partition of each row of `batch`: the number of boundaries below its key.
    pub fn partition_ids(&self, order: &[SortOrder], batch: &RecordBatch, input: &[Attribute]) -> Result<Vec<u32>> {
        let rows = self.keys.rows(order, batch, input)?;
        Ok(rows.iter().map(|row| self.bounds.partition_point(|bound| bound.row() < row) as u32).collect())
    }
}

/// The key values of a batch's one row as text: `12.5` or `2024-01-01 00:00:00, 74`.
fn key_text(order: &[SortOrder], row: &RecordBatch, input: &[Attribute]) -> Result<String> {
    let parts = order
        .iter()
        .map(|o| Ok(Value::from_array(&evaluate(&o.expr, row, input)?, 0)?.to_string()))
        .collect::<Result<Vec<_>>>()?;
    Ok(parts.join(", "))
}

/// Up to `size` row indices out of `rows`, chosen uniformly with a generator seeded by `seed`, in row order.
fn reservoir_sample(rows: usize, size: usize, seed: u64) -> Vec<u32> {
    if rows <= size {
        return (0..rows as u32).collect();
    }
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut picked: Vec<u32> = (0..size as u32).collect();
    for row in size..rows {
        let slot = (next() % (row as u64 + 1)) as usize;
        if slot < size {
            picked[slot] = row as u32;
        }
    }
    picked.sort_unstable();
    picked
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{AsArray, Float64Array};
    use arrow::datatypes::Float64Type;

    use super::*;
    use crate::types::SparkType;

    fn amounts(values: Vec<Option<f64>>) -> (RecordBatch, Vec<Attribute>) {
        let input = vec![Attribute::new("amount", SparkType::Double, true)];
        let batch = RecordBatch::try_new(schema_of(&input), vec![Arc::new(Float64Array::from(values))]).unwrap();
        (batch, input)
    }

    fn sorted(ascending: bool, values: Vec<Option<f64>>) -> Vec<Option<f64>> {
        let (batch, input) = amounts(values);
        let order = [SortOrder::new(Expr::Attribute(input[0].clone()), ascending)];
        let out = sort_batches(&order, &[batch], &input).unwrap().unwrap();
        out.column(0).as_primitive::<Float64Type>().iter().collect()
    }

    #[test]
    fn packed_and_byte_keys_sort_alike_and_keep_equal_keys_in_order() {
        let zone = arrow::array::Int32Array::from(vec![Some(7), None, Some(-3), Some(7), Some(7), Some(-3), None]);
        let hour = arrow::array::Int64Array::from(vec![5, 1, 9, 2, 5, 9, 1]);
        let fields = vec![SortField::new(arrow::datatypes::DataType::Int32), SortField::new(arrow::datatypes::DataType::Int64)];
        let converter = RowConverter::new(fields).unwrap();
        let rows = converter.convert_columns(&[Arc::new(zone) as ArrayRef, Arc::new(hour)]).unwrap();
        assert!(fixed_width_keys(&rows).is_some(), "an int and a long fit in 16 bytes");
        assert_eq!(sorted_indices(&rows), [1, 6, 2, 5, 3, 0, 4]);
        assert!(with_row_numbers(fixed_width_keys(&rows).unwrap()).is_ok(), "few bytes differ");
        assert_eq!(sorted_indices(&rows), by_bytes(&rows));

        let zone = arrow::array::Int32Array::from(vec![Some(i32::MIN), None, Some(0x0102_0304), Some(-1), Some(i32::MIN)]);
        let hour = arrow::array::Int64Array::from(vec![Some(i64::MAX), Some(-0x0102_0304_0506_0708), None, Some(0), Some(i64::MAX)]);
        let rows = converter.convert_columns(&[Arc::new(zone) as ArrayRef, Arc::new(hour)]).unwrap();
        assert!(with_row_numbers(fixed_width_keys(&rows).unwrap()).is_err(), "all 14 bytes differ");
        assert_eq!(sorted_indices(&rows), [1, 0, 4, 3, 2]);
        assert_eq!(sorted_indices(&rows), by_bytes(&rows));
    }

    #[test]
    fn differing_bytes_are_gathered_in_runs_from_the_top() {
        assert_eq!(differing_runs(0x00ff_0000_ffff), [(32, 8), (0, 16)]);
        assert_eq!(differing_runs(1 << 127 | 1 << 64), [(120, 8), (64, 8)]);
        assert_eq!(differing_runs(u128::MAX), [(0, 128)]);
        assert_eq!(differing_runs(0), []);
    }

    #[test]
    fn integer_keys_order_rows_as_the_row_format_does() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let types = [SparkType::Byte, SparkType::Integer, SparkType::Long, SparkType::Date, SparkType::Timestamp, SparkType::TimestampNtz];
        for (round, data_type) in types.into_iter().enumerate() {
            // Few distinct values (ties), the extremes of the type, and NULLs.
            let wide: Vec<Option<i64>> = (0..300)
                .map(|_| match next() % 8 {
                    0 => None,
                    1 => Some(i64::MIN),
                    2 => Some(i64::MAX),
                    3 => Some(next() as i64 % 200 - 100),
                    _ => Some(next() as i64 % 5),
                })
                .collect();
            let narrow: Vec<Option<i64>> = (0..300).map(|_| (next() % 6 != 0).then(|| next() as i64 % 3 - 1)).collect();
            // Values out of a narrower type's range become NULLs.
            let column = |values: &[Option<i64>], data_type: SparkType| -> ArrayRef {
                let longs: ArrayRef = Arc::new(arrow::array::Int64Array::from(values.to_vec()));
                arrow::compute::cast(&longs, &data_type.to_arrow()).unwrap()
            };
            let keys = vec![column(&wide, data_type), column(&narrow, SparkType::Integer)];
            for flags in 0..16 {
                let order: Vec<SortOrder> = [data_type, SparkType::Integer]
                    .iter()
                    .enumerate()
                    .map(|(i, &t)| SortOrder {
                        expr: Expr::Attribute(Attribute::new(format!("k{i}"), t, true)),
                        ascending: flags >> (2 * i) & 1 == 1,
                        nulls_first: flags >> (2 * i + 1) & 1 == 1,
                    })
                    .collect();
                let rows = SortKeys::new(&order).unwrap().convert(&keys).unwrap();
                let numbers = integer_keys(&order, &keys).expect("integer keys pack");
                assert_eq!(sorted_numbers(numbers), by_bytes(&rows), "{data_type:?}, round {round}, flags {flags:04b}");
            }
        }
    }

    fn by_bytes(rows: &Rows) -> Vec<u32> {
        let mut indices: Vec<u32> = (0..rows.num_rows() as u32).collect();
        indices.sort_by(|&a, &b| rows.row(a as usize).cmp(&rows.row(b as usize)));
        indices
    }

    #[test]
    fn nulls_come_first_ascending_and_last_descending() {
        let values = vec![Some(2.0), None, Some(f64::NAN), Some(-1.0)];
        let up = sorted(true, values.clone());
        assert_eq!(up[0], None);
        assert_eq!(&up[1..3], [Some(-1.0), Some(2.0)]);
        assert!(up[3].unwrap().is_nan(), "NaN is the largest value");
        let down = sorted(false, values);
        assert!(down[0].unwrap().is_nan());
        assert_eq!(down[3], None);
    }

    #[test]
    fn range_bounds_split_keys_into_ordered_balanced_partitions() {
        let maps: Vec<Vec<RecordBatch>> = (0..3)
            .map(|m| vec![amounts((0..1000).map(|i| Some(((i * 7 + m * 13) % 1000) as f64)).collect()).0])
            .collect();
        let (_, input) = amounts(vec![]);
        let order = [SortOrder::new(Expr::Attribute(input[0].clone()), true)];
        let bounds = RangeBounds::from_samples(&order, &maps, &input, 4).unwrap();
        assert_eq!(bounds.shown.len(), 3);
        let mut counts = [0usize; 4];
        let mut highest = [f64::MIN; 4];
        for map in &maps {
            let batch = &map[0];
            let ids = bounds.partition_ids(&order, batch, &input).unwrap();
            let values = batch.column(0).as_primitive::<Float64Type>();
            for (row, id) in ids.into_iter().enumerate() {
                counts[id as usize] += 1;
                highest[id as usize] = highest[id as usize].max(values.value(row));
            }
        }
        assert!(counts.iter().all(|&c| (500..1000).contains(&c)), "{counts:?}");
        assert!(highest.windows(2).all(|w| w[0] < w[1]), "partition i holds smaller keys than partition i + 1");
        // A key equal to a boundary goes below it: each partition's highest key is its upper boundary.
        let shown: Vec<f64> = bounds.shown.iter().map(|text| text.parse().unwrap()).collect();
        assert_eq!(shown, highest[..3]);
    }
}
