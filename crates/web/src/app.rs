//! The Yew app on the page's main thread: the notebook, the lessons, the files, the knobs and the job views. It
//! starts the engine worker, sends it cells to run and draws what comes back. It never computes data itself. The
//! page's address says what is shown: the notebook (`#/`), the lesson list (`#/lessons`) or a lesson's step
//! (`#/lessons/<id>/<n>`), whose cells run in a session of their own (`Kernel::Lesson`).

use kindling_engine::cache::StorageUsage;
use kindling_engine::trace::JobTrace;
use kindling_pyspark::notebook::{Cell, CellOutput, Language, ResultTable};
use wasm_bindgen::prelude::*;
use web_sys::{DragEvent, ErrorEvent, HtmlInputElement, HtmlSelectElement, MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::prelude::*;

use std::rc::Rc;

use crate::editor::Editor;
use crate::broadcast_view::THRESHOLDS;
use crate::lesson::{Lesson, cells_up_to, check};
use crate::lesson_progress::{Progress, step_key};
use crate::lessons_view::LessonsView;
use crate::format::bytes;
use crate::job_views::{JobView, Tab};
use crate::protocol::{self, EngineInfo, FileEntry, Kernel, Request, Response, Settings};
use crate::storage::{self, SavedCell};
use crate::storage_view::storage_view;

/// How long a lesson step waits after the last keystroke before it runs again.
const RERUN_AFTER_EDIT_MS: u32 = 1200;

/// The notebook a first visit starts with: the module's first steps on the bundled samples.
const STARTER_CELLS: [(Language, &str); 3] = [
    (
        Language::Python,
        "from pyspark.sql import SparkSession\nfrom pyspark.sql import functions as F\n\n\
         spark = SparkSession.builder \\\n    .master(\"local[*]\") \\\n    .appName(\"test\") \\\n    .getOrCreate()\n\n\
         df_green = spark.read.parquet(\"data/pq/green/*/*\")\n\
         df_zones = spark.read.option(\"header\", \"true\").option(\"inferSchema\", \"true\").csv(\"taxi+_zone_lookup.csv\")\n\
         df_green.createOrReplaceTempView(\"green\")\ndf_zones.createOrReplaceTempView(\"zones\")\n\n\
         df_green.groupBy(\"PULocationID\").agg(F.sum(\"total_amount\").alias(\"revenue\")) \\\n    .orderBy(F.desc(\"revenue\")).show(5)\n",
    ),
    (
        Language::Sql,
        "-- Revenue per pickup zone and hour: a join with the zone lookup, then a group-by\n\
         SELECT z.Zone,\n       date_trunc('hour', g.lpep_pickup_datetime) AS hour,\n       \
         SUM(g.total_amount) AS revenue,\n       COUNT(1) AS trips\n\
         FROM green g\nJOIN zones z ON g.PULocationID = z.LocationID\nGROUP BY 1, 2\nORDER BY revenue DESC\nLIMIT 10\n",
    ),
    (
        Language::Python,
        "df_fhvhv = spark.read.option(\"header\", \"true\").csv(\"fhvhv_tripdata_2021-02.csv.gz\")\n\
         df_fhvhv.groupBy(\"dispatching_base_num\").count().orderBy(F.desc(\"count\")).show(3)\n",
    ),
];

pub struct App {
    worker: Worker,
    /// Kept alive as long as the worker may call them.
    _listeners: [Closure<dyn Fn(JsValue)>; 2],
    engine: EngineState,
    files: Vec<FileEntry>,
    /// The session's cached DataFrames, as of the last run.
    storage: Vec<StorageUsage>,
    cells: Vec<CellState>,
    next_cell_id: u32,
    settings: Settings,
    running: Option<Run>,
    next_run_id: u64,
    /// The cell the knobs re-run: the last one run.
    last_run_cell: Option<u32>,
    /// The job the views show: (cell id, index into that cell's jobs).
    selected_job: Option<(u32, usize)>,
    /// A trace file opened with "Open trace" (`kindling run --trace`): its name, its jobs and the one shown.
    opened_trace: Option<OpenedTrace>,
    tab: Tab,
    url: String,
    notice: Option<String>,
    dragging: bool,
    /// The notebook, or the lessons (and where in them), as the page's address says (`#/lessons/<id>/<n>`).
    route: Route,
    lessons: Lessons,
    /// Kept alive as long as the page may call it.
    _on_hash_change: Closure<dyn Fn()>,
    /// Runs the current lesson step again a moment after the learner stops typing (dropping it cancels it).
    rerun_after_edit: Option<gloo::timers::callback::Timeout>,
}

/// Where the page is.
#[derive(Debug, Clone, PartialEq)]
enum Route {
    Notebook,
    LessonList,
    /// A lesson by id, and a step (0-based).
    Step(String, usize),
}

impl Route {
    /// The route an address's fragment names (`#/lessons/first-look/2` is step 2, 1-based, of `first-look`).
    fn parse(hash: &str) -> Self {
        let parts: Vec<&str> = hash.trim_start_matches('#').trim_matches('/').split('/').collect();
        match parts.as_slice() {
            ["lessons"] => Route::LessonList,
            ["lessons", lesson] => Route::Step(lesson.to_string(), 0),
            ["lessons", lesson, step] => Route::Step(lesson.to_string(), step.parse::<usize>().unwrap_or(1).saturating_sub(1)),
            _ => Route::Notebook,
        }
    }
}

/// The lessons as loaded from `lessons/`, the learner's progress, and the current step's last run.
#[derive(Default)]
struct Lessons {
    list: Rc<Vec<Lesson>>,
    problem: Option<String>,
    progress: Rc<Progress>,
    /// The step that ran last here, and its cell's output.
    output: Option<((String, usize), Rc<CellOutput>)>,
    /// The step whose cells run now, and for an exercise whether this is the reference solution's run (with the
    /// learner's output, to compare with it).
    running: Option<(String, usize)>,
    checking: Option<Rc<CellOutput>>,
    /// How many times a step's code was reset (its editor is made anew each time).
    resets: u32,
    /// The learner's prediction for a step, by `lesson/step`, made before it ran.
    predictions: Rc<std::collections::HashMap<String, String>>,
}

enum EngineState {
    Starting,
    Ready(EngineInfo),
    Broken(String),
}

struct CellState {
    id: u32,
    language: Language,
    source: String,
    output: Option<CellOutput>,
}

struct OpenedTrace {
    name: String,
    jobs: Vec<JobTrace>,
    selected: usize,
}

struct Run {
    id: u64,
    /// The notebook's cells that run; none for a lesson step's run.
    cells: Vec<u32>,
    /// (index into `cells` running now, tasks done, tasks scheduled)
    progress: (usize, usize, usize),
    cancelling: bool,
}

pub enum Msg {
    Engine(Response),
    EngineCrashed(String),
    Edit(u32, String),
    SetLanguage(u32, Language),
    RunCell(u32),
    RunAll,
    Cancel,
    AddCell(Language),
    DeleteCell(u32),
    SelectJob(u32, usize),
    OpenTrace(web_sys::File),
    TraceOpened(String, Result<Vec<JobTrace>, String>),
    SelectTraceJob(usize),
    CloseTrace,
    SelectTab(Tab),
    Knob(Knob),
    PickFiles(Vec<web_sys::File>),
    Dragging(bool),
    SetUrl(String),
    AddUrl,
    /// The page's address changed (a link, back, forward).
    Route(String),
    LessonsLoaded(Result<Vec<Lesson>, String>),
    RunStep,
    EditStep(String),
    ResetStepCode,
    /// Puts an exercise's solution into its cell.
    UseSolution,
    /// The learner's prediction for the current step, which then runs.
    Predict(String),
    ResetLesson(usize),
}

pub enum Knob {
    Executors(usize),
    ShufflePartitions(usize),
    BroadcastThreshold(i64),
    Adaptive(bool),
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let (worker, listeners) = start_worker(ctx);
        load_lessons(ctx);
        let on_hash_change = {
            let link = ctx.link().clone();
            Closure::<dyn Fn()>::new(move || link.send_message(Msg::Route(location_hash())))
        };
        if let Some(window) = web_sys::window() {
            window.set_onhashchange(Some(on_hash_change.as_ref().unchecked_ref()));
        }
        let saved = storage::load().filter(|cells| !cells.is_empty()).unwrap_or_else(|| {
            STARTER_CELLS.iter().map(|(language, source)| SavedCell { language: *language, source: source.to_string() }).collect()
        });
        let cells: Vec<CellState> = saved
            .into_iter()
            .enumerate()
            .map(|(i, cell)| CellState { id: i as u32, language: cell.language, source: cell.source, output: None })
            .collect();
        let app = Self {
            worker,
            _listeners: listeners,
            engine: EngineState::Starting,
            files: Vec::new(),
            storage: Vec::new(),
            next_cell_id: cells.len() as u32,
            cells,
            settings: Settings::spark_defaults(1),
            running: None,
            next_run_id: 1,
            last_run_cell: None,
            selected_job: None,
            opened_trace: None,
            tab: Tab::Dag,
            url: String::new(),
            notice: None,
            dragging: false,
            route: Route::parse(&location_hash()),
            lessons: Lessons { progress: Rc::new(Progress::load()), ..Lessons::default() },
            _on_hash_change: on_hash_change,
            rerun_after_edit: None,
        };
        app.save();
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            Msg::Engine(response) => self.on_response(response),
            Msg::EngineCrashed(message) => {
                self.engine = EngineState::Broken(message);
                self.running = None;
            }
            Msg::Edit(id, text) => {
                if let Some(cell) = self.cell_mut(id) {
                    cell.source = text;
                }
                self.save();
                return false;
            }
            Msg::SetLanguage(id, language) => {
                if let Some(cell) = self.cell_mut(id) {
                    cell.language = language;
                }
                self.save();
            }
            Msg::RunCell(id) => self.run(vec![id], false),
            Msg::RunAll => self.run(self.cells.iter().map(|c| c.id).collect(), true),
            Msg::Cancel => {
                if let Some(run) = &mut self.running {
                    run.cancelling = true;
                    self.send(&Request::Cancel);
                }
            }
            Msg::AddCell(language) => {
                self.cells.push(CellState { id: self.next_cell_id, language, source: String::new(), output: None });
                self.next_cell_id += 1;
                self.save();
            }
            Msg::DeleteCell(id) => {
                self.cells.retain(|c| c.id != id);
                self.save();
            }
            Msg::SelectJob(cell, job) => {
                self.selected_job = Some((cell, job));
                self.opened_trace = None;
            }
            Msg::OpenTrace(file) => read_trace(ctx, file),
            Msg::TraceOpened(name, Ok(jobs)) if !jobs.is_empty() => {
                let selected = jobs.len() - 1;
                self.opened_trace = Some(OpenedTrace { name, jobs, selected });
            }
            Msg::TraceOpened(name, Ok(_)) => self.notice = Some(format!("{name} holds no jobs.")),
            Msg::TraceOpened(name, Err(message)) => self.notice = Some(format!("{name} is not a Kindling trace: {message}")),
            Msg::SelectTraceJob(index) => {
                if let Some(trace) = &mut self.opened_trace {
                    trace.selected = index;
                }
            }
            Msg::CloseTrace => self.opened_trace = None,
            Msg::SelectTab(tab) => self.tab = tab,
            Msg::Knob(knob) => {
                match knob {
                    Knob::Executors(n) => self.settings.executors = n,
                    Knob::ShufflePartitions(n) => self.settings.shuffle_partitions = n,
                    Knob::BroadcastThreshold(bytes) => self.settings.broadcast_threshold = bytes,
                    Knob::Adaptive(on) => self.settings.adaptive = on,
                }
                if self.route == Route::Notebook {
                    self.rerun_with_new_settings();
                } else {
                    self.run_step();
                }
            }
            Msg::PickFiles(files) => {
                for file in files {
                    self.send_file(file);
                }
            }
            Msg::Dragging(dragging) => self.dragging = dragging,
            Msg::SetUrl(url) => self.url = url,
            Msg::Route(hash) => {
                self.route = Route::parse(&hash);
                self.run_step_when_ready();
            }
            Msg::LessonsLoaded(Ok(list)) => {
                self.lessons.list = Rc::new(list);
                self.run_step_when_ready();
            }
            Msg::LessonsLoaded(Err(problem)) => self.lessons.problem = Some(problem),
            Msg::RunStep => self.run_step(),
            Msg::EditStep(code) => {
                if let Some((lesson, step)) = self.current_step() {
                    let key = step_key(&lesson.id, step);
                    // Live re-run: an edited step runs again once the typing pauses (an exercise is checked on
                    // request only, a prediction step once predicted).
                    let live = lesson.steps[step].exercise.is_none()
                        && (lesson.steps[step].prediction.is_none() || self.lessons.predictions.contains_key(&key));
                    Rc::make_mut(&mut self.lessons.progress).edits.insert(key, code);
                    self.lessons.progress.save();
                    if live {
                        let link = ctx.link().clone();
                        self.rerun_after_edit = Some(gloo::timers::callback::Timeout::new(RERUN_AFTER_EDIT_MS, move || link.send_message(Msg::RunStep)));
                    }
                }
                return false;
            }
            Msg::ResetStepCode => {
                if let Some((lesson, step)) = self.current_step() {
                    let key = step_key(&lesson.id, step);
                    Rc::make_mut(&mut self.lessons.progress).edits.remove(&key);
                    self.lessons.progress.save();
                    self.lessons.resets += 1;
                }
            }
            Msg::Predict(choice) => {
                if let Some((lesson, step)) = self.current_step() {
                    let key = step_key(&lesson.id, step);
                    Rc::make_mut(&mut self.lessons.predictions).insert(key, choice);
                    self.run_step();
                }
            }
            Msg::UseSolution => {
                if let Some((lesson, step)) = self.current_step() {
                    let (key, solution) = (step_key(&lesson.id, step), lesson.steps[step].exercise.as_ref().map(|e| e.solution.clone()));
                    if let Some(solution) = solution {
                        Rc::make_mut(&mut self.lessons.progress).edits.insert(key, solution);
                        self.lessons.progress.save();
                        self.lessons.resets += 1;
                    }
                }
            }
            Msg::ResetLesson(index) => {
                if let Some(lesson) = self.lessons.list.get(index) {
                    let id = lesson.id.clone();
                    Rc::make_mut(&mut self.lessons.progress).reset(&id);
                    self.lessons.progress.save();
                }
            }
            Msg::AddUrl => {
                let url = self.url.trim().to_string();
                if !url.is_empty() {
                    let path = url.rsplit('/').next().unwrap_or(&url).split('?').next().unwrap_or_default().to_string();
                    self.notice = Some(format!("Downloading {url}…"));
                    self.send(&Request::AddUrl { path, url });
                }
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        html! {
            <div class="app">
                <header class="topbar">
                    <h1>{ "Kindling" }</h1>
                    <p class="tagline">{ "Spark's batch model, running in this tab" }</p>
                    <nav class="modes">
                        <a id="mode-notebook" class={classes!("mode", (self.route == Route::Notebook).then_some("active"))} href="#/">{ "Notebook" }</a>
                        <a id="mode-lessons" class={classes!("mode", (self.route != Route::Notebook).then_some("active"))} href="#/lessons">{ "Lessons" }</a>
                    </nav>
                    { self.engine_status() }
                </header>
                { self.knobs(ctx) }
                <div class="workspace">
                    if self.route == Route::Notebook {
                        <main class="notebook">
                            { self.run_bar(ctx) }
                            { for self.cells.iter().enumerate().map(|(index, cell)| self.cell_view(ctx, index, cell)) }
                            <div class="add-cells">
                                <button id="add-python" class="secondary" onclick={ctx.link().callback(|_| Msg::AddCell(Language::Python))}>{ "+ PySpark cell" }</button>
                                <button id="add-sql" class="secondary" onclick={ctx.link().callback(|_| Msg::AddCell(Language::Sql))}>{ "+ SQL cell" }</button>
                            </div>
                            { self.files_panel(ctx) }
                            { storage_view(&self.storage) }
                        </main>
                        <aside class="inspector">{ self.job_panel(ctx) }</aside>
                    } else {
                        <main class="lessons">{ self.lessons_view(ctx) }</main>
                        <aside class="inspector">{ self.lesson_job_panel(ctx) }</aside>
                    }
                </div>
            </div>
        }
    }
}

impl App {
    fn on_response(&mut self, response: Response) {
        match response {
            Response::Ready(info) => {
                self.settings.executors = info.executors;
                self.files = info.files.clone();
                self.engine = EngineState::Ready(info);
                self.run_step_when_ready();
            }
            Response::Files(files) => {
                self.files = files;
                self.notice = None;
            }
            Response::Progress { id, cell, done, total } => {
                if let Some(run) = self.running.as_mut().filter(|run| run.id == id) {
                    run.progress = (cell, done, total);
                }
            }
            Response::Finished { id, outputs, storage } => {
                let Some(run) = self.running.take().filter(|run| run.id == id) else { return };
                if let Some(step) = self.lessons.running.take() {
                    self.step_finished(step, outputs);
                    return;
                }
                self.storage = storage;
                let mut selected = None;
                for (cell_id, output) in run.cells.iter().zip(outputs) {
                    if !output.jobs.is_empty() {
                        selected = Some((*cell_id, output.jobs.len() - 1));
                    }
                    if let Some(cell) = self.cell_mut(*cell_id) {
                        cell.output = Some(output);
                    }
                }
                if selected.is_some() {
                    self.selected_job = selected;
                }
            }
            Response::Failed { message } => {
                self.running = None;
                self.notice = Some(message);
            }
        }
    }

    /// The lesson and step the address points at, once the lessons are loaded.
    fn current_step(&self) -> Option<(&Lesson, usize)> {
        let Route::Step(id, step) = &self.route else { return None };
        let lesson = self.lessons.list.iter().find(|l| &l.id == id)?;
        Some((lesson, (*step).min(lesson.steps.len() - 1)))
    }

    /// The last run's output, if it belongs to the step the address points at.
    fn shown_output(&self) -> Option<&Rc<CellOutput>> {
        let (lesson, step) = self.current_step()?;
        let (shown, output) = self.lessons.output.as_ref()?;
        (shown.0 == lesson.id && shown.1 == step).then_some(output)
    }

    /// Opening a step runs it (with the steps before it) once the engine is free, so its output and job views
    /// are there when the learner arrives, from a link too.
    fn run_step_when_ready(&mut self) {
        let Some((lesson, step)) = self.current_step() else { return };
        let position = (lesson.id.clone(), step);
        let shown = self.lessons.output.as_ref().is_some_and(|(at, _)| *at == position);
        // An exercise runs when the learner asks for a check, a prediction once the learner has predicted.
        let waits = lesson.steps[step].exercise.is_some() || lesson.steps[step].prediction.is_some();
        if !shown && !waits && self.ready() {
            self.run_step();
        }
    }

    /// Runs the current step's cell after the cells of the steps before it, in a fresh lesson session.
    fn run_step(&mut self) {
        self.run_step_with(None);
    }

    /// Runs the current step; `solution` replaces its cell (an exercise's reference run).
    fn run_step_with(&mut self, solution: Option<String>) {
        if !self.ready() {
            return;
        }
        let Some((lesson, step)) = self.current_step() else { return };
        let position = (lesson.id.clone(), step);
        let edits = &self.lessons.progress.edits;
        let code_of = |i: usize| if i == step && solution.is_some() { solution.clone() } else { edits.get(&step_key(&lesson.id, i)).cloned() };
        let cells: Vec<Cell> = cells_up_to(lesson, step, code_of)
            .into_iter()
            .map(|(i, language, source)| Cell { name: format!("step {}", i + 1), language, source })
            .collect();
        if lesson.steps[step].code.is_none() {
            // A step of words only is done once read.
            Rc::make_mut(&mut self.lessons.progress).done.insert(step_key(&position.0, step));
            self.lessons.progress.save();
            self.lessons.output = Some((position, Rc::new(CellOutput::default())));
            return;
        }
        let id = self.next_run_id;
        self.next_run_id += 1;
        self.lessons.running = Some(position);
        self.running = Some(Run { id, cells: Vec::new(), progress: (0, 0, 0), cancelling: false });
        self.send(&Request::Run { id, cells, fresh: true, settings: self.settings.clone(), kernel: Kernel::Lesson });
    }

    /// A step's run ended: its cell's output (or the earlier step's that failed) is shown, the step is done if its
    /// cell ran without error, and the views open where the step says to look.
    fn step_finished(&mut self, (lesson, step): (String, usize), mut outputs: Vec<CellOutput>) {
        let Some(lesson_steps) = self.lessons.list.iter().find(|l| l.id == lesson) else { return };
        let cells = cells_up_to(lesson_steps, step, |_| None).len();
        let look = lesson_steps.steps.get(step).and_then(|s| s.look.clone());
        let exercise = lesson_steps.steps.get(step).and_then(|s| s.exercise.clone());
        let complete = outputs.len() == cells && outputs.last().is_some_and(|o| o.error.is_none());
        if let Some(exercise) = exercise {
            let key = step_key(&lesson, step);
            match self.lessons.checking.take() {
                // The reference solution ran: compare the learner's output with it.
                Some(learner) => {
                    let expected = outputs.pop().unwrap_or_default();
                    let result = check(&expected.stdout, &learner.stdout, exercise.wrong_hint.as_deref());
                    let progress = Rc::make_mut(&mut self.lessons.progress);
                    if result.is_ok() {
                        progress.done.insert(key.clone());
                    }
                    progress.checks.insert(key, result);
                    progress.save();
                    self.lessons.output = Some(((lesson, step), learner));
                }
                // The learner's answer ran: now the reference solution, on the same data.
                None if complete => {
                    self.lessons.checking = Some(Rc::new(outputs.pop().unwrap_or_default()));
                    self.lessons.output = None;
                    self.run_step_with(Some(exercise.solution));
                }
                None => self.lessons.output = Some(((lesson, step), Rc::new(outputs.pop().unwrap_or_default()))),
            }
            return;
        }
        if complete {
            Rc::make_mut(&mut self.lessons.progress).done.insert(step_key(&lesson, step));
            self.lessons.progress.save();
            if let Some(tab) = look.as_ref().and_then(|look| Tab::from_id(&look.view)) {
                self.tab = tab;
            }
        }
        let output = outputs.pop().unwrap_or_default();
        self.lessons.output = Some(((lesson, step), Rc::new(output)));
    }

    fn cell_mut(&mut self, id: u32) -> Option<&mut CellState> {
        self.cells.iter_mut().find(|c| c.id == id)
    }

    fn save(&self) {
        storage::save(&self.cells.iter().map(|c| SavedCell { language: c.language, source: c.source.clone() }).collect::<Vec<_>>());
    }

    fn ready(&self) -> bool {
        matches!(self.engine, EngineState::Ready(_)) && self.running.is_none()
    }

    /// Runs `cell_ids` in order; `fresh` restarts the session first.
    fn run(&mut self, cell_ids: Vec<u32>, fresh: bool) {
        if !self.ready() || cell_ids.is_empty() {
            return;
        }
        let cells: Vec<Cell> = cell_ids
            .iter()
            .filter_map(|id| {
                let index = self.cells.iter().position(|c| c.id == *id)?;
                let cell = &self.cells[index];
                Some(Cell { name: format!("cell {}", index + 1), language: cell.language, source: cell.source.clone() })
            })
            .collect();
        let id = self.next_run_id;
        self.next_run_id += 1;
        self.last_run_cell = cell_ids.last().copied();
        for cell_id in &cell_ids {
            if let Some(cell) = self.cell_mut(*cell_id) {
                cell.output = None;
            }
        }
        self.running = Some(Run { id, cells: cell_ids, progress: (0, 0, 0), cancelling: false });
        self.send(&Request::Run { id, cells, fresh, settings: self.settings.clone(), kernel: Kernel::Notebook });
    }

    /// A knob changed: a new session with the new settings runs the notebook again up to the last cell run, so
    /// that cell's jobs are redrawn under the new settings.
    fn rerun_with_new_settings(&mut self) {
        let Some(last) = self.last_run_cell else { return };
        let Some(end) = self.cells.iter().position(|c| c.id == last) else { return };
        let ids = self.cells[..=end].iter().map(|c| c.id).collect();
        self.run(ids, true);
    }

    fn send(&self, request: &Request) {
        if let Err(error) = self.worker.post_message(&JsValue::from_str(&protocol::encode(request))) {
            web_sys::console::error_1(&error);
        }
    }

    /// A picked or dropped file crosses to the worker as the browser's `File`: no copy on this thread.
    fn send_file(&mut self, file: web_sys::File) {
        let message = js_sys::Object::new();
        let path = file.name();
        let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&message, &key.into(), value);
        if set("path", &path.clone().into()).and_then(|_| set("file", &file)).is_ok() {
            self.notice = Some(format!("Loading {path}…"));
            if let Err(error) = self.worker.post_message(&message) {
                web_sys::console::error_1(&error);
            }
        }
    }

    fn engine_status(&self) -> Html {
        match &self.engine {
            EngineState::Starting => html! { <span id="engine-status" class="pill">{ "Starting the engine and loading the samples…" }</span> },
            EngineState::Broken(message) => html! { <span id="engine-status" class="pill error">{ message.clone() }</span> },
            EngineState::Ready(info) => {
                let (class, text) = if info.cross_origin_isolated {
                    ("pill ok", format!("{} executors · one per hardware thread", info.executors))
                } else {
                    ("pill warn", "Not cross-origin isolated: one executor, no progress or cancel".to_string())
                };
                html! {
                    <span id="engine-status" class={class} data-executors={info.executors.to_string()}
                        data-isolated={info.cross_origin_isolated.to_string()} title="Executors are web workers sharing the engine's memory">
                        { text }
                    </span>
                }
            }
        }
    }

    fn knobs(&self, ctx: &Context<Self>) -> Html {
        let max_executors = match &self.engine {
            EngineState::Ready(info) => info.executors.max(1),
            _ => 1,
        };
        let on_executors = ctx.link().batch_callback(|e: Event| {
            e.target_unchecked_into::<HtmlSelectElement>().value().parse().ok().map(|n| Msg::Knob(Knob::Executors(n)))
        });
        let on_partitions = ctx.link().batch_callback(|e: Event| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            value.parse::<usize>().ok().filter(|n| (1..=2000).contains(n)).map(|n| Msg::Knob(Knob::ShufflePartitions(n)))
        });
        let on_threshold = ctx.link().batch_callback(|e: Event| {
            e.target_unchecked_into::<HtmlSelectElement>().value().parse().ok().map(|n| Msg::Knob(Knob::BroadcastThreshold(n)))
        });
        let on_adaptive = ctx.link().callback(|e: Event| Msg::Knob(Knob::Adaptive(e.target_unchecked_into::<HtmlInputElement>().checked())));
        html! {
            <section class="knobs" title="Changing a knob re-runs the notebook up to the last cell you ran">
                <label>{ "Executors " }
                    <select id="knob-executors" onchange={on_executors}>
                        { for (1..=max_executors).map(|n| html! { <option value={n.to_string()} selected={n == self.settings.executors}>{ format!("local[{n}]") }</option> }) }
                    </select>
                </label>
                <label>{ "spark.sql.shuffle.partitions " }
                    <input id="knob-shuffle-partitions" type="number" min="1" max="2000" value={self.settings.shuffle_partitions.to_string()} onchange={on_partitions} />
                </label>
                <label>{ "autoBroadcastJoinThreshold " }
                    <select id="knob-broadcast" onchange={on_threshold}>
                        { for THRESHOLDS.iter().map(|(value, label)| html! { <option value={value.to_string()} selected={*value == self.settings.broadcast_threshold}>{ *label }</option> }) }
                    </select>
                </label>
                <label class="check"><input id="knob-aqe" type="checkbox" checked={self.settings.adaptive} onchange={on_adaptive} />{ " adaptive execution (AQE)" }</label>
            </section>
        }
    }

    fn run_bar(&self, ctx: &Context<Self>) -> Html {
        let progress = self.running.as_ref().map(|run| {
            let (cell, done, total) = run.progress;
            let percent = if total == 0 { 0.0 } else { 100.0 * done as f64 / total as f64 };
            let label = if run.cancelling { "Cancelling…".to_string() } else { format!("cell {} of {} · tasks {done} / {total}", cell + 1, run.cells.len()) };
            html! {
                <div id="progress" class="progress" data-done={done.to_string()} data-total={total.to_string()}>
                    <div class="progress-track"><span style={format!("width:{percent:.1}%")}></span></div>
                    <span>{ label }</span>
                    <button id="cancel" class="danger" disabled={run.cancelling} onclick={ctx.link().callback(|_| Msg::Cancel)}>{ "Cancel" }</button>
                </div>
            }
        });
        html! {
            <div class="run-bar">
                <button id="run-all" disabled={!self.ready()} onclick={ctx.link().callback(|_| Msg::RunAll)}>{ "Restart & run all" }</button>
                <span class="hint">{ "Ctrl/Cmd+Enter runs a cell. Cells share one session, like a notebook kernel." }</span>
                { progress.unwrap_or_default() }
            </div>
        }
    }

    fn cell_view(&self, ctx: &Context<Self>, index: usize, cell: &CellState) -> Html {
        let id = cell.id;
        let running = self.running.as_ref().is_some_and(|run| run.cells.get(run.progress.0) == Some(&id));
        let on_change = ctx.link().callback(move |text| Msg::Edit(id, text));
        let on_run = ctx.link().callback(move |_| Msg::RunCell(id));
        let on_language = ctx.link().callback(move |e: Event| {
            let language = if e.target_unchecked_into::<HtmlSelectElement>().value() == "Sql" { Language::Sql } else { Language::Python };
            Msg::SetLanguage(id, language)
        });
        let error_line = cell.output.as_ref().and_then(|o| o.error.as_ref()).and_then(|e| e.line);
        html! {
            <section class={classes!("cell", running.then_some("running"))} data-cell={index.to_string()} data-language={format!("{:?}", cell.language)}>
                <div class="cell-toolbar">
                    <span class="cell-name">{ format!("cell {}", index + 1) }</span>
                    <select class="cell-language" onchange={on_language}>
                        <option value="Python" selected={cell.language == Language::Python}>{ "PySpark" }</option>
                        <option value="Sql" selected={cell.language == Language::Sql}>{ "SQL" }</option>
                    </select>
                    <button class="run-cell" disabled={!self.ready()} onclick={ctx.link().callback(move |_| Msg::RunCell(id))}>{ "▶ Run" }</button>
                    <button class="delete-cell secondary" title="Delete this cell" onclick={ctx.link().callback(move |_| Msg::DeleteCell(id))}>{ "✕" }</button>
                </div>
                <Editor key={id.to_string()} initial={cell.source.clone()} language={cell.language} {error_line} {on_change} {on_run} />
                { cell.output.as_ref().map(|output| self.output_view(ctx, id, output)).unwrap_or_default() }
            </section>
        }
    }

    fn output_view(&self, ctx: &Context<Self>, cell_id: u32, output: &CellOutput) -> Html {
        let first_job = self.first_job_number(cell_id);
        html! {
            <div class="output">
                if !output.stdout.is_empty() {
                    <pre class="stdout">{ &output.stdout }</pre>
                }
                if !output.stderr.is_empty() {
                    <pre class="stderr">{ &output.stderr }</pre>
                }
                { output.table.as_ref().map(result_table).unwrap_or_default() }
                { output.error.as_ref().map(|error| html! {
                    <pre class="error" data-line={error.line.map(|l| l.to_string()).unwrap_or_default()}>{ &error.text }</pre>
                }).unwrap_or_default() }
                if !output.jobs.is_empty() {
                    <div class="jobs">
                        { for output.jobs.iter().enumerate().map(|(index, job)| {
                            let selected = self.selected_job == Some((cell_id, index));
                            job_chip(job, first_job + index, selected, ctx.link().callback(move |_| Msg::SelectJob(cell_id, index)))
                        }) }
                    </div>
                }
            </div>
        }
    }

    /// Spark numbers jobs across the application; here, across the cells' current outputs, top to bottom.
    fn first_job_number(&self, cell_id: u32) -> usize {
        self.cells.iter().take_while(|c| c.id != cell_id).filter_map(|c| c.output.as_ref()).map(|o| o.jobs.len()).sum()
    }

    fn selected(&self) -> Option<(usize, &JobTrace)> {
        let (cell_id, index) = self.selected_job?;
        let cell = self.cells.iter().find(|c| c.id == cell_id)?;
        let job = cell.output.as_ref()?.jobs.get(index)?;
        Some((self.first_job_number(cell_id) + index, job))
    }

    fn lessons_view(&self, ctx: &Context<Self>) -> Html {
        let lessons = &self.lessons;
        let at = self.current_step().and_then(|(lesson, step)| Some((lessons.list.iter().position(|l| l.id == lesson.id)?, step)));
        let output = self.shown_output().cloned();
        html! {
            <LessonsView lessons={lessons.list.clone()} problem={lessons.problem.clone()} {at} progress={lessons.progress.clone()}
                {output} running={lessons.running.is_some()} ready={self.ready()} resets={lessons.resets}
                on_run={ctx.link().callback(|()| Msg::RunStep)} on_edit={ctx.link().callback(Msg::EditStep)}
                on_reset_code={ctx.link().callback(|()| Msg::ResetStepCode)} on_reset_lesson={ctx.link().callback(Msg::ResetLesson)}
                on_use_solution={ctx.link().callback(|()| Msg::UseSolution)} predictions={lessons.predictions.clone()}
                on_predict={ctx.link().callback(Msg::Predict)} />
        }
    }

    /// The job views of the current step's last job.
    fn lesson_job_panel(&self, ctx: &Context<Self>) -> Html {
        let job = self.shown_output().and_then(|output| output.jobs.last());
        match job {
            Some(job) => {
                let look = self.current_step().and_then(|(lesson, step)| lesson.steps[step].look.clone());
                let focus = look.as_ref().and_then(|look| look.operator.clone());
                let replay_step = look.as_ref().and_then(|look| look.replay_step);
                let follow_key = look.as_ref().and_then(|look| look.key.clone());
                let focus_stage = look.and_then(|look| look.stage);
                html! {
                    <JobView job={job.clone()} number={0} tab={self.tab} on_tab={ctx.link().callback(Msg::SelectTab)}
                        {focus} {replay_step} {follow_key} {focus_stage} />
                }
            }
            None => html! {
                <div class="job-placeholder">
                    <h2>{ "Jobs" }</h2>
                    <p>{ if self.lessons.running.is_some() { "Running the step…" } else { "When a step's cell runs an action, its job appears here." } }</p>
                </div>
            },
        }
    }

    fn job_panel(&self, ctx: &Context<Self>) -> Html {
        let on_open = ctx.link().batch_callback(|e: Event| files_of(e.target_unchecked_into::<HtmlInputElement>().files()).into_iter().next().map(Msg::OpenTrace));
        let open_button = html! {
            <label class="button secondary open-trace" title="A trace written by `kindling run prog.py --trace out.json`">{ "Open trace…" }
                <input id="trace-picker" type="file" accept=".json,application/json" onchange={on_open} />
            </label>
        };
        if let Some(trace) = &self.opened_trace {
            let job = &trace.jobs[trace.selected];
            return html! {
                <>
                    <div class="trace-bar" id="opened-trace" data-jobs={trace.jobs.len().to_string()}>
                        <span>{ format!("Trace {} · {} jobs", trace.name, trace.jobs.len()) }</span>
                        <button class="secondary" onclick={ctx.link().callback(|_| Msg::CloseTrace)}>{ "Close" }</button>
                    </div>
                    <div class="jobs">
                        { for trace.jobs.iter().enumerate().map(|(index, job)| {
                            job_chip(job, index, index == trace.selected, ctx.link().callback(move |_| Msg::SelectTraceJob(index)))
                        }) }
                    </div>
                    <JobView job={job.clone()} number={trace.selected} tab={self.tab} on_tab={ctx.link().callback(Msg::SelectTab)} />
                </>
            };
        }
        match self.selected() {
            Some((number, job)) => html! {
                <>
                    <div class="trace-bar">{ open_button }</div>
                    <JobView job={job.clone()} {number} tab={self.tab} on_tab={ctx.link().callback(Msg::SelectTab)}
                        on_threshold={Some(ctx.link().callback(|bytes: i64| Msg::Knob(Knob::BroadcastThreshold(bytes))))} />
                </>
            },
            None => html! {
                <div class="job-placeholder">
                    <h2>{ "Jobs" }</h2>
                    <p>{ "Run a cell. Every action (show, count, collect, write) runs a job; its stages, partitions, shuffles, broadcasts and tasks appear here." }</p>
                    <p>{ "A full-size run from the command line (" }<code>{ "kindling run prog.py --trace out.json" }</code>{ ") opens here too:" }</p>
                    { open_button }
                </div>
            },
        }
    }

    fn files_panel(&self, ctx: &Context<Self>) -> Html {
        let on_pick = ctx.link().callback(|e: Event| Msg::PickFiles(files_of(e.target_unchecked_into::<HtmlInputElement>().files())));
        let on_drop = ctx.link().callback(|e: DragEvent| {
            e.prevent_default();
            Msg::PickFiles(files_of(e.data_transfer().and_then(|d| d.files())))
        });
        let on_drag_over = ctx.link().callback(|e: DragEvent| {
            e.prevent_default();
            Msg::Dragging(true)
        });
        let on_drag_leave = ctx.link().callback(|_: DragEvent| Msg::Dragging(false));
        let on_url = ctx.link().callback(|e: InputEvent| Msg::SetUrl(e.target_unchecked_into::<HtmlInputElement>().value()));
        html! {
            <section id="files" class={classes!("files", self.dragging.then_some("dragging"))}
                ondrop={on_drop} ondragover={on_drag_over} ondragleave={on_drag_leave}>
                <h2>{ "Files" }</h2>
                <p class="hint">{ "Read these by path. The samples are synthetic, made by Kindling's own TLC-shaped generator. Drop Parquet, CSV or CSV.gz files here (real TLC files work), pick them, or give a URL." }</p>
                <ul id="file-list">
                    { for self.files.iter().map(|file| html! {
                        <li data-path={file.path.clone()}><code>{ &file.path }</code><span>{ bytes(file.bytes) }</span></li>
                    }) }
                </ul>
                <div class="file-inputs">
                    <label class="button secondary">{ "Choose files…" }
                        <input id="file-picker" type="file" multiple=true accept=".parquet,.csv,.gz" onchange={on_pick} />
                    </label>
                    <input id="file-url" type="url" placeholder="https://…/yellow_tripdata_2024-01.parquet" value={self.url.clone()} oninput={on_url} />
                    <button class="secondary" onclick={ctx.link().callback(|_| Msg::AddUrl)}>{ "Download" }</button>
                </div>
                { self.notice.as_ref().map(|notice| html! { <p id="notice" class="notice">{ notice }</p> }).unwrap_or_default() }
            </section>
        }
    }
}

/// The page address's fragment (`#/lessons/first-look/2`).
fn location_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Fetches the lessons listed in `lessons/lessons.json`, in order, and parses them.
fn load_lessons(ctx: &Context<App>) {
    let link = ctx.link().clone();
    wasm_bindgen_futures::spawn_local(async move {
        link.send_message(Msg::LessonsLoaded(fetch_lessons().await));
    });
}

async fn fetch_lessons() -> Result<Vec<Lesson>, String> {
    let names: Vec<String> = serde_json::from_str(&fetch_text("lessons/lessons.json").await?).map_err(|e| format!("lessons/lessons.json: {e}"))?;
    let mut lessons = Vec::new();
    for name in names {
        let id = name.trim_end_matches(".md");
        lessons.push(crate::lesson::parse(id, &fetch_text(&format!("lessons/{name}")).await?)?);
    }
    Ok(lessons)
}

pub async fn fetch_text(url: &str) -> Result<String, String> {
    let cannot = |why: String| format!("cannot load {url}: {why}");
    let window = web_sys::window().ok_or_else(|| cannot("no window".into()))?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url)).await.map_err(|e| cannot(format!("{e:?}")))?;
    let response: web_sys::Response = response.unchecked_into();
    if !response.ok() {
        return Err(cannot(format!("HTTP {}", response.status())));
    }
    let text = wasm_bindgen_futures::JsFuture::from(response.text().map_err(|e| cannot(format!("{e:?}")))?).await.map_err(|e| cannot(format!("{e:?}")))?;
    text.as_string().ok_or_else(|| cannot("not text".into()))
}

fn start_worker(ctx: &Context<App>) -> (Worker, [Closure<dyn Fn(JsValue)>; 2]) {
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
    (worker, [on_message, on_error])
}

/// Reads a trace file the user picked; the app gets its jobs, or why they could not be read.
fn read_trace(ctx: &Context<App>, file: web_sys::File) {
    let link = ctx.link().clone();
    wasm_bindgen_futures::spawn_local(async move {
        let name = file.name();
        let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
        let jobs = match text.ok().and_then(|text| text.as_string()) {
            Some(text) => serde_json::from_str::<Vec<JobTrace>>(&text).map_err(|e| e.to_string()),
            None => Err("the file cannot be read as text".to_string()),
        };
        link.send_message(Msg::TraceOpened(name, jobs));
    });
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

pub fn result_table(table: &ResultTable) -> Html {
    html! {
        <div class="table-scroll">
            <table class="result-table" data-rows={table.rows.len().to_string()}>
                <thead><tr>{ for table.columns.iter().zip(&table.types).map(|(name, kind)| html! { <th title={kind.clone()}>{ name }<small>{ kind }</small></th> }) }</tr></thead>
                <tbody>{ for table.rows.iter().map(|row| html! { <tr>{ for row.iter().map(|value| html! { <td>{ value }</td> }) }</tr> }) }</tbody>
            </table>
            if table.truncated {
                <p class="hint">{ format!("Showing the first {} rows.", table.rows.len()) }</p>
            }
        </div>
    }
}

/// A button naming job `number`, which selects it.
fn job_chip(job: &JobTrace, number: usize, selected: bool, onclick: Callback<MouseEvent>) -> Html {
    html! {
        <button class={classes!("job-chip", selected.then_some("selected"))} {onclick}>
            { format!("Job {number} · {} · {} stages · {:.0} ms", short(&job.description), job.stages.len(), job.duration_us as f64 / 1e3) }
        </button>
    }
}

/// A job's description, short enough for a chip.
fn short(description: &str) -> String {
    let first = description.lines().next().unwrap_or_default();
    if first.chars().count() > 28 { format!("{}…", first.chars().take(27).collect::<String>()) } else { first.to_string() }
}
