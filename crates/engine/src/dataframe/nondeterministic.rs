//! Sorting or grouping by a nondeterministic value (`orderBy(rand(9))`, `groupBy(rand(2) > 0.5)`): as Spark's
//! analyzer does (`PullOutNondeterministic`), the value is first computed by a projection below, as a column named
//! `_nondeterministic`, and the sort or aggregation reads that column — so each row draws its value once, in the
//! task that reads the row, wherever the sort's exchange later sends it.

use crate::expr::nondeterministic::is_nondeterministic;
use crate::expr::{Expr, ExprId};
use crate::logical::{LogicalPlan, output_attribute};

use super::DataFrame;

impl DataFrame {
    /// `exprs` reading each nondeterministic value from a column of a projection over `self`, and that
    /// projection — or `None` when no expression draws such a value.
    pub(super) fn with_nondeterministic_columns(&self, exprs: &[Expr]) -> Option<(DataFrame, Vec<Expr>)> {
        if !exprs.iter().any(is_nondeterministic) {
            return None;
        }
        let mut columns: Vec<(Expr, Expr)> = Vec::new();
        let rewritten = exprs.iter().map(|e| read_from_columns(e.clone(), &mut columns)).collect();
        let projection = self
            .attributes()
            .into_iter()
            .map(Expr::Attribute)
            .chain(columns.into_iter().map(|(_, alias)| alias))
            .collect();
        let below = self.with_plan(LogicalPlan::Project { exprs: projection, input: self.plan.clone() });
        Some((below, rewritten))
    }

    /// Only the columns of `self`, over `plan` (which has them and more).
    pub(super) fn keeping_columns_of(&self, plan: DataFrame) -> DataFrame {
        let exprs = self.attributes().into_iter().map(Expr::Attribute).collect();
        plan.with_plan(LogicalPlan::Project { exprs, input: plan.plan.clone() })
    }
}

/// `expr` with each nondeterministic value replaced by a column; `columns` pairs each value met with its alias.
fn read_from_columns(expr: Expr, columns: &mut Vec<(Expr, Expr)>) -> Expr {
    let replaced: Result<Expr, std::convert::Infallible> = expr.transform_up(&mut |e| {
        if !matches!(e, Expr::Nondeterministic(_)) {
            return Ok(e);
        }
        let alias = match columns.iter().find(|(value, _)| *value == e) {
            Some((_, alias)) => alias.clone(),
            None => {
                let alias = Expr::Alias { expr: Box::new(e.clone()), name: "_nondeterministic".into(), id: ExprId::next() };
                columns.push((e, alias.clone()));
                alias
            }
        };
        Ok(Expr::Attribute(output_attribute(&alias)))
    });
    replaced.unwrap_or_else(|never| match never {})
}
