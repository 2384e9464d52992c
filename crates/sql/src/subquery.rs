//! Subqueries in `WHERE`: `x IN (SELECT …)`, `EXISTS (SELECT …)` and their `NOT` forms. Spark turns each into a
//! join of the outer rows with the subquery's rows — a *left semi* join keeps the outer rows that have a match,
//! a *left anti* join those that have none — so the plan shows a join where the SQL shows a subquery. A
//! *correlated* subquery (one whose `WHERE` names outer columns, `dept.id = emp.dept_id`) lends that condition to
//! the join.

use kindling_engine::dataframe::{DataFrame, JoinOn};
use kindling_engine::expr::Expr;
use sqlparser::ast::{self, SetExpr, Spanned};

use crate::error::{Position, Result};
use crate::query::Planner;
use crate::unsupported;

/// A `WHERE` conjunct that is a subquery test, applied to `input`; `None` for any other conjunct.
pub fn apply(planner: &mut Planner, input: &DataFrame, conjunct: &ast::Expr) -> Result<Option<DataFrame>> {
    let position: Position = conjunct.span().start.into();
    let joined = match conjunct {
        ast::Expr::Exists { subquery, negated } => {
            let how = if *negated { "left_anti" } else { "left_semi" };
            match uncorrelated(planner, subquery) {
                Some(rows) => planner.located(input.join(&rows, JoinOn::Nothing, how), position)?,
                None => {
                    let (rows, condition) = correlated(planner, subquery, position)?;
                    let on = condition.map_or(JoinOn::Nothing, JoinOn::Condition);
                    planner.located(input.join(&rows, on, how), position)?
                }
            }
        }
        ast::Expr::InSubquery { expr, subquery, negated } => {
            let value = planner.translate(expr)?;
            let (rows, correlation, item) = match uncorrelated(planner, subquery) {
                Some(rows) => {
                    let columns = rows.attributes();
                    let [column] = columns.as_slice() else {
                        unsupported!(position, "IN with a subquery of {} columns", columns.len());
                    };
                    (rows.clone(), None, Expr::Attribute(column.clone()))
                }
                None => {
                    let (rows, condition) = correlated(planner, subquery, position)?;
                    let item = selected_item(planner, subquery, position)?;
                    (rows, condition, item)
                }
            };
            let equal = value.eq(item);
            // NOT IN is false as soon as a comparison is unknown (a NULL on either side), as SQL says.
            let test = if *negated { equal.clone().or(equal.is_null()) } else { equal };
            let condition = match correlation {
                Some(correlation) => correlation.and(test),
                None => test,
            };
            let how = if *negated { "left_anti" } else { "left_semi" };
            planner.located(input.join(&rows, JoinOn::Condition(condition), how), position)?
        }
        _ => return Ok(None),
    };
    Ok(Some(joined))
}

/// The subquery planned on its own, if it reads no outer column.
fn uncorrelated(planner: &mut Planner, subquery: &ast::Query) -> Option<DataFrame> {
    planner.query(subquery).ok()
}

/// A correlated subquery's `FROM`, and its `WHERE` as the join condition (it names outer and inner columns).
fn correlated(planner: &mut Planner, subquery: &ast::Query, position: Position) -> Result<(DataFrame, Option<Expr>)> {
    let select = simple_select(subquery, position)?;
    let rows = planner.from_clause(&select.from, position)?;
    let condition = select.selection.as_ref().map(|c| planner.translate(c)).transpose()?;
    Ok((rows, condition))
}

fn selected_item(planner: &mut Planner, subquery: &ast::Query, position: Position) -> Result<Expr> {
    let select = simple_select(subquery, position)?;
    match select.projection.as_slice() {
        [ast::SelectItem::UnnamedExpr(expr) | ast::SelectItem::ExprWithAlias { expr, .. }] => planner.translate(expr),
        _ => unsupported!(position, "IN with a correlated subquery of several columns"),
    }
}

/// The one SELECT of a correlated subquery, which may only filter: no grouping, ordering or limit.
fn simple_select(subquery: &ast::Query, position: Position) -> Result<&ast::Select> {
    match subquery.body.as_ref() {
        SetExpr::Select(select)
            if subquery.with.is_none()
                && subquery.order_by.is_none()
                && subquery.limit_clause.is_none()
                && select.having.is_none()
                && matches!(&select.group_by, ast::GroupByExpr::Expressions(keys, _) if keys.is_empty()) =>
        {
            Ok(select)
        }
        _ => unsupported!(position, "A correlated subquery with grouping, ordering, a limit or a set operation"),
    }
}
