//! A clock the executors agree on. Each web worker's `performance.now()` counts from that worker's own start, so
//! task times are taken as `performance.timeOrigin + performance.now()`, which is comparable across workers.

use kindling_engine::clock::Clock;
use wasm_bindgen::JsCast;
use web_sys::WorkerGlobalScope;

pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> f64 {
        let performance = js_sys::global()
            .unchecked_into::<WorkerGlobalScope>()
            .performance()
            .expect("workers have performance timers");
        performance.time_origin() + performance.now()
    }
}
