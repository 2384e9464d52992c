//! # kindling-web
//!
//! Kindling in a browser tab. Two threads of JavaScript run this one wasm module:
//!
//! - the **main thread** runs the Yew app ([`app`]): it draws, and never computes data or blocks;
//! - the **engine worker** ([`engine_worker`]), a dedicated Web Worker, owns the engine and the executor pool
//!   (wasm-bindgen-rayon: each executor is one more web worker sharing the engine's memory).
//!
//! They talk by small JSON messages ([`protocol`]). `www/engine-worker.js` boots the worker. The notebook's editor
//! (CodeMirror) and the DAG's layout (dagre) are npm packages, bundled into `kindling-ui.js` (`www/ui/index.js`).

pub mod lesson;
pub mod protocol;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod aqe_view;
#[cfg(target_arch = "wasm32")]
mod broadcast_view;
#[cfg(target_arch = "wasm32")]
mod browser_clock;
#[cfg(target_arch = "wasm32")]
mod dag_view;
#[cfg(target_arch = "wasm32")]
mod editor;
#[cfg(target_arch = "wasm32")]
mod engine_note;
#[cfg(target_arch = "wasm32")]
mod engine_worker;
#[cfg(target_arch = "wasm32")]
mod format;
#[cfg(target_arch = "wasm32")]
mod job_views;
#[cfg(target_arch = "wasm32")]
mod layout;
#[cfg(target_arch = "wasm32")]
mod lesson_progress;
#[cfg(target_arch = "wasm32")]
mod lessons_view;
#[cfg(target_arch = "wasm32")]
mod operator_graph;
#[cfg(target_arch = "wasm32")]
mod partitions_view;
#[cfg(target_arch = "wasm32")]
mod replay_bar;
#[cfg(target_arch = "wasm32")]
mod reshuffle_view;
#[cfg(target_arch = "wasm32")]
mod stages_view;
#[cfg(target_arch = "wasm32")]
mod storage;
#[cfg(target_arch = "wasm32")]
mod storage_view;
#[cfg(target_arch = "wasm32")]
mod timeline_view;

#[cfg(target_arch = "wasm32")]
pub use engine_worker::start_engine_worker;

/// Runs when the module is instantiated on any thread; only a page's main thread (the one with a `window`)
/// mounts the app. Workers instantiate the same module and are driven from `www/engine-worker.js`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    if web_sys::window().is_some() {
        yew::Renderer::<app::App>::new().render();
    }
}
