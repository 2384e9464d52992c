//! `spark.range(start, end, step)`: a source that is computed, not read. Nothing is held in memory before a job
//! runs: each task counts through its own slice of the numbers as it goes, so `spark.range(10**9)` costs no
//! memory until it is used — and then only a batch at a time.
//!
//! The numbers are cut into slices as Spark cuts them: slice `i` of `n` starts at element `i × count / n`, so the
//! slices differ in size by at most one number.

use std::sync::Arc;

use arrow::array::{Int64Array, RecordBatch};

use crate::Result;
use crate::expr::Attribute;
use crate::hash_aggregate::batch_of;

/// How many numbers one batch holds.
const BATCH_ROWS: i128 = 8192;

/// The numbers of a range, and how many slices the user asked for (`None`: the session's default parallelism).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub start: i64,
    pub end: i64,
    pub step: i64,
    pub slices: Option<usize>,
}

impl Range {
    /// How many numbers the range holds (Spark's `numElements`, computed without overflow).
    pub fn count(&self) -> u128 {
        let (start, end, step) = (self.start as i128, self.end as i128, self.step as i128);
        let exact = (end - start) % step == 0;
        let wrong_way = (end > start) != (step > 0);
        let count = if exact || wrong_way { (end - start) / step } else { (end - start) / step + 1 };
        count.max(0) as u128
    }

    /// `Range (0, 10, step=1, splits=Some(2))` in logical plans (no splits when none were given); physical plans
    /// show the slice count they use.
    pub fn node_string(&self, slices: Option<usize>) -> String {
        let splits = match (self.slices, slices) {
            (_, Some(used)) => format!(", splits={used}"),
            (Some(given), None) => format!(", splits=Some({given})"),
            (None, None) => String::new(),
        };
        format!("Range ({}, {}, step={}{splits})", self.start, self.end, self.step)
    }

    /// The batches of slice `slice` of `slices`, made as they are pulled; `output` is the `id` column or, when no
    /// column is read (`count()`), nothing.
    pub fn slice_batches(&self, slice: usize, slices: usize, output: Vec<Attribute>) -> impl Iterator<Item = Result<RecordBatch>> + use<> {
        let count = self.count() as i128;
        let (slices, slice) = (slices.max(1) as i128, slice as i128);
        let (first, last) = (slice * count / slices, (slice + 1) * count / slices);
        let (start, step) = (self.start as i128, self.step as i128);
        (first..last).step_by(BATCH_ROWS as usize).map(move |from| {
            let to = (from + BATCH_ROWS).min(last);
            let rows = (to - from) as usize;
            let columns = if output.is_empty() {
                Vec::new()
            } else {
                let ids: Int64Array = (from..to).map(|element| (start + element * step) as i64).collect();
                vec![Arc::new(ids) as arrow::array::ArrayRef]
            };
            batch_of(&output, columns, rows)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(range: Range, slice: usize, slices: usize) -> Vec<i64> {
        let id = Attribute::new("id", crate::types::SparkType::Long, false);
        let batches = range.slice_batches(slice, slices, vec![id]).collect::<Result<Vec<_>>>().unwrap();
        batches.iter().flat_map(|b| arrow::array::AsArray::as_primitive::<arrow::datatypes::Int64Type>(b.column(0)).values().to_vec()).collect()
    }

    #[test]
    fn slices_cut_the_numbers_as_spark_does() {
        let range = Range { start: 0, end: 10, step: 3, slices: None };
        assert_eq!(range.count(), 4);
        assert_eq!((ids(range, 0, 3), ids(range, 1, 3), ids(range, 2, 3)), (vec![0], vec![3], vec![6, 9]));
        let down = Range { start: 5, end: -5, step: -2, slices: None };
        assert_eq!(ids(down, 0, 1), vec![5, 3, 1, -1, -3]);
        assert_eq!(Range { start: 0, end: 10, step: -1, slices: None }.count(), 0);
        let wide = Range { start: i64::MIN, end: i64::MAX, step: i64::MAX, slices: None };
        assert_eq!(ids(wide, 0, 1), vec![i64::MIN, -1, i64::MAX - 1]);
    }
}
