//! `GROUP BY GROUPING SETS ((a), (a, b))`, `ROLLUP (a, b)`, `CUBE (a, b)` and `WITH ROLLUP` / `WITH CUBE`: one
//! aggregation over several groupings at once. Each grouping set is a copy of the input in which the keys it
//! leaves out are NULL and a grouping id tells the copies apart; one aggregation over all the copies, by every key
//! and the id, then gives each set's groups — the way Spark's `Expand` works, with a union of projections in its
//! place.

use kindling_engine::dataframe::DataFrame;
use kindling_engine::expr::{Attribute, Expr, lit};
use kindling_engine::value::Value;
use sqlparser::ast::{self, GroupByExpr, GroupByWithModifier};

use crate::error::{Position, Result};
use crate::unsupported;

/// `expr` (a select item) reading the grouping keys' copies instead of the keys, except inside aggregates, which
/// read the original rows.
pub fn over_key_copies(expr: Expr, keys: &[Expr]) -> Expr {
    if matches!(expr, Expr::Aggregate { .. }) {
        return expr;
    }
    if let Some(i) = keys.iter().position(|key| same_column(key, &expr)) {
        return kindling_engine::expr::col(&key_column(i));
    }
    let replaced: std::result::Result<Expr, std::convert::Infallible> = expr.map_children(|child| Ok(over_key_copies(child, keys)));
    replaced.unwrap_or_else(|never| match never {})
}

fn same_column(key: &Expr, expr: &Expr) -> bool {
    match (key, expr) {
        (Expr::Column(a), Expr::Column(b)) => a.eq_ignore_ascii_case(b),
        (Expr::Attribute(a), Expr::Attribute(b)) => a.id == b.id,
        _ => false,
    }
}

/// The column that tells the copies apart, as Spark names it.
pub const GROUPING_ID: &str = "spark_grouping_id";

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

/// The name of the copy of grouping key `i` that a grouping set may leave NULL; aggregates still read the
/// original column.
pub fn key_column(i: usize) -> String {
    format!("{GROUPING_ID}_key{i}")
}

/// The input once per grouping set: every column as it is, plus a copy of each key (NULL where the set leaves
/// the key out) and the set's number as `spark_grouping_id`. `keys` are the grouping keys as translated (each
/// must be a column of the input).
pub fn expanded(input: &DataFrame, keys: &[Expr], sets: &[Vec<usize>], position: Position) -> Result<DataFrame> {
    let columns = input.attributes();
    let key_columns: Vec<Attribute> = keys
        .iter()
        .map(|key| match key {
            Expr::Column(name) => match input.column(name)? {
                Expr::Attribute(attribute) => Ok(attribute),
                _ => unsupported!(position, "A grouping set key that is not a column"),
            },
            Expr::Attribute(attribute) => Ok(attribute.clone()),
            _ => unsupported!(position, "A grouping set key that is not a column (`{}`)", key.sql_name()),
        })
        .collect::<Result<_>>()?;
    let mut copies: Option<DataFrame> = None;
    for (id, set) in sets.iter().enumerate() {
        let mut exprs: Vec<Expr> = columns.iter().cloned().map(Expr::Attribute).collect();
        for (k, key) in key_columns.iter().enumerate() {
            let value = Expr::Attribute(key.clone());
            // NULL of the key's own type where the set leaves it out: a CASE that never chooses it.
            let copy = if set.contains(&k) { value } else { Expr::CaseWhen { branches: vec![(lit(false), value)], otherwise: None } };
            exprs.push(copy.alias(&key_column(k)));
        }
        exprs.push(lit(Value::Integer(id as i32)).alias(GROUPING_ID));
        let copy = input.select(exprs)?;
        copies = Some(match copies {
            None => copy,
            Some(previous) => previous.union(&copy)?,
        });
    }
    match copies {
        Some(all) => Ok(all),
        None => unsupported!(position, "An empty list of grouping sets"),
    }
}
