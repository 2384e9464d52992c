//! Where task start and end times come from.
//!
//! Natively a monotonic [`Instant`] serves. In a browser each executor is a separate web worker with its own
//! `performance` time origin, so the host supplies a clock that is comparable across workers (see the web crate).

use std::time::Instant;

/// Microseconds since 1970-01-01 UTC on the wall clock (`current_timestamp()`); `Date.now()` in a browser.
pub fn wall_clock_micros() -> i64 {
    let since_epoch = web_time::SystemTime::now().duration_since(web_time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since_epoch.as_micros()).unwrap_or(i64::MAX)
}

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
