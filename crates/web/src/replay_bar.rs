//! The replay bar: play / pause, step back and forward, a scrubber over every event of the job, the speed, and a
//! sentence saying what the current step is. The job view keeps the step; every view draws the job as it was then.

use yew::prelude::*;

/// Milliseconds between two steps when playing at 1×.
pub const STEP_MS: f64 = 900.0;
pub const SPEEDS: [f64; 4] = [0.5, 1.0, 2.0, 4.0];

#[derive(Properties, PartialEq)]
pub struct ReplayBarProps {
    /// Events in the replay.
    pub len: usize,
    pub step: usize,
    pub playing: bool,
    pub speed: f64,
    pub caption: String,
    pub at_us: u64,
    pub on_step: Callback<usize>,
    pub on_play: Callback<bool>,
    pub on_speed: Callback<f64>,
    pub on_close: Callback<()>,
}

#[function_component(ReplayBar)]
pub fn replay_bar(props: &ReplayBarProps) -> Html {
    let last = props.len.saturating_sub(1);
    let step_to = |target: usize| {
        let on_step = props.on_step.clone();
        Callback::from(move |_: MouseEvent| on_step.emit(target))
    };
    let on_scrub = {
        let on_step = props.on_step.clone();
        Callback::from(move |event: InputEvent| {
            if let Ok(step) = event.target_unchecked_into::<web_sys::HtmlInputElement>().value().parse() {
                on_step.emit(step);
            }
        })
    };
    let on_speed = {
        let on_speed = props.on_speed.clone();
        Callback::from(move |event: Event| {
            if let Ok(speed) = event.target_unchecked_into::<web_sys::HtmlSelectElement>().value().parse() {
                on_speed.emit(speed);
            }
        })
    };
    let on_play = {
        let (on_play, playing) = (props.on_play.clone(), props.playing);
        Callback::from(move |_: MouseEvent| on_play.emit(!playing))
    };
    let on_close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    html! {
        <div id="replay" class="replay-bar" data-step={props.step.to_string()} data-steps={props.len.to_string()}
            data-playing={props.playing.to_string()}>
            <div class="replay-controls">
                <button id="replay-first" title="First step" onclick={step_to(0)} disabled={props.step == 0}>{ "«" }</button>
                <button id="replay-back" title="Step back (←)" onclick={step_to(props.step.saturating_sub(1))} disabled={props.step == 0}>{ "◀" }</button>
                <button id="replay-play" class="play" title="Play / pause (space)" onclick={on_play}>{ if props.playing { "⏸ Pause" } else { "▶ Play" } }</button>
                <button id="replay-forward" title="Step forward (→)" onclick={step_to((props.step + 1).min(last))} disabled={props.step >= last}>{ "▶" }</button>
                <button id="replay-last" title="Last step" onclick={step_to(last)} disabled={props.step >= last}>{ "»" }</button>
                <input id="replay-scrub" type="range" min="0" max={last.to_string()} value={props.step.to_string()} oninput={on_scrub} />
                <select id="replay-speed" title="Speed" onchange={on_speed}>
                    { for SPEEDS.iter().map(|speed| html! {
                        <option value={speed.to_string()} selected={*speed == props.speed}>{ format!("{speed}×") }</option>
                    }) }
                </select>
                <button id="replay-close" class="close" title="Leave the replay" onclick={on_close}>{ "✕" }</button>
            </div>
            <p id="replay-caption" class="replay-caption">
                <span class="replay-where">{ format!("step {} / {} · {:.1} ms", props.step + 1, props.len, props.at_us as f64 / 1e3) }</span>
                { &props.caption }
            </p>
        </div>
    }
}
