//! Joins: what every join strategy shares.
//!
//! A join pairs rows of two inputs whose keys are equal. How it finds the pairs is the strategy: a *broadcast hash
//! join* copies the small side to every executor and looks each row of the big side up in it (see
//! [`crate::broadcast`]); a *sort-merge join* shuffles both sides by key and walks the two sorted partitions side
//! by side (see [`crate::sort_merge_join`]). Either way the result is a list of (left row, right row) pairs, with a
//! missing side in outer joins filled with NULLs; this module turns those pairs into output rows.

use std::sync::Arc;

use arrow::array::{ArrayRef, DictionaryArray, RecordBatch, UInt32Array};
use arrow::datatypes::UInt32Type;
use arrow::compute::take;

use crate::expr::{Attribute, BinaryOp, Expr, call, lit};
use crate::functions::ScalarFunction;
use crate::value::Value;
use crate::hash_aggregate::batch_of;
use crate::{EngineError, Result};

/// The kinds of join Spark has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinType {
    Inner,
    LeftOuter,
    RightOuter,
    FullOuter,
    LeftSemi,
    LeftAnti,
    Cross,
}

impl JoinType {
    /// The `how` of `df.join(other, on, how)`, with every spelling Spark accepts.
    pub fn parse(how: &str) -> Result<Self> {
        Ok(match how.to_ascii_lowercase().replace('_', "").as_str() {
            "inner" => Self::Inner,
            "left" | "leftouter" => Self::LeftOuter,
            "right" | "rightouter" => Self::RightOuter,
            "full" | "outer" | "fullouter" => Self::FullOuter,
            "semi" | "leftsemi" => Self::LeftSemi,
            "anti" | "leftanti" => Self::LeftAnti,
            "cross" => Self::Cross,
            _ => {
                return Err(EngineError::Analysis(format!(
                    "[UNSUPPORTED_JOIN_TYPE] Unsupported join type '{how}'. Supported join types include: 'inner', \
                     'outer', 'full', 'fullouter', 'full_outer', 'leftouter', 'left', 'left_outer', 'rightouter', \
                     'right', 'right_outer', 'leftsemi', 'left_semi', 'semi', 'leftanti', 'left_anti', 'anti', \
                     'cross'. SQLSTATE: 42K0G"
                )));
            }
        })
    }

    /// As plans print it: `Inner`, `FullOuter`, `LeftSemi`, ...
    pub fn name(self) -> &'static str {
        match self {
            Self::Inner => "Inner",
            Self::LeftOuter => "LeftOuter",
            Self::RightOuter => "RightOuter",
            Self::FullOuter => "FullOuter",
            Self::LeftSemi => "LeftSemi",
            Self::LeftAnti => "LeftAnti",
            Self::Cross => "Cross",
        }
    }

    /// Whether the join's output has the right side's columns.
    pub fn keeps_right(self) -> bool {
        !matches!(self, Self::LeftSemi | Self::LeftAnti)
    }

    /// The join's output columns: the left's then the right's, NULL-able on a side an outer join may leave empty.
    pub fn output(self, left: &[Attribute], right: &[Attribute]) -> Vec<Attribute> {
        let nullable = |attributes: &[Attribute], forced: bool| -> Vec<Attribute> {
            attributes.iter().map(|a| Attribute { nullable: a.nullable || forced, ..a.clone() }).collect()
        };
        let mut output = nullable(left, matches!(self, Self::RightOuter | Self::FullOuter));
        if self.keeps_right() {
            output.extend(nullable(right, matches!(self, Self::LeftOuter | Self::FullOuter)));
        }
        output
    }
}

/// A join condition split for a hash or merge join: pairs of equal keys (left expression, right expression) and
/// whatever else the condition asks, checked on each candidate pair.
#[derive(Debug, Clone, Default)]
pub struct JoinKeys {
    pub left: Vec<Expr>,
    pub right: Vec<Expr>,
    pub other: Option<Expr>,
}

impl JoinKeys {
    /// Finds the `left = right` conjuncts of `condition` whose sides each read only one input.
    pub fn extract(condition: Option<&Expr>, left: &[Attribute], right: &[Attribute]) -> Self {
        let mut keys = Self::default();
        let Some(condition) = condition else { return keys };
        let reads_only = |e: &Expr, side: &[Attribute]| {
            let references = e.references();
            !references.is_empty() && references.iter().all(|r| side.iter().any(|a| a.id == r.id))
        };
        let mut others = Vec::new();
        for part in condition.conjuncts() {
            if let Expr::Binary { op: op @ (BinaryOp::Eq | BinaryOp::NullSafeEq), left: l, right: r } = part {
                let sides = if reads_only(l, left) && reads_only(r, right) {
                    Some((l.as_ref(), r.as_ref()))
                } else if reads_only(r, left) && reads_only(l, right) {
                    Some((r.as_ref(), l.as_ref()))
                } else {
                    None
                };
                if let Some((l, r)) = sides {
                    keys.push(*op, l, r);
                    continue;
                }
            }
            others.push(part.clone());
        }
        keys.other = others.into_iter().reduce(Expr::and);
        keys
    }

    /// One key pair; `l <=> r` (NULLs equal) becomes two, as in Spark: `coalesce(l, default) = coalesce(r, default)`
    /// and `isnull(l) = isnull(r)`.
    fn push(&mut self, op: BinaryOp, l: &Expr, r: &Expr) {
        if op == BinaryOp::NullSafeEq {
            let default = |e: &Expr| call(ScalarFunction::Coalesce, vec![e.clone(), lit(Value::default_of(e.data_type()))]);
            self.left.extend([default(l), l.clone().is_null()]);
            self.right.extend([default(r), r.clone().is_null()]);
        } else {
            self.left.push(l.clone());
            self.right.push(r.clone());
        }
    }

    pub fn is_equi_join(&self) -> bool {
        !self.left.is_empty()
    }
}

/// For each pair of rows, whether the rest of the join condition (`residual`) holds for it.
pub fn pairs_satisfying(
    residual: &Expr,
    pairs: &[(Option<u32>, Option<u32>)],
    (left, left_columns): (&RecordBatch, &[Attribute]),
    (right, right_columns): (&RecordBatch, &[Attribute]),
) -> Result<Vec<bool>> {
    let columns: Vec<Attribute> = left_columns.iter().chain(right_columns).cloned().collect();
    let joined = assemble(pairs, left, right, true, &columns)?;
    let holds = crate::expr::eval::evaluate(residual, &joined, &columns)?;
    let holds = crate::expr::eval::is_true(arrow::array::AsArray::as_boolean(&holds));
    Ok(holds.values().iter().collect())
}

/// Output rows from pairs of row indices into `left` and `right`; `None` on a side gives NULLs there.
pub fn assemble(
    pairs: &[(Option<u32>, Option<u32>)],
    left: &RecordBatch,
    right: &RecordBatch,
    keep_right: bool,
    output: &[Attribute],
) -> Result<RecordBatch> {
    assemble_deferring(pairs, left, right, keep_right, output, &[])
}

/// Like [`assemble`], but the right columns marked in `by_position` come out as the right row of each output
/// row (a dictionary array over the right column) instead of a copy of its values.
pub fn assemble_deferring(
    pairs: &[(Option<u32>, Option<u32>)],
    left: &RecordBatch,
    right: &RecordBatch,
    keep_right: bool,
    output: &[Attribute],
    by_position: &[bool],
) -> Result<RecordBatch> {
    // Every left row once, in order (a many-to-one join with the lookup on the right): nothing to move.
    let left_in_order = pairs.len() == left.num_rows() && pairs.iter().enumerate().all(|(i, (l, _))| *l == Some(i as u32));
    let left_rows = (!left_in_order).then(|| row_indices(pairs.iter().map(|(l, _)| *l)));
    let right_rows = keep_right.then(|| row_indices(pairs.iter().map(|(_, r)| *r)));
    assemble_rows((left, left_rows.as_ref()), (right, right_rows.as_ref()), pairs.len(), output, by_position, &[])
}

/// `rows` output rows: the rows `left_rows` of `left` (`None`: every left row, in order) beside the rows
/// `right_rows` of `right` (`None`: no right columns); a NULL row number gives NULLs on its side. The right columns
/// marked in `by_position` come out as a dictionary array over the right column; those `known` already are
/// taken as they are.
pub fn assemble_rows(
    (left, left_rows): (&RecordBatch, Option<&UInt32Array>),
    (right, right_rows): (&RecordBatch, Option<&UInt32Array>),
    rows: usize,
    output: &[Attribute],
    by_position: &[bool],
    known: &[Option<ArrayRef>],
) -> Result<RecordBatch> {
    let mut columns: Vec<ArrayRef> = match left_rows {
        None => left.columns().to_vec(),
        Some(left_rows) => left.columns().iter().map(|c| take(c, left_rows, None)).collect::<Result<_, _>>()?,
    };
    if let Some(right_rows) = right_rows {
        for (index, column) in right.columns().iter().enumerate() {
            if let Some(Some(known)) = known.get(index) {
                columns.push(known.clone());
            } else if by_position.get(index) == Some(&true) {
                columns.push(Arc::new(DictionaryArray::<UInt32Type>::try_new(right_rows.clone(), column.clone())?));
            } else {
                columns.push(take(column, right_rows, None)?);
            }
        }
    }
    batch_of(output, columns, rows)
}

/// Row numbers for `take`, `None` for the NULL row of a missing side. Without any `None` (the usual case) the
/// numbers go straight into a buffer, with no validity to build.
fn row_indices(rows: impl Iterator<Item = Option<u32>> + Clone) -> UInt32Array {
    match rows.clone().collect::<Option<Vec<u32>>>() {
        Some(all_present) => UInt32Array::from(all_present),
        None => rows.collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::SparkType;

    #[test]
    fn every_spelling_spark_accepts_parses() {
        assert_eq!(JoinType::parse("outer").unwrap(), JoinType::FullOuter);
        assert_eq!(JoinType::parse("left_outer").unwrap(), JoinType::LeftOuter);
        assert_eq!(JoinType::parse("LeftAnti").unwrap(), JoinType::LeftAnti);
        assert!(JoinType::parse("sideways").unwrap_err().to_string().starts_with("[UNSUPPORTED_JOIN_TYPE]"));
    }

    #[test]
    fn equal_keys_are_found_on_either_side_of_the_equals_sign() {
        let (a, b) = (Attribute::new("zone", SparkType::Integer, true), Attribute::new("LocationID", SparkType::Integer, true));
        let condition = Expr::Attribute(b.clone()).eq(Expr::Attribute(a.clone())).and(Expr::Attribute(a.clone()).gt(crate::expr::lit(3)));
        let keys = JoinKeys::extract(Some(&condition), std::slice::from_ref(&a), std::slice::from_ref(&b));
        assert_eq!(keys.left, vec![Expr::Attribute(a)]);
        assert_eq!(keys.right, vec![Expr::Attribute(b)]);
        assert!(keys.other.is_some());
    }
}
