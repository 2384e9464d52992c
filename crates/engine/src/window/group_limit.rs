//! WindowGroupLimit: keeping only the first rows of each window partition before the window is computed.
//!
//! `row_number() OVER (PARTITION BY zone ORDER BY fare DESC) AS rn … WHERE rn = 1` keeps one row per zone, yet
//! the window would number every row and the filter throw almost all of them away. When a filter keeps only
//! the first `n` ranks of `row_number`, `rank` or `dense_rank`, Spark's optimizer puts a WindowGroupLimit under
//! the window: it walks the sorted rows and hands on only those that can still pass. It runs twice — in each
//! task before the shuffle (Partial: fewer rows to send) and after it (Final: the limit over whole window
//! partitions) — and the filter above still decides, so the answer is the same as without it.

use arrow::array::{BooleanArray, RecordBatch};
use arrow::compute::{concat_batches, filter_record_batch};

use crate::expr::window::{WindowFrame, WindowFunction};
use crate::expr::{Attribute, BinaryOp, Expr, SortOrder};
use crate::hash_aggregate::schema_of;
use crate::logical::output_attribute;
use crate::value::Value;
use crate::Result;

use super::{keys_of, runs, unaliased};

/// Spark's `spark.sql.optimizer.windowGroupLimitThreshold`: a larger limit is not worth the extra step.
const LIMIT_THRESHOLD: i64 = 1000;

/// Which step of the limit this is: in each task before the shuffle, or over whole window partitions after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupLimitMode {
    Partial,
    Final,
}

impl GroupLimitMode {
    pub fn name(self) -> &'static str {
        match self {
            Self::Partial => "Partial",
            Self::Final => "Final",
        }
    }
}

/// The rank function and limit a filter over window expressions allows a WindowGroupLimit for, as Spark's
/// `InferWindowGroupLimit` finds them: every window expression grows row by row from the partition's start (and
/// does not need the partition's size), the window is ordered, and the filter bounds a `row_number`, `rank` or
/// `dense_rank` column by a constant (`rn = 1`, `rn <= 3`, `2 > rn`). `row_number` is preferred, then the smallest
/// limit.
pub fn inferred_limit(condition: &Expr, windows: &[Expr], order_by: &[SortOrder]) -> Option<(WindowFunction, i64)> {
    if order_by.is_empty() || !windows.iter().all(grows_from_partition_start) {
        return None;
    }
    let mut limits: Vec<(WindowFunction, i64)> = Vec::new();
    for window in windows {
        let Expr::Window { function, .. } = unaliased(window) else { continue };
        let Expr::WindowFunction { function: rank @ (WindowFunction::RowNumber | WindowFunction::Rank | WindowFunction::DenseRank), .. } =
            function.as_ref()
        else {
            continue;
        };
        let column = output_attribute(window);
        if let Some(limit) = conjuncts(condition).into_iter().filter_map(|c| bound_on(c, &column)).min() {
            limits.push((*rank, limit));
        }
    }
    let row_numbers: Vec<_> = limits.iter().copied().filter(|(f, _)| *f == WindowFunction::RowNumber).collect();
    let chosen = if row_numbers.is_empty() { limits } else { row_numbers };
    chosen.into_iter().min_by_key(|(_, limit)| *limit).filter(|(_, limit)| (1..=LIMIT_THRESHOLD).contains(limit))
}

fn grows_from_partition_start(window: &Expr) -> bool {
    let Expr::Window { function, spec } = unaliased(window) else { return false };
    let needs_partition_size = matches!(
        function.as_ref(),
        Expr::WindowFunction { function: WindowFunction::PercentRank | WindowFunction::CumeDist | WindowFunction::Ntile, .. }
    );
    spec.frame == WindowFrame::running() && !needs_partition_size
}

fn conjuncts(condition: &Expr) -> Vec<&Expr> {
    match condition {
        Expr::Binary { op: BinaryOp::And, left, right } => conjuncts(left).into_iter().chain(conjuncts(right)).collect(),
        other => vec![other],
    }
}

/// The largest rank `condition` lets through for `column`, if it bounds it by an integer constant.
fn bound_on(condition: &Expr, column: &Attribute) -> Option<i64> {
    let Expr::Binary { op, left, right } = condition else { return None };
    let is_column = |e: &Expr| matches!(e, Expr::Attribute(a) if a.id == column.id);
    let constant = |e: &Expr| match e {
        Expr::Literal(Value::Integer(n)) => Some(i64::from(*n)),
        _ => None,
    };
    match (op, is_column(left), is_column(right)) {
        (BinaryOp::Eq | BinaryOp::LtEq, true, _) => constant(right),
        (BinaryOp::Lt, true, _) => constant(right).map(|n| n - 1),
        (BinaryOp::Eq | BinaryOp::GtEq, _, true) => constant(left),
        (BinaryOp::Gt, _, true) => constant(left).map(|n| n - 1),
        _ => None,
    }
}

/// The rows of one task (sorted by `partition_by`, then `order_by`) whose rank in their window partition is at most
/// `limit`.
pub fn first_ranks(
    function: WindowFunction,
    limit: usize,
    partition_by: &[Expr],
    order_by: &[SortOrder],
    batches: &[RecordBatch],
    input: &[Attribute],
) -> Result<Vec<RecordBatch>> {
    let all = concat_batches(&schema_of(input), batches)?;
    if all.num_rows() == 0 {
        return Ok(Vec::new());
    }
    let partitions = runs(&keys_of(partition_by, &all, input)?, 0..all.num_rows());
    let order_keys = keys_of(&order_by.iter().map(|o| o.expr.clone()).collect::<Vec<_>>(), &all, input)?;
    let mut keep = vec![false; all.num_rows()];
    for partition in partitions {
        let mut rank = 0;
        for (number, peers) in runs(&order_keys, partition.clone()).into_iter().enumerate() {
            for row in peers.clone() {
                rank = match function {
                    WindowFunction::RowNumber => row - partition.start + 1,
                    WindowFunction::DenseRank => number + 1,
                    _ => peers.start - partition.start + 1,
                };
                keep[row] = rank <= limit;
            }
            if rank > limit {
                break;
            }
        }
    }
    Ok(vec![filter_record_batch(&all, &BooleanArray::from(keep))?])
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{AsArray, Int32Array};
    use arrow::datatypes::Int32Type;

    use super::*;
    use crate::types::SparkType;

    /// Zones and fares, sorted by zone and fare descending, with ties in zone 1.
    fn sorted_rows() -> (Vec<Attribute>, RecordBatch) {
        let input = vec![Attribute::new("zone", SparkType::Integer, false), Attribute::new("fare", SparkType::Integer, false)];
        let zones = Int32Array::from(vec![1, 1, 1, 1, 2, 2]);
        let fares = Int32Array::from(vec![9, 9, 7, 5, 8, 3]);
        let batch = RecordBatch::try_new(schema_of(&input), vec![Arc::new(zones), Arc::new(fares)]).unwrap();
        (input, batch)
    }

    fn kept_fares(function: WindowFunction, limit: usize) -> Vec<i32> {
        let (input, batch) = sorted_rows();
        let partition_by = vec![Expr::Attribute(input[0].clone())];
        let order_by = vec![SortOrder::new(Expr::Attribute(input[1].clone()), false)];
        let kept = first_ranks(function, limit, &partition_by, &order_by, &[batch], &input).unwrap();
        kept.iter().flat_map(|b| b.column(1).as_primitive::<Int32Type>().values().to_vec()).collect()
    }

    #[test]
    fn each_rank_function_keeps_its_own_first_rows() {
        assert_eq!(kept_fares(WindowFunction::RowNumber, 1), [9, 8]);
        assert_eq!(kept_fares(WindowFunction::Rank, 1), [9, 9, 8], "ties share the first rank");
        assert_eq!(kept_fares(WindowFunction::Rank, 2), [9, 9, 8, 3], "after two ties the next rank is 3");
        assert_eq!(kept_fares(WindowFunction::DenseRank, 2), [9, 9, 7, 8, 3]);
    }

    #[test]
    fn a_filter_bounding_a_rank_column_gives_the_limit() {
        let (input, _) = sorted_rows();
        let spec = crate::expr::window::WindowSpec {
            partition_by: vec![Expr::Attribute(input[0].clone())],
            order_by: vec![SortOrder::new(Expr::Attribute(input[1].clone()), false)],
            frame: WindowFrame::running(),
        };
        let rank = |function| Expr::Window {
            function: Box::new(Expr::WindowFunction { function, args: vec![], ignore_nulls: false }),
            spec: Box::new(spec.clone()),
        };
        let windows = vec![rank(WindowFunction::Rank).alias("r"), rank(WindowFunction::RowNumber).alias("n")];
        let [r, n] = [&windows[0], &windows[1]].map(|w| Expr::Attribute(output_attribute(w)));
        let constant = |v: i32| Expr::Literal(Value::Integer(v));
        let both = r.clone().lt_eq(constant(5)).and(constant(3).gt(n.clone()));
        assert_eq!(inferred_limit(&both, &windows, &spec.order_by), Some((WindowFunction::RowNumber, 2)), "row_number first");
        assert_eq!(inferred_limit(&r.clone().eq(constant(4)), &windows, &spec.order_by), Some((WindowFunction::Rank, 4)));
        assert_eq!(inferred_limit(&r.gt(constant(4)), &windows, &spec.order_by), None, "a lower bound is no limit");
    }
}
