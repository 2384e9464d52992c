//! What adaptive execution changed in a job's plan, told from its trace.
//!
//! With `spark.sql.adaptive.enabled` (the default), Spark plans a query once, then runs it exchange by exchange:
//! each shuffle or broadcast becomes a *query stage* that runs first, and once its real size is known the rest of
//! the plan may change — small shuffle partitions are read together (`AQEShuffleRead coalesced`), and a sort-merge
//! join whose side turned out small can become a broadcast hash join. `explain()` after the action prints both the
//! final plan and the initial one; [`adaptive_plans`] separates them and lists the changes in words.

use crate::metrics::bytes_to_string;
use crate::trace::{ExchangeTrace, JobTrace};

/// The two plans of an adaptive job and what changed between them.
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptivePlans {
    pub initial: String,
    pub final_plan: String,
    pub changes: Vec<String>,
}

const FINAL: &str = "+- == Final Plan ==\n";
const INITIAL: &str = "+- == Initial Plan ==\n";

/// The initial and final plans of `job` and the changes, or `None` if the job was not planned adaptively.
pub fn adaptive_plans(job: &JobTrace) -> Option<AdaptivePlans> {
    let (_, after_final) = job.explain.split_once(FINAL)?;
    let (final_plan, initial) = after_final.split_once(INITIAL)?;
    let mut changes: Vec<String> = job.exchanges.iter().map(exchange_change).collect();
    changes.extend(job.broadcasts.iter().map(|b| {
        format!("Broadcast {} ran first as BroadcastQueryStage {}: {} rows, {}.", b.id, b.stage, b.rows, bytes_to_string(b.bytes))
    }));
    changes.extend(join_changes(job));
    Some(AdaptivePlans { initial: unindent(initial), final_plan: unindent(final_plan), changes })
}

/// The plans' lines are indented under their headings by three spaces.
fn unindent(text: &str) -> String {
    text.trim_end().lines().map(|line| line.strip_prefix("   ").unwrap_or(line)).collect::<Vec<_>>().join("\n")
}

fn exchange_change(exchange: &ExchangeTrace) -> String {
    let stage = format!("Exchange {} ({}) ran first as ShuffleQueryStage {}", exchange.id, exchange.partitioning, exchange.map_stage);
    let before = exchange.matrix.rows.first().map_or(0, Vec::len);
    match exchange.coalesced.as_ref().filter(|d| d.groups.len() < d.before) {
        Some(decision) => {
            const SHOWN: usize = 6;
            let mut ranges: Vec<String> = decision.groups.iter().take(SHOWN).map(|(start, end)| range_text(*start, *end)).collect();
            if decision.groups.len() > SHOWN {
                ranges.push(format!("… {} more", decision.groups.len() - SHOWN));
            }
            format!(
                "{stage}. Its {before} shuffle partitions were small, so they are read by {} (AQEShuffleRead coalesced, about {} each): {}.",
                tasks(decision.groups.len()),
                bytes_to_string(decision.target_bytes),
                ranges.join(", ")
            )
        }
        None if exchange.coalesced.is_some() => format!("{stage}; its {before} shuffle partitions were big enough to keep."),
        None => format!("{stage}; its {before} partitions were kept (asked for by the program, or not a shuffle AQE merges)."),
    }
}

fn range_text(start: usize, end: usize) -> String {
    if end - start == 1 { format!("partition {start}") } else { format!("partitions {start}–{}", end - 1) }
}

fn tasks(n: usize) -> String {
    if n == 1 { "1 task".to_string() } else { format!("{n} tasks") }
}

/// Each join, and whether Spark would have switched its strategy at run time.
fn join_changes(job: &JobTrace) -> Vec<String> {
    let smj_nodes: Vec<_> = job.plan_graph.nodes.iter().filter(|n| n.name == "SortMergeJoin").collect();
    let mut merge_joins = smj_nodes.iter();
    job.joins
        .iter()
        .map(|join| {
            let node = (join.strategy == "SortMergeJoin").then(|| merge_joins.next()).flatten();
            let smaller = node.and_then(|n| job.plan_graph.shuffled_input_bytes(n.id).into_iter().min());
            match smaller {
                Some(bytes) if join.threshold_bytes > 0 && bytes <= join.threshold_bytes as u64 && join.join_type != "FullOuter" => format!(
                    "The {} join's smaller side was shuffled as {}, under the broadcast threshold ({}): Spark would now re-plan it as a BroadcastHashJoin. Kindling does not re-plan joins at run time yet, so it stayed a SortMergeJoin.",
                    join.join_type,
                    bytes_to_string(bytes),
                    bytes_to_string(join.threshold_bytes as u64)
                ),
                _ => format!("The {} join kept the strategy chosen when planning: {} ({}).", join.join_type, join.strategy, join.reason),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adaptive::CoalesceDecision;
    use crate::exchange::ShuffleMatrix;

    #[test]
    fn the_plans_are_split_and_a_coalesced_shuffle_is_told_with_its_ranges() {
        let explain = "== Physical Plan ==\nAdaptiveSparkPlan isFinalPlan=true\n+- == Final Plan ==\n   ResultQueryStage 1\n   +- AQEShuffleRead coalesced\n+- == Initial Plan ==\n   HashAggregate\n   +- Exchange\n\n";
        let exchange = ExchangeTrace {
            id: 0,
            map_stage: 0,
            partitioning: "hashpartitioning(zone#1, 4)".into(),
            matrix: ShuffleMatrix { rows: vec![vec![1, 2, 3, 4]], bytes: vec![vec![8, 8, 8, 8]] },
            sample_keys: Vec::new(),
            sample_key_hashes: Vec::new(),
            coalesced: Some(CoalesceDecision { before: 4, target_bytes: 1024, groups: vec![(0, 3), (3, 4)] }),
            range_bounds: Vec::new(),
        };
        let job = JobTrace { explain: explain.into(), exchanges: vec![exchange], ..JobTrace::default() };
        let plans = adaptive_plans(&job).unwrap();
        assert_eq!(plans.final_plan, "ResultQueryStage 1\n+- AQEShuffleRead coalesced");
        assert_eq!(plans.initial, "HashAggregate\n+- Exchange");
        assert_eq!(
            plans.changes,
            ["Exchange 0 (hashpartitioning(zone#1, 4)) ran first as ShuffleQueryStage 0. Its 4 shuffle partitions were small, so they are read by 2 tasks (AQEShuffleRead coalesced, about 1024.0 B each): partitions 0–2, partition 3."]
        );
        assert_eq!(adaptive_plans(&JobTrace { explain: "== Physical Plan ==\n*(1) Project\n".into(), ..JobTrace::default() }), None);
    }
}
