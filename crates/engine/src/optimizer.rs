//! The optimizer: rewrites a logical plan into a cheaper one with the same result, as Spark's Catalyst does.
//!
//! - *Constant folding*: `lit(1) + lit(2)` becomes `3` once, instead of once per row.
//! - *Project collapsing*: `withColumn` after `withColumn` becomes a single projection.
//! - *Grouping expressions pulled out*: `groupBy(date_trunc('hour', ts))` computes the key in a projection
//!   below the aggregate (`_groupingexpression`), so the aggregate only ever groups by columns.
//! - *Projections pushed through unions*, into each input.
//! - *Filter pushdown*: a filter moves below projections and into the scan, where Parquet row groups whose
//!   min/max statistics rule the filter out are never read (`PushedFilters` in `explain()`). Comparisons never
//!   hold for NULL, so a filter `x >= 5` also gets `isnotnull(x)`, which the scan can use too.
//! - *Column pruning*: a scan reads only the columns something above it uses; a projection left with nothing to
//!   do disappears.

use std::collections::HashSet;
use std::sync::Arc;

use crate::expr::{Attribute, BinaryOp, Expr, ExprId};
use crate::functions::{PerRowFunction, ScalarFunction};
use crate::expr::nondeterministic::is_nondeterministic;
use crate::logical::{LogicalPlan, RepartitionBy, Scan};
use crate::value::Value;

/// The optimized form of an analyzed plan.
pub fn optimize(plan: &LogicalPlan) -> LogicalPlan {
    let folded = map_expressions(&without_aliases(plan), &|e| fold_constants(without_shorthands(e)));
    let grouped = pull_out_grouping_expressions(&folded);
    let through_unions = push_projections_through_unions(&grouped);
    let collapsed = collapse_projects(&through_unions);
    let pushed = push_down_filters(&not_null_join_keys(&filters_from_generators(&collapsed)));
    let required: HashSet<ExprId> = pushed.output().iter().map(|a| a.id).collect();
    remove_noop_projects(&collapse_projects(&prune_columns(&pushed, &required)))
}

/// A row whose array is NULL or empty generates nothing through `explode` (not `explode_outer`), so Spark filters
/// such rows out first (`InferFiltersFromGenerate`): `size(arr) > 0 AND isnotnull(arr)`, which may then move down.
fn filters_from_generators(plan: &LogicalPlan) -> LogicalPlan {
    let plan = map_children(plan, &filters_from_generators);
    let LogicalPlan::Generate { generator, required, generated, input } = &plan else { return plan };
    // Like Spark, only over a column: an expression would be computed twice, or fail first under ANSI rules.
    if generator.outer || !matches!(generator.arg, Expr::Attribute(_)) {
        return plan;
    }
    let size = crate::expr::call(
        crate::functions::ScalarFunction::Collection(crate::functions::CollectionFunction::Size),
        vec![generator.arg.clone()],
    );
    let condition = size.gt(crate::expr::lit(0)).and(generator.arg.clone().is_not_null());
    let input = Arc::new(LogicalPlan::Filter { condition, input: input.clone() });
    LogicalPlan::Generate { generator: generator.clone(), required: required.clone(), generated: generated.clone(), input }
}

/// Rows whose join key is NULL never find a partner, so an inner join filters them out on both sides before the
/// join (and an outer join on the side whose unmatched rows disappear anyway). The filters then move into scans.
fn not_null_join_keys(plan: &LogicalPlan) -> LogicalPlan {
    let plan = map_children(plan, &not_null_join_keys);
    let LogicalPlan::Join { left, right, join_type, condition } = &plan else { return plan };
    // Every column a comparison of the condition reads (`=`, `<`, …, never true for NULL), by side.
    let (left_columns, right_columns) = (left.output(), right.output());
    let compared: Vec<Attribute> = condition
        .iter()
        .flat_map(Expr::conjuncts)
        .filter(|c| matches!(c, Expr::Binary { op, .. } if op.is_comparison() && *op != BinaryOp::NullSafeEq))
        .flat_map(Expr::references)
        .collect();
    let side = |columns: &[Attribute]| -> Vec<Expr> {
        let mut seen: Vec<Expr> = Vec::new();
        for a in compared.iter().filter(|a| columns.iter().any(|c| c.id == a.id)) {
            let column = Expr::Attribute(a.clone());
            if !seen.contains(&column) {
                seen.push(column);
            }
        }
        seen
    };
    let keys = crate::join::JoinKeys { left: side(&left_columns), right: side(&right_columns), other: None };
    let (filter_left, filter_right) = match join_type {
        crate::join::JoinType::Inner | crate::join::JoinType::Cross | crate::join::JoinType::LeftSemi => (true, true),
        crate::join::JoinType::LeftOuter => (false, true),
        crate::join::JoinType::RightOuter => (true, false),
        _ => (false, false),
    };
    let with_filter = |side: &Arc<LogicalPlan>, keys: &[Expr], apply: bool| -> Arc<LogicalPlan> {
        let tests: Vec<Expr> = keys
            .iter()
            .filter_map(|k| match k {
                Expr::Attribute(a) if apply && a.nullable => Some(Expr::Attribute(a.clone()).is_not_null()),
                _ => None,
            })
            .collect();
        match tests.into_iter().reduce(Expr::and) {
            Some(condition) => Arc::new(LogicalPlan::Filter { condition, input: side.clone() }),
            None => side.clone(),
        }
    };
    LogicalPlan::Join {
        left: with_filter(left, &keys.left, filter_left),
        right: with_filter(right, &keys.right, filter_right),
        join_type: *join_type,
        condition: condition.clone(),
    }
}

/// Drops a projection that passes its input's columns through unchanged, in the same order.
fn remove_noop_projects(plan: &LogicalPlan) -> LogicalPlan {
    let plan = map_children(plan, &remove_noop_projects);
    if let LogicalPlan::Project { exprs, input } = &plan {
        let columns = input.output();
        let same = exprs.len() == columns.len()
            && exprs.iter().zip(&columns).all(|(e, c)| matches!(e, Expr::Attribute(a) if a.id == c.id));
        if same {
            return input.as_ref().clone();
        }
    }
    plan
}

/// Aliases only help names resolve; the optimized plan does without them.
fn without_aliases(plan: &LogicalPlan) -> LogicalPlan {
    match plan {
        LogicalPlan::SubqueryAlias { input, .. } => without_aliases(input),
        other => map_children(other, &without_aliases),
    }
}

/// Computes non-column grouping keys in a projection under the aggregate, named `_groupingexpression`.
fn pull_out_grouping_expressions(plan: &LogicalPlan) -> LogicalPlan {
    let plan = map_children(plan, &pull_out_grouping_expressions);
    let LogicalPlan::Aggregate { group, aggregates, input } = &plan else { return plan };
    let mut pulled: Vec<(Expr, Expr)> = Vec::new();
    let mut keys = Vec::new();
    for expr in group {
        let inner = match expr {
            Expr::Alias { expr, .. } => expr.as_ref().clone(),
            other => other.clone(),
        };
        if matches!(inner, Expr::Attribute(_)) {
            keys.push(inner);
            continue;
        }
        let named = match pulled.iter().find(|(e, _)| *e == inner) {
            Some((_, named)) => named.clone(),
            None => {
                let named = inner.clone().alias("_groupingexpression");
                pulled.push((inner, named.clone()));
                named
            }
        };
        keys.push(Expr::Attribute(crate::logical::output_attribute(&named)));
    }
    if pulled.is_empty() {
        return LogicalPlan::Aggregate { group: keys, aggregates: aggregates.clone(), input: input.clone() };
    }
    let replace = |expr: Expr| -> Expr {
        let replaced: Result<Expr, std::convert::Infallible> = expr.transform_up(&mut |e| {
            Ok(match pulled.iter().find(|(g, _)| *g == e) {
                Some((_, named)) => Expr::Attribute(crate::logical::output_attribute(named)),
                None => e,
            })
        });
        replaced.unwrap_or_else(|never| match never {})
    };
    let aggregates = aggregates.iter().cloned().map(replace).collect();
    let mut exprs: Vec<Expr> = input.output().into_iter().map(Expr::Attribute).collect();
    exprs.extend(pulled.into_iter().map(|(_, named)| named));
    let projected = Arc::new(LogicalPlan::Project { exprs, input: input.clone() });
    LogicalPlan::Aggregate { group: keys, aggregates, input: projected }
}

/// `Project(Union(a, b))` becomes `Union(Project(a), Project(b))`: each input computes the projection itself.
fn push_projections_through_unions(plan: &LogicalPlan) -> LogicalPlan {
    let plan = map_children(plan, &push_projections_through_unions);
    let LogicalPlan::Project { exprs, input } = &plan else { return plan };
    let LogicalPlan::Union { inputs, output } = input.as_ref() else { return plan };
    let branches: Vec<Arc<LogicalPlan>> = inputs
        .iter()
        .map(|branch| {
            let columns = branch.output();
            let rewritten = exprs.iter().map(|e| replace_attributes(e.clone(), output, &columns)).collect();
            Arc::new(LogicalPlan::Project { exprs: rewritten, input: branch.clone() })
        })
        .collect();
    // The union's columns are its first input's, nullable if the column is nullable in any input.
    let outputs: Vec<Vec<Attribute>> = branches.iter().map(|b| b.output()).collect();
    let union_output = outputs[0]
        .iter()
        .enumerate()
        .map(|(i, a)| Attribute { nullable: outputs.iter().any(|o| o[i].nullable), ..a.clone() })
        .collect();
    LogicalPlan::Union { inputs: branches, output: union_output }
}

/// `expr` with each attribute of `from` replaced by the attribute at the same position in `to`.
fn replace_attributes(expr: Expr, from: &[Attribute], to: &[Attribute]) -> Expr {
    let replaced: Result<Expr, std::convert::Infallible> = expr.transform_up(&mut |e| {
        Ok(match &e {
            Expr::Attribute(a) => from.iter().position(|f| f.id == a.id).map_or(e, |i| Expr::Attribute(to[i].clone())),
            _ => e,
        })
    });
    replaced.unwrap_or_else(|never| match never {})
}

/// Applies `f` to every expression of every node.
fn map_expressions(plan: &LogicalPlan, f: &impl Fn(Expr) -> Expr) -> LogicalPlan {
    let child = |input: &Arc<LogicalPlan>| Arc::new(map_expressions(input, f));
    let all = |exprs: &[Expr]| exprs.iter().cloned().map(f).collect::<Vec<_>>();
    match plan {
        LogicalPlan::Scan(_) | LogicalPlan::InMemoryRelation { .. } => plan.clone(),
        LogicalPlan::Project { exprs, input } => LogicalPlan::Project { exprs: all(exprs), input: child(input) },
        LogicalPlan::Filter { condition, input } => LogicalPlan::Filter { condition: f(condition.clone()), input: child(input) },
        LogicalPlan::Aggregate { group, aggregates, input } => {
            LogicalPlan::Aggregate { group: all(group), aggregates: all(aggregates), input: child(input) }
        }
        LogicalPlan::Limit { count, input } => LogicalPlan::Limit { count: *count, input: child(input) },
        LogicalPlan::Repartition { partitions, by, input } => {
            let by = match by {
                RepartitionBy::Hash(keys) => RepartitionBy::Hash(all(keys)),
                RepartitionBy::Range(order) => RepartitionBy::Range(order.iter().map(|o| crate::sort::SortOrder { expr: f(o.expr.clone()), ..o.clone() }).collect()),
                other @ (RepartitionBy::RoundRobin | RepartitionBy::KeyHash(_)) => other.clone(),
            };
            LogicalPlan::Repartition { partitions: *partitions, by, input: child(input) }
        }
        LogicalPlan::Coalesce { partitions, input } => LogicalPlan::Coalesce { partitions: *partitions, input: child(input) },
        LogicalPlan::Union { inputs, output } => {
            LogicalPlan::Union { inputs: inputs.iter().map(child).collect(), output: output.clone() }
        }
        LogicalPlan::MapPartitions { function, output, input } => {
            LogicalPlan::MapPartitions { function: function.clone(), output: output.clone(), input: child(input) }
        }
        LogicalPlan::Generate { generator, required, generated, input } => LogicalPlan::Generate {
            generator: crate::expr::generator::Generator { arg: map_generator_arg(generator, f), ..generator.clone() },
            required: required.clone(),
            generated: generated.clone(),
            input: child(input),
        },
        LogicalPlan::Sample { sample, input } => LogicalPlan::Sample { sample: sample.clone(), input: child(input) },
        LogicalPlan::Expand { projections, output, input } => LogicalPlan::Expand {
            projections: projections.iter().map(|p| all(p)).collect(),
            output: output.clone(),
            input: child(input),
        },
        LogicalPlan::Sort { order, global, input } => {
            let order = order.iter().map(|o| crate::sort::SortOrder { expr: f(o.expr.clone()), ..o.clone() }).collect();
            LogicalPlan::Sort { order, global: *global, input: child(input) }
        }
        LogicalPlan::Join { left, right, join_type, condition } => LogicalPlan::Join {
            left: child(left),
            right: child(right),
            join_type: *join_type,
            condition: condition.clone().map(f),
        },
        LogicalPlan::BroadcastHint { input } => LogicalPlan::BroadcastHint { input: child(input) },
        LogicalPlan::SubqueryAlias { alias, input } => LogicalPlan::SubqueryAlias { alias: alias.clone(), input: child(input) },
        LogicalPlan::Window { exprs, partition_by, order_by, input } => LogicalPlan::Window {
            exprs: all(exprs),
            partition_by: all(partition_by),
            order_by: order_by.iter().map(|o| crate::sort::SortOrder { expr: f(o.expr.clone()), ..o.clone() }).collect(),
            input: child(input),
        },
    }
}

/// Functions that are only another name for an expression, replaced by it as Spark does: `to_date(ts)` is the
/// cast of `ts` to a date its argument already got.
fn without_shorthands(expr: Expr) -> Expr {
    let replaced: Result<Expr, std::convert::Infallible> = expr.transform_up(&mut |e| {
        Ok(match e {
            Expr::Function { function: crate::functions::ScalarFunction::ToDate, mut args } if args.len() == 1 => {
                args.remove(0)
            }
            other => other,
        })
    });
    replaced.unwrap_or_else(|never| match never {})
}

/// A generator's argument rewritten by `f`; the arguments `json_tuple` and `stack` pack into one call are rewritten
/// one by one, so that the packing call stays (folding it to a constant would lose the arguments it shows).
fn map_generator_arg(generator: &crate::expr::generator::Generator, f: &impl Fn(Expr) -> Expr) -> Expr {
    use crate::expr::generator::GeneratorKind;
    match (&generator.kind, &generator.arg) {
        (GeneratorKind::JsonTuple | GeneratorKind::Stack, Expr::Function { function, args }) => {
            Expr::Function { function: *function, args: args.iter().cloned().map(f).collect() }
        }
        (_, arg) => f(arg.clone()),
    }
}

/// Replaces every sub-expression made only of constants by its value.
fn fold_constants(expr: Expr) -> Expr {
    let folded: Result<Expr, std::convert::Infallible> = expr.transform_up(&mut |e| {
        let foldable = !matches!(
            e,
            Expr::Literal(_) | Expr::Attribute(_) | Expr::Column(_) | Expr::Alias { .. } | Expr::Aggregate { .. } | Expr::Udf { .. } | Expr::Nondeterministic(_) | Expr::LambdaVariable(_)
        )
            && e.children().iter().all(|c| matches!(c, Expr::Literal(_)));
        if !foldable {
            return Ok(e);
        }
        // A constant that fails (1 / 0) is left in place, so the error surfaces when the query runs.
        Ok(evaluate_constant(&e).map(Expr::Literal).unwrap_or(e))
    });
    folded.unwrap_or_else(|never| match never {})
}

fn evaluate_constant(expr: &Expr) -> Option<Value> {
    let value = crate::expr::eval::constant_value(expr).ok()?;
    // A NULL keeps its type only as a cast; Spark folds it to a typed NULL, which a Value cannot carry.
    (!value.is_null()).then_some(value)
}

/// Merges a projection into the projection below it, when that evaluates nothing twice.
fn collapse_projects(plan: &LogicalPlan) -> LogicalPlan {
    let plan = map_children(plan, &collapse_projects);
    let LogicalPlan::Project { exprs: upper, input } = &plan else { return plan };
    if let LogicalPlan::Aggregate { group, aggregates, input: below } = input.as_ref()
        && let Some(renamed) = renamed_aggregates(upper, aggregates)
    {
        return LogicalPlan::Aggregate { group: group.clone(), aggregates: renamed, input: below.clone() };
    }
    let LogicalPlan::Project { exprs: lower, input: below } = input.as_ref() else { return plan };
    let computed: Vec<(&ExprId, &Expr)> = lower
        .iter()
        .filter_map(|e| match e {
            Expr::Alias { expr, id, .. } => Some((id, expr.as_ref())),
            _ => None,
        })
        .collect();
    let uses = |id: &ExprId| upper.iter().map(|e| occurrences(e, *id)).sum::<usize>();
    // A value computed twice is computed in vain; a nondeterministic one would also differ between its copies.
    let inline_in_vain = |(id, e): &(&ExprId, &Expr)| uses(id) > 1 && !matches!(e, Expr::Attribute(_) | Expr::Literal(_));
    if computed.iter().any(|c| inline_in_vain(c) || (uses(c.0) > 0 && is_nondeterministic(c.1))) {
        return plan;
    }
    let substitute = |expr: Expr| -> Expr {
        let replaced: Result<Expr, std::convert::Infallible> = expr.transform_up(&mut |e| match &e {
            Expr::Attribute(a) => Ok(computed.iter().find(|(id, _)| **id == a.id).map_or(e.clone(), |(_, d)| (*d).clone())),
            _ => Ok(e),
        });
        replaced.unwrap_or_else(|never| match never {})
    };
    let exprs = upper
        .iter()
        .map(|e| match e {
            Expr::Attribute(a) => match computed.iter().find(|(id, _)| **id == a.id) {
                Some((id, definition)) => Expr::Alias { expr: Box::new((*definition).clone()), name: a.name.clone(), id: **id },
                None => e.clone(),
            },
            Expr::Alias { expr, name, id } => Expr::Alias { expr: Box::new(substitute(*expr.clone())), name: name.clone(), id: *id },
            other => substitute(other.clone()),
        })
        .collect();
    LogicalPlan::Project { exprs, input: below.clone() }
}

/// How many times `expr` reads the column `id` (a time window's bounds read the time four times).
fn occurrences(expr: &Expr, id: ExprId) -> usize {
    let here = usize::from(matches!(expr, Expr::Attribute(a) if a.id == id));
    here + expr.children().into_iter().map(|c| occurrences(c, id)).sum::<usize>()
}

/// A projection that only picks and renames an aggregate's columns, folded into the aggregate's output list.
fn renamed_aggregates(projection: &[Expr], aggregates: &[Expr]) -> Option<Vec<Expr>> {
    let producing = |id: ExprId| aggregates.iter().find(|a| crate::logical::output_attribute(a).id == id).cloned();
    projection
        .iter()
        .map(|e| match e {
            Expr::Attribute(a) => producing(a.id),
            Expr::Alias { expr, name, id } => match expr.as_ref() {
                Expr::Attribute(a) => producing(a.id).map(|produced| {
                    let inner = match produced {
                        Expr::Alias { expr, .. } => *expr,
                        other => other,
                    };
                    Expr::Alias { expr: Box::new(inner), name: name.clone(), id: *id }
                }),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// `plan` with `f` applied to each of its inputs.
pub(crate) fn map_children(plan: &LogicalPlan, f: &impl Fn(&LogicalPlan) -> LogicalPlan) -> LogicalPlan {
    let child = |input: &Arc<LogicalPlan>| Arc::new(f(input));
    match plan {
        LogicalPlan::Scan(_) | LogicalPlan::InMemoryRelation { .. } => plan.clone(),
        LogicalPlan::Project { exprs, input } => LogicalPlan::Project { exprs: exprs.clone(), input: child(input) },
        LogicalPlan::Filter { condition, input } => LogicalPlan::Filter { condition: condition.clone(), input: child(input) },
        LogicalPlan::Aggregate { group, aggregates, input } => {
            LogicalPlan::Aggregate { group: group.clone(), aggregates: aggregates.clone(), input: child(input) }
        }
        LogicalPlan::Limit { count, input } => LogicalPlan::Limit { count: *count, input: child(input) },
        LogicalPlan::Repartition { partitions, by, input } => {
            LogicalPlan::Repartition { partitions: *partitions, by: by.clone(), input: child(input) }
        }
        LogicalPlan::Coalesce { partitions, input } => LogicalPlan::Coalesce { partitions: *partitions, input: child(input) },
        LogicalPlan::Union { inputs, output } => LogicalPlan::Union { inputs: inputs.iter().map(child).collect(), output: output.clone() },
        LogicalPlan::MapPartitions { function, output, input } => {
            LogicalPlan::MapPartitions { function: function.clone(), output: output.clone(), input: child(input) }
        }
        LogicalPlan::Generate { generator, required, generated, input } => LogicalPlan::Generate {
            generator: generator.clone(),
            required: required.clone(),
            generated: generated.clone(),
            input: child(input),
        },
        LogicalPlan::Expand { projections, output, input } => {
            LogicalPlan::Expand { projections: projections.clone(), output: output.clone(), input: child(input) }
        }
        LogicalPlan::Sample { sample, input } => LogicalPlan::Sample { sample: sample.clone(), input: child(input) },
        LogicalPlan::Sort { order, global, input } => LogicalPlan::Sort { order: order.clone(), global: *global, input: child(input) },
        LogicalPlan::Join { left, right, join_type, condition } => LogicalPlan::Join {
            left: child(left),
            right: child(right),
            join_type: *join_type,
            condition: condition.clone(),
        },
        LogicalPlan::BroadcastHint { input } => LogicalPlan::BroadcastHint { input: child(input) },
        LogicalPlan::SubqueryAlias { alias, input } => LogicalPlan::SubqueryAlias { alias: alias.clone(), input: child(input) },
        LogicalPlan::Window { exprs, partition_by, order_by, input } => LogicalPlan::Window {
            exprs: exprs.clone(),
            partition_by: partition_by.clone(),
            order_by: order_by.clone(),
            input: child(input),
        },
    }
}

/// Moves filters below projections that only pass columns through, and hands a filter right above a scan to it.
fn push_down_filters(plan: &LogicalPlan) -> LogicalPlan {
    let plan = map_children(plan, &push_down_filters);
    let LogicalPlan::Filter { condition, input } = &plan else { return plan };
    match input.as_ref() {
        // A nondeterministic condition must keep meeting the same rows, in the same order.
        LogicalPlan::Filter { condition: lower, .. } if is_nondeterministic(lower) => {
            LogicalPlan::Filter { condition: with_not_null_constraints(condition), input: input.clone() }
        }
        LogicalPlan::Project { exprs, .. } if exprs.iter().any(is_nondeterministic) => {
            LogicalPlan::Filter { condition: with_not_null_constraints(condition), input: input.clone() }
        }
        LogicalPlan::Filter { condition: lower, input: below } => {
            let both = with_not_null_constraints(lower).and(condition.clone());
            push_down_filters(&LogicalPlan::Filter { condition: both, input: below.clone() })
        }
        LogicalPlan::Project { exprs, input: below } => {
            // Below the projection the filter reads the projection's inputs: each column it uses is replaced by
            // the expression that computes it.
            let below_condition = substitute(condition.clone(), exprs);
            let pushed = push_down_filters(&LogicalPlan::Filter { condition: below_condition, input: below.clone() });
            LogicalPlan::Project { exprs: exprs.clone(), input: Arc::new(pushed) }
        }
        LogicalPlan::Scan(scan) => {
            let condition = with_not_null_constraints(condition);
            // Every conjunct is a data filter; the scan uses those it can decide from file statistics.
            let pushed_filters = condition.conjuncts().into_iter().filter(|c| !is_nondeterministic(c)).cloned().collect();
            let scan = LogicalPlan::Scan(Scan { pushed_filters, ..scan.clone() });
            LogicalPlan::Filter { condition, input: Arc::new(scan) }
        }
        // What reads only the columns an Expand passes through is tested once per input row, below it.
        LogicalPlan::Expand { projections, output, input: below } => {
            let below_ids: HashSet<ExprId> = below.output().iter().map(|a| a.id).collect();
            let (pushable, kept): (Vec<&Expr>, Vec<&Expr>) = condition
                .conjuncts()
                .into_iter()
                .partition(|c| !is_nondeterministic(c) && c.references().iter().all(|a| below_ids.contains(&a.id)));
            let Some(pushed) = pushable.into_iter().cloned().reduce(Expr::and) else {
                return LogicalPlan::Filter { condition: with_not_null_constraints(condition), input: input.clone() };
            };
            let pushed = push_down_filters(&LogicalPlan::Filter { condition: pushed, input: below.clone() });
            let expand = Arc::new(LogicalPlan::Expand { projections: projections.clone(), output: output.clone(), input: Arc::new(pushed) });
            match kept.into_iter().cloned().reduce(Expr::and) {
                Some(rest) => LogicalPlan::Filter { condition: with_not_null_constraints(&rest), input: expand },
                None => Arc::unwrap_or_clone(expand),
            }
        }
        LogicalPlan::InMemoryRelation { cache, output, .. } => {
            let condition = with_not_null_constraints(condition);
            let predicates = condition.conjuncts().into_iter().filter(|c| !is_nondeterministic(c)).cloned().collect();
            let relation = LogicalPlan::InMemoryRelation { cache: cache.clone(), output: output.clone(), predicates };
            LogicalPlan::Filter { condition, input: Arc::new(relation) }
        }
        _ => LogicalPlan::Filter { condition: with_not_null_constraints(condition), input: input.clone() },
    }
}

/// `isnotnull(x) AND condition` for every nullable column `x` that a comparison or a string predicate
/// (`contains`, `startswith`, `endswith`) in `condition` reads — such a test is never true for NULL, so the extra test changes nothing but lets the scan skip data.
fn with_not_null_constraints(condition: &Expr) -> Expr {
    let parts = condition.conjuncts();
    let mut columns: Vec<Attribute> = Vec::new();
    for part in &parts {
        // `NOT (a = b)` (how `a != b` reads) is never true for NULL either.
        let comparison = match part {
            Expr::Not(inner) => inner.as_ref(),
            other => other,
        };
        let string_predicate = matches!(
            comparison,
            Expr::Function { function: ScalarFunction::PerRow(PerRowFunction::StartsWith | PerRowFunction::EndsWith | PerRowFunction::Contains), .. }
        );
        let null_rejecting_comparison = matches!(comparison, Expr::Binary { op, .. } if op.is_comparison() && *op != BinaryOp::NullSafeEq);
        if string_predicate || null_rejecting_comparison {
            for column in part.references() {
                if column.nullable && !columns.iter().any(|c| c.id == column.id) {
                    columns.push(column);
                }
            }
        }
    }
    let new: Vec<Expr> = columns
        .into_iter()
        .map(|c| Expr::Attribute(c).is_not_null())
        .filter(|constraint| !parts.contains(&constraint))
        .collect();
    match new.into_iter().reduce(Expr::and) {
        Some(constraints) => constraints.and(condition.clone()),
        None => condition.clone(),
    }
}

/// `expr` with every column a projection computes replaced by its definition in `exprs`.
fn substitute(expr: Expr, exprs: &[Expr]) -> Expr {
    let replaced: Result<Expr, std::convert::Infallible> = expr.transform_up(&mut |e| {
        let Expr::Attribute(a) = &e else { return Ok(e) };
        let definition = exprs.iter().find_map(|p| match p {
            Expr::Alias { expr, id, .. } if *id == a.id => Some(expr.as_ref().clone()),
            _ => None,
        });
        Ok(definition.unwrap_or(e))
    });
    replaced.unwrap_or_else(|never| match never {})
}

/// A join input keeping only the columns the join and its consumers need, with a projection if its own operators
/// would pass more through.
fn pruned_side(side: &Arc<LogicalPlan>, needed: &HashSet<ExprId>) -> Arc<LogicalPlan> {
    let pruned = prune_columns(side, needed);
    let columns = pruned.output();
    if columns.iter().all(|a| needed.contains(&a.id)) {
        return Arc::new(pruned);
    }
    let exprs = columns.into_iter().filter(|a| needed.contains(&a.id)).map(Expr::Attribute).collect();
    Arc::new(LogicalPlan::Project { exprs, input: Arc::new(pruned) })
}

/// Keeps only the columns in `required` (and what the plan itself needs) flowing up from the scans.
fn prune_columns(plan: &LogicalPlan, required: &HashSet<ExprId>) -> LogicalPlan {
    let needs = |exprs: &[&Expr]| -> HashSet<ExprId> { exprs.iter().flat_map(|e| e.references()).map(|a| a.id).collect() };
    match plan {
        // An RDD is scanned whole: what is not needed is projected away above it.
        LogicalPlan::Scan(scan) if scan.reads_rdd() => plan.clone(),
        LogicalPlan::Scan(scan) => {
            let mut wanted: HashSet<ExprId> = required.clone();
            wanted.extend(scan.pushed_filters.iter().flat_map(|f| f.references()).map(|a| a.id));
            let output: Vec<Attribute> = scan.columns.iter().filter(|a| wanted.contains(&a.id)).cloned().collect();
            LogicalPlan::Scan(Scan { output, ..scan.clone() })
        }
        LogicalPlan::Project { exprs, input } => {
            let kept: Vec<Expr> = exprs.iter().filter(|e| required.contains(&crate::logical::output_attribute(e).id)).cloned().collect();
            let kept = if kept.is_empty() && !exprs.is_empty() { exprs.clone() } else { kept };
            let child_needs = needs(&kept.iter().collect::<Vec<_>>());
            LogicalPlan::Project { exprs: kept, input: Arc::new(prune_columns(input, &child_needs)) }
        }
        LogicalPlan::Filter { condition, input } => {
            let mut child_needs = required.clone();
            child_needs.extend(needs(&[condition]));
            LogicalPlan::Filter { condition: condition.clone(), input: Arc::new(prune_columns(input, &child_needs)) }
        }
        LogicalPlan::Aggregate { group, aggregates, input } => {
            // Like Spark, an input that would pass on more columns than the aggregation reads (a join's keys) gets
            // a projection of those it reads.
            let child_needs = needs(&group.iter().chain(aggregates).collect::<Vec<_>>());
            LogicalPlan::Aggregate { group: group.clone(), aggregates: aggregates.clone(), input: pruned_side(input, &child_needs) }
        }
        LogicalPlan::Repartition { partitions, by, input } => {
            let mut child_needs = required.clone();
            match by {
                RepartitionBy::Hash(keys) => child_needs.extend(needs(&keys.iter().collect::<Vec<_>>())),
                RepartitionBy::Range(order) => child_needs.extend(needs(&order.iter().map(|o| &o.expr).collect::<Vec<_>>())),
                RepartitionBy::RoundRobin | RepartitionBy::KeyHash(_) => {}
            }
            LogicalPlan::Repartition { partitions: *partitions, by: by.clone(), input: Arc::new(prune_columns(input, &child_needs)) }
        }
        LogicalPlan::Limit { count, input } => LogicalPlan::Limit { count: *count, input: Arc::new(prune_columns(input, required)) },
        // An opaque function may read any of its input's columns.
        LogicalPlan::MapPartitions { function, output, input } => {
            let child_needs = input.output().iter().map(|a| a.id).collect();
            let input = Arc::new(prune_columns(input, &child_needs));
            LogicalPlan::MapPartitions { function: function.clone(), output: output.clone(), input }
        }
        LogicalPlan::Coalesce { partitions, input } => {
            LogicalPlan::Coalesce { partitions: *partitions, input: Arc::new(prune_columns(input, required)) }
        }
        // Only the input columns wanted above are carried through the generated rows (Spark's
        // `unrequiredChildIndex`); the generator's argument is still read below.
        LogicalPlan::Generate { generator, required: carried, generated, input } => {
            let carried: Vec<Attribute> = carried.iter().filter(|a| required.contains(&a.id)).cloned().collect();
            let mut child_needs: HashSet<ExprId> = carried.iter().map(|a| a.id).collect();
            child_needs.extend(needs(&[&generator.arg]));
            let input = pruned_side(input, &child_needs);
            LogicalPlan::Generate { generator: generator.clone(), required: carried, generated: generated.clone(), input }
        }
        LogicalPlan::Sample { sample, input } => {
            LogicalPlan::Sample { sample: sample.clone(), input: Arc::new(prune_columns(input, required)) }
        }
        // A cached relation keeps every column; a query reads the ones it needs.
        LogicalPlan::InMemoryRelation { cache, output, predicates } => {
            let mut wanted = required.clone();
            wanted.extend(predicates.iter().flat_map(|p| p.references()).map(|a| a.id));
            let read: Vec<Attribute> = output.iter().filter(|a| wanted.contains(&a.id)).cloned().collect();
            let read = if read.is_empty() { output.iter().take(1).cloned().collect() } else { read };
            LogicalPlan::InMemoryRelation { cache: cache.clone(), output: read, predicates: predicates.clone() }
        }
        // Only the output columns wanted above are computed by each projection; what they read is needed below.
        LogicalPlan::Expand { projections, output, input } => {
            let wanted: Vec<usize> = (0..output.len()).filter(|&i| required.contains(&output[i].id)).collect();
            let wanted = if wanted.is_empty() { (0..output.len().min(1)).collect() } else { wanted };
            let projections: Vec<Vec<Expr>> = projections.iter().map(|p| wanted.iter().map(|&i| p[i].clone()).collect()).collect();
            let output: Vec<Attribute> = wanted.iter().map(|&i| output[i].clone()).collect();
            let child_needs = needs(&projections.iter().flatten().collect::<Vec<_>>());
            let input = pruned_side(input, &child_needs);
            LogicalPlan::Expand { projections, output, input }
        }
        LogicalPlan::Window { exprs, partition_by, order_by, input } => {
            // Every window column is computed (Spark does not prune them either); its inputs are needed below.
            let mut child_needs = required.clone();
            child_needs.extend(needs(&exprs.iter().chain(partition_by).chain(order_by.iter().map(|o| &o.expr)).collect::<Vec<_>>()));
            let input = Arc::new(prune_columns(input, &child_needs));
            LogicalPlan::Window { exprs: exprs.clone(), partition_by: partition_by.clone(), order_by: order_by.clone(), input }
        }
        LogicalPlan::Join { left, right, join_type, condition } => {
            let mut needed = required.clone();
            needed.extend(condition.iter().flat_map(Expr::references).map(|a| a.id));
            LogicalPlan::Join {
                left: pruned_side(left, &needed),
                right: pruned_side(right, &needed),
                join_type: *join_type,
                condition: condition.clone(),
            }
        }
        LogicalPlan::BroadcastHint { input } => LogicalPlan::BroadcastHint { input: Arc::new(prune_columns(input, required)) },
        LogicalPlan::SubqueryAlias { alias, input } => {
            LogicalPlan::SubqueryAlias { alias: alias.clone(), input: Arc::new(prune_columns(input, required)) }
        }
        LogicalPlan::Sort { order, global, input } => {
            let mut child_needs = required.clone();
            child_needs.extend(needs(&order.iter().map(|o| &o.expr).collect::<Vec<_>>()));
            LogicalPlan::Sort { order: order.clone(), global: *global, input: Arc::new(prune_columns(input, &child_needs)) }
        }
        // A union matches its inputs by position: every input drops the same positions.
        LogicalPlan::Union { inputs, output } => {
            let kept: Vec<usize> = (0..output.len()).filter(|&i| required.contains(&output[i].id)).collect();
            let inputs = inputs
                .iter()
                .map(|input| {
                    let columns = input.output();
                    let exprs: Vec<Expr> = kept.iter().map(|&i| Expr::Attribute(columns[i].clone())).collect();
                    let needed = exprs.iter().flat_map(Expr::references).map(|a| a.id).collect();
                    let pruned = Arc::new(prune_columns(input, &needed));
                    if kept.len() == columns.len() {
                        pruned
                    } else {
                        Arc::new(LogicalPlan::Project { exprs, input: pruned })
                    }
                })
                .collect();
            LogicalPlan::Union { inputs, output: kept.iter().map(|&i| output[i].clone()).collect() }
        }
    }
}
