//! Caching: `df.cache()` (or `persist(level)`) asks Spark to keep a DataFrame's rows once they are computed.
//!
//! Nothing happens at the call: the first action that needs the rows computes them as usual, and each task keeps
//! the partition it computed (Spark's block manager; here, in memory). Every later query whose plan contains the
//! cached DataFrame reads the kept partitions instead of computing them again — the plan shows an
//! `InMemoryTableScan` there, over the `InMemoryRelation` that holds the rows and the plan that made them. A query
//! built on a cached DataFrame benefits too (`cached.filter(…)`), as it contains the cached plan.
//! `unpersist()` drops the partitions; later queries compute from the source again.
//!
//! Spark finds cached data by comparing plans; here a DataFrame derived from a cached one shares its plan, which
//! is how a cached plan is recognised.

use std::sync::{Arc, Mutex};

use arrow::array::RecordBatch;

use crate::expr::Attribute;
use crate::logical::LogicalPlan;
use crate::trace::JobTrace;

/// Where a cached DataFrame's partitions are kept: Spark's `StorageLevel`. Kindling keeps every level in memory;
/// the level is what the plan and the Storage page show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageLevel {
    pub use_disk: bool,
    pub use_memory: bool,
    pub use_off_heap: bool,
    pub deserialized: bool,
    pub replication: u32,
}

impl StorageLevel {
    /// `DataFrame.cache()`'s level: memory, spilling to disk, as objects.
    pub const MEMORY_AND_DISK_DESER: StorageLevel =
        StorageLevel { use_disk: true, use_memory: true, use_off_heap: false, deserialized: true, replication: 1 };

    /// `StorageLevel(disk, memory, deserialized, 1 replicas)`, as plans show it.
    pub fn description(&self) -> String {
        let flags = [(self.use_disk, "disk"), (self.use_memory, "memory"), (self.use_off_heap, "offheap"), (self.deserialized, "deserialized")];
        let mut parts: Vec<String> = flags.iter().filter(|(set, _)| *set).map(|(_, name)| name.to_string()).collect();
        parts.push(format!("{} replicas", self.replication));
        format!("StorageLevel({})", parts.join(", "))
    }

    /// `Disk Memory Deserialized 1x Replicated`, as PySpark and the Spark UI's Storage page write it.
    pub fn summary(&self) -> String {
        let flags = [(self.use_disk, "Disk "), (self.use_memory, "Memory "), (self.use_off_heap, "OffHeap ")];
        let mut text: String = flags.iter().filter(|(set, _)| *set).map(|(_, name)| *name).collect();
        text.push_str(if self.deserialized { "Deserialized " } else { "Serialized " });
        format!("{text}{}x Replicated", self.replication)
    }
}

/// One cached DataFrame: its plan, its level, and the partitions kept so far.
pub struct CachedData {
    /// Numbers cached DataFrames in the order they were cached (the Storage page's RDD id).
    pub id: usize,
    pub plan: Arc<LogicalPlan>,
    /// The plan the rows are computed with: `plan`, reading the data cached when it was cached (Spark plans a
    /// cached DataFrame at once).
    computed_by: LogicalPlan,
    pub level: StorageLevel,
    partitions: Mutex<Vec<Option<Vec<RecordBatch>>>>,
    /// The job that kept the last partitions: how the cached plan ran, for its final plan in later explains.
    kept_by: Mutex<Option<JobTrace>>,
    /// Unpersisted: nothing is kept any more.
    freed: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for CachedData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CachedData({}, {})", self.id, self.level.description())
    }
}

impl CachedData {
    /// The columns the cached rows hold.
    pub fn output(&self) -> Vec<Attribute> {
        self.plan.output()
    }

    /// Partition `index`, if a task has kept it.
    pub fn partition(&self, index: usize) -> Option<Vec<RecordBatch>> {
        self.lock().get(index).cloned().flatten()
    }

    /// Keeps partition `index` of `count`.
    pub fn keep(&self, index: usize, count: usize, batches: Vec<RecordBatch>) {
        if self.freed.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let mut partitions = self.lock();
        if partitions.len() != count {
            *partitions = vec![None; count];
        }
        if let Some(slot) = partitions.get_mut(index) {
            *slot = Some(batches);
        }
    }

    /// How many partitions the cached rows are in, once every one of them is kept.
    pub fn kept_partitions(&self) -> Option<usize> {
        let partitions = self.lock();
        (!partitions.is_empty() && partitions.iter().all(Option::is_some)).then_some(partitions.len())
    }

    /// Notes `job` as the one that kept every partition, if it did (the first such job).
    pub fn note_job(&self, job: &JobTrace) {
        let mut kept_by = self.kept_by.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if kept_by.is_none() && self.kept_partitions().is_some() {
            *kept_by = Some(job.clone());
        }
    }

    fn free(&self) {
        self.freed.store(true, std::sync::atomic::Ordering::Relaxed);
        self.lock().clear();
        *self.kept_by.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }

    /// The job that kept every partition, once one has.
    pub fn kept_by(&self) -> Option<JobTrace> {
        self.kept_by.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The plan that computes the rows.
    pub fn computed_by(&self) -> &LogicalPlan {
        &self.computed_by
    }

    /// What the Storage page shows: partitions kept of all, rows and bytes in memory.
    pub fn usage(&self) -> StorageUsage {
        let partitions = self.lock();
        let kept: Vec<&Vec<RecordBatch>> = partitions.iter().flatten().collect();
        StorageUsage {
            id: self.id,
            name: self.plan.tree_string().lines().next().unwrap_or_default().to_string(),
            level: self.level.summary(),
            partitions: partitions.len(),
            kept: kept.len(),
            rows: kept.iter().flat_map(|p| p.iter()).map(|b| b.num_rows() as u64).sum(),
            bytes: kept.iter().flat_map(|p| p.iter()).map(|b| b.get_array_memory_size() as u64).sum(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Option<Vec<RecordBatch>>>> {
        self.partitions.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A cached DataFrame as the Storage page lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StorageUsage {
    pub id: usize,
    /// The top of the cached plan (`Project [id#0L, …]`).
    pub name: String,
    pub level: String,
    /// The cached plan's partitions, and how many of them are kept so far.
    pub partitions: usize,
    pub kept: usize,
    pub rows: u64,
    /// Arrow memory the kept partitions take.
    pub bytes: u64,
}

/// The session's cached DataFrames (Spark's `CacheManager`).
#[derive(Default)]
pub struct CacheManager {
    entries: Mutex<Vec<Arc<CachedData>>>,
    next_id: Mutex<usize>,
}

impl CacheManager {
    /// Marks `plan` as cached at `level`; caching a plan already cached keeps the first level (as Spark does).
    pub fn cache(&self, plan: &Arc<LogicalPlan>, level: StorageLevel) {
        let mut entries = self.lock();
        if entries.iter().any(|e| Arc::ptr_eq(&e.plan, plan)) {
            return;
        }
        let mut next_id = self.next_id.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let computed_by = replace_cached(plan, &entries);
        let cached = CachedData { id: *next_id, plan: plan.clone(), computed_by, level, partitions: Mutex::default(), kept_by: Mutex::default(), freed: Default::default() };
        entries.push(Arc::new(cached));
        *next_id += 1;
    }

    /// Forgets `plan`'s cached rows and frees them; whether it was cached. A plan that still reads them (that of
    /// a DataFrame planned while they were cached) computes them again.
    pub fn uncache(&self, plan: &Arc<LogicalPlan>) -> bool {
        let mut entries = self.lock();
        let (dropped, kept): (Vec<_>, Vec<_>) = entries.drain(..).partition(|e| Arc::ptr_eq(&e.plan, plan));
        *entries = kept;
        dropped.iter().for_each(|e| e.free());
        !dropped.is_empty()
    }

    pub fn clear(&self) {
        self.lock().drain(..).for_each(|e| e.free());
    }

    /// The level `plan` is cached at, if it is.
    pub fn level_of(&self, plan: &Arc<LogicalPlan>) -> Option<StorageLevel> {
        self.lock().iter().find(|e| Arc::ptr_eq(&e.plan, plan)).map(|e| e.level)
    }

    /// Every cached DataFrame, oldest first.
    pub fn entries(&self) -> Vec<Arc<CachedData>> {
        self.lock().clone()
    }

    /// `plan` with every cached part of it replaced by an `InMemoryRelation` over the kept rows (Spark's
    /// `useCachedData`). The largest cached part wins: the plan is searched from the top.
    pub fn with_cached_data(&self, plan: &LogicalPlan) -> LogicalPlan {
        let entries = self.entries();
        if entries.is_empty() {
            return plan.clone();
        }
        replace_cached(plan, &entries)
    }


    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<CachedData>>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn replace_cached(plan: &LogicalPlan, entries: &[Arc<CachedData>]) -> LogicalPlan {
    let found = entries.iter().find(|e| std::ptr::eq(e.plan.as_ref(), plan));
    if let Some(cached) = found {
        return LogicalPlan::InMemoryRelation { cache: cached.clone(), output: cached.output(), predicates: Vec::new() };
    }
    crate::optimizer::map_children(plan, &|child| replace_cached(child, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_as_spark_prints_them() {
        assert_eq!(StorageLevel::MEMORY_AND_DISK_DESER.description(), "StorageLevel(disk, memory, deserialized, 1 replicas)");
        let memory_only = StorageLevel { use_disk: false, use_memory: true, use_off_heap: false, deserialized: false, replication: 1 };
        assert_eq!(memory_only.description(), "StorageLevel(memory, 1 replicas)");
        assert_eq!(StorageLevel::MEMORY_AND_DISK_DESER.summary(), "Disk Memory Deserialized 1x Replicated");
        assert_eq!(memory_only.summary(), "Memory Serialized 1x Replicated");
    }
}
