//! Where task start and end times come from.
//!
//! Natively a monotonic [`Instant`] serves. In a browser each executor is a separate web worker with its own
//! `performance` time origin, so the host supplies a clock that is comparable across workers (see the web crate).

use std::time::Instant;

/// Milliseconds on a clock that all executors share.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> f64;
}

/// The native clock: milliseconds since the clock was created.
pub struct MonotonicClock {
    origin: Instant,
}

impl MonotonicClock {
    pub fn new() -> Self {
        Self { origin: Instant::now() }
    }
}

impl Default for MonotonicClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for MonotonicClock {
    fn now_ms(&self) -> f64 {
        self.origin.elapsed().as_secs_f64() * 1e3
    }
}
