//! Window expressions: `rank() OVER (PARTITION BY zone ORDER BY fare DESC)`, `sum(x) OVER (… ROWS BETWEEN …)`.
//!
//! A window function gives every row a value computed over *its window*: the rows of the same partition (the
//! `PARTITION BY` keys), in the `ORDER BY` order, limited to a frame around the row. Unlike a group-by, no row
//! is folded away. This module holds what the expression says; the operator that computes it is
//! [`crate::window`].

use std::fmt;

use super::{Expr, SortOrder};
use crate::value::Value;

/// A function only windows have (any aggregate can also run over a window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowFunction {
    RowNumber,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
    /// `ntile(n)`: which of `n` nearly equal buckets the row falls in.
    Ntile,
    /// `lag(x, offset, default)`: `x` of the row `offset` rows before.
    Lag,
    /// `lead(x, offset, default)`: `x` of the row `offset` rows after.
    Lead,
    /// `nth_value(x, n)`: `x` of the frame's `n`th row.
    NthValue,
}

impl WindowFunction {
    pub fn name(self) -> &'static str {
        match self {
            Self::RowNumber => "row_number",
            Self::Rank => "rank",
            Self::DenseRank => "dense_rank",
            Self::PercentRank => "percent_rank",
            Self::CumeDist => "cume_dist",
            Self::Ntile => "ntile",
            Self::Lag => "lag",
            Self::Lead => "lead",
            Self::NthValue => "nth_value",
        }
    }

    pub fn by_name(name: &str) -> Option<Self> {
        let all = [
            Self::RowNumber,
            Self::Rank,
            Self::DenseRank,
            Self::PercentRank,
            Self::CumeDist,
            Self::Ntile,
            Self::Lag,
            Self::Lead,
            Self::NthValue,
        ];
        all.into_iter().find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// `RANK()`, `DENSE_RANK()`, `PERCENT_RANK()`: the functions whose column Spark names in capitals.
    pub fn named_in_capitals(self) -> bool {
        matches!(self, Self::Rank | Self::DenseRank | Self::PercentRank)
    }

    /// Functions that number rows by their order: they need an `ORDER BY` and have a fixed frame.
    pub fn ranks(self) -> bool {
        !matches!(self, Self::NthValue)
    }
}

/// Whether a frame counts rows or ranges of the ordering value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// `ROWS`: so many rows before or after.
    Rows,
    /// `RANGE`: the rows whose ordering value is within so much of the current row's (ties always together).
    Range,
}

/// One end of a frame.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameBound {
    UnboundedPreceding,
    /// `n PRECEDING`: a number of rows (`ROWS`) or an amount of the ordering value (`RANGE`).
    Preceding(Value),
    CurrentRow,
    Following(Value),
    UnboundedFollowing,
}

/// Which rows around the current one a window function sees.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowFrame {
    pub kind: FrameKind,
    pub start: FrameBound,
    pub end: FrameBound,
}

impl WindowFrame {
    /// Spark's frame when none is written: with an `ORDER BY`, every row up to the current one and its ties
    /// (`RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`); without, the whole partition.
    pub fn default_for(ordered: bool) -> Self {
        if ordered {
            Self { kind: FrameKind::Range, start: FrameBound::UnboundedPreceding, end: FrameBound::CurrentRow }
        } else {
            Self { kind: FrameKind::Rows, start: FrameBound::UnboundedPreceding, end: FrameBound::UnboundedFollowing }
        }
    }

    /// The frame every ranking function and `lag`/`lead` has: up to the current row.
    pub fn running() -> Self {
        Self { kind: FrameKind::Rows, start: FrameBound::UnboundedPreceding, end: FrameBound::CurrentRow }
    }
}

/// `OVER (PARTITION BY … ORDER BY … frame)`.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowSpec {
    pub partition_by: Vec<Expr>,
    pub order_by: Vec<SortOrder>,
    pub frame: WindowFrame,
}

impl WindowSpec {
    /// The same partitioning and order: window expressions that share them are computed by one operator.
    pub fn same_window(&self, other: &WindowSpec) -> bool {
        self.partition_by == other.partition_by && self.order_by == other.order_by
    }

    /// `PARTITION BY zone` and `ORDER BY fare DESC NULLS LAST`, as names show them (each only when given).
    pub fn key_clauses(&self) -> Vec<String> {
        let mut clauses = Vec::new();
        if !self.partition_by.is_empty() {
            let keys: Vec<String> = self.partition_by.iter().map(Expr::sql_name).collect();
            clauses.push(format!("PARTITION BY {}", keys.join(", ")));
        }
        if !self.order_by.is_empty() {
            let keys: Vec<String> = self.order_by.iter().map(|o| format!("{} {}", o.expr.sql_name(), o.direction())).collect();
            clauses.push(format!("ORDER BY {}", keys.join(", ")));
        }
        clauses
    }
}

impl fmt::Display for FrameBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnboundedPreceding => f.write_str("UNBOUNDED PRECEDING"),
            Self::Preceding(amount) => write!(f, "{} PRECEDING", amount),
            Self::CurrentRow => f.write_str("CURRENT ROW"),
            Self::Following(amount) => write!(f, "{} FOLLOWING", amount),
            Self::UnboundedFollowing => f.write_str("UNBOUNDED FOLLOWING"),
        }
    }
}

impl fmt::Display for WindowFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            FrameKind::Rows => "ROWS",
            FrameKind::Range => "RANGE",
        };
        write!(f, "{kind} BETWEEN {} AND {}", self.start, self.end)
    }
}

impl FrameBound {
    /// How Spark's plans print a bound: `unboundedpreceding$()`, `currentrow$()`, `-1`, `1`.
    pub fn plan_string(&self) -> String {
        match self {
            Self::UnboundedPreceding => "unboundedpreceding$()".into(),
            Self::Preceding(amount) => format!("-{}", amount),
            Self::CurrentRow => "currentrow$()".into(),
            Self::Following(amount) => amount.to_string(),
            Self::UnboundedFollowing => "unboundedfollowing$()".into(),
        }
    }
}
