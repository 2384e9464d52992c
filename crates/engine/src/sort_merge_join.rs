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
    pub fn run(&self, left: &[RecordBatch], right: &[RecordBatch]) -> Result<Vec<RecordBatch>> {
        let types = |keys: &[Expr]| keys.iter().map(Expr::data_type).collect::<Vec<_>>();
        if types(self.left_keys) != types(self.right_keys) {
            return Err(EngineError::Internal("a sort-merge join over keys of different types".into()));
        }
        let converter = RowConverter::new(self.left_keys.iter().map(|k| SortField::new(k.data_type().to_arrow())).collect())?;
        let left = Side::new(left, self.left_keys, self.left_columns, &converter)?;
        let right = Side::new(right, self.right_keys, self.right_columns, &converter)?;
        let pairs = self.merge(&left, &right)?;
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![assemble(&pairs, &left.rows, &right.rows, self.join_type.keeps_right(), self.output)?])
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
