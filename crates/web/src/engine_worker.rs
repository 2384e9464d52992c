//! The engine worker: a dedicated Web Worker that owns the engine, the files and the notebook session.
//!
//! Rayon's blocking waits (`Atomics.wait`) are forbidden on a page's main thread, so every engine call happens
//! off it. At start the worker asks wasm-bindgen-rayon for one executor per hardware thread; that needs shared
//! memory, which browsers grant only to cross-origin isolated pages. A run then goes to the pool (the driver
//! thread, as in Spark, is one of its threads), so this worker stays free to report progress and to take the
//! Cancel message. Without isolation there is no pool: cells run here, on one executor, same results.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use gloo::timers::future::TimeoutFuture;
use kindling_engine::executor::Executors;
use kindling_engine::io::vfs::{FileSystem, MemoryFiles};
use kindling_engine::scheduler::RunControl;
use kindling_engine::session::{Config, Session};
use kindling_pyspark::notebook::{Cell, CellOutput};
use kindling_pyspark::{Notebook, RunOptions};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent, Response as FetchResponse};

use crate::browser_clock::BrowserClock;
use crate::protocol::{self, EngineInfo, FileEntry, Kernel, Request, Response, Sample, Settings};

/// How often a running cell's progress is reported.
const PROGRESS_INTERVAL_MS: u32 = 100;
const SAMPLES_MANIFEST: &str = "samples/manifest.json";

/// What the worker holds between messages.
struct Engine {
    files: Arc<MemoryFiles>,
    control: Arc<RunControl>,
    pooled: bool,
    /// Each kernel's session and the settings it was started with.
    notebooks: HashMap<Kernel, (Settings, Arc<Mutex<Notebook>>)>,
}

type Shared = Rc<RefCell<Engine>>;

/// Starts the executor pool, loads the samples, then answers the app's requests. Called by `www/engine-worker.js`.
#[wasm_bindgen]
pub async fn start_engine_worker() -> Result<(), JsValue> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let cross_origin_isolated = js_sys::Reflect::get(&scope, &"crossOriginIsolated".into())?.is_truthy();
    let hardware_concurrency = (scope.navigator().hardware_concurrency() as usize).max(1);
    if cross_origin_isolated {
        JsFuture::from(wasm_bindgen_rayon::init_thread_pool(hardware_concurrency)).await?;
    }
    let files = Arc::new(MemoryFiles::default());
    if let Err(message) = load_samples(&files).await {
        post(&scope, &Response::Failed { message });
    }
    let engine = Rc::new(RefCell::new(Engine { files, control: Arc::default(), pooled: cross_origin_isolated, notebooks: HashMap::new() }));
    let info = EngineInfo {
        executors: Executors::shared().count(),
        cross_origin_isolated,
        hardware_concurrency,
        files: file_list(&engine.borrow().files),
    };

    let on_message = Closure::<dyn Fn(MessageEvent)>::new({
        let (scope, engine) = (scope.clone(), engine.clone());
        move |event: MessageEvent| {
            let (scope, engine) = (scope.clone(), engine.clone());
            spawn_local(async move {
                if let Some(response) = answer(event.data(), &engine, &scope).await {
                    post(&scope, &response);
                }
            });
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker does.
    on_message.forget();
    post(&scope, &Response::Ready(info));
    Ok(())
}

/// Answers one message: JSON text, or `{ path, file }` with a `File` the user picked.
async fn answer(data: JsValue, engine: &Shared, scope: &DedicatedWorkerGlobalScope) -> Option<Response> {
    let Some(text) = data.as_string() else {
        return Some(add_picked_file(&data, engine).await.unwrap_or_else(|message| Response::Failed { message }));
    };
    let request = match protocol::decode::<Request>(&text) {
        Ok(request) => request,
        Err(message) => return Some(Response::Failed { message }),
    };
    match request {
        Request::Cancel => {
            engine.borrow().control.cancel();
            None
        }
        Request::AddUrl { path, url } => Some(add_url(&path, &url, engine).await.unwrap_or_else(|message| Response::Failed { message })),
        Request::Run { id, cells, fresh, settings, kernel } => Some(run(id, cells, fresh, settings, kernel, engine, scope).await),
    }
}

async fn run(
    id: u64,
    cells: Vec<Cell>,
    fresh: bool,
    settings: Settings,
    kernel: Kernel,
    engine: &Shared,
    scope: &DedicatedWorkerGlobalScope,
) -> Response {
    let notebook = match notebook_for(&settings, fresh, kernel, engine) {
        Ok(notebook) => notebook,
        Err(message) => return Response::Failed { message },
    };
    let (control, pooled) = (engine.borrow().control.clone(), engine.borrow().pooled);
    let outputs = Arc::new(Mutex::new(Vec::<CellOutput>::new()));
    let finished = Arc::new(Mutex::new(false));
    let storage = Arc::new(Mutex::new(Vec::new()));
    let work = {
        let (outputs, finished, storage) = (outputs.clone(), finished.clone(), storage.clone());
        move || {
            let mut notebook = notebook.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            for cell in &cells {
                let output = notebook.run(cell, &RunOptions::default());
                let failed = output.error.is_some();
                outputs.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(output);
                if failed {
                    break;
                }
            }
            let cached = notebook.session().cache.entries().iter().map(|c| c.usage()).collect();
            *storage.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = cached;
            *finished.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = true;
        }
    };
    if pooled {
        rayon::spawn(work);
        while !*finished.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            TimeoutFuture::new(PROGRESS_INTERVAL_MS).await;
            let (done, total) = control.progress();
            let cell = outputs.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).len();
            post(scope, &Response::Progress { id, cell, done, total });
        }
    } else {
        work();
    }
    let outputs = std::mem::take(&mut *outputs.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
    let storage = std::mem::take(&mut *storage.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
    Response::Finished { id, outputs, storage }
}

/// The kernel's notebook to run in: the current one, or a new one when asked, when there is none yet or when the
/// settings changed.
fn notebook_for(settings: &Settings, fresh: bool, kernel: Kernel, engine: &Shared) -> Result<Arc<Mutex<Notebook>>, String> {
    let mut engine = engine.borrow_mut();
    if let Some((started_with, notebook)) = engine.notebooks.get(&kernel) {
        if !fresh && started_with == settings {
            return Ok(notebook.clone());
        }
    }
    let mut config = Config::default();
    for (key, value) in settings.spark_conf() {
        config.set(key, &value).map_err(|e| e.to_string())?;
    }
    let executors = Executors::shared_slots(settings.executors).with_control(engine.control.clone());
    let session = Session::new(engine.files.clone(), executors, Arc::new(BrowserClock)).with_config(config);
    let notebook = Arc::new(Mutex::new(Notebook::new(&session).map_err(|e| e.traceback)?));
    engine.notebooks.insert(kernel, (settings.clone(), notebook.clone()));
    Ok(notebook)
}

async fn load_samples(files: &MemoryFiles) -> Result<(), String> {
    let manifest = fetch_bytes(SAMPLES_MANIFEST).await.map_err(|e| format!("cannot load the samples: {}", describe(&e)))?;
    let samples: Vec<Sample> =
        serde_json::from_slice(&manifest).map_err(|e| format!("{SAMPLES_MANIFEST} is malformed: {e}"))?;
    for sample in samples {
        let bytes = fetch_bytes(&sample.url).await.map_err(|e| format!("cannot load {}: {}", sample.url, describe(&e)))?;
        files.write(&sample.path, bytes).map_err(|e| e.to_string())?;
    }
    Ok(())
}

async fn add_url(path: &str, url: &str, engine: &Shared) -> Result<Response, String> {
    let bytes = fetch_bytes(url).await.map_err(|e| format!("cannot download {url}: {}", describe(&e)))?;
    add_file(path, bytes, engine)
}

async fn add_picked_file(data: &JsValue, engine: &Shared) -> Result<Response, String> {
    let field = |name: &str| js_sys::Reflect::get(data, &name.into()).ok();
    let path = field("path").and_then(|p| p.as_string()).ok_or("a file message without a path")?;
    let file: Blob = field("file").and_then(|f| f.dyn_into().ok()).ok_or("a file message without a file")?;
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|e| format!("cannot read {path}: {}", describe(&e)))?;
    add_file(&path, Bytes::from(js_sys::Uint8Array::new(&buffer).to_vec()), engine)
}

fn add_file(path: &str, bytes: Bytes, engine: &Shared) -> Result<Response, String> {
    let files = engine.borrow().files.clone();
    files.write(path, bytes).map_err(|e| e.to_string())?;
    Ok(Response::Files(file_list(&files)))
}

fn file_list(files: &MemoryFiles) -> Vec<FileEntry> {
    files.all().into_iter().map(|file| FileEntry { path: file.path, bytes: file.size }).collect()
}

async fn fetch_bytes(url: &str) -> Result<Bytes, JsValue> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let response: FetchResponse = JsFuture::from(scope.fetch_with_str(url)).await?.unchecked_into();
    if !response.ok() {
        return Err(JsValue::from_str(&format!("HTTP {} {}", response.status(), response.status_text())));
    }
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    Ok(Bytes::from(js_sys::Uint8Array::new(&buffer).to_vec()))
}

fn describe(error: &JsValue) -> String {
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}

fn post(scope: &DedicatedWorkerGlobalScope, response: &Response) {
    if let Err(error) = scope.post_message(&JsValue::from_str(&protocol::encode(response))) {
        web_sys::console::error_1(&error);
    }
}
