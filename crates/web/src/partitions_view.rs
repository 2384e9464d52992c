//! The partitions view: the rows each task of a stage wrote, one bar per partition. During a replay a bar fills
//! when its task ends.

use kindling_engine::replay::{EventKind, Moment, TaskState};
use kindling_engine::trace::JobTrace;
use yew::prelude::*;

use crate::format::{bytes, plural};

pub fn partitions_view(job: &JobTrace, moment: Option<&Moment>) -> Html {
    html! {
        <div class="partitions">
            <p class="hint">{ "Rows each task of a stage wrote, one bar per partition. A bar far above the others is skew: that task runs longest and the stage waits for it." }</p>
            { for job.stages.iter().filter(|stage| !stage.skipped).map(|stage| {
                let rows: Vec<u64> = stage.output_sizes.iter().map(|p| p.rows).collect();
                let max = rows.iter().copied().max().unwrap_or(0).max(1);
                let total: u64 = rows.iter().sum();
                let total_bytes: u64 = stage.output_sizes.iter().map(|p| p.bytes).sum();
                let skew = skew(&rows);
                html! {
                    <div class="stage-partitions" data-stage={stage.id.to_string()} data-partitions={rows.len().to_string()}>
                        <h3>
                            { format!("Stage {} · {} · {} rows · {}", stage.id, plural(rows.len(), "partition"), total, bytes(total_bytes)) }
                            { skew.map(|ratio| html! { <span class="skew">{ format!("largest {ratio:.1}× the median") }</span> }).unwrap_or_default() }
                        </h3>
                        <div class="bars">
                            { for stage.output_sizes.iter().map(|p| html! {
                                <span class={classes!("partition-bar", moment.map(|m| bar_state(job, m, stage.id, p.partition)))}
                                    data-partition={p.partition.to_string()} data-rows={p.rows.to_string()}
                                    style={format!("height:{:.1}%", 100.0 * p.rows as f64 / max as f64)}
                                    title={format!("partition {}: {} rows, {}", p.partition, p.rows, bytes(p.bytes))}></span>
                            }) }
                        </div>
                    </div>
                }
            }) }
        </div>
    }
}

/// How many times the median the largest partition is, when that is worth pointing out.
fn skew(rows: &[u64]) -> Option<f64> {
    let mut sorted: Vec<u64> = rows.iter().copied().filter(|r| *r > 0).collect();
    sorted.sort_unstable();
    let median = *sorted.get(sorted.len() / 2)?;
    let ratio = *sorted.last()? as f64 / median as f64;
    (ratio >= 2.0).then_some(ratio)
}


/// A bar's look at the replay's moment: `not-yet` until the task that wrote it ends, `now` at the step it ends.
fn bar_state(job: &JobTrace, moment: &Moment, stage: usize, partition: usize) -> Option<&'static str> {
    let task = job.tasks.iter().find(|t| t.stage == stage && t.partition == partition)?;
    if moment.event == (EventKind::TaskEnd { task: task.id }) {
        Some("now")
    } else {
        (moment.task_state(task.id) != TaskState::Done).then_some("not-yet")
    }
}
