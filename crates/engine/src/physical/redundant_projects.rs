//! Projections that only put a scan's columns in another order are left out where nothing above cares about the
//! order, as Spark's `RemoveRedundantProjects` does — so plans show the same operators as Spark's.
//!
//! Spark decides this before it adds the exchanges and sorts that operators need (`EnsureRequirements`), walking
//! down from the root: the root, a sort, a final aggregation or a shuffle need their input's columns in order; a
//! projection or a partial aggregation do not, nor does `TakeOrderedAndProject` unless it outputs its input's
//! columns as they are; filters, joins, windows and `Expand` pass on what their parent needs. Here the added
//! exchanges and sorts are already in the plan, so they pass on what their parent needs too. Only a projection
//! planned together with its scan can go (Spark keeps every other one, as it belongs to a different part of the
//! logical plan than its input).

use super::{AggregateMode, PhysicalPlan, ShuffleOrigin};
use crate::expr::Expr;

/// `plan` without the projections over scans that only reorder columns nothing above needs in order.
pub fn without_redundant_projects(mut plan: PhysicalPlan) -> PhysicalPlan {
    remove(&mut plan, true);
    plan
}

fn remove(plan: &mut PhysicalPlan, require_ordering: bool) {
    if let PhysicalPlan::Project { exprs, input } = plan {
        if is_redundant(exprs, input, require_ordering) {
            let placeholder = PhysicalPlan::Union { inputs: Vec::new(), output: Vec::new() };
            *plan = std::mem::replace(input.as_mut(), placeholder);
            return remove(plan, require_ordering);
        }
        return remove(input, false);
    }
    let required = match plan {
        // Under adaptive execution Spark keeps the order of a child whose columns TakeOrderedAndProject outputs as
        // they are.
        PhysicalPlan::TakeOrderedAndProject { project, input, .. } => {
            let output = input.output();
            project.len() == output.len() && project.iter().zip(&output).all(|(p, o)| matches!(p, Expr::Attribute(a) if a.id == o.id))
        }
        PhysicalPlan::HashAggregate { mode, .. } => *mode != AggregateMode::Partial,
        PhysicalPlan::Filter { .. }
        | PhysicalPlan::BroadcastHashJoin { .. }
        | PhysicalPlan::BroadcastNestedLoopJoin { .. }
        | PhysicalPlan::CartesianProduct { .. }
        | PhysicalPlan::SortMergeJoin { .. }
        | PhysicalPlan::Window { .. }
        | PhysicalPlan::Expand { .. }
        | PhysicalPlan::BroadcastExchange { .. }
        | PhysicalPlan::Exchange { origin: ShuffleOrigin::EnsureRequirements | ShuffleOrigin::EnsureRequirementsOfCachedPlan, .. }
        | PhysicalPlan::Sort { global: false, .. } => require_ordering,
        _ => true,
    };
    for input in plan.children_mut() {
        remove(input, required);
    }
}

/// A projection of a scan's own columns (maybe through a filter planned with it), in another order where
/// `require_ordering` allows it, and no column made non-nullable.
fn is_redundant(exprs: &[Expr], input: &PhysicalPlan, require_ordering: bool) -> bool {
    // A scan of an RDD's rows reads them whole: a projection over it is a part of its own.
    let scan = |plan: &PhysicalPlan| match plan {
        PhysicalPlan::LocalTableScan { scan, .. } => !scan.reads_rdd(),
        other => matches!(other, PhysicalPlan::FileScan { .. } | PhysicalPlan::Range { .. }),
    };
    let planned_with_scan = match input {
        PhysicalPlan::Filter { input, .. } => scan(input),
        other => scan(other),
    };
    let Some(mut projected) = exprs.iter().map(|e| if let Expr::Attribute(a) = e { Some(a.clone()) } else { None }).collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    let mut columns = input.output();
    if !require_ordering {
        projected.sort_by_key(|a| a.id);
        columns.sort_by_key(|a| a.id);
    }
    planned_with_scan
        && projected.len() == columns.len()
        && projected.iter().zip(&columns).all(|(p, c)| p.id == c.id && (p.nullable || !c.nullable))
}
