//! `histogram_numeric(x, nb)`: an approximate histogram of at most `nb` bins, each a centre `x` and a height `y`
//! (how many values it stands for), as Spark computes it (Ben-Haim and Tom-Tov's streaming histogram). A value
//! lands in the bin centred on it, or opens a bin of its own; once there are more than `nb` bins, the two closest
//! merge into one at their weighted mean. Each task builds a histogram of its rows and the final step merges
//! them the same way. Where two pairs of bins are equally close, a `java.util.Random` seeded as Spark seeds it
//! picks the pair, so the bins are Spark's.

use std::sync::Arc;

use arrow::array::ArrayRef;

use super::by_value::GroupStates;
use crate::random::JavaRandom;
use crate::types::{ArrayType, SparkField, SparkType};
use crate::value::{NestedParts, Value, array_of};
use crate::Result;

/// The seed Spark gives every histogram's tie-breaking generator.
const TIE_BREAK_SEED: i64 = 31183;

/// The type of the result: an array of `(x, y)` structs whose `x` has the argument's type (a bare NULL argument
/// gives doubles).
pub fn result_type(input: SparkType) -> SparkType {
    SparkType::array_of(SparkType::struct_of(bin_fields(centre_type(input))), true)
}

/// The type a bin's centre is returned in: the argument's, doubles for a bare NULL argument.
fn centre_type(input: SparkType) -> SparkType {
    if input == SparkType::Null { SparkType::Double } else { input }
}

/// The fields of one bin: its centre `x` and its height `y`.
fn bin_fields(x: SparkType) -> Vec<SparkField> {
    vec![SparkField::new("x", x, true), SparkField::new("y", SparkType::Double, true)]
}

/// Bins as an array of `(x, y)` structs, each centre written as `centre` makes it a value of `x_type`.
fn bins_value(bins: &[(f64, f64)], x_type: SparkType, centre: impl Fn(f64) -> Value) -> Value {
    let fields = bin_fields(x_type);
    let structs: Vec<Value> = bins.iter().map(|&(x, y)| Value::new_struct(&[centre(x), Value::Double(y)], &fields)).collect();
    Value::new_array(&structs, &ArrayType { element: SparkType::struct_of(fields), contains_null: true })
}

/// One histogram: its bins sorted by centre, as (centre, height), and the generator that breaks its ties (one
/// per histogram, drawn from for as long as the histogram lives).
struct Histogram {
    bins: Vec<(f64, f64)>,
    random: JavaRandom,
}

impl Histogram {
    fn new() -> Self {
        Self { bins: Vec::new(), random: JavaRandom::new(TIE_BREAK_SEED) }
    }

    /// Adds one value: the bin centred on it grows, or a new bin is inserted where it sorts.
    fn add(&mut self, value: f64, limit: usize) {
        let at = self.position_of(value);
        match self.bins.get_mut(at) {
            Some(bin) if bin.0 == value => bin.1 += 1.0,
            _ => {
                self.bins.insert(at, (value, 1.0));
                if self.bins.len() > limit {
                    self.trim(limit);
                }
            }
        }
    }

    /// Where `value` goes, by Spark's binary search: the bin centred on it, or the first bin above it.
    fn position_of(&self, value: f64) -> usize {
        let (mut low, mut high, mut at) = (0, self.bins.len(), 0);
        while low < high {
            at = (low + high) / 2;
            let centre = self.bins[at].0;
            if centre > value {
                high = at;
            } else if centre < value {
                at += 1;
                low = at;
            } else {
                break;
            }
        }
        at
    }

    /// Adds another histogram's bins, then merges bins down to `limit`.
    fn merge(&mut self, other: Vec<(f64, f64)>, limit: usize) {
        if self.bins.is_empty() {
            self.bins = other;
            return;
        }
        self.bins.extend(other);
        // A stable sort by centre, with Java's `Double.compare` order (NaN above everything, -0.0 below 0.0).
        self.bins.sort_by(|a, b| java_compare(a.0, b.0));
        self.trim(limit);
    }

    /// Merges the closest neighbours until at most `limit` bins are left. Ties between equally close pairs go to a
    /// later pair with probability 1/k for the k-th tie seen, drawn as Spark draws it.
    fn trim(&mut self, limit: usize) {
        while self.bins.len() > limit {
            let mut closest = self.bins[1].0 - self.bins[0].0;
            let (mut at, mut ties) = (0, 1u32);
            for i in 1..self.bins.len() - 1 {
                let gap = self.bins[i + 1].0 - self.bins[i].0;
                if gap < closest {
                    (closest, at, ties) = (gap, i, 1);
                } else if gap == closest {
                    ties += 1;
                    if self.random.next_double() <= 1.0 / f64::from(ties) {
                        at = i;
                    }
                }
            }
            let (left, right) = (self.bins[at], self.bins.remove(at + 1));
            let height = left.1 + right.1;
            let mut centre = left.0 * (left.1 / height);
            centre += right.0 / height * right.1;
            self.bins[at] = (centre, height);
        }
    }
}

/// `Double.compare`: a total order in which every NaN is above every other double.
fn java_compare(a: f64, b: f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => a.total_cmp(&b),
    }
}

/// The per-group histograms of one `histogram_numeric` call.
pub struct GroupHistograms {
    data_type: SparkType,
    limit: usize,
    groups: Vec<Histogram>,
}

impl GroupHistograms {
    /// Histograms of at most `limit` bins over values of `data_type`.
    pub fn new(data_type: &SparkType, limit: u32) -> Self {
        Self { data_type: data_type.clone(), limit: limit as usize, groups: Vec::new() }
    }

    /// One group's bins as Spark returns them: `x` back in the argument's type (whole numbers truncated, as Java's
    /// casts from double do), or NULL for a group without values.
    fn result(&self, histogram: &Histogram) -> Value {
        if histogram.bins.is_empty() {
            return Value::Null;
        }
        let x_type = centre_type(self.data_type.clone());
        bins_value(&histogram.bins, x_type.clone(), |x| centre_as(x, &x_type))
    }
}

/// A bin's centre as a value of the argument's type.
fn centre_as(x: f64, data_type: &SparkType) -> Value {
    match data_type {
        SparkType::Byte => Value::Byte(x as i8),
        SparkType::Short => Value::Short(x as i16),
        SparkType::Integer => Value::Integer(x as i32),
        SparkType::Date => Value::Date(x as i32),
        SparkType::YearMonthInterval { start, end } => Value::YearMonthInterval { months: x as i32, start: *start, end: *end },
        SparkType::Long => Value::Long(x as i64),
        SparkType::Timestamp => Value::Timestamp(x as i64),
        SparkType::TimestampNtz => Value::TimestampNtz(x as i64),
        SparkType::DayTimeInterval { start, end } => Value::DayTimeInterval { micros: x as i64, start: *start, end: *end },
        SparkType::Float => Value::Float(x as f32),
        SparkType::Time => Value::Time(x as i64 / NANOS_PER_MICRO),
        SparkType::Decimal { precision, scale } => {
            let unscaled = (x * 10f64.powi(i32::from(*scale))).round();
            let fits = unscaled.abs() < 10f64.powi(i32::from(*precision));
            if fits { Value::Decimal { value: unscaled as i128, precision: *precision, scale: *scale } } else { Value::Null }
        }
        _ => Value::Double(x),
    }
}

/// Spark keeps a time of day in nanoseconds, Kindling in microseconds.
const NANOS_PER_MICRO: i64 = 1000;

/// A value as the double Spark's histogram counts: a date's days, a timestamp's or interval's count of its unit,
/// a time of day's nanoseconds.
fn as_double(value: &Value) -> Option<f64> {
    match value {
        Value::Time(micros) => Some((micros * NANOS_PER_MICRO) as f64),
        Value::YearMonthInterval { months, .. } => Some(f64::from(*months)),
        Value::DayTimeInterval { micros, .. } => Some(*micros as f64),
        other => other.as_f64(),
    }
}

impl GroupStates for GroupHistograms {
    fn grow(&mut self, groups: usize) {
        if self.groups.len() < groups {
            self.groups.resize_with(groups, Histogram::new);
        }
    }

    fn update(&mut self, columns: &[ArrayRef], group_ids: &[usize]) -> Result<()> {
        for (row, &group) in group_ids.iter().enumerate() {
            if let Some(value) = as_double(&Value::from_array(columns[0].as_ref(), row)?) {
                self.groups[group].add(value, self.limit);
            }
        }
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], group_ids: &[usize]) -> Result<()> {
        for (row, &group) in group_ids.iter().enumerate() {
            let Some(NestedParts::Array(bins)) = Value::from_array(states[0].as_ref(), row)?.nested_parts() else { continue };
            let bins = bins.iter().filter_map(|bin| match bin.nested_parts() {
                Some(NestedParts::Struct(fields)) => Some((fields[0].1.as_f64()?, fields[1].1.as_f64()?)),
                _ => None,
            });
            self.groups[group].merge(bins.collect(), self.limit);
        }
        Ok(())
    }

    fn state(&mut self, groups: usize) -> Vec<ArrayRef> {
        // The partial state: the bins with their centres as doubles.
        let states: Vec<Value> = self.groups[..groups].iter().map(|h| bins_value(&h.bins, SparkType::Double, Value::Double)).collect();
        vec![array_of(&states, &result_type(SparkType::Double))]
    }

    fn finish(&mut self, groups: usize) -> ArrayRef {
        let values: Vec<Value> = self.groups[..groups].iter().map(|h| self.result(h)).collect();
        Arc::new(array_of(&values, &result_type(self.data_type.clone()))) as ArrayRef
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spark's answer for 1..50 (with 3 in place of 36) in 2, 3, 5 and 10 bins, from its own golden file
    /// (`group-by.sql`, where the rows come in two tasks of 25): the ties of evenly spaced values are where the
    /// seeded draws matter.
    #[test]
    fn bins_are_sparks() {
        let values: Vec<f64> = (1..=50).map(|v| if v == 36 { 3.0 } else { f64::from(v) }).collect();
        let centres = |limit: usize| {
            let mut merged = Histogram::new();
            for task in values.chunks(25) {
                let mut histogram = Histogram::new();
                task.iter().for_each(|&v| histogram.add(v, limit));
                merged.merge(histogram.bins, limit);
            }
            merged.bins.iter().map(|&(x, y)| (x as i32, y)).collect::<Vec<_>>()
        };
        assert_eq!(centres(2), [(12, 26.0), (38, 24.0)]);
        assert_eq!(centres(3), [(9, 20.0), (25, 11.0), (40, 19.0)]);
        assert_eq!(centres(5), [(5, 11.0), (14, 8.0), (22, 7.0), (30, 10.0), (43, 14.0)]);
        assert_eq!(
            centres(10),
            [(3, 6.0), (8, 6.0), (13, 4.0), (17, 3.0), (20, 4.0), (25, 6.0), (31, 7.0), (39, 5.0), (43, 4.0), (48, 5.0)]
        );
    }
}
