//! The operator graph: the job's physical plan as Spark's SQL tab draws it — one box per operator with the
//! metrics its tasks counted, rows flowing down from the scans, operators grouped in one box per stage. Clicking
//! an operator opens a panel with all its metrics as Spark writes them and what the operator does, in words
//! (`www/operators.json`). Everything drawn comes from the trace's [`PlanGraph`].

use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::OnceLock;

use kindling_engine::metrics::Metric;
use kindling_engine::plan_graph::{PlanGraph, PlanNode};
use kindling_engine::replay::Moment;
use kindling_engine::trace::{JobTrace, TRACE_VERSION};
use serde::Deserialize;
use yew::prelude::*;

use crate::format::truncate;
use crate::layout::{ClusterIn, EdgeIn, EdgeOut, GraphIn, NodeIn, NodeOut, layout};

const NODE_WIDTH: f64 = 196.0;
const NODE_HEADER: f64 = 22.0;
const METRIC_LINE: f64 = 14.0;
/// The metrics a box shows (all of them are in the panel).
const METRICS_IN_BOX: usize = 3;
/// What a metric reads as when no task of this job counted it (its stage was skipped).
const NOT_RUN: &str = "—";
/// Room above a stage's operators for its name.
const STAGE_LABEL: f64 = 18.0;

/// What an operator does and why it is in the plan, in our words.
#[derive(Deserialize)]
struct Explanation {
    what: String,
    why: String,
}

fn explanation(name: &str) -> Option<&'static Explanation> {
    static EXPLANATIONS: OnceLock<std::collections::HashMap<String, Explanation>> = OnceLock::new();
    let all = EXPLANATIONS.get_or_init(|| serde_json::from_str(include_str!("../../../www/operators.json")).unwrap_or_default());
    all.get(name).or_else(|| all.get(name.split(' ').next()?))
}

#[derive(Properties, PartialEq)]
pub struct OperatorGraphProps {
    pub job: JobTrace,
    /// During a replay, what had happened by the current step: each stage frame shows its state.
    pub moment: Option<Rc<Moment>>,
    /// An operator to open, by name: the first node of that name is selected when the graph is drawn.
    #[prop_or_default]
    pub focus: Option<String>,
}

#[function_component(OperatorGraphView)]
pub fn operator_graph_view(props: &OperatorGraphProps) -> Html {
    let selected = use_state(|| None::<usize>);
    let graph = &props.job.plan_graph;
    {
        // A new job, or a new operator to look at: open it (or nothing).
        let selected = selected.clone();
        let focused = props.focus.as_ref().and_then(|name| graph.nodes.iter().find(|n| &n.name == name)).map(|n| n.id);
        use_effect_with((props.job.description.clone(), props.job.duration_us, focused), move |(_, _, focused)| {
            selected.set(*focused);
        });
    }
    if graph.nodes.is_empty() {
        return html! { <p class="empty" id="operators-missing">{ missing_graph_reason(&props.job) }</p> };
    }
    let Some(placed) = layout(&graph_input(graph)) else {
        return html! { <p class="empty">{ "The operator graph could not be laid out." }</p> };
    };
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |id: usize| selected.set(Some(id)))
    };
    let chosen = (*selected).and_then(|id| graph.node(id));
    html! {
        <div class="operators-panel">
            <div class="operators-scroll">
                <svg id="operator-graph" class="operator-graph" width={format!("{:.0}", placed.width)} height={format!("{:.0}", placed.height + STAGE_LABEL)}
                    viewBox={format!("0 {:.0} {:.0} {:.0}", -STAGE_LABEL, placed.width, placed.height + STAGE_LABEL)} data-nodes={graph.nodes.len().to_string()}>
                    <defs>
                        <marker id="operator-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                            <path d="M 0 0 L 10 5 L 0 10 z" />
                        </marker>
                    </defs>
                    { for placed.clusters.iter().map(|c| html! {
                        <g class={classes!("stage-box", format!("s{}", c.id % 8), props.moment.as_deref().map(|m| stage_replay_class(&props.job, m, c.id)))}
                            data-stage={c.id.to_string()}>
                            <rect x={format!("{:.1}", c.x)} y={format!("{:.1}", c.y - STAGE_LABEL)} width={format!("{:.1}", c.width)}
                                height={format!("{:.1}", c.height + STAGE_LABEL)} rx="10" />
                            <text x={format!("{:.1}", c.x + 8.0)} y={format!("{:.1}", c.y - 5.0)}>{ stage_label(&props.job, c.id) }</text>
                        </g>
                    }) }
                    { for placed.edges.iter().map(operator_edge) }
                    { for placed.nodes.iter().filter_map(|n| Some((n, graph.node(n.id)?))).map(|(placed, node)| {
                        let skipped = node.stage.is_some_and(|stage| is_skipped(&props.job, stage));
                        operator_box(node, placed, *selected == Some(node.id), skipped, props.moment.as_deref(), on_select.clone())
                    }) }
                </svg>
            </div>
            { operator_panel(&props.job, chosen) }
        </div>
    }
}

/// Why a trace has no operator graph: it was written before the format had one.
fn missing_graph_reason(job: &JobTrace) -> String {
    if job.version < TRACE_VERSION {
        format!(
            "This trace was written by an older Kindling (trace format {}), before traces recorded each operator's \
             metrics (format {TRACE_VERSION}). Run the program again with this version to see its operators.",
            job.version
        )
    } else {
        "This job ran no query plan (it was computed by hand), so it has no operators to show.".to_string()
    }
}

fn graph_input(graph: &PlanGraph) -> GraphIn {
    let stages: BTreeSet<usize> = graph.nodes.iter().filter_map(|n| n.stage).collect();
    GraphIn {
        nodes: graph.nodes.iter().map(|n| NodeIn { id: n.id, width: NODE_WIDTH, height: node_height(n), cluster: n.stage }).collect(),
        edges: graph.edges.iter().map(|e| EdgeIn { from: e.from, to: e.to }).collect(),
        clusters: stages.into_iter().map(|id| ClusterIn { id }).collect(),
        rankdir: Some("TB"),
    }
}

fn node_height(node: &PlanNode) -> f64 {
    NODE_HEADER + METRIC_LINE * node.metrics.len().min(METRICS_IN_BOX) as f64 + 6.0
}

fn stage_label(job: &JobTrace, stage: usize) -> String {
    match job.stages.iter().find(|s| s.id == stage) {
        Some(s) if s.skipped => format!("Stage {stage} · skipped"),
        Some(s) => format!("Stage {stage} · {} task{}", s.partitions, if s.partitions == 1 { "" } else { "s" }),
        None => format!("Stage {stage}"),
    }
}

/// A stage frame's look during a replay: its state, and `now` when the current step is about it.
fn stage_replay_class(job: &JobTrace, moment: &Moment, stage: usize) -> Classes {
    let state = format!("state-{:?}", moment.stage_state(stage)).to_lowercase();
    classes!(state, (moment.focus_stage(job) == Some(stage)).then_some("now"))
}

fn is_skipped(job: &JobTrace, stage: usize) -> bool {
    job.stages.iter().any(|s| s.id == stage && s.skipped)
}

/// Where the operator ran, in words.
fn where_it_ran(job: &JobTrace, node: &PlanNode) -> String {
    match node.stage {
        None => "Runs on the driver".to_string(),
        Some(stage) if is_skipped(job, stage) => format!(
            "Stage {stage} was skipped in this job: an earlier job already wrote its shuffle, so its operators did not \
             run again (what they counted is in that job's graph)"
        ),
        Some(stage) => format!("Runs in the tasks of stage {stage}"),
    }
}

fn operator_edge(edge: &EdgeOut) -> Html {
    html! {
        <path class="operator-edge" d={edge.path()} marker-end="url(#operator-arrow)"
            data-from={edge.from.to_string()} data-to={edge.to.to_string()} />
    }
}

fn operator_box(node: &PlanNode, placed: &NodeOut, chosen: bool, skipped: bool, moment: Option<&Moment>, on_select: Callback<usize>) -> Html {
    let id = node.id;
    let tooltip = std::iter::once(node.description.clone())
        .chain(node.metrics.iter().map(|m| format!("{}: {}", m.name, m.spark_text())))
        .collect::<Vec<_>>()
        .join("\n");
    html! {
        <g class={classes!("operator", chosen.then_some("chosen"), node.stage.is_none().then_some("driver"), skipped.then_some("skipped"))}
            data-node={id.to_string()} data-name={node.name.clone()}
            data-rows={node.metric("number of output rows").map(|m| moment.map_or(m.total(), |moment| moment.metric_total(m)).to_string())}
            transform={format!("translate({:.1},{:.1})", placed.x, placed.y)} onclick={move |_| on_select.emit(id)}>
            <rect width={NODE_WIDTH.to_string()} height={node_height(node).to_string()} rx="6" />
            <text class="operator-name" x="8" y="15">{ truncate(&node.name, 26) }</text>
            { for node.metrics.iter().take(METRICS_IN_BOX).enumerate().map(|(i, metric)| html! {
                <text class="metric" x="8" y={format!("{:.1}", NODE_HEADER + 10.0 + METRIC_LINE * i as f64)}>
                    { format!("{}: {}", short_name(&metric.name), total_text(metric, moment)) }
                </text>
            }) }
            <title>{ tooltip }</title>
        </g>
    }
}

/// A metric's name short enough for a box (`output rows`, `agg. build time`).
fn short_name(name: &str) -> &str {
    match name {
        "number of output rows" => "rows out",
        "time in aggregation build" => "build time",
        "shuffle records written" => "records written",
        "shuffle bytes written" => "bytes written",
        "number of files read" => "files read",
        "size of files read" => "size of files",
        "number of partitions" => "partitions",
        "number of input batches" => "input batches",
        "number of coalesced partitions" => "coalesced",
        "partition data size" => "data size",
        other => other,
    }
}

/// A metric's total as Spark writes the first number (during a replay, as far as the tasks that had ended
/// counted); a dash when nothing ran to count it.
fn total_text(metric: &Metric, moment: Option<&Moment>) -> String {
    if metric.values.is_empty() {
        return NOT_RUN.to_string();
    }
    let total = moment.map_or(metric.total(), |m| m.metric_total(metric));
    Metric { values: vec![kindling_engine::metrics::MetricValue { task: None, value: total }], ..metric.clone() }.spark_text()
}

fn operator_panel(job: &JobTrace, chosen: Option<&PlanNode>) -> Html {
    let graph = &job.plan_graph;
    let Some(node) = chosen else {
        return html! {
            <aside class="operator-detail hint" id="operator-detail">
                { "Rows flow down from the scans to the result. Each box is an operator with the numbers its tasks counted; each tinted frame is a stage. Click an operator to see all its metrics and what it does." }
            </aside>
        };
    };
    let inputs: Vec<String> = graph.inputs_of(node.id).iter().filter_map(|&i| graph.node(i)).map(|n| n.name.clone()).collect();
    html! {
        <aside class="operator-detail" id="operator-detail" data-node={node.id.to_string()}>
            <h3>{ &node.name }</h3>
            <p class="where">
                { where_it_ran(job, node) }
                { if inputs.is_empty() { String::new() } else { format!(" · reads from {}", inputs.join(", ")) } }
            </p>
            { explanation(&node.name).map(|e| html! {
                <>
                    <p class="what">{ &e.what }</p>
                    <p class="why"><strong>{ "Why it is here: " }</strong>{ &e.why }</p>
                </>
            }).unwrap_or_default() }
            <table class="metrics">
                { for node.metrics.iter().map(|m| html! {
                    <tr data-metric={m.name.clone()}><th>{ &m.name }</th><td><pre>{ if m.values.is_empty() { NOT_RUN.to_string() } else { m.spark_text() } }</pre></td></tr>
                }) }
            </table>
            <details>
                <summary>{ "explain() line" }</summary>
                <pre class="description">{ &node.description }</pre>
            </details>
        </aside>
    }
}
