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


use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, UInt32Array};
use arrow::datatypes::{DataType, Int64Type, TimeUnit, TimestampMicrosecondType};
use arrow::compute::{SortOptions, concat_batches, interleave_record_batch, take_record_batch};
use arrow::row::{OwnedRow, RowConverter, Rows, SortField};

use crate::exchange::batch_and_row;
use crate::expr::eval::evaluate;
use crate::expr::Attribute;
use crate::hash_aggregate::schema_of;
use crate::key_table::with_integers;
use crate::value::Value;
use crate::Result;

pub use crate::expr::SortOrder;

/// How Arrow's row format orders one key.
fn sort_field(order: &SortOrder) -> SortField {
    let options = SortOptions { descending: !order.ascending, nulls_first: order.nulls_first };
    SortField::new_with_options(order.expr.data_type().to_arrow(), options)
}

/// The keys of `batch` in row format, ordered as `order` says.
pub struct SortKeys {
    converter: RowConverter,
}

impl SortKeys {
    pub fn new(order: &[SortOrder]) -> Result<Self> {
        Ok(Self { converter: RowConverter::new(order.iter().map(sort_field).collect())? })
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
    // Step counts order only as numbers (and are worth counting only when every key is one): the row format below
    // compares the keys as they are.
    let numbers = keys.iter().all(|key| integer_width(key.data_type()).is_some()).then(|| {
        let counted: Vec<ArrayRef> = keys.iter().map(|key| step_counts(key).unwrap_or_else(|| key.clone())).collect();
        integer_keys(order, &counted)
    });
    let indices = match numbers.flatten() {
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
    let widths = keys.iter().map(|key| integer_width(key.data_type())).collect::<Option<Vec<u32>>>()?;
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

/// The bits of an integer, date or timestamp type; `None` for any other type.
pub(crate) fn integer_width(data_type: &DataType) -> Option<u32> {
    match data_type {
        DataType::Int8 => Some(8),
        DataType::Int16 => Some(16),
        DataType::Int32 | DataType::Date32 => Some(32),
        DataType::Int64 | DataType::Timestamp(TimeUnit::Microsecond, _) => Some(64),
        _ => None,
    }
}

/// A 64-bit key column whose values all lie a whole number of one step apart — hours in microseconds, the
/// output of `date_trunc('hour', …)`, are 3.6 billion apart — as the number of steps from its smallest value, which
/// orders the rows the same way within this column. Counted in hours, twelve years take 17 bits where microseconds
/// take 39, and an hour, a zone id and a row number then fit in 64 bits (see [`sorted_numbers`]).
///
/// Only for ordering one column's rows among themselves: two columns stepped apart no longer compare (a merge
/// join compares its sides' raw keys). `None` when the values share no step (or share one that is a power of two:
/// [`KeyBits`] drops the low zero bits anyway).
fn step_counts(key: &ArrayRef) -> Option<ArrayRef> {
    let values: &[i64] = match key.data_type() {
        DataType::Int64 => key.as_primitive::<Int64Type>().values(),
        DataType::Timestamp(TimeUnit::Microsecond, _) => key.as_primitive::<TimestampMicrosecondType>().values(),
        _ => return None,
    };
    let nulls = key.logical_nulls().filter(|nulls| nulls.null_count() > 0);
    let step = match &nulls {
        None => Step::of(values.iter().copied())?,
        Some(nulls) => Step::of(values.iter().zip(nulls.iter()).filter(|(_, valid)| *valid).map(|(&value, _)| value))?,
    };
    let counts: Vec<i64> = values.iter().map(|&value| step.count(value) as i64).collect();
    Some(std::sync::Arc::new(arrow::array::Int64Array::new(counts.into(), nulls)))
}

/// The step all of a column's values are a whole number of apart, from the smallest of them.
struct Step {
    smallest: i64,
    /// The step is an odd number shifted left by `twos`.
    twos: u32,
    /// The odd number's inverse modulo 2^64: multiplying by it divides by the odd number a number it divides.
    inverse: u64,
}

impl Step {
    /// A step guessed from the first values, then checked on every value with a multiplication (no division)
    /// while the smallest value is found. `None` without a step of an odd factor above 1.
    fn of(mut present: impl Iterator<Item = i64> + Clone) -> Option<Self> {
        let first = present.clone().next()?;
        let distance = |value: i64, from: i64| value.abs_diff(from);
        let step = present.clone().take(1024).fold(0, |step, value| gcd(step, distance(value, first)));
        if step == 0 {
            return None;
        }
        let (twos, odd) = (step.trailing_zeros(), step >> step.trailing_zeros());
        if odd == 1 {
            return None;
        }
        let inverse = (0..5).fold(odd, |inverse: u64, _| inverse.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(inverse))));
        let (low_bits, limit) = ((1u64 << twos) - 1, u64::MAX / odd);
        let (mut smallest, mut all_whole) = (first, true);
        for value in present.by_ref() {
            let distance = distance(value, first);
            all_whole &= distance & low_bits == 0 && (distance >> twos).wrapping_mul(inverse) <= limit;
            smallest = smallest.min(value);
        }
        // Every value is a whole number of steps from the first, so from the smallest too: counted from there, no
        // count is negative and the counts' high bits all stay 0.
        all_whole.then_some(Self { smallest, twos, inverse })
    }

    /// How many steps `value` is above the smallest value: an exact division, as a shift for the step's factors
    /// of two and a multiplication by the inverse of the odd rest.
    fn count(&self, value: i64) -> u64 {
        (value.wrapping_sub(self.smallest) as u64 >> self.twos).wrapping_mul(self.inverse)
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
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
///
/// Only the bits in which keys differ can change the order, so the key is cut down to them (see [`KeyBits`]) and
/// the row number put below: (key, row) numbers are all distinct, so an unstable sort gives the stable order. Two
/// zone ids differ in at most 18 bits, which with the row number of one of a million rows (20 bits) fit in 64: a
/// sort of 8-byte numbers, which takes about 60% of the time of one of 16 bytes.
fn sorted_numbers(keys: Vec<u128>) -> Vec<u32> {
    let Ok(rows) = u32::try_from(keys.len()) else {
        return sorted_pairs(keys);
    };
    let key_bits = KeyBits::of(&keys);
    let row_bits = u32::BITS - rows.saturating_sub(1).leading_zeros();
    if key_bits.bits() + row_bits <= 64 {
        let mut numbered: Vec<u64> = keys.iter().zip(0u64..).map(|(&key, row)| (key_bits.gather(key) as u64) << row_bits | row).collect();
        numbered.sort_unstable();
        let row_mask = (1u64 << row_bits) - 1;
        return numbered.into_iter().map(|number| (number & row_mask) as u32).collect();
    }
    if key_bits.bits() + u32::BITS <= 128 {
        let mut numbered = with_row_numbers(keys, &key_bits);
        numbered.sort_unstable();
        return numbered.into_iter().map(|number| number as u32).collect();
    }
    sorted_pairs(keys)
}

fn sorted_pairs(keys: Vec<u128>) -> Vec<u32> {
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

/// The keys, cut down to `key_bits`, with their row numbers in their 32 low bits. The numbers replace the keys in
/// place, which spares a second array (16 MB for a million rows) and its first touch.
fn with_row_numbers(mut keys: Vec<u128>, key_bits: &KeyBits) -> Vec<u128> {
    for (key, row) in keys.iter_mut().zip(0u32..) {
        *key = key_bits.gather(*key) << u32::BITS | u128::from(row);
    }
    keys
}

/// The bits in which a set of keys differ, as runs from the top: bits every key shares (NULL flags of columns
/// without NULLs, the high bits of an hour or of a zone id, the low bits of an hour, all zero) cannot change the
/// order, and gathering the rest keeps the order.
struct KeyBits {
    /// (lowest bit, bits), highest run first; a run takes in gaps of fewer than [`KeyBits::GAP`] bits, so that an
    /// hour and a zone id are gathered in two steps rather than one per differing bit.
    runs: Vec<(u32, u32)>,
}

impl KeyBits {
    const GAP: u32 = 8;

    fn of(keys: &[u128]) -> Self {
        let first = keys.first().copied().unwrap_or_default();
        Self::differing(keys.iter().fold(0, |differing, key| differing | (key ^ first)))
    }

    fn differing(differing: u128) -> Self {
        let mut runs = Vec::new();
        let mut rest = differing;
        while rest != 0 {
            let top = u128::BITS - 1 - rest.leading_zeros();
            let mut low = top;
            loop {
                let below = rest & ((1u128 << low) - 1);
                if below == 0 {
                    break;
                }
                let next = u128::BITS - 1 - below.leading_zeros();
                if low - next > Self::GAP {
                    break;
                }
                low = next;
            }
            runs.push((low, top - low + 1));
            rest &= (1u128 << low) - 1;
        }
        Self { runs }
    }

    fn bits(&self) -> u32 {
        self.runs.iter().map(|&(_, bits)| bits).sum()
    }

    /// The key's differing bits, side by side, in their order.
    fn gather(&self, key: u128) -> u128 {
        self.runs.iter().fold(0, |gathered, &(low, bits)| gathered << bits | (key >> low) & (u128::MAX >> (u128::BITS - bits)))
    }
}

/// The first `limit` rows of `batches` in `order`.
pub fn top_rows(order: &[SortOrder], batches: &[RecordBatch], input: &[Attribute], limit: usize) -> Result<Vec<RecordBatch>> {
    Ok(sort_batches(order, batches, input)?.map(|sorted| sorted.slice(0, limit.min(sorted.num_rows()))).into_iter().collect())
}

/// The boundaries of a range exchange: partition `i` gets the keys after bound `i - 1` up to bound `i`.
pub struct RangeBounds {
    keys: SortKeys,
    bounds: Vec<OwnedRow>,
    /// The boundaries as numbers, when the keys are integers, dates or timestamps (see [`integer_keys`]): a row
    /// then finds its partition without being turned into the row format.
    numbers: Option<Vec<u128>>,
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
            let rows = batches.iter().map(RecordBatch::num_rows).sum();
            let picked = reservoir_sample(rows, per_partition, map_partition as u64);
            if picked.is_empty() {
                continue;
            }
            weights.push(rows as f64 / picked.len() as f64);
            let sample = interleave_record_batch(&batches.iter().collect::<Vec<_>>(), &batch_and_row(batches, &picked))?;
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
        let total: f64 = sample_keys.iter().zip(&weights).map(|(rows, weight)| rows.num_rows() as f64 * weight).sum();
        let step = total / partitions as f64;
        let mut chosen: Vec<(usize, usize)> = Vec::new();
        let mut cumulative = 0.0;
        let mut target = step;
        for (_, candidate) in candidates {
            cumulative += weights[candidate.0];
            if chosen.len() + 1 >= partitions {
                break;
            }
            if cumulative >= target && chosen.last().is_none_or(|last| key(last) < key(&candidate)) {
                chosen.push(candidate);
                target += step;
            }
        }
        if chosen.is_empty() {
            // No rows (or too few to cut): every row goes to the first partition.
            return Ok(Self { keys, bounds: Vec::new(), numbers: None, shown: Vec::new() });
        }
        let bounds = chosen.iter().map(|candidate| key(candidate).owned()).collect();
        let chosen_rows = interleave_record_batch(&samples.iter().collect::<Vec<_>>(), &chosen)?;
        let bound_keys = order.iter().map(|o| evaluate(&o.expr, &chosen_rows, input)).collect::<Result<Vec<_>>>()?;
        let shown = (0..chosen.len()).map(|row| key_text(order, &chosen_rows.slice(row, 1), input)).collect::<Result<_>>()?;
        Ok(Self { keys, bounds, numbers: integer_keys(order, &bound_keys), shown })
    }

    /// The reduce partition of each row of `batch`: the number of boundaries below its key.
    pub fn partition_ids(&self, order: &[SortOrder], batch: &RecordBatch, input: &[Attribute]) -> Result<Vec<u32>> {
        let keys = order.iter().map(|o| evaluate(&o.expr, batch, input)).collect::<Result<Vec<_>>>()?;
        if let Some(bounds) = &self.numbers
            && let Some(numbers) = integer_keys(order, &keys)
        {
            return Ok(numbers.iter().map(|number| bounds.partition_point(|bound| bound < number) as u32).collect());
        }
        let rows = self.keys.convert(&keys)?;
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
    let mut next = xorshift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
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

/// A reproducible stream of pseudo-random numbers (Marsaglia's xorshift; `seed` must not be 0).
pub(crate) fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{AsArray, Float64Array};
    use arrow::datatypes::Float64Type;

    use super::*;
    use crate::expr::Expr;
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
        assert!(KeyBits::of(&fixed_width_keys(&rows).unwrap()).bits() < 64 - 3, "few bits differ: an 8-byte sort");
        assert_eq!(sorted_indices(&rows), by_bytes(&rows));

        let zone = arrow::array::Int32Array::from(vec![Some(i32::MIN), None, Some(0x0102_0304), Some(-1), Some(i32::MIN)]);
        let hour = arrow::array::Int64Array::from(vec![Some(i64::MAX), Some(-0x0102_0304_0506_0708), None, Some(0), Some(i64::MAX)]);
        let rows = converter.convert_columns(&[Arc::new(zone) as ArrayRef, Arc::new(hour)]).unwrap();
        assert!(KeyBits::of(&fixed_width_keys(&rows).unwrap()).bits() > 96, "nearly all bits differ: (key, row) pairs");
        assert_eq!(sorted_indices(&rows), [1, 0, 4, 3, 2]);
        assert_eq!(sorted_indices(&rows), by_bytes(&rows));
    }

    #[test]
    fn differing_bits_are_gathered_in_runs_from_the_top() {
        let runs = |differing: u128| KeyBits::differing(differing).runs;
        assert_eq!(runs(0x00ff_0000_ffff), [(32, 8), (0, 16)]);
        assert_eq!(runs(1 << 127 | 1 << 64), [(127, 1), (64, 1)]);
        // A gap of fewer than 8 shared bits is taken into the run; one of 8 is not.
        assert_eq!(runs(1 << 7 | 1), [(0, 8)]);
        assert_eq!(runs(1 << 9 | 1), [(9, 1), (0, 1)]);
        assert_eq!(runs(u128::MAX), [(0, 128)]);
        assert_eq!(runs(0), []);
        // Whole hours of a year (multiples of 3.6e9 µs: their 10 low bits are 0 in every hour, and a year spans
        // fewer than 2^45 µs) beside a zone id below 512.
        let hours = (0..8784u128).map(|hour| (1_577_836_800_000_000 + hour * 3_600_000_000) << 33);
        let keys: Vec<u128> = hours.zip(0..).map(|(hour, zone)| hour | (zone % 265)).collect();
        let bits = KeyBits::of(&keys);
        assert_eq!(bits.runs, [(33 + 10, 45 - 10 + 1), (0, 9)]);
        let mut gathered: Vec<u128> = keys.iter().map(|&key| bits.gather(key)).collect();
        gathered.dedup();
        assert!(gathered.is_sorted() && gathered.len() == keys.len(), "gathering keeps the order and tells keys apart");
    }

    #[test]
    fn a_range_exchange_over_no_rows_has_no_boundaries() {
        let (empty, input) = amounts(vec![]);
        let order = [SortOrder::new(Expr::Attribute(input[0].clone()), true)];
        for maps in [vec![], vec![vec![]], vec![vec![empty.clone()], vec![empty.clone(), empty.clone()]]] {
            let bounds = RangeBounds::from_samples(&order, &maps, &input, 200).unwrap();
            assert!(bounds.shown.is_empty());
            let (one_row, _) = amounts(vec![Some(1.5)]);
            assert_eq!(bounds.partition_ids(&order, &one_row, &input).unwrap(), [0]);
        }
    }

    #[test]
    fn integer_keys_find_their_range_partition_as_their_row_format_does() {
        let zone = Attribute::new("zone", SparkType::Integer, true);
        let day = Attribute::new("day", SparkType::Long, true);
        let input = [zone.clone(), day.clone()];
        let batch = |seed: i64| {
            let zones = arrow::array::Int32Array::from_iter((0..3000).map(|i: i64| ((i * 7 + seed) % 13 != 0).then_some(((i * 31 + seed) % 265) as i32)));
            let days = arrow::array::Int64Array::from_iter((0..3000).map(|i: i64| ((i + seed) % 17 != 0).then_some((i * 7919 + seed) % 400 - 200)));
            RecordBatch::try_new(schema_of(&input), vec![Arc::new(zones) as ArrayRef, Arc::new(days)]).unwrap()
        };
        let maps = vec![vec![batch(1)], vec![batch(2), batch(3)]];
        let order = [SortOrder::new(Expr::Attribute(zone), false), SortOrder::new(Expr::Attribute(day), true)];
        let bounds = RangeBounds::from_samples(&order, &maps, &input, 50).unwrap();
        assert!(bounds.numbers.is_some(), "an int and a long: boundaries as numbers");
        let by_row_format = RangeBounds { numbers: None, ..RangeBounds::from_samples(&order, &maps, &input, 50).unwrap() };
        for batch in maps.iter().flatten() {
            assert_eq!(bounds.partition_ids(&order, batch, &input).unwrap(), by_row_format.partition_ids(&order, batch, &input).unwrap());
        }
    }

    #[test]
    fn every_width_of_differing_bits_sorts_stably() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        // 8, 70 and 120 differing bits: an 8-byte sort, a 16-byte one with the row inside, and (key, row) pairs.
        for key_mask in [0xfffu128, (1 << 70) - 1, (1 << 120) - 1] {
            let keys: Vec<u128> = (0..5000).map(|_| (u128::from(next()) << 64 | u128::from(next())) & key_mask & !0xf00).collect();
            let mut expected: Vec<u32> = (0..keys.len() as u32).collect();
            expected.sort_by_key(|&row| keys[row as usize]);
            assert_eq!(sorted_numbers(keys), expected, "keys within {key_mask:#x}");
        }
    }

    #[test]
    fn integer_keys_order_rows_as_the_row_format_does() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
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
            let narrow: Vec<Option<i64>> = (0..300).map(|_| (!next().is_multiple_of(6)).then(|| next() as i64 % 3 - 1)).collect();
            // Values out of a narrower type's range become NULLs.
            let column = |values: &[Option<i64>], data_type: SparkType| -> ArrayRef {
                let longs: ArrayRef = Arc::new(arrow::array::Int64Array::from(values.to_vec()));
                arrow::compute::cast(&longs, &data_type.to_arrow()).unwrap()
            };
            let keys = vec![column(&wide, data_type.clone()), column(&narrow, SparkType::Integer)];
            for flags in 0..16 {
                let order: Vec<SortOrder> = [data_type.clone(), SparkType::Integer]
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| SortOrder {
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

    #[test]
    fn keys_a_whole_number_of_steps_apart_sort_by_their_step_counts() {
        const HOUR: i64 = 3_600_000_000;
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        // Hours from 1990 to 2030 (negative before 1970), some NULL, many ties; and a second key to break them.
        let hours: Vec<Option<i64>> =
            (0..5000).map(|_| (!next().is_multiple_of(9)).then(|| (next() % 350_000) as i64 * HOUR - 175_000 * HOUR + 30 * HOUR)).collect();
        let zones: Vec<Option<i32>> = (0..5000).map(|_| Some((next() % 5) as i32)).collect();
        let hour_column: ArrayRef = Arc::new(arrow::array::TimestampMicrosecondArray::from(hours.clone()));
        let counts = step_counts(&hour_column).expect("hours are steps of an hour apart");
        let widest = counts.as_primitive::<Int64Type>().iter().flatten().max().unwrap();
        assert!(widest < 350_000, "counted in hours from the earliest: {widest}");
        let input = vec![Attribute::new("hour", SparkType::TimestampNtz, true), Attribute::new("zone", SparkType::Integer, true)];
        let batch = RecordBatch::try_new(schema_of(&input), vec![hour_column, Arc::new(arrow::array::Int32Array::from(zones))]).unwrap();
        for flags in 0..4 {
            let order: Vec<SortOrder> = input
                .iter()
                .map(|a| SortOrder { expr: Expr::Attribute(a.clone()), ascending: flags & 1 == 1, nulls_first: flags & 2 == 2 })
                .collect();
            let keys: Vec<ArrayRef> = batch.columns().to_vec();
            let expected = take_record_batch(&batch, &UInt32Array::from(by_bytes(&SortKeys::new(&order).unwrap().convert(&keys).unwrap()))).unwrap();
            assert_eq!(sort_batches(&order, std::slice::from_ref(&batch), &input).unwrap().unwrap(), expected, "flags {flags:02b}");
        }
    }

    #[test]
    fn stepped_keys_beside_a_key_that_is_no_integer_sort_by_their_values() {
        const HOUR: i64 = 3_600_000_000;
        let input = vec![Attribute::new("amount", SparkType::Double, true), Attribute::new("hour", SparkType::TimestampNtz, true)];
        let amounts: ArrayRef = Arc::new(arrow::array::Float64Array::from(vec![2.5, 1.0, 2.5, 1.0]));
        let hours: ArrayRef = Arc::new(arrow::array::TimestampMicrosecondArray::from(vec![3 * HOUR, 9 * HOUR, 6 * HOUR, 3 * HOUR]));
        let batch = RecordBatch::try_new(schema_of(&input), vec![amounts, hours]).unwrap();
        let order: Vec<SortOrder> = input.iter().map(|a| SortOrder { expr: Expr::Attribute(a.clone()), ascending: true, nulls_first: true }).collect();
        let sorted = sort_batches(&order, std::slice::from_ref(&batch), &input).unwrap().unwrap();
        assert_eq!(sorted, take_record_batch(&batch, &UInt32Array::from(vec![3, 1, 0, 2])).unwrap());
    }

    #[test]
    fn keys_off_the_step_are_not_counted_in_steps() {
        const HOUR: i64 = 3_600_000_000;
        let mut hours: Vec<i64> = (0..3000).map(|i| i * HOUR).collect();
        // Beyond the rows the step is guessed from.
        hours[2500] += 1;
        assert!(step_counts(&(Arc::new(arrow::array::Int64Array::from(hours)) as ArrayRef)).is_none());
        let powers_of_two: ArrayRef = Arc::new(arrow::array::Int64Array::from((0..100).map(|i| i << 12).collect::<Vec<i64>>()));
        assert!(step_counts(&powers_of_two).is_none(), "low zero bits are dropped without counting");
        // The whole range of a long: 2^64 - 1 from the smallest to the largest, 3 × 6148914691236517205.
        let extremes: ArrayRef = Arc::new(arrow::array::Int64Array::from(vec![i64::MAX, i64::MIN, i64::MIN + 3]));
        let counts = step_counts(&extremes).expect("steps of 3");
        assert_eq!(counts.as_primitive::<Int64Type>().values().to_vec(), vec![6_148_914_691_236_517_205, 0, 1]);
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
