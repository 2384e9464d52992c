//! Shuffle dependencies: why a later job can skip a stage.
//!
//! An RDD that shuffles (`reduceByKey`, `groupByKey`) holds its shuffle as an object, Spark's
//! `ShuffleDependency`. The first job that needs the shuffle runs its map stage, and the map outputs are kept for
//! as long as the RDD lives (Spark keeps the shuffle files on the executors). Every later job over the same RDD —
//! `toDF()` looking at the first element to infer a schema, then `count()` — reads the kept outputs instead: the
//! map stage and everything before it show as *skipped* in the Spark UI, and their Python functions do not run
//! again. A DataFrame's shuffles are planned afresh by each action, so they are never kept.

use std::fmt;
use std::sync::{Arc, Mutex};

use crate::exchange::MapOutputs;
use crate::trace::ExchangeTrace;

/// A shuffle's map outputs, once a job has written them. Clones share them; two dependencies are equal only if
/// they are the same shuffle.
#[derive(Clone, Default)]
pub struct ShuffleDependency(Arc<Mutex<Option<WrittenShuffle>>>);

/// What the map stage of a shuffle wrote, and how it was traced.
#[derive(Clone)]
pub struct WrittenShuffle {
    pub map_outputs: MapOutputs,
    pub trace: ExchangeTrace,
}

impl ShuffleDependency {
    /// What an earlier job wrote, if one has run the map stage.
    pub fn written(&self) -> Option<WrittenShuffle> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    pub fn is_written(&self) -> bool {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).is_some()
    }

    /// Keeps what a map stage wrote, for the jobs after this one.
    pub fn keep(&self, written: WrittenShuffle) {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(written);
    }
}

impl PartialEq for ShuffleDependency {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for ShuffleDependency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let written = if self.is_written() { "written" } else { "not written yet" };
        write!(f, "ShuffleDependency({written})")
    }
}
