//! The Yew app on the page's main thread. It starts the engine worker, sends it requests and draws what comes
//! back. It never computes data itself.

use kindling_engine::job::{SumPerPartition, display_sum};
use kindling_engine::trace::JobTrace;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, HtmlInputElement, MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::prelude::*;

use crate::protocol::{self, EngineInfo, Request, Response};

/// The bundled sample: synthetic green taxi trips made by `kindling gen` (see scripts/samples.sh).
const SAMPLE_URL: &str = "samples/green_tripdata_2024-01.parquet";
const SAMPLE_COLUMN: &str = "total_amount";
const DEFAULT_PARTITIONS: usize = 8;
const MAX_PARTITIONS: usize = 64;

pub struct App {
    worker: Worker,
    /// Kept alive as long as the worker may call them.
    _listeners: [Closure<dyn Fn(JsValue)>; 2],
    engine: EngineState,
    partitions: usize,
    run: RunState,
}

enum EngineState {
    Starting,
    Ready(EngineInfo),
    Broken(String),
}

enum RunState {
    NotRun,
    Running,
    Done(Box<SumPerPartition>),
    Failed(String),
}

pub enum Msg {
    Engine(Response),
    EngineCrashed(String),
    SetPartitions(usize),
    Run,
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options("./engine-worker.js", &options).expect("browsers can start module workers");
        let on_message = {
            let link = ctx.link().clone();
            Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
                let text = event.unchecked_into::<MessageEvent>().data().as_string().unwrap_or_default();
                link.send_message(match protocol::decode::<Response>(&text) {
                    Ok(response) => Msg::Engine(response),
                    Err(message) => Msg::EngineCrashed(message),
                });
            })
        };
        let on_error = {
            let link = ctx.link().clone();
            Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
                let message = event.unchecked_into::<ErrorEvent>().message();
                link.send_message(Msg::EngineCrashed(format!("the engine worker failed: {message}")));
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Self {
            worker,
            _listeners: [on_message, on_error],
            engine: EngineState::Starting,
            partitions: DEFAULT_PARTITIONS,
            run: RunState::NotRun,
        }
    }

    fn update(&mut self, _ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            Msg::Engine(Response::Ready(info)) => self.engine = EngineState::Ready(info),
            Msg::Engine(Response::Summed(result)) => self.run = RunState::Done(result),
            Msg::Engine(Response::Failed { message }) => self.run = RunState::Failed(message),
            Msg::EngineCrashed(message) => {
                self.engine = EngineState::Broken(message);
                self.run = RunState::NotRun;
            }
            Msg::SetPartitions(partitions) => self.partitions = partitions,
            Msg::Run => {
                let request = Request::SumPerPartition {
                    url: SAMPLE_URL.to_string(),
                    column: SAMPLE_COLUMN.to_string(),
                    partitions: self.partitions,
                };
                self.run = match self.worker.post_message(&JsValue::from_str(&protocol::encode(&request))) {
                    Ok(()) => RunState::Running,
                    Err(error) => RunState::Failed(format!("cannot reach the engine worker: {error:?}")),
                };
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        html! {
            <main>
                <header>
                    <h1>{ "Kindling" }</h1>
                    <p class="tagline">{ "Spark's batch-processing model, running in this tab." }</p>
                </header>
                { self.engine_status() }
                { self.job_controls(ctx) }
                { self.results() }
            </main>
        }
    }
}

impl App {
    fn engine_status(&self) -> Html {
        match &self.engine {
            EngineState::Starting => html! { <section id="engine-status" class="status">{ "Starting the engine…" }</section> },
            EngineState::Broken(message) => html! {
                <section id="engine-status" class="status error">{ message.clone() }</section>
            },
            EngineState::Ready(info) => {
                let (class, text) = if info.cross_origin_isolated {
                    ("status ok", format!("Engine ready: {} executors (local[{}]), one per hardware thread.", info.executors, info.executors))
                } else {
                    ("status warn", format!(
                        "This page is not cross-origin isolated, so browsers give it no shared memory: the engine runs single-threaded ({} executor).",
                        info.executors
                    ))
                };
                html! {
                    <section id="engine-status" class={class}
                        data-executors={info.executors.to_string()}
                        data-isolated={info.cross_origin_isolated.to_string()}>
                        { text }
                    </section>
                }
            }
        }
    }

    fn job_controls(&self, ctx: &Context<Self>) -> Html {
        let ready = matches!(self.engine, EngineState::Ready(_)) && !matches!(self.run, RunState::Running);
        let on_partitions = ctx.link().batch_callback(|event: Event| {
            let value = event.target_unchecked_into::<HtmlInputElement>().value();
            value.parse::<usize>().ok().filter(|n| (1..=MAX_PARTITIONS).contains(n)).map(Msg::SetPartitions)
        });
        html! {
            <section class="job">
                <p>
                    { "Read " }<code>{ SAMPLE_URL }</code>
                    { " (synthetic green taxi trips), cut it into partitions and sum " }<code>{ SAMPLE_COLUMN }</code>
                    { " in each partition: one task per partition, run in parallel by the executors." }
                </p>
                <label>
                    { "Partitions " }
                    <input id="partitions" type="number" min="1" max={MAX_PARTITIONS.to_string()}
                        value={self.partitions.to_string()} onchange={on_partitions} />
                </label>
                <button id="run" disabled={!ready} onclick={ctx.link().callback(|_| Msg::Run)}>{ "Run job" }</button>
            </section>
        }
    }

    fn results(&self) -> Html {
        match &self.run {
            RunState::NotRun => html! {},
            RunState::Running => html! { <section class="result">{ "Running…" }</section> },
            RunState::Failed(message) => html! { <section id="job-error" class="result error">{ message.clone() }</section> },
            RunState::Done(result) => html! {
                <section class="result">
                    <p class="total">
                        { format!("sum({}) = ", result.column) }
                        <strong id="total" data-total={display_sum(result.total)}>{ display_sum(result.total) }</strong>
                        { format!(" — {} partitions, {:.1} ms", result.partitions.len(), result.trace.duration_us as f64 / 1e3) }
                    </p>
                    { partition_table(result) }
                    { timeline(&result.trace) }
                </section>
            },
        }
    }
}

fn partition_table(result: &SumPerPartition) -> Html {
    html! {
        <table id="partitions-table">
            <thead><tr><th>{ "partition" }</th><th>{ "rows" }</th><th>{ "executor" }</th><th>{ "task time" }</th><th>{ "sum" }</th></tr></thead>
            <tbody>
                { for result.partitions.iter().zip(&result.trace.tasks).map(|(partition, task)| html! {
                    <tr class="partition-row" data-partition={partition.partition.to_string()}
                        data-executor={task.executor.to_string()} data-sum={display_sum(partition.sum)}>
                        <td>{ partition.partition }</td>
                        <td>{ partition.rows }</td>
                        <td><span class={format!("executor e{}", task.executor % 8)}>{ format!("executor {}", task.executor) }</span></td>
                        <td>{ format!("{:.2} ms", task.duration_ms()) }</td>
                        <td class="number">{ display_sum(partition.sum) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// Tasks per executor over time: one lane per executor, one block per task.
fn timeline(trace: &JobTrace) -> Html {
    let span = trace.tasks.iter().map(|t| t.end_us as f64 / 1e3).fold(f64::EPSILON, f64::max);
    html! {
        <div class="timeline">
            <h2>{ "Tasks per executor" }</h2>
            { for (0..trace.executors).map(|executor| html! {
                <div class="lane">
                    <span class="lane-label">{ format!("executor {executor}") }</span>
                    <div class="lane-track">
                        { for trace.tasks.iter().filter(|t| t.executor == executor).map(|task| html! {
                            <span class={format!("task e{}", executor % 8)}
                                title={format!("partition {}: {:.2} ms", task.partition, task.duration_ms())}
                                style={lane_position(task.start_us as f64 / 1e3, task.duration_ms(), span)}>
                                { task.partition }
                            </span>
                        }) }
                    </div>
                </div>
            }) }
        </div>
    }
}

/// CSS placing a task block on its lane: at least a sliver wide, never past the lane's end.
fn lane_position(start_ms: f64, duration_ms: f64, span_ms: f64) -> String {
    let left = (100.0 * start_ms / span_ms).clamp(0.0, 99.5);
    let width = (100.0 * duration_ms / span_ms).clamp(0.5, 100.0 - left);
    format!("left:{left:.2}%;width:{width:.2}%")
}
