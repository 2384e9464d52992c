//! The job views: one job of a cell, drawn from its [`JobTrace`] only — the DAG of stages, the partitions of
//! each stage, the reshuffle of each exchange, the broadcasts, the task timeline and the physical plan.

use kindling_engine::trace::{JobTrace, StageTrace};
use yew::prelude::*;

use crate::layout::{EdgeIn, EdgeOut, GraphIn, NodeIn, NodeOut, layout};
use crate::operator_graph::OperatorGraphView;
use crate::reshuffle_view::ReshuffleView;
use crate::stages_view::StagesView;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Dag,
    Operators,
    Stages,
    Partitions,
    Shuffle,
    Broadcast,
    Timeline,
}

impl Tab {
    pub const ALL: [Tab; 7] = [Tab::Dag, Tab::Operators, Tab::Stages, Tab::Partitions, Tab::Shuffle, Tab::Broadcast, Tab::Timeline];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Dag => "DAG",
            Tab::Operators => "Operators",
            Tab::Stages => "Stages",
            Tab::Partitions => "Partitions",
            Tab::Shuffle => "Reshuffle",
            Tab::Broadcast => "Broadcast",
            Tab::Timeline => "Timeline",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Tab::Dag => "dag",
            Tab::Operators => "operators",
            Tab::Stages => "stages",
            Tab::Partitions => "partitions",
            Tab::Shuffle => "shuffle",
            Tab::Broadcast => "broadcast",
            Tab::Timeline => "timeline",
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct JobViewProps {
    pub job: JobTrace,
    /// The job's number in the application (Spark UI's job id).
    pub number: usize,
    pub tab: Tab,
    pub on_tab: Callback<Tab>,
}

#[function_component(JobView)]
pub fn job_view(props: &JobViewProps) -> Html {
    let job = &props.job;
    let tasks = job.tasks.len();
    html! {
        <section id="job-view" class="job-view" data-job={props.number.to_string()}
            data-stages={job.stages.len().to_string()} data-tasks={tasks.to_string()}>
            <header>
                <h2>{ format!("Job {} · {}", props.number, job.description) }</h2>
                <p class="job-summary">
                    { format!("{} stages · {} tasks · {} executors · {:.1} ms", job.stages.len(), tasks, job.executors, job.duration_us as f64 / 1e3) }
                </p>
            </header>
            <nav class="tabs">
                { for Tab::ALL.iter().map(|tab| {
                    let on_tab = props.on_tab.clone();
                    let tab = *tab;
                    html! {
                        <button id={format!("tab-{}", tab.id())} class={classes!("tab", (tab == props.tab).then_some("active"))}
                            onclick={move |_| on_tab.emit(tab)}>{ tab.label() }</button>
                    }
                }) }
            </nav>
            { match props.tab {
                Tab::Dag => html! { <DagView job={job.clone()} /> },
                Tab::Operators => html! { <OperatorGraphView job={job.clone()} /> },
                Tab::Stages => {
                    let on_tab = props.on_tab.clone();
                    html! { <StagesView job={job.clone()} on_reshuffle={Callback::from(move |()| on_tab.emit(Tab::Shuffle))} /> }
                }
                Tab::Partitions => partitions_view(job),
                Tab::Shuffle => html! { <ReshuffleView job={job.clone()} /> },
                Tab::Broadcast => broadcast_view(job),
                Tab::Timeline => timeline_view(job),
            } }
        </section>
    }
}

// ---- DAG ------------------------------------------------------------------------------------------------------

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
struct DagProps {
    job: JobTrace,
}

#[function_component(DagView)]
fn dag_view(props: &DagProps) -> Html {
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
                    { for layout.nodes.iter().filter_map(|node| Some((node, job.stages.iter().find(|s| s.id == node.id)?))).map(|(node, stage)| dag_stage(job, stage, node)) }
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

fn dag_stage(job: &JobTrace, stage: &StageTrace, node: &NodeOut) -> Html {
    let rows: u64 = stage.output_sizes.iter().map(|p| p.rows).sum();
    let broadcast = job.broadcasts.iter().any(|b| b.stage == stage.id);
    let role = if broadcast { "broadcast side" } else if stage.writes_exchange.is_some() { "map side" } else { "result" };
    let (title, hover) = if stage.skipped {
        (format!("Stage {} · skipped", stage.id), format!("Stage {}: skipped, an earlier job already wrote its shuffle", stage.id))
    } else {
        (format!("Stage {} · {} · {role}", stage.id, plural(stage.partitions, "task")), format!("Stage {}: {} tasks wrote {} rows", stage.id, stage.partitions, rows))
    };
    html! {
        <g class={classes!("dag-stage", broadcast.then_some("broadcast"), stage.skipped.then_some("skipped"))} data-stage={stage.id.to_string()}
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

// ---- Partitions -----------------------------------------------------------------------------------------------

fn partitions_view(job: &JobTrace) -> Html {
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
                                <span class="partition-bar" data-partition={p.partition.to_string()} data-rows={p.rows.to_string()}
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

// ---- Broadcast ------------------------------------------------------------------------------------------------

fn broadcast_view(job: &JobTrace) -> Html {
    let joins = html! {
        { for job.joins.iter().map(|join| html! {
            <p class="join-strategy" data-strategy={join.strategy.clone()}>
                <strong>{ format!("{} ({})", join.strategy, join.join_type) }</strong>{ format!(": {}", join.reason) }
            </p>
        }) }
    };
    if job.broadcasts.is_empty() {
        return html! {
            <div class="broadcasts">
                <p class="empty">{ "Nothing was broadcast in this job." }</p>
                { joins }
            </div>
        };
    }
    let threshold = job.joins.iter().map(|j| j.threshold_bytes).find(|t| *t > 0);
    html! {
        <div class="broadcasts">
            { joins }
            { for job.broadcasts.iter().map(|broadcast| {
                let share = threshold.map(|t| 100.0 * broadcast.bytes as f64 / t as f64);
                html! {
                    <div class="broadcast" data-broadcast={broadcast.id.to_string()} data-copies={broadcast.copies.to_string()}>
                        <h3>{ format!("Broadcast {} · stage {} · {} rows · {}", broadcast.id, broadcast.stage, broadcast.rows, bytes(broadcast.bytes)) }</h3>
                        { share.map(|share| html! {
                            <div class="threshold">
                                <div class="threshold-bar"><span style={format!("width:{:.1}%", share.min(100.0).max(0.5))}></span></div>
                                <span>{ format!("{:.2}% of spark.sql.autoBroadcastJoinThreshold ({})", share, bytes(threshold.unwrap_or(0) as u64)) }</span>
                            </div>
                        }).unwrap_or_default() }
                        <p class="hint">{ "The small side is collected once and a copy is sent to every executor, so the big side is joined where it lies, without a shuffle." }</p>
                        <div class="copies">
                            { for (0..broadcast.copies).map(|executor| html! {
                                <div class={format!("copy e{}", executor % 8)} data-executor={executor.to_string()}>
                                    <span>{ format!("executor {executor}") }</span>
                                    <strong>{ bytes(broadcast.bytes) }</strong>
                                </div>
                            }) }
                        </div>
                    </div>
                }
            }) }
        </div>
    }
}

// ---- Timeline -------------------------------------------------------------------------------------------------

fn timeline_view(job: &JobTrace) -> Html {
    let span = job.tasks.iter().map(|t| t.end_us as f64).fold(1.0, f64::max);
    html! {
        <div class="timeline" data-executors={job.executors.to_string()}>
            <p class="hint">{ "One lane per executor; each block is a task, coloured by stage. A stage starts when the stages it reads from are done." }</p>
            { for (0..job.executors).map(|executor| html! {
                <div class="lane" data-executor={executor.to_string()}>
                    <span class="lane-label">{ format!("executor {executor}") }</span>
                    <div class="lane-track">
                        { for job.tasks.iter().filter(|t| t.executor == executor).map(|task| html! {
                            <span class={format!("task s{}", task.stage % 8)} data-stage={task.stage.to_string()} data-partition={task.partition.to_string()}
                                title={format!("stage {} · partition {} · {:.2} ms · {} rows in, {} rows out", task.stage, task.partition, task.duration_ms(), task.rows_in, task.rows_out)}
                                style={lane_position(task.start_us as f64, (task.end_us - task.start_us) as f64, span)}></span>
                        }) }
                    </div>
                </div>
            }) }
            <div class="legend">
                { for job.stages.iter().map(|stage| html! { <span class={format!("key s{}", stage.id % 8)}>{ format!("stage {}", stage.id) }</span> }) }
            </div>
        </div>
    }
}

/// CSS placing a task block on its lane: at least a sliver wide, never past the lane's end.
fn lane_position(start: f64, duration: f64, span: f64) -> String {
    let left = (100.0 * start / span).clamp(0.0, 99.6);
    let width = (100.0 * duration / span).clamp(0.4, 100.0 - left);
    format!("left:{left:.2}%;width:{width:.2}%")
}

// ---- helpers --------------------------------------------------------------------------------------------------

/// Bytes in the units Spark's UI uses.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{n} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max { text.to_string() } else { format!("{}…", text.chars().take(max - 1).collect::<String>()) }
}
