//! DISTINCT aggregates: in `count(DISTINCT x)` a value counts once however many rows hold it. Spark removes the
//! duplicates by grouping on them first — a shuffle on the grouping keys *and* the distinct columns brings equal
//! values together — and only then aggregates by the keys alone.
//!
//! With one set of distinct columns (and no FILTER on a distinct aggregate) that is four aggregation steps around
//! two shuffles. With several sets (`count(DISTINCT a), sum(DISTINCT b)`), every row is first copied once per set
//! by an `Expand`: a `gid` column tells the copies apart, and each copy keeps only its set's columns (the others
//! are NULL); the ordinary aggregates travel in copy 0. One aggregation by the keys, every distinct column and
//! `gid` removes the duplicates of every set at once; the second, by the keys, reads each set's copies through
//! `FILTER (WHERE gid = n)` (Spark's RewriteDistinctAggregates).

use super::{Planner, aggregate_calls};
use crate::expr::{AggregateFunction, Attribute, Expr, aggregate, call, lit};
use crate::functions::ScalarFunction;
use crate::hash_aggregate::{AggregateCall, AggregateMode};
use crate::logical::output_attribute;
use crate::physical::{PhysicalPlan, ShuffleOrigin};
use crate::types::SparkType;
use crate::value::Value;
use crate::Result;

/// The DISTINCT aggregates that share one set of distinct columns.
struct DistinctSet {
    /// The columns (or expressions) whose distinct combinations are aggregated, in order of appearance.
    columns: Vec<Expr>,
    aggregates: Vec<Expr>,
}

/// Every aggregate function call in `aggregates`, each once, in order of appearance.
fn aggregate_functions(aggregates: &[Expr]) -> Vec<Expr> {
    fn collect(expr: &Expr, found: &mut Vec<Expr>) {
        if matches!(expr, Expr::Aggregate { .. }) {
            if !found.contains(expr) {
                found.push(expr.clone());
            }
            return;
        }
        expr.children().into_iter().for_each(|child| collect(child, found));
    }
    let mut found = Vec::new();
    aggregates.iter().for_each(|a| collect(a, &mut found));
    found
}

/// The columns a DISTINCT aggregate makes distinct: its arguments that are not constants (a percentile's
/// percentage stays a constant), or only the first when all are constants (`count(DISTINCT 3, 2)`), as Spark does.
fn columns_made_distinct(args: &[Expr]) -> Vec<Expr> {
    if args.iter().all(|a| matches!(a, Expr::Literal(_))) {
        return args.iter().take(1).cloned().collect();
    }
    let mut columns: Vec<Expr> = Vec::new();
    for arg in args.iter().filter(|a| !matches!(a, Expr::Literal(_))) {
        if !columns.contains(arg) {
            columns.push(arg.clone());
        }
    }
    columns
}

fn same_set(a: &[Expr], b: &[Expr]) -> bool {
    a.len() == b.len() && a.iter().all(|e| b.contains(e))
}

/// The DISTINCT aggregates grouped by their set of distinct columns.
fn distinct_sets(functions: &[Expr]) -> Vec<DistinctSet> {
    let mut sets: Vec<DistinctSet> = Vec::new();
    for function in functions {
        let Expr::Aggregate { args, distinct: true, .. } = function else { continue };
        let columns = columns_made_distinct(args);
        match sets.iter_mut().find(|s| same_set(&s.columns, &columns)) {
            Some(set) => set.aggregates.push(function.clone()),
            None => sets.push(DistinctSet { columns, aggregates: vec![function.clone()] }),
        }
    }
    sets
}

/// `expr` with each of `from` (compared whole) replaced by the matching attribute of `to`.
fn replaced(expr: &Expr, from: &[Expr], to: &[Attribute]) -> Expr {
    match from.iter().position(|f| f == expr) {
        Some(i) => Expr::Attribute(to[i].clone()),
        None => expr.clone(),
    }
}

/// A column for each expression, named by its SQL (`emp_name`, `(id > 1)`), under a new id so the copies never
/// mix with the input's columns.
fn fresh_columns(exprs: &[Expr]) -> Vec<Attribute> {
    exprs.iter().map(|e| Attribute::new(e.sql_name(), e.data_type(), true)).collect()
}

/// `aggregates` (the aggregation's named outputs) with each aggregate function call replaced by `rewrite(call)`.
fn rewrite_calls(aggregates: &[Expr], rewrite: &impl Fn(&Expr) -> Expr) -> Vec<Expr> {
    aggregates
        .iter()
        .map(|expr| {
            let rewritten: std::result::Result<Expr, std::convert::Infallible> = expr.clone().transform_up(&mut |e| {
                Ok(if matches!(e, Expr::Aggregate { .. }) { rewrite(&e) } else { e })
            });
            rewritten.unwrap_or_else(|never| match never {})
        })
        .collect()
}

/// Whether any aggregate in `aggregates` is DISTINCT.
pub fn has_distinct(aggregates: &[Expr]) -> bool {
    aggregates.iter().any(|a| a.any(&|e| matches!(e, Expr::Aggregate { distinct: true, .. })))
}

impl Planner<'_> {
    /// Plans an aggregation that has DISTINCT aggregates in it (see [`has_distinct`]).
    pub(super) fn distinct_aggregation(&self, keys: &[Attribute], aggregates: &[Expr], child: PhysicalPlan) -> Result<PhysicalPlan> {
        let functions = aggregate_functions(aggregates);
        let sets = distinct_sets(&functions);
        let filtered = functions.iter().any(|f| matches!(f, Expr::Aggregate { distinct: true, filter: Some(_), .. }));
        match sets.as_slice() {
            [set] if !filtered => self.one_distinct_set(keys, aggregates, &set.columns, child),
            _ => self.expanded(keys, aggregates, &functions, &sets, child),
        }
    }

    /// One set of distinct columns: group by the keys and the columns (removing duplicate combinations) while the
    /// other aggregates build and merge partial states, shuffling on keys and columns; then group by the keys
    /// alone, folding the now distinct values, and shuffle on the keys for the final values.
    fn one_distinct_set(&self, keys: &[Attribute], aggregates: &[Expr], columns: &[Expr], child: PhysicalPlan) -> Result<PhysicalPlan> {
        let (child, column_attributes) = self.as_columns(columns, child);
        let patched = rewrite_calls(aggregates, &|call| match call {
            Expr::Aggregate { function, args, distinct: true, filter } => {
                let args = args.iter().map(|a| replaced(a, columns, &column_attributes)).collect();
                Expr::Aggregate { function: *function, args, distinct: true, filter: filter.clone() }
            }
            other => other.clone(),
        });
        let (calls, results) = aggregate_calls(&patched)?;
        let (distinct, regular): (Vec<AggregateCall>, Vec<AggregateCall>) = calls.into_iter().partition(|c| c.distinct);
        let mut keys_and_columns = keys.to_vec();
        keys_and_columns.extend(column_attributes);
        let in_mode = |calls: &[AggregateCall], mode| calls.iter().map(|c| c.in_mode(mode)).collect::<Vec<_>>();

        let partial = self.hash_aggregate(AggregateMode::Partial, &keys_and_columns, in_mode(&regular, AggregateMode::Partial), child);
        let shuffled = self.exchange(self.partitioning_on(&keys_and_columns), ShuffleOrigin::EnsureRequirements, partial);
        let merged = self.hash_aggregate(AggregateMode::PartialMerge, &keys_and_columns, in_mode(&regular, AggregateMode::PartialMerge), shuffled);
        let mut counting = in_mode(&regular, AggregateMode::PartialMerge);
        counting.extend(in_mode(&distinct, AggregateMode::Partial));
        let counted = self.hash_aggregate(AggregateMode::PartialMerge, keys, counting, merged);
        let exchange = self.exchange(self.partitioning_on(keys), ShuffleOrigin::EnsureRequirements, counted);
        let mut all = in_mode(&regular, AggregateMode::Final);
        all.extend(in_mode(&distinct, AggregateMode::Final));
        Ok(PhysicalPlan::HashAggregate { mode: AggregateMode::Final, keys: keys.to_vec(), calls: all, results, input: Box::new(exchange) })
    }

    /// The distinct columns as columns of the input: a projection computes those that are expressions.
    fn as_columns(&self, columns: &[Expr], child: PhysicalPlan) -> (PhysicalPlan, Vec<Attribute>) {
        if columns.iter().all(|c| matches!(c, Expr::Attribute(_))) {
            return (child, columns.iter().map(output_attribute).collect());
        }
        let mut exprs: Vec<Expr> = child.output().into_iter().map(Expr::Attribute).collect();
        let mut attributes = Vec::new();
        for column in columns {
            match column {
                Expr::Attribute(a) => attributes.push(a.clone()),
                other => {
                    let named = other.clone().alias(&other.sql_name());
                    attributes.push(output_attribute(&named));
                    exprs.push(named);
                }
            }
        }
        (PhysicalPlan::Project { exprs, input: Box::new(child) }, attributes)
    }

    /// Several sets of distinct columns, or a FILTER on a distinct aggregate: the input copied once per set by an
    /// `Expand`, then two aggregations (see the module's documentation).
    fn expanded(&self, keys: &[Attribute], aggregates: &[Expr], functions: &[Expr], sets: &[DistinctSet], child: PhysicalPlan) -> Result<PhysicalPlan> {
        let regular: Vec<&Expr> = functions.iter().filter(|f| matches!(f, Expr::Aggregate { distinct: false, .. })).collect();

        let mut distinct_columns: Vec<Expr> = Vec::new();
        let mut distinct_filters: Vec<Expr> = Vec::new();
        for set in sets {
            for column in &set.columns {
                if !distinct_columns.contains(column) {
                    distinct_columns.push(column.clone());
                }
            }
            for filter in set.aggregates.iter().filter_map(|a| match a {
                Expr::Aggregate { filter: Some(filter), .. } => Some(filter.as_ref().clone()),
                _ => None,
            }) {
                if !distinct_filters.contains(&filter) {
                    distinct_filters.push(filter);
                }
            }
        }
        // Constants (a percentile's percentage) stay in the calls; only what varies by row goes through the copies.
        let mut regular_children: Vec<Expr> = Vec::new();
        for child_expr in regular.iter().flat_map(|r| r.children()) {
            if !matches!(child_expr, Expr::Literal(_)) && !regular_children.contains(child_expr) {
                regular_children.push(child_expr.clone());
            }
        }
        let distinct_attributes = fresh_columns(&distinct_columns);
        let filter_attributes: Vec<Attribute> =
            distinct_filters.iter().map(|f| Attribute::new(f.sql_name(), SparkType::Boolean, true)).collect();
        let regular_attributes = fresh_columns(&regular_children);
        let gid = Attribute::new("gid", SparkType::Integer, false);

        // One projection per copy: the keys, the distinct columns, gid, the distinct filters, the regular inputs. A
        // column a copy leaves out is NULL (Expand gives it its column's type).
        let key_exprs: Vec<Expr> = keys.iter().cloned().map(Expr::Attribute).collect();
        let mut projections: Vec<Vec<Expr>> = Vec::new();
        if !regular.is_empty() {
            let mut copy = key_exprs.clone();
            copy.extend(distinct_columns.iter().map(|_| lit(Value::Null)));
            copy.push(lit(0i32));
            copy.extend(distinct_filters.iter().map(|_| lit(Value::Null)));
            copy.extend(regular_children.iter().cloned());
            projections.push(copy);
        }
        for (i, set) in sets.iter().enumerate() {
            let set_filters: Vec<&Expr> = set
                .aggregates
                .iter()
                .filter_map(|a| match a {
                    Expr::Aggregate { filter: Some(filter), .. } => Some(filter.as_ref()),
                    _ => None,
                })
                .collect();
            let mut copy = key_exprs.clone();
            copy.extend(distinct_columns.iter().map(|c| if set.columns.contains(c) { c.clone() } else { lit(Value::Null) }));
            copy.push(lit(i as i32 + 1));
            copy.extend(distinct_filters.iter().map(|f| if set_filters.contains(&f) { f.clone() } else { lit(Value::Null) }));
            copy.extend(regular_children.iter().map(|_| lit(Value::Null)));
            projections.push(copy);
        }
        let mut expand_output = keys.to_vec();
        expand_output.extend(distinct_attributes.iter().cloned());
        expand_output.push(gid.clone());
        expand_output.extend(filter_attributes.iter().cloned());
        expand_output.extend(regular_attributes.iter().cloned());
        let expand = PhysicalPlan::Expand { projections, output: expand_output, input: Box::new(child) };

        // First aggregation: by keys, distinct columns and gid; whether any row of a group passed each distinct
        // filter (max); the regular aggregates over copy 0.
        let mut first_keys = keys.to_vec();
        first_keys.extend(distinct_attributes.iter().cloned());
        first_keys.push(gid.clone());
        let mut first_outputs: Vec<Expr> = first_keys.iter().cloned().map(Expr::Attribute).collect();
        let mut conditions: Vec<Attribute> = Vec::new();
        for filter in &filter_attributes {
            let any_passed = aggregate(AggregateFunction::Max, Expr::Attribute(filter.clone())).alias(&filter.name);
            conditions.push(output_attribute(&any_passed));
            first_outputs.push(any_passed);
        }
        let mut regular_results: Vec<(Expr, Attribute)> = Vec::new();
        for r in &regular {
            let Expr::Aggregate { function, args, filter, .. } = r else { continue };
            let args = args.iter().map(|a| replaced(a, &regular_children, &regular_attributes)).collect();
            let filter = filter.as_ref().map(|f| Box::new(replaced(f, &regular_children, &regular_attributes)));
            let over_copies = Expr::Aggregate { function: *function, args, distinct: false, filter };
            let named = over_copies.clone().alias(&over_copies.sql_name());
            regular_results.push(((*r).clone(), output_attribute(&named)));
            first_outputs.push(named);
        }
        let (first_calls, first_results) = aggregate_calls(&first_outputs)?;
        let first = self.two_phase(first_keys, first_calls, first_results, expand);

        // Second aggregation: by the keys; each aggregate reads its own copies.
        let in_copy = |n: i32| Expr::Attribute(gid.clone()).eq(lit(n));
        let rewritten = rewrite_calls(aggregates, &|f| {
            let Expr::Aggregate { function, args, distinct, filter } = f else { return f.clone() };
            if !distinct {
                let result = regular_results.iter().find(|(r, _)| r == f).map(|(_, a)| a.clone());
                let Some(result) = result else { return f.clone() };
                let picked = Expr::Aggregate {
                    function: AggregateFunction::FirstIgnoreNulls,
                    args: vec![Expr::Attribute(result)],
                    distinct: false,
                    filter: Some(Box::new(in_copy(0))),
                };
                return if *function == AggregateFunction::Count { call(ScalarFunction::Coalesce, vec![picked, lit(0i64)]) } else { picked };
            }
            let columns = columns_made_distinct(args);
            let set = sets.iter().position(|s| same_set(&s.columns, &columns)).unwrap_or(0);
            let args = if args.iter().all(|a| matches!(a, Expr::Literal(_))) {
                std::iter::once(replaced(&args[0], &distinct_columns, &distinct_attributes)).chain(args[1..].iter().cloned()).collect()
            } else {
                args.iter().map(|a| replaced(a, &distinct_columns, &distinct_attributes)).collect()
            };
            let mut condition = in_copy(set as i32 + 1);
            if let Some(filter) = filter {
                let i = distinct_filters.iter().position(|d| d == filter.as_ref()).unwrap_or(0);
                condition = condition.and(Expr::Attribute(conditions[i].clone()));
            }
            Expr::Aggregate { function: *function, args, distinct: false, filter: Some(Box::new(condition)) }
        });
        let (calls, results) = aggregate_calls(&rewritten)?;
        Ok(self.two_phase(keys.to_vec(), calls, results, first))
    }
}
