//! The job views: one job of a cell, drawn from its [`JobTrace`] only — the DAG of stages, the operator graph,
//! the stage summaries, the partitions of each stage, the reshuffle of each exchange, the broadcasts and the task
//! timeline — and its replay: step by step, every view shows the job as it was at that step (see
//! [`kindling_engine::replay`]).

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use kindling_engine::replay::Replay;
use kindling_engine::trace::JobTrace;
use yew::prelude::*;

use crate::aqe_view::aqe_view;
use crate::broadcast_view::BroadcastView;
use crate::dag_view::DagView;
use crate::operator_graph::OperatorGraphView;
use crate::partitions_view::partitions_view;
use crate::replay_bar::{ReplayBar, STEP_MS};
use crate::reshuffle_view::ReshuffleView;
use crate::stages_view::StagesView;
use crate::timeline_view::timeline_view;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Dag,
    Operators,
    Stages,
    Partitions,
    Shuffle,
    Broadcast,
    Timeline,
    Adaptive,
}

impl Tab {
    pub const ALL: [Tab; 8] = [Tab::Dag, Tab::Operators, Tab::Stages, Tab::Partitions, Tab::Shuffle, Tab::Broadcast, Tab::Timeline, Tab::Adaptive];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Dag => "DAG",
            Tab::Operators => "Operators",
            Tab::Stages => "Stages",
            Tab::Partitions => "Partitions",
            Tab::Shuffle => "Reshuffle",
            Tab::Broadcast => "Broadcast",
            Tab::Timeline => "Timeline",
            Tab::Adaptive => "AQE",
        }
    }

    /// The tab whose id is `id` (as a lesson's `look` names it).
    pub fn from_id(id: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|tab| tab.id() == id)
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
            Tab::Adaptive => "aqe",
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
    /// Sets the broadcast threshold knob (for a notebook's jobs; a trace opened from a file has no knobs).
    #[prop_or_default]
    pub on_threshold: Option<Callback<i64>>,
    /// An operator to open in the operator graph, by name (where a lesson step says to look).
    #[prop_or_default]
    pub focus: Option<String>,
    /// A step of the replay to open at (where a lesson step says to look), 0-based.
    #[prop_or_default]
    pub replay_step: Option<usize>,
    /// A key to follow in the reshuffle view (where a lesson step says to look).
    #[prop_or_default]
    pub follow_key: Option<String>,
    /// A stage to mark on the stage page (where a lesson step says to look).
    #[prop_or_default]
    pub focus_stage: Option<usize>,
}

#[function_component(JobView)]
pub fn job_view(props: &JobViewProps) -> Html {
    let job = &props.job;
    let tasks = job.tasks.len();
    let replay = use_memo(job.clone(), Replay::of);
    let step = use_state(|| None::<usize>);
    let playing = use_state(|| false);
    let speed = use_state(|| 1.0_f64);
    // A reduce task of an exchange the reshuffle view points at (the slow task a stage summary found).
    let focus = use_state(|| None::<(usize, usize)>);
    {
        // Another job: its replay starts over (or opens where a lesson points), nothing is pointed at.
        let (step, playing, focus) = (step.clone(), playing.clone(), focus.clone());
        let last = replay.len().saturating_sub(1);
        use_effect_with((job.clone(), props.replay_step), move |(_, start)| {
            step.set(start.map(|at| at.min(last)));
            playing.set(false);
            focus.set(None);
        });
    }
    {
        // Playing: the next step after a moment, until the last.
        let (step, playing, len) = (step.clone(), playing.clone(), replay.len());
        use_effect_with((*step, *playing, *speed), move |&(current, is_playing, speed)| {
            let timer = (is_playing).then(|| {
                Timeout::new((STEP_MS / speed) as u32, move || match current {
                    Some(at) if at + 1 < len => step.set(Some(at + 1)),
                    _ => playing.set(false),
                })
            });
            move || drop(timer)
        });
    }
    let moment = step.map(|at| Rc::new(replay.moment(job, at)));
    let go_to = {
        let (step, len) = (step.clone(), replay.len());
        Callback::from(move |at: usize| step.set(Some(at.min(len.saturating_sub(1)))))
    };
    let on_play = {
        let (step, playing, len) = (step.clone(), playing.clone(), replay.len());
        Callback::from(move |play: bool| {
            // Playing from the last step (or from outside the replay) starts at the beginning.
            if play && step.is_none_or(|at| at + 1 >= len) {
                step.set(Some(0));
            }
            playing.set(play);
        })
    };
    let on_keydown = {
        let (step, go_to, on_play, playing) = (step.clone(), go_to.clone(), on_play.clone(), playing.clone());
        Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
            " " => {
                event.prevent_default();
                on_play.emit(!*playing);
            }
            "ArrowRight" => {
                event.prevent_default();
                go_to.emit(step.map_or(0, |at| at + 1));
            }
            "ArrowLeft" => {
                event.prevent_default();
                go_to.emit(step.map_or(0, |at| at.saturating_sub(1)));
            }
            _ => {}
        })
    };
    let on_close = {
        let (step, playing) = (step.clone(), playing.clone());
        Callback::from(move |()| {
            playing.set(false);
            step.set(None);
        })
    };
    html! {
        <section id="job-view" class={classes!("job-view", moment.is_some().then_some("replaying"))} tabindex="0" onkeydown={on_keydown}
            data-job={props.number.to_string()} data-stages={job.stages.len().to_string()} data-tasks={tasks.to_string()}>
            <header>
                <h2>{ format!("Job {} · {}", props.number, job.description) }</h2>
                <p class="job-summary">
                    { format!("{} stages · {} tasks · {} executors · {:.1} ms", job.stages.len(), tasks, job.executors, job.duration_us as f64 / 1e3) }
                    if moment.is_none() {
                        <button id="replay-start" class="replay-start" title="Step through the job event by event (space, ← →)"
                            onclick={let on_play = on_play.clone(); move |_| on_play.emit(true)}>{ "▶ Replay this job" }</button>
                    }
                </p>
            </header>
            { moment.as_ref().map(|m| html! {
                <ReplayBar len={replay.len()} step={m.step} playing={*playing} speed={*speed}
                    caption={replay.events[m.step].caption.clone()} at_us={m.at_us}
                    on_step={go_to.clone()} on_play={on_play.clone()} on_close={on_close.clone()}
                    on_speed={let speed = speed.clone(); Callback::from(move |s: f64| speed.set(s))} />
            }).unwrap_or_default() }
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
                Tab::Dag => html! { <DagView job={job.clone()} moment={moment.clone()} /> },
                Tab::Operators => html! { <OperatorGraphView job={job.clone()} moment={moment.clone()} focus={props.focus.clone()} /> },
                Tab::Stages => {
                    let (on_tab, focus) = (props.on_tab.clone(), focus.clone());
                    let on_reshuffle = Callback::from(move |part: (usize, usize)| {
                        focus.set(Some(part));
                        on_tab.emit(Tab::Shuffle);
                    });
                    html! { <StagesView job={job.clone()} moment={moment.clone()} {on_reshuffle} marked={props.focus_stage} /> }
                }
                Tab::Partitions => partitions_view(job, moment.as_deref()),
                Tab::Shuffle => html! { <ReshuffleView job={job.clone()} moment={moment.clone()} focus={*focus} follow_key={props.follow_key.clone()} /> },
                Tab::Broadcast => html! { <BroadcastView job={job.clone()} moment={moment.clone()} on_threshold={props.on_threshold.clone()} /> },
                Tab::Timeline => timeline_view(job, moment.as_deref()),
                Tab::Adaptive => aqe_view(job),
            } }
        </section>
    }
}
