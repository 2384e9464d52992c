//! The session settings a query reads while it runs because they change its results: the session time zone
//! (which wall clock an instant shows, see [`crate::time_zone`]) and ANSI mode (`spark.sql.ansi.enabled`: whether
//! a bad cast, a division by zero or an overflow is an error, or NULL and wrap-around as in Spark's legacy mode).
//!
//! Like Spark's `SQLConf.get`, they travel with the query: planning sets them on the driver's thread
//! ([`set_current`]) and the scheduler hands them to every task's executor thread, so kernels read [`current`]
//! instead of carrying the session around.

use std::cell::Cell;

use crate::time_zone::TimeZone;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuerySettings {
    pub time_zone: TimeZone,
    /// `spark.sql.ansi.enabled`
    pub ansi: bool,
}

impl Default for QuerySettings {
    fn default() -> Self {
        Self { time_zone: TimeZone::UTC, ansi: true }
    }
}

thread_local! {
    static CURRENT: Cell<QuerySettings> = const { Cell::new(QuerySettings { time_zone: TimeZone::UTC, ansi: true }) };
}

/// The settings of the query running on this thread.
pub fn current() -> QuerySettings {
    CURRENT.with(Cell::get)
}

/// Makes `settings` those of what this thread runs next.
pub fn set_current(settings: QuerySettings) {
    CURRENT.with(|current| current.set(settings));
}

/// Whether the query running on this thread is in ANSI mode.
pub fn ansi() -> bool {
    current().ansi
}
