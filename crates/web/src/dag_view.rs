//! The DAG view: the job's stages as boxes, left to right, with the shuffles and broadcasts between them, laid
//! out by dagre, beside `explain()`. During a replay each stage shows whether it is waiting, running or done.

use std::rc::Rc;

use kindling_engine::replay::Moment;
use kindling_engine::trace::{JobTrace, StageTrace};
use yew::prelude::*;

use crate::format::{bytes, plural, truncate};
use crate::layout::{EdgeIn, EdgeOut, GraphIn, NodeIn, NodeOut, layout};

const STAGE_WIDTH: f64 = 230.0;
const STAGE_HEADER: f64 = 30.0;
const OPERATOR_LINE: f64 = 17.0;

/// What crosses from a parent stage to its child: a shuffle or a broadcast.
fn edge_kind(job: &JobTrace, parent: usize) -> (&'static str, String) {
    if let Some(broadcast) = job.broadcasts.iter().find(|b| b.stage == parent) {
        return ("broadcast", format!("broadcast · {}", bytes(broadcast.bytes)));
    }
    match job.exchanges.iter().find(|e| e.map_stage == parent) {
        Some(exchange) => {
            let partitions = exchange.matrix.rows.first().map_or(0, |row| row.len());
            let label = match &exchange.coalesced {
                Some(merged) => format!("shuffle → {partitions}, read as {}", merged.groups.len()),
                None => format!("shuffle → {}", plural(partitions, "partition")),
            };
            ("shuffle", label)
        }
        None => ("shuffle", "shuffle".to_string()),
    }
}

fn stage_height(stage: &StageTrace) -> f64 {
    STAGE_HEADER + OPERATOR_LINE * stage.operators.len() as f64 + 10.0
}

#[derive(Properties, PartialEq)]
pub struct DagProps {
    pub job: JobTrace,
    /// During a replay, what had happened by the current step.
    pub moment: Option<Rc<Moment>>,
}

#[function_component(DagView)]
pub fn dag_view(props: &DagProps) -> Html {
    let job = &props.job;
    let graph = GraphIn {
        nodes: job.stages.iter().map(|s| NodeIn { id: s.id, width: STAGE_WIDTH, height: stage_height(s), cluster: None }).collect(),
        edges: job.stages.iter().flat_map(|s| s.parents.iter().map(|p| EdgeIn { from: *p, to: s.id })).collect(),
        ..GraphIn::default()
    };
    let Some(layout) = layout(&graph) else {
        return html! { <p class="empty">{ "The DAG could not be laid out." }</p> };
    };
    html! {
        <div class="dag-panel">
            <div class="dag-scroll">
                <svg id="dag" class="dag" width={layout.width.to_string()} height={layout.height.to_string()}
                    viewBox={format!("0 0 {} {}", layout.width, layout.height)} data-stages={job.stages.len().to_string()}>
                    <defs>
                        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                            <path d="M 0 0 L 10 5 L 0 10 z" />
                        </marker>
                    </defs>
                    { for layout.edges.iter().map(|edge| dag_edge(job, edge)) }
                    { for layout.nodes.iter().filter_map(|node| Some((node, job.stages.iter().find(|s| s.id == node.id)?))).map(|(node, stage)| dag_stage(job, stage, node, props.moment.as_deref())) }
                </svg>
            </div>
            <div class="plan">
                <h3>{ "explain()" }</h3>
                <pre id="plan-text">{ if job.explain.is_empty() { &job.physical_plan } else { &job.explain } }</pre>
            </div>
        </div>
    }
}

fn dag_edge(job: &JobTrace, edge: &EdgeOut) -> Html {
    let (kind, label) = edge_kind(job, edge.from);
    let detail = job.exchanges.iter().find(|e| e.map_stage == edge.from).map_or(label.clone(), |e| format!("Exchange {}", e.partitioning));
    let (path, middle) = (edge.path(), edge.middle());
    html! {
        <g class={classes!("dag-edge", kind)} data-kind={kind} data-from={edge.from.to_string()} data-to={edge.to.to_string()}>
            <path d={path} marker-end="url(#arrow)" />
            <text x={format!("{:.1}", middle.x)} y={format!("{:.1}", middle.y - 6.0)} text-anchor="middle">{ label }</text>
            <title>{ detail }</title>
        </g>
    }
}

fn dag_stage(job: &JobTrace, stage: &StageTrace, node: &NodeOut, moment: Option<&Moment>) -> Html {
    let rows: u64 = stage.output_sizes.iter().map(|p| p.rows).sum();
    let broadcast = job.broadcasts.iter().any(|b| b.stage == stage.id);
    let role = if broadcast { "broadcast side" } else if stage.writes_exchange.is_some() { "map side" } else { "result" };
    let (title, hover) = if stage.skipped {
        (format!("Stage {} · skipped", stage.id), format!("Stage {}: skipped, an earlier job already wrote its shuffle", stage.id))
    } else {
        (format!("Stage {} · {} · {role}", stage.id, plural(stage.partitions, "task")), format!("Stage {}: {} tasks wrote {} rows", stage.id, stage.partitions, rows))
    };
    html! {
        <g class={classes!("dag-stage", broadcast.then_some("broadcast"), stage.skipped.then_some("skipped"), moment.map(|m| replay_class(job, m, stage.id)))}
            data-stage={stage.id.to_string()} data-state={moment.map(|m| format!("{:?}", m.stage_state(stage.id)).to_lowercase())}
            data-tasks={stage.partitions.to_string()} transform={format!("translate({:.1},{:.1})", node.x, node.y)}>
            <rect width={STAGE_WIDTH.to_string()} height={stage_height(stage).to_string()} rx="8" />
            <text class="stage-title" x="10" y="19">{ title }</text>
            { for stage.operators.iter().enumerate().map(|(i, operator)| html! {
                <text class="operator" x="14" y={format!("{:.1}", STAGE_HEADER + 12.0 + OPERATOR_LINE * i as f64)}>{ truncate(operator, 32) }</text>
            }) }
            <title>{ hover }</title>
        </g>
    }
}


/// A stage's look during a replay: its state, and `now` when the current step is about it.
fn replay_class(job: &JobTrace, moment: &Moment, stage: usize) -> Classes {
    let state = format!("state-{:?}", moment.stage_state(stage)).to_lowercase();
    classes!(state, (moment.focus_stage(job) == Some(stage)).then_some("now"))
}
