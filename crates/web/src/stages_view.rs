//! The stages view: each stage of the job as the Spark UI's stage page summarises it — how many tasks, and each
//! task metric at its minimum, quartiles and maximum — with skew called out in words. The numbers come from
//! [`stage_summary`] over the trace's task records.

use std::rc::Rc;

use kindling_engine::metrics::{bytes_to_string, duration_to_string, grouped};
use kindling_engine::replay::{Moment, TaskState};
use kindling_engine::stage_summary::{Skew, StageSummary, SummaryKind, SummaryRow, stage_summary};
use kindling_engine::trace::{JobTrace, StageTrace};
use yew::prelude::*;

/// Column heads: the fastest task, the 25th percentile, the median, the 75th percentile, the slowest.
const QUANTILES: [&str; 5] = ["Min", "25th pct", "Median", "75th pct", "Max"];

#[derive(Properties, PartialEq)]
pub struct StagesProps {
    pub job: JobTrace,
    /// During a replay, what had happened by the current step: each stage says how far it had got.
    pub moment: Option<Rc<Moment>>,
    /// Opens the reshuffle view on a skewed task's part of an exchange: (exchange, reduce task).
    pub on_reshuffle: Callback<(usize, usize)>,
    /// A stage a lesson points at, marked.
    #[prop_or_default]
    pub marked: Option<usize>,
}

#[function_component(StagesView)]
pub fn stages_view(props: &StagesProps) -> Html {
    let job = &props.job;
    html! {
        <div class="stages">
            <p class="hint">{ "A stage ends when its slowest task ends, so compare the columns: a Max far above the Median means one partition had much more to do than the rest." }</p>
            { for job.stages.iter().map(|stage| stage_card(job, stage, props.moment.as_deref(), &props.on_reshuffle, props.marked == Some(stage.id))) }
        </div>
    }
}

fn stage_card(job: &JobTrace, stage: &StageTrace, moment: Option<&Moment>, on_reshuffle: &Callback<(usize, usize)>, marked: bool) -> Html {
    let summary = (!stage.skipped).then(|| stage_summary(job, stage.id)).flatten();
    html! {
        <section class={classes!("stage-summary", stage.skipped.then_some("skipped"), marked.then_some("marked"))} data-stage={stage.id.to_string()}
            data-tasks={summary.as_ref().map(|s| s.tasks.to_string())}>
            <h3>{ stage_title(job, stage) }</h3>
            { moment.filter(|_| !stage.skipped).map(|m| progress_line(job, m, stage.id)).unwrap_or_default() }
            { match &summary {
                Some(summary) => html! {
                    <>
                        { summary_table(summary) }
                        { summary.skew.as_ref().map(|skew| skew_note(skew, on_reshuffle)).unwrap_or_default() }
                    </>
                },
                None => html! { <p class="hint">{ "Skipped: an earlier job already wrote the shuffle this stage would write, so none of its tasks ran in this job." }</p> },
            } }
        </section>
    }
}

fn stage_title(job: &JobTrace, stage: &StageTrace) -> String {
    let role = if job.broadcasts.iter().any(|b| b.stage == stage.id) {
        "builds a broadcast"
    } else if stage.writes_exchange.is_some() {
        "writes a shuffle"
    } else {
        "result"
    };
    let tasks = if stage.partitions == 1 { "1 task".to_string() } else { format!("{} tasks", stage.partitions) };
    format!("Stage {} · {tasks} · {role}", stage.id)
}

fn summary_table(summary: &StageSummary) -> Html {
    html! {
        <table class="task-quantiles">
            <thead><tr><th>{ "Task metric" }</th>{ for QUANTILES.iter().map(|q| html! { <th>{ *q }</th> }) }</tr></thead>
            <tbody>
                { for summary.rows.iter().map(|row| html! {
                    <tr data-metric={row.name}>
                        <th>{ row.name }</th>
                        { for row.quantiles.iter().map(|v| html! { <td>{ value_text(row, *v) }</td> }) }
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn value_text(row: &SummaryRow, value: u64) -> String {
    match row.kind {
        SummaryKind::Rows => grouped(value),
        SummaryKind::Bytes => bytes_to_string(value),
        SummaryKind::Duration => duration_text(value),
    }
}

/// A task's duration: tenths of a millisecond for short tasks (most tasks on samples are), Spark's text beyond.
fn duration_text(us: u64) -> String {
    if us < 10_000 { format!("{:.1} ms", us as f64 / 1e3) } else { duration_to_string(us / 1000) }
}

fn skew_note(skew: &Skew, on_reshuffle: &Callback<(usize, usize)>) -> Html {
    let times = skew.duration_us as f64 / skew.p75_us.max(1) as f64;
    let keys = if skew.keys.is_empty() {
        String::new()
    } else {
        format!(" Keys the shuffle sent there include {}.", skew.keys.join("; "))
    };
    let on_click = {
        let (on_reshuffle, exchange, task) = (on_reshuffle.clone(), skew.exchange, skew.partition);
        Callback::from(move |_| {
            if let Some(exchange) = exchange {
                on_reshuffle.emit((exchange, task));
            }
        })
    };
    html! {
        <div class="skew-note" data-partition={skew.partition.to_string()}>
            <strong>{ "Skew: " }</strong>
            { format!(
                "task {} (partition {}) took {}, {times:.1}× the 75th percentile ({}). Its partition had much more to do than the others; the stage waited for it.{keys}",
                skew.task, skew.partition, duration_text(skew.duration_us), duration_text(skew.p75_us)
            ) }
            if skew.exchange.is_some() {
                <button id="skew-to-reshuffle" class="link" onclick={on_click}>{ "Follow its keys in the reshuffle →" }</button>
            }
        </div>
    }
}

/// During a replay: how many of the stage's tasks had ended, and how many were running.
fn progress_line(job: &JobTrace, moment: &Moment, stage: usize) -> Html {
    let states: Vec<TaskState> = job.tasks.iter().filter(|t| t.stage == stage).map(|t| moment.task_state(t.id)).collect();
    let done = states.iter().filter(|s| **s == TaskState::Done).count();
    let running = states.iter().filter(|s| **s == TaskState::Running).count();
    let state = format!("{:?}", moment.stage_state(stage)).to_lowercase();
    html! {
        <p class={classes!("stage-progress", format!("state-{state}"))} data-done={done.to_string()}>
            { format!("At this step: {state} · {done} of {} tasks done, {running} running. The table is the whole stage's.", states.len()) }
        </p>
    }
}
