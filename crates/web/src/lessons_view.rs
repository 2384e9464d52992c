//! The lessons mode: the list of lessons with each one's progress, and a lesson's step — its explanation, its
//! editable cell (run on the bundled samples, after the cells of the steps before it), what it printed, where to
//! look in the job views, and the engine module that implements it. Positions are links (`#/lessons/<id>/<n>`),
//! so a step can be shared and the back button works.

use std::collections::HashMap;
use std::rc::Rc;

use kindling_engine::trace::JobTrace;
use kindling_pyspark::notebook::{CellOutput, Language};
use yew::prelude::*;

use crate::app::result_table;
use crate::editor::Editor;
use crate::engine_note::EngineNote;
use crate::lesson::{Exercise, Lesson, Look, Prediction, cells_up_to};
use crate::lesson_progress::{Progress, step_key};

#[derive(Properties, PartialEq)]
pub struct LessonsProps {
    pub lessons: Rc<Vec<Lesson>>,
    /// Why the lessons could not be loaded, if they could not.
    pub problem: Option<String>,
    /// (lesson, step) shown, or none for the list.
    pub at: Option<(usize, usize)>,
    pub progress: Rc<Progress>,
    /// What the step's cell printed in its last run here, if it ran.
    pub output: Option<Rc<CellOutput>>,
    pub running: bool,
    pub ready: bool,
    /// Counts "Reset code" presses: a reset makes a new editor holding the lesson's code.
    pub resets: u32,
    pub on_run: Callback<()>,
    pub on_edit: Callback<String>,
    pub on_reset_code: Callback<()>,
    pub on_reset_lesson: Callback<usize>,
    pub on_use_solution: Callback<()>,
    /// The learner's predictions, by `lesson/step`.
    pub predictions: Rc<HashMap<String, String>>,
    pub on_predict: Callback<String>,
}

#[function_component(LessonsView)]
pub fn lessons_view(props: &LessonsProps) -> Html {
    if let Some(problem) = &props.problem {
        return html! { <p class="notice" id="lessons-problem">{ problem }</p> };
    }
    match props.at.and_then(|(lesson, step)| Some((props.lessons.get(lesson)?, step))) {
        Some((lesson, step)) => step_view(props, lesson, step.min(lesson.steps.len() - 1)),
        None => lesson_list(props),
    }
}

fn lesson_list(props: &LessonsProps) -> Html {
    html! {
        <section class="lesson-list" id="lesson-list">
            <h2>{ "Lessons" }</h2>
            <p class="hint">{ "The batch-processing module, step by step, on the bundled samples. Each step explains one idea, runs a cell and points at what to look at in the job views on the right." }</p>
            <ol>
                { for props.lessons.iter().enumerate().map(|(index, lesson)| {
                    let done = props.progress.done_in(&lesson.id, lesson.steps.len());
                    let on_reset = {
                        let on_reset_lesson = props.on_reset_lesson.clone();
                        Callback::from(move |_: MouseEvent| on_reset_lesson.emit(index))
                    };
                    html! {
                        <li class="lesson-entry" data-lesson={lesson.id.clone()} data-done={done.to_string()} data-steps={lesson.steps.len().to_string()}>
                            <a href={format!("#/lessons/{}/1", lesson.id)}>{ &lesson.title }</a>
                            <span class="lesson-progress">
                                <span class="bar"><span style={format!("width:{:.0}%", 100.0 * done as f64 / lesson.steps.len() as f64)}></span></span>
                                { format!("{done} / {} steps", lesson.steps.len()) }
                            </span>
                            if done > 0 {
                                <button class="link reset-lesson" onclick={on_reset}>{ "reset" }</button>
                            }
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

fn step_view(props: &LessonsProps, lesson: &Lesson, step: usize) -> Html {
    let current = &lesson.steps[step];
    let key = step_key(&lesson.id, step);
    let edited = props.progress.edits.get(&key);
    let link = |n: usize| format!("#/lessons/{}/{}", lesson.id, n + 1);
    let on_run = {
        let on_run = props.on_run.clone();
        Callback::from(move |_: MouseEvent| on_run.emit(()))
    };
    let on_reset_code = {
        let on_reset_code = props.on_reset_code.clone();
        Callback::from(move |_: MouseEvent| on_reset_code.emit(()))
    };
    html! {
        <section class="lesson-step" id="lesson-step" data-lesson={lesson.id.clone()} data-step={(step + 1).to_string()}
            data-done={props.progress.done.contains(&key).to_string()}>
            <nav class="lesson-nav">
                <a href="#/lessons">{ "Lessons" }</a>{ " › " }<span>{ &lesson.title }</span>
                <span class="step-count">{ format!("step {} of {}", step + 1, lesson.steps.len()) }</span>
            </nav>
            if step == 0 {
                <div class="lesson-intro">{ Html::from_html_unchecked(lesson.intro.clone().into()) }</div>
            }
            <h2>{ &current.title }</h2>
            <div class="lesson-text">{ Html::from_html_unchecked(current.text.clone().into()) }</div>
            { current.prediction.as_ref().map(|prediction| {
                let job = props.output.as_ref().and_then(|o| o.jobs.last());
                prediction_view(prediction, props.predictions.get(&key), job, &props.on_predict)
            }).unwrap_or_default() }
            { current.code.as_ref().map(|(language, code)| html! {
                <div class="cell lesson-cell">
                    <div class="cell-toolbar">
                        <span class="cell-name">{ if edited.is_some() { "your code" } else { "the lesson's code" } }</span>
                        <button id="run-step" class="run-cell" disabled={!props.ready || (current.prediction.is_some() && !props.predictions.contains_key(&key))}
                            onclick={on_run.clone()}>
                            { match (props.running, current.exercise.is_some()) {
                                (true, _) => "Running…",
                                (false, true) => "▶ Run and check",
                                (false, false) => "▶ Run",
                            } }
                        </button>
                        if edited.is_some() {
                            <button id="reset-code" class="secondary" onclick={on_reset_code.clone()}>{ "Reset code" }</button>
                        }
                    </div>
                    <Editor key={format!("{key}#{}", props.resets)} initial={edited.cloned().unwrap_or_else(|| code.clone())} language={*language}
                        error_line={props.output.as_ref().and_then(|o| o.error.as_ref()).and_then(|e| e.line)}
                        on_change={props.on_edit.clone()} on_run={props.on_run.clone()} />
                    { props.output.as_ref().map(|output| step_output(output)).unwrap_or_default() }
                </div>
            }).unwrap_or_default() }
            { current.exercise.as_ref().map(|exercise| exercise_view(&key, exercise, props.progress.checks.get(&key), &props.on_use_solution)).unwrap_or_default() }
            if current.export {
                { exported_view(lesson, step, &props.progress) }
            }
            { current.look.as_ref().map(|look| html! {
                <p class="look-here" data-look={look.view.clone()}>
                    { look_text(look) }
                </p>
            }).unwrap_or_default() }
            { current.engine.as_ref().map(|path| html! { <EngineNote key={path.clone()} path={path.clone()} /> }).unwrap_or_default() }
            <nav class="step-buttons">
                if step > 0 {
                    <a class="button secondary" id="previous-step" href={link(step - 1)}>{ "← Previous" }</a>
                }
                if step + 1 < lesson.steps.len() {
                    <a class="button" id="next-step" href={link(step + 1)}>{ "Next →" }</a>
                } else {
                    <a class="button" id="next-step" href="#/lessons">{ "Back to the lessons" }</a>
                }
            </nav>
        </section>
    }
}

fn step_output(output: &CellOutput) -> Html {
    html! {
        <div class="output" id="step-output" data-failed={output.error.is_some().to_string()}>
            if !output.stdout.is_empty() {
                <pre class="stdout">{ &output.stdout }</pre>
            }
            { output.table.as_ref().map(result_table).unwrap_or_default() }
            { output.error.as_ref().map(|error| html! { <pre class="error">{ &error.text }</pre> }).unwrap_or_default() }
        </div>
    }
}

/// A job view's name as its tab says it.
fn view_name(look: &str) -> &str {
    match look {
        "dag" => "DAG",
        "operators" => "Operators",
        "stages" => "Stages",
        "partitions" => "Partitions",
        "shuffle" => "Reshuffle",
        "broadcast" => "Broadcast",
        "timeline" => "Timeline",
        "aqe" => "AQE",
        other => other,
    }
}

/// An exercise's result, and its hint and solution on request.
/// `key` names the step, so each exercise starts with its hint and solution folded.
fn exercise_view(key: &str, exercise: &Exercise, result: Option<&Result<(), String>>, on_use_solution: &Callback<()>) -> Html {
    let on_use = {
        let on_use_solution = on_use_solution.clone();
        Callback::from(move |_: MouseEvent| on_use_solution.emit(()))
    };
    html! {
        <div class="exercise" key={key.to_string()}>
            { match result {
                Some(Ok(())) => html! { <p id="exercise-result" class="passed" data-passed="true">{ "Right: your answer is the expected one." }</p> },
                Some(Err(message)) => html! { <p id="exercise-result" class="failed" data-passed="false">{ message }</p> },
                None => html! { <p class="hint">{ "Write your answer in the cell, then run it: the page runs the lesson's own solution on the same data and compares." }</p> },
            } }
            { exercise.hint.as_ref().map(|hint| html! { <details class="exercise-hint"><summary>{ "Hint" }</summary><p>{ hint }</p></details> }).unwrap_or_default() }
            <details class="exercise-solution">
                <summary>{ "Solution" }</summary>
                <pre>{ &exercise.solution }</pre>
                <button id="use-solution" class="secondary" onclick={on_use}>{ "Put it in the cell" }</button>
            </details>
        </div>
    }
}

/// A question to answer before the step runs; once it ran, the learner's answer beside the job's.
fn prediction_view(prediction: &Prediction, predicted: Option<&String>, job: Option<&JobTrace>, on_predict: &Callback<String>) -> Html {
    let answer = job.and_then(|job| prediction.fact.answer(job));
    html! {
        <div class="prediction" id="prediction" data-predicted={predicted.cloned()}>
            <p class="question"><strong>{ "Predict first: " }</strong>{ &prediction.question }</p>
            <div class="choices">
                { for prediction.choices.iter().map(|choice| {
                    let (on_predict, value) = (on_predict.clone(), choice.clone());
                    html! {
                        <button class={classes!("choice", (predicted == Some(choice)).then_some("chosen"))} data-choice={choice.clone()}
                            onclick={move |_: MouseEvent| on_predict.emit(value.clone())}>{ choice }</button>
                    }
                }) }
            </div>
            { match (predicted, answer) {
                (Some(predicted), Some(answer)) => {
                    let right = *predicted == answer;
                    html! {
                        <p id="prediction-answer" class={if right { "passed" } else { "failed" }} data-right={right.to_string()} data-answer={answer.clone()}>
                            { if right { format!("Right: {answer}.") } else { format!("You said {predicted}; the job says {answer}. The views on the right show why.") } }
                        </p>
                    }
                }
                _ => Html::default(),
            } }
        </div>
    }
}

/// The lesson's program up to this step, as `kindling export` rewrites it for `spark-submit`: its paths become
/// arguments, its `.master(...)` goes (the cluster's master is chosen by `spark-submit`).
fn exported_view(lesson: &Lesson, step: usize, progress: &Progress) -> Html {
    let cells = cells_up_to(lesson, step, |i| progress.edits.get(&step_key(&lesson.id, i)).cloned());
    let program: String = cells.into_iter().filter(|(_, language, _)| *language == Language::Python).map(|(_, _, code)| code).collect();
    let name = format!("{}.py", lesson.id);
    match kindling_pyspark::export::export(&program, &name) {
        Ok(exported) => html! {
            <div class="exported">
                <p class="hint">{ format!("{name}, exported (the same rewrite as `kindling export {name}`):") }</p>
                <pre id="exported-script">{ exported.script }</pre>
            </div>
        },
        Err((message, _)) => html! { <p class="notice" id="exported-script">{ format!("The program does not parse yet: {message}") }</p> },
    }
}

/// Where a step says to look, in words.
fn look_text(look: &Look) -> String {
    let view = view_name(&look.view);
    match (&look.operator, look.replay_step, &look.key, look.stage) {
        (Some(operator), ..) => format!("Look: the {view} view on the right, at the {operator} it opened."),
        (_, Some(step), ..) => format!("Look: the {view} view on the right, at step {} of the job's replay.", step + 1),
        (_, _, Some(key), _) => format!("Look: the {view} view on the right, following the key {key}."),
        (.., Some(stage)) => format!("Look: the {view} view on the right, at stage {stage}."),
        _ => format!("Look: the {view} view on the right shows this step's job."),
    }
}
