//! The broadcast view: each broadcast as it travels — the small side's rows and bytes against
//! `spark.sql.autoBroadcastJoinThreshold`, the table built on the driver, one copy to every executor, and the join
//! that used it. For a sort-merge join whose smaller side turned out to be under the threshold, or that could have
//! been broadcast with a larger threshold, it says so and offers the knob. During a replay, copies arrive when the
//! replay reaches them.

use std::rc::Rc;

use kindling_engine::broadcast::BroadcastTrace;
use kindling_engine::physical::JoinStrategy;
use kindling_engine::replay::Moment;
use kindling_engine::trace::JobTrace;
use yew::prelude::*;

use crate::format::bytes;

/// The thresholds the knob offers, smallest first (Spark's default is 10 MiB).
pub const THRESHOLDS: [(i64, &str); 5] =
    [(-1, "off (-1)"), (1024, "1 KiB"), (1024 * 1024, "1 MiB"), (10 * 1024 * 1024, "10 MiB (default)"), (100 * 1024 * 1024, "100 MiB")];

#[derive(Properties, PartialEq)]
pub struct BroadcastProps {
    pub job: JobTrace,
    pub moment: Option<Rc<Moment>>,
    /// Sets the broadcast threshold and runs the notebook again (absent for a trace opened from a file).
    pub on_threshold: Option<Callback<i64>>,
}

#[function_component(BroadcastView)]
pub fn broadcast_view(props: &BroadcastProps) -> Html {
    let job = &props.job;
    let threshold = job.joins.iter().map(|j| j.threshold_bytes).next();
    html! {
        <div class="broadcasts">
            { for job.joins.iter().map(|join| html! {
                <p class="join-strategy" data-strategy={join.strategy.clone()}>
                    <strong>{ format!("{} ({})", join.strategy, join.join_type) }</strong>{ format!(": {}", join.reason) }
                </p>
            }) }
            if job.broadcasts.is_empty() {
                <p class="empty">{ "Nothing was broadcast in this job." }</p>
            }
            { for job.broadcasts.iter().map(|b| broadcast_card(job, b, threshold, props.moment.as_deref())) }
            { for sort_merge_notes(job, props.on_threshold.as_ref()) }
        </div>
    }
}

fn broadcast_card(job: &JobTrace, broadcast: &BroadcastTrace, threshold: Option<i64>, moment: Option<&Moment>) -> Html {
    let share = threshold.filter(|t| *t > 0).map(|t| 100.0 * broadcast.bytes as f64 / t as f64);
    let join = job.plan_graph.join_using_broadcast(broadcast.id);
    let built = moment.is_none_or(|m| m.broadcast_built(broadcast.id));
    html! {
        <div class={classes!("broadcast", (!built).then_some("not-yet"))} data-broadcast={broadcast.id.to_string()} data-copies={broadcast.copies.to_string()}>
            <h3>{ format!("Broadcast {} · built from stage {} · {} rows · {}", broadcast.id, broadcast.stage, broadcast.rows, bytes(broadcast.bytes)) }</h3>
            { share.map(|share| html! {
                <div class="threshold">
                    <div class="threshold-bar"><span style={format!("width:{:.1}%", share.clamp(0.5, 100.0))}></span></div>
                    <span>{ format!("{share:.2}% of spark.sql.autoBroadcastJoinThreshold ({})", bytes(threshold.unwrap_or(0) as u64)) }</span>
                </div>
            }).unwrap_or_default() }
            { travel_svg(broadcast, moment) }
            { join.map(|node| html! {
                <p class="used-by" data-join={node.name.clone()}>
                    { format!("Used by {} in stage {}: ", node.name, node.stage.map_or("?".into(), |s| s.to_string())) }
                    <code>{ &node.description }</code>
                    { node.metric("number of output rows").map(|m| format!(" — {} rows out.", m.spark_text())).unwrap_or_default() }
                </p>
            }).unwrap_or_default() }
            <p class="hint">{ "The small side is collected on the driver once and a copy goes to every executor, so the big side is joined where it lies, without a shuffle. In Kindling the executors share the driver's memory, so a copy is the same table, not a new one." }</p>
        </div>
    }
}

/// The table on the driver and an arrow to each executor's copy.
fn travel_svg(broadcast: &BroadcastTrace, moment: Option<&Moment>) -> Html {
    const WIDTH: f64 = 520.0;
    let copies = broadcast.copies.max(1);
    let lane = 34.0;
    let height = 20.0 + lane * copies as f64;
    let driver_y = height / 2.0 - 22.0;
    html! {
        <svg class="broadcast-travel" viewBox={format!("0 0 {WIDTH} {height:.0}")} width="100%" preserveAspectRatio="xMinYMin meet">
            <g class="driver">
                <rect x="4" y={format!("{driver_y:.1}")} width="150" height="44" rx="6" />
                <text x="14" y={format!("{:.1}", driver_y + 18.0)}>{ "driver: hash table" }</text>
                <text class="detail" x="14" y={format!("{:.1}", driver_y + 34.0)}>{ format!("{} rows · {}", broadcast.rows, bytes(broadcast.bytes)) }</text>
            </g>
            { for (0..broadcast.copies).map(|executor| {
                let y = 10.0 + lane * executor as f64;
                let arrived = moment.is_none_or(|m| m.copy_arrived(broadcast.id, executor));
                let now = moment.is_some_and(|m| m.event == kindling_engine::replay::EventKind::BroadcastCopied { broadcast: broadcast.id, executor });
                html! {
                    <g class={classes!("copy", format!("e{}", executor % 8), (!arrived).then_some("not-yet"), now.then_some("now"))} data-executor={executor.to_string()}>
                        <path d={format!("M154,{:.1} C220,{:.1} 260,{:.1} 330,{:.1}", driver_y + 22.0, driver_y + 22.0, y + 12.0, y + 12.0)} />
                        <rect x="330" y={format!("{y:.1}")} width="180" height="24" rx="5" />
                        <text x="340" y={format!("{:.1}", y + 16.0)}>{ format!("executor {executor} · {}", if arrived { bytes(broadcast.bytes) } else { "waiting".to_string() }) }</text>
                    </g>
                }
            }) }
        </svg>
    }
}

/// For each sort-merge join: when its smaller side (as shuffled) was under the threshold after all, or would be
/// under a larger one, say so, and offer the threshold that would broadcast it.
fn sort_merge_notes(job: &JobTrace, on_threshold: Option<&Callback<i64>>) -> Vec<Html> {
    let joins = job.joins.iter().filter(|j| j.strategy == "SortMergeJoin");
    let nodes = job.plan_graph.nodes.iter().filter(|n| n.name == "SortMergeJoin");
    joins
        .zip(nodes)
        .filter_map(|(strategy, node)| {
            let shuffled = job.plan_graph.shuffled_input_bytes(node.id);
            let smaller = *shuffled.iter().min()?;
            Some(sort_merge_note(strategy, smaller, on_threshold))
        })
        .collect()
}

fn sort_merge_note(strategy: &JoinStrategy, shuffled: u64, on_threshold: Option<&Callback<i64>>) -> Html {
    let estimate = strategy.left_bytes.min(strategy.right_bytes);
    let threshold = strategy.threshold_bytes;
    if strategy.join_type == "FullOuter" {
        return html! { <div class="smj-note"><p>{ "A full outer join keeps the unmatched rows of both sides, so neither side can be broadcast: both are shuffled and sorted, whatever their size." }</p></div> };
    }
    let text = if threshold > 0 && shuffled <= threshold as u64 {
        format!(
            "This sort-merge join's smaller side was shuffled as {} — under the threshold ({}) after all: the planner had estimated {} from the files. Spark's adaptive execution would now re-plan it as a broadcast hash join; Kindling does not re-plan joins at run time yet.",
            bytes(shuffled), bytes(threshold as u64), bytes(estimate)
        )
    } else if threshold <= 0 {
        format!("Broadcast joins are off (threshold {threshold}), so both sides were shuffled and sorted. The smaller side was estimated at {} and shuffled as {}.", bytes(estimate), bytes(shuffled))
    } else {
        format!("Both sides were over the threshold ({}): the smaller was estimated at {} and shuffled as {}.", bytes(threshold as u64), bytes(estimate), bytes(shuffled))
    };
    let offer = THRESHOLDS.iter().find(|(value, _)| *value > 0 && *value as u64 >= estimate && *value > threshold);
    html! {
        <div class="smj-note">
            <p>{ text }</p>
            { match (offer, on_threshold) {
                (Some((value, label)), Some(on_threshold)) => {
                    let (value, on_threshold) = (*value, on_threshold.clone());
                    html! {
                        <button id="offer-threshold" data-threshold={value.to_string()} onclick={move |_| on_threshold.emit(value)}>
                            { format!("Set autoBroadcastJoinThreshold to {label} and run again") }
                        </button>
                    }
                }
                _ => Html::default(),
            } }
        </div>
    }
}
