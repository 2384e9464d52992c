//! The engine worker: a dedicated Web Worker that owns the engine and the executor pool.
//!
//! Rayon's blocking waits (`Atomics.wait`) are forbidden on a page's main thread, so every engine call happens
//! here. At start the worker asks wasm-bindgen-rayon for one executor per hardware thread; that needs shared
//! memory, which browsers grant only to cross-origin isolated pages. Without isolation the worker skips the pool
//! and rayon runs every task on the worker itself: one executor, same results.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use bytes::Bytes;
use kindling_engine::executor::Executors;
use kindling_engine::io::Table;
use kindling_engine::io::parquet::read_parquet;
use kindling_engine::job::sum_per_partition;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, Response as FetchResponse};

use crate::browser_clock::BrowserClock;
use crate::protocol::{self, EngineInfo, Request, Response};

/// Files already fetched and decoded, by URL: a second run on the same file skips the download.
type TableCache = Rc<RefCell<HashMap<String, Rc<Table>>>>;

/// Starts the executor pool, then answers the app's requests. Called by `www/engine-worker.js`.
#[wasm_bindgen]
pub async fn start_engine_worker() -> Result<(), JsValue> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let cross_origin_isolated = js_sys::Reflect::get(&scope, &"crossOriginIsolated".into())?.is_truthy();
    let hardware_concurrency = (scope.navigator().hardware_concurrency() as usize).max(1);
    if cross_origin_isolated {
        JsFuture::from(wasm_bindgen_rayon::init_thread_pool(hardware_concurrency)).await?;
    }
    let info = EngineInfo { executors: Executors::shared().count(), cross_origin_isolated, hardware_concurrency };

    let cache = TableCache::default();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new({
        let scope = scope.clone();
        move |event: MessageEvent| {
            let (scope, cache) = (scope.clone(), cache.clone());
            spawn_local(async move {
                let response = match event.data().as_string().ok_or("expected a text message".to_string()) {
                    Ok(text) => answer(&text, &cache).await,
                    Err(message) => Response::Failed { message },
                };
                post(&scope, &response);
            });
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker does.
    on_message.forget();
    post(&scope, &Response::Ready(info));
    Ok(())
}

async fn answer(text: &str, cache: &TableCache) -> Response {
    let result = match protocol::decode::<Request>(text) {
        Ok(Request::SumPerPartition { url, column, partitions }) => match load_table(&url, cache).await {
            Ok(table) => sum_per_partition(&table, &column, partitions, &Executors::shared(), &BrowserClock)
                .map(|sums| Response::Summed(Box::new(sums)))
                .map_err(|e| e.to_string()),
            Err(message) => Err(message),
        },
        Err(message) => Err(message),
    };
    result.unwrap_or_else(|message| Response::Failed { message })
}

async fn load_table(url: &str, cache: &TableCache) -> Result<Rc<Table>, String> {
    if let Some(table) = cache.borrow().get(url) {
        return Ok(table.clone());
    }
    let bytes = fetch_bytes(url).await.map_err(|e| format!("cannot fetch {url}: {}", describe(&e)))?;
    let table = Rc::new(read_parquet(bytes).map_err(|e| format!("{url}: {e}"))?);
    cache.borrow_mut().insert(url.to_string(), table.clone());
    Ok(table)
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
