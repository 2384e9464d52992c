// Boots the engine worker: the same wasm module as the page, instantiated in this dedicated worker, which then
// starts the executor pool and answers the app's messages (crates/web/src/engine_worker.rs).
import init, { start_engine_worker } from './kindling-web.js';

await init();
await start_engine_worker();
