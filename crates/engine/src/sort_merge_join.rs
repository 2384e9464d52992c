//! The sort-merge join: Spark's join for two inputs too big to broadcast.
//!
//! Both inputs are shuffled by the join keys into the same number of partitions, so rows with equal keys land in
//! the same partition number on both sides. Each task sorts its two partitions by key and walks them together like
//! the merge step of merge sort: while the keys differ, the side with the smaller key moves on (its row has no
//! partner); when they are equal, every left row of that key pairs with every right row of it.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Range;

use arrow::array::{Array, RecordBatch};
use arrow::buffer::NullBuffer;
use arrow::compute::concat_batches;
use arrow::row::{RowConverter, Rows, SortField};

use crate::expr::eval::evaluate;
use crate::expr::{Attribute, Expr};
use crate::hash_aggregate::schema_of;
use crate::join::{JoinType, assemble, pairs_satisfying};
use crate::sort::{SortOrder, integer_keys};
use crate::{EngineError, Result};

/// One side of a merge: its rows (sorted by key), their keys in comparable form, and which keys are NULL.
struct Side {
    rows: RecordBatch,
    keys: Keys,
    /// Which rows have a NULL in some key column (such a row never has a partner).
    null_keys: Option<NullBuffer>,
}

/// A side's keys, compared as the sort before the join ordered them (ascending, NULLs first): as numbers when
/// they are integers that fit in 128 bits (see [`integer_keys`]), else in Arrow's row format.
enum Keys {
    Numbers(Vec<u128>),
    Rows(Rows),
}

impl Side {
    fn new(batches: &[RecordBatch], keys: &[Expr], columns: &[Attribute], converter: &RowConverter) -> Result<Self> {
        let rows = concat_batches(&schema_of(columns), batches)?;
        let key_columns = keys.iter().map(|k| evaluate(k, &rows, columns)).collect::<Result<Vec<_>>>()?;
        let null_keys = key_columns.iter().fold(None, |nulls, column| NullBuffer::union(nulls.as_ref(), column.logical_nulls().as_ref()));
        let ascending: Vec<SortOrder> = keys.iter().map(|k| SortOrder::new(k.clone(), true)).collect();
        let keys = match integer_keys(&ascending, &key_columns) {
            Some(numbers) => Keys::Numbers(numbers),
            None => Keys::Rows(converter.convert_columns(&key_columns)?),
        };
        Ok(Self { keys, rows, null_keys })
    }

    fn len(&self) -> usize {
        self.rows.num_rows()
    }

    fn has_null_key(&self, row: usize) -> bool {
        self.null_keys.as_ref().is_some_and(|nulls| nulls.is_null(row))
    }

    /// How the key of row `i` here compares with the key of row `j` of `other`.
    fn compare(&self, i: usize, other: &Side, j: usize) -> Ordering {
        match (&self.keys, &other.keys) {
            (Keys::Numbers(mine), Keys::Numbers(theirs)) => mine[i].cmp(&theirs[j]),
            (Keys::Rows(mine), Keys::Rows(theirs)) => mine.row(i).cmp(&theirs.row(j)),
            _ => unreachable!("both sides' keys have the same types, so the same form"),
        }
    }

    /// The end of the run of rows from `start` that share `start`'s key.
    fn group_end(&self, start: usize) -> usize {
        (start + 1..self.len()).find(|&i| self.compare(i, self, start) != Ordering::Equal).unwrap_or(self.len())
    }
}

/// Rows per batch of a join's output.
const OUTPUT_BATCH_ROWS: usize = 8192;

/// One task of a sort-merge join over a partition of each side, both sorted by their keys.
pub struct MergeJoinTask<'a> {
    pub join_type: JoinType,
    pub left_keys: &'a [Expr],
    pub right_keys: &'a [Expr],
    pub left_columns: &'a [Attribute],
    pub right_columns: &'a [Attribute],
    pub residual: Option<&'a Expr>,
    pub output: &'a [Attribute],
}

impl MergeJoinTask<'_> {
    /// The joined rows, put together a batch of [`OUTPUT_BATCH_ROWS`] at a time as the stage pulls them: the
    /// operators above (a projection, a partial aggregation) work on each while it is in cache, and no memory is
    /// taken for the whole output at once.
    pub fn run(&self, left: &[RecordBatch], right: &[RecordBatch]) -> Result<impl Iterator<Item = Result<RecordBatch>> + use<>> {
        let types = |keys: &[Expr]| keys.iter().map(Expr::data_type).collect::<Vec<_>>();
        if types(self.left_keys) != types(self.right_keys) {
            return Err(EngineError::Internal("a sort-merge join over keys of different types".into()));
        }
        let converter = RowConverter::new(self.left_keys.iter().map(|k| SortField::new(k.data_type().to_arrow())).collect())?;
        let left = Side::new(left, self.left_keys, self.left_columns, &converter)?;
        let right = Side::new(right, self.right_keys, self.right_columns, &converter)?;
        let pairs = self.merge(&left, &right)?;
        let (keeps_right, output) = (self.join_type.keeps_right(), self.output.to_vec());
        let batch_starts = (0..pairs.len()).step_by(OUTPUT_BATCH_ROWS);
        Ok(batch_starts.map(move |start| {
            let batch = &pairs[start..pairs.len().min(start + OUTPUT_BATCH_ROWS)];
            assemble(batch, &left.rows, &right.rows, keeps_right, &output)
        }))
    }

    fn merge(&self, left: &Side, right: &Side) -> Result<Vec<(Option<u32>, Option<u32>)>> {
        let keeps_left = matches!(self.join_type, JoinType::LeftOuter | JoinType::FullOuter | JoinType::LeftAnti);
        let keeps_right = matches!(self.join_type, JoinType::RightOuter | JoinType::FullOuter);
        // Room for the usual case of at most one partner per row, so the list does not grow step by step.
        let mut pairs = Vec::with_capacity(left.len().max(right.len()));
        let (mut i, mut j) = (0, 0);
        while i < left.len() || j < right.len() {
            let left_alone = i < left.len() && (j == right.len() || left.has_null_key(i));
            let right_alone = j < right.len() && (i == left.len() || right.has_null_key(j));
            let ordering = if left_alone {
                Ordering::Less
            } else if right_alone {
                Ordering::Greater
            } else {
                left.compare(i, right, j)
            };
            match ordering {
                Ordering::Less => {
                    if keeps_left {
                        pairs.push((Some(i as u32), None));
                    }
                    i += 1;
                }
                Ordering::Greater => {
                    if keeps_right {
                        pairs.push((None, Some(j as u32)));
                    }
                    j += 1;
                }
                Ordering::Equal => {
                    let (left_end, right_end) = (left.group_end(i), right.group_end(j));
                    self.join_group(left, right, (i, left_end), (j, right_end), &mut pairs)?;
                    (i, j) = (left_end, right_end);
                }
            }
        }
        Ok(pairs)
    }

    /// Pairs the rows of one key: every left row with the right rows the rest of the condition accepts.
    fn join_group(
        &self,
        left: &Side,
        right: &Side,
        (left_start, left_end): (usize, usize),
        (right_start, right_end): (usize, usize),
        pairs: &mut Vec<(Option<u32>, Option<u32>)>,
    ) -> Result<()> {
        if self.residual.is_none() {
            self.pair_whole_group(left_start as u32..left_end as u32, right_start as u32..right_end as u32, pairs);
            return Ok(());
        }
        let mut right_matched = vec![false; right_end - right_start];
        let candidates: Vec<u32> = (right_start as u32..right_end as u32).collect();
        for l in left_start..left_end {
            let partners = self.accepted(left, right, l as u32, &candidates)?;
            for &r in partners.iter() {
                right_matched[r as usize - right_start] = true;
            }
            match self.join_type {
                JoinType::LeftSemi if !partners.is_empty() => pairs.push((Some(l as u32), None)),
                JoinType::LeftAnti if partners.is_empty() => pairs.push((Some(l as u32), None)),
                JoinType::LeftSemi | JoinType::LeftAnti => {}
                JoinType::LeftOuter | JoinType::FullOuter if partners.is_empty() => pairs.push((Some(l as u32), None)),
                _ => pairs.extend(partners.iter().map(|&r| (Some(l as u32), Some(r)))),
            }
        }
        if matches!(self.join_type, JoinType::RightOuter | JoinType::FullOuter) {
            let unmatched = right_matched.iter().enumerate().filter(|(_, matched)| !**matched);
            pairs.extend(unmatched.map(|(offset, _)| (None, Some((right_start + offset) as u32))));
        }
        Ok(())
    }

    /// Pairs the rows of one key when the keys are the whole condition: every left row meets every right row, so
    /// no row of the group goes unmatched (and nothing is allocated per key).
    fn pair_whole_group(&self, lefts: Range<u32>, rights: Range<u32>, pairs: &mut Vec<(Option<u32>, Option<u32>)>) {
        match self.join_type {
            JoinType::LeftSemi => pairs.extend(lefts.map(|l| (Some(l), None))),
            JoinType::LeftAnti => {}
            _ => {
                for l in lefts {
                    pairs.extend(rights.clone().map(|r| (Some(l), Some(r))));
                }
            }
        }
    }

    fn accepted<'c>(&self, left: &Side, right: &Side, l: u32, candidates: &'c [u32]) -> Result<Cow<'c, [u32]>> {
        let Some(residual) = self.residual else { return Ok(Cow::Borrowed(candidates)) };
        let pairs: Vec<(Option<u32>, Option<u32>)> = candidates.iter().map(|&r| (Some(l), Some(r))).collect();
        let holds = pairs_satisfying(residual, &pairs, (&left.rows, self.left_columns), (&right.rows, self.right_columns))?;
        Ok(Cow::Owned(candidates.iter().zip(holds).filter(|(_, keep)| *keep).map(|(r, _)| *r).collect()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{AsArray, Int64Array};
    use arrow::datatypes::Int64Type;

    use super::*;
    use crate::types::SparkType;

    fn side(name: &str, keys: std::ops::Range<i64>) -> (Vec<Attribute>, RecordBatch) {
        let columns = vec![Attribute::new(format!("{name}_key"), SparkType::Long, true), Attribute::new(format!("{name}_value"), SparkType::Long, true)];
        let values = keys.clone().map(|k| k * 10);
        let batch = RecordBatch::try_new(
            schema_of(&columns),
            vec![Arc::new(Int64Array::from_iter_values(keys)), Arc::new(Int64Array::from_iter_values(values))],
        )
        .unwrap();
        (columns, batch)
    }

    #[test]
    fn a_full_outer_merge_hands_its_rows_on_a_batch_at_a_time_in_key_order() {
        let (left_columns, left) = side("l", 0..20_000);
        let (right_columns, right) = side("r", 10_000..30_000);
        let output: Vec<Attribute> = left_columns.iter().chain(&right_columns).cloned().collect();
        let task = MergeJoinTask {
            join_type: JoinType::FullOuter,
            left_keys: &[Expr::Attribute(left_columns[0].clone())],
            right_keys: &[Expr::Attribute(right_columns[0].clone())],
            left_columns: &left_columns,
            right_columns: &right_columns,
            residual: None,
            output: &output,
        };
        let batches: Vec<RecordBatch> = task.run(&[left], &[right]).unwrap().collect::<Result<_>>().unwrap();
        assert!(batches.len() > 1 && batches.iter().all(|b| b.num_rows() <= OUTPUT_BATCH_ROWS), "{} batches", batches.len());
        let joined = concat_batches(&schema_of(&output), &batches).unwrap();
        let column = |i: usize| joined.column(i).as_primitive::<Int64Type>().iter().collect::<Vec<_>>();
        // Keys 0..10k only on the left, 10k..20k on both sides, 20k..30k only on the right.
        let expected_left: Vec<Option<i64>> = (0..30_000).map(|k| (k < 20_000).then_some(k)).collect();
        let expected_right: Vec<Option<i64>> = (0..30_000).map(|k| (k >= 10_000).then_some(k)).collect();
        assert_eq!(column(0), expected_left);
        assert_eq!(column(2), expected_right);
        assert_eq!(column(1), expected_left.iter().map(|k| k.map(|k| k * 10)).collect::<Vec<_>>());
        assert_eq!(column(3), expected_right.iter().map(|k| k.map(|k| k * 10)).collect::<Vec<_>>());
    }
}
