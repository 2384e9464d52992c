//! The timeline: one lane per executor, each task a block from its start to its end, coloured by stage. During a
//! replay only what had started is drawn (a running task up to the moment), a line marks the moment, and the task
//! the current step is about is outlined.

use kindling_engine::replay::{Moment, TaskState};
use kindling_engine::task::TaskRecord;
use kindling_engine::trace::JobTrace;
use yew::prelude::*;

pub fn timeline_view(job: &JobTrace, moment: Option<&Moment>) -> Html {
    let span = job.tasks.iter().map(|t| t.end_us as f64).fold(1.0, f64::max).max(job.duration_us as f64);
    html! {
        <div class="timeline" data-executors={job.executors.to_string()}>
            <p class="hint">{ "One lane per executor; each block is a task, coloured by stage. A stage starts when the stages it reads from are done." }</p>
            { for (0..job.executors).map(|executor| html! {
                <div class="lane" data-executor={executor.to_string()}>
                    <span class="lane-label">{ format!("executor {executor}") }</span>
                    <div class="lane-track">
                        { for job.tasks.iter().filter(|t| t.executor == executor).filter_map(|task| task_block(task, moment, span)) }
                        { moment.map(|m| html! { <span class="now-line" style={format!("left:{:.2}%", (100.0 * m.at_us as f64 / span).min(100.0))}></span> }).unwrap_or_default() }
                    </div>
                </div>
            }) }
            <div class="legend">
                { for job.stages.iter().map(|stage| html! { <span class={format!("key s{}", stage.id % 8)}>{ format!("stage {}", stage.id) }</span> }) }
            </div>
        </div>
    }
}

/// A task's block, as far as it had run at the moment (none before it started).
fn task_block(task: &TaskRecord, moment: Option<&Moment>, span: f64) -> Option<Html> {
    let state = moment.map_or(TaskState::Done, |m| m.task_state(task.id));
    let end = match state {
        TaskState::Waiting => return None,
        TaskState::Running => moment.map_or(task.end_us, |m| m.at_us.clamp(task.start_us, task.end_us)),
        TaskState::Done => task.end_us,
    };
    let now = moment.is_some_and(|m| m.event.task() == Some(task.id));
    Some(html! {
        <span class={classes!("task", format!("s{}", task.stage % 8), (state == TaskState::Running).then_some("running"), now.then_some("now"))}
            data-stage={task.stage.to_string()} data-partition={task.partition.to_string()} data-task={task.id.to_string()}
            title={format!("task {} · stage {} · partition {} · {:.2} ms · {} rows in, {} rows out", task.id, task.stage, task.partition, task.duration_ms(), task.rows_in, task.rows_out)}
            style={lane_position(task.start_us as f64, (end - task.start_us) as f64, span)}></span>
    })
}

/// CSS placing a task block on its lane: at least a sliver wide, never past the lane's end.
fn lane_position(start: f64, duration: f64, span: f64) -> String {
    let left = (100.0 * start / span).clamp(0.0, 99.6);
    let width = (100.0 * duration / span).clamp(0.4, 100.0 - left);
    format!("left:{left:.2}%;width:{width:.2}%")
}
