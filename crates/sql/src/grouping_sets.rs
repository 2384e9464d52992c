//! `GROUP BY GROUPING SETS ((a), (a, b))`, `ROLLUP (a, b)`, `CUBE (a, b)` and `WITH ROLLUP` / `WITH CUBE`: one
//! aggregation over several groupings at once. Each grouping set is a copy of the input in which the keys it
//! leaves out are NULL and a grouping id tells the copies apart; one aggregation over all the copies, by every key
//! and the id, then gives each set's groups — the way Spark's `Expand` works, with a union of projections in its
//! place.

use kindling_engine::dataframe::DataFrame;
use kindling_engine::dataframe::grouping_sets::{GroupingCopies, key_attributes};
use kindling_engine::expr::{Attribute, Expr};
use sqlparser::ast::{self, GroupByExpr, GroupByWithModifier};

use crate::error::{Position, Result};

/// `expr` (a select item) reading the grouping keys' copies instead of the keys, except inside aggregates, which
/// read the original rows.
pub fn over_key_copies(expr: Expr, keys: &[Expr], copies: &[Attribute]) -> Expr {
    if matches!(expr, Expr::Aggregate { .. }) {
        return expr;
    }
    if let Some(i) = keys.iter().position(|key| same_column(key, &expr)) {
        return Expr::Attribute(copies[i].clone());
    }
    let replaced: std::result::Result<Expr, std::convert::Infallible> =
        expr.map_children(|child| Ok(over_key_copies(child, keys, copies)));
    replaced.unwrap_or_else(|never| match never {})
}

fn same_column(key: &Expr, expr: &Expr) -> bool {
    match (key, expr) {
        (Expr::Column(a), Expr::Column(b)) => a.eq_ignore_ascii_case(b),
        (Expr::Attribute(a), Expr::Attribute(b)) => a.id == b.id,
        _ => false,
    }
}

/// The keys of a GROUP BY with grouping sets, and each set as positions among them; `None` for a plain GROUP BY.
pub fn grouping_sets(group_by: &GroupByExpr) -> Option<(Vec<ast::Expr>, Vec<Vec<usize>>)> {
    let GroupByExpr::Expressions(elements, modifiers) = group_by else { return None };
    let multiple = |e: &ast::Expr| matches!(e, ast::Expr::Rollup(_) | ast::Expr::Cube(_) | ast::Expr::GroupingSets(_));
    if modifiers.is_empty() && !elements.iter().any(multiple) {
        return None;
    }
    let mut keys: Vec<ast::Expr> = Vec::new();
    let mut position = |e: &ast::Expr| match keys.iter().position(|k| k == e) {
        Some(i) => i,
        None => {
            keys.push(e.clone());
            keys.len() - 1
        }
    };
    // Each element of the GROUP BY offers alternatives; the grouping sets are every combination of them.
    let mut alternatives: Vec<Vec<Vec<usize>>> = Vec::new();
    let plain: Vec<usize> = elements.iter().filter(|e| !multiple(e)).map(&mut position).collect();
    match modifiers.as_slice() {
        [] => alternatives.push(vec![plain]),
        [GroupByWithModifier::Rollup] => alternatives.push(rollup(&plain.iter().map(|&k| vec![k]).collect::<Vec<_>>())),
        [GroupByWithModifier::Cube] => alternatives.push(cube(&plain.iter().map(|&k| vec![k]).collect::<Vec<_>>())),
        [GroupByWithModifier::GroupingSets(ast::Expr::GroupingSets(sets))] => {
            alternatives.push(sets.iter().map(|set| set.iter().map(&mut position).collect()).collect())
        }
        _ => return None,
    }
    for element in elements {
        let lists = |lists: &[Vec<ast::Expr>], position: &mut dyn FnMut(&ast::Expr) -> usize| -> Vec<Vec<usize>> {
            lists.iter().map(|list| list.iter().map(&mut *position).collect()).collect()
        };
        match element {
            ast::Expr::Rollup(parts) => alternatives.push(rollup(&lists(parts, &mut position))),
            ast::Expr::Cube(parts) => alternatives.push(cube(&lists(parts, &mut position))),
            ast::Expr::GroupingSets(sets) => alternatives.push(lists(sets, &mut position)),
            _ => {}
        }
    }
    let sets = alternatives.into_iter().fold(vec![Vec::new()], |sets, choices| {
        sets.iter()
            .flat_map(|set| choices.iter().map(move |choice| set.iter().chain(choice).copied().collect::<Vec<usize>>()))
            .collect()
    });
    Some((keys, sets))
}

/// `ROLLUP (a, b)`: (a, b), (a), ().
/// The grouping sets of `ROLLUP` / `CUBE` over `keys` single keys (PySpark's `rollup(…)`, `cube(…)`).
pub fn rollup_of(keys: usize) -> Vec<Vec<usize>> {
    rollup(&(0..keys).map(|k| vec![k]).collect::<Vec<_>>())
}

pub fn cube_of(keys: usize) -> Vec<Vec<usize>> {
    cube(&(0..keys).map(|k| vec![k]).collect::<Vec<_>>())
}

fn rollup(parts: &[Vec<usize>]) -> Vec<Vec<usize>> {
    (0..=parts.len()).rev().map(|n| parts[..n].concat()).collect()
}

/// `CUBE (a, b)`: every subset, the whole first.
fn cube(parts: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = parts.len();
    (0..1usize << n)
        .rev()
        .map(|mask| (0..n).filter(|i| mask & (1 << (n - 1 - i)) != 0).flat_map(|i| parts[i].clone()).collect())
        .collect()
}

/// The input once per grouping set (an Expand, see `kindling_engine::dataframe::grouping_sets`); `keys` are the
/// grouping keys as translated (each must be a column of the input).
pub fn expanded(input: &DataFrame, keys: &[Expr], sets: &[Vec<usize>], position: Position) -> Result<GroupingCopies> {
    let located = |error: kindling_engine::EngineError| crate::error::SqlError::Analysis { message: error.to_string(), position };
    let attributes = key_attributes(input, keys).map_err(located)?;
    input.expand_grouping_sets(&attributes, sets).map_err(located)
}
