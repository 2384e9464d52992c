//! Adaptive query execution (AQE): re-planning with what a finished shuffle revealed.
//!
//! `spark.sql.shuffle.partitions` is 200 by default — far too many for a small group-by, which then runs 200 tiny
//! tasks. With AQE on (Spark's default), after the map stage has written its shuffle Spark knows how many bytes
//! each of the 200 reduce partitions holds, and merges neighbouring small ones until each merged partition is
//! about a target size. The next stage then runs one task per merged partition (`AQEShuffleRead coalesced`).

use serde::{Deserialize, Serialize};

use crate::session::Config;

/// A coalescing decision, as recorded in the job trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoalesceDecision {
    /// Reduce partitions the exchange wrote.
    pub before: usize,
    /// The target size in bytes each merged partition aims at.
    pub target_bytes: u64,
    /// Each merged partition as a range `[start, end)` of the original reduce partitions.
    pub groups: Vec<(usize, usize)>,
}

/// A partition smaller than this fraction of the target is merged with a neighbour (Spark's constant).
const SMALL_PARTITION_FACTOR: f64 = 0.2;
/// ...as long as the merged partition stays under this multiple of the target.
const MERGED_PARTITION_FACTOR: f64 = 1.2;

/// Spark's `CoalesceShufflePartitions` for one exchange: the ranges of reduce partitions to read together, given
/// the bytes each holds. `parallelism` is the default parallelism (the number of executor threads): Spark keeps at
/// least that many partitions when the data allows, by capping the target at total / parallelism.
pub fn coalesce_partitions(bytes_per_partition: &[u64], config: &Config, parallelism: usize) -> CoalesceDecision {
    let total: u64 = bytes_per_partition.iter().sum();
    let max_target = total.div_ceil(parallelism.max(1) as u64);
    let target = max_target.min(config.advisory_partition_size).max(config.min_partition_size).max(1);
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut sizes: Vec<u64> = Vec::new();
    let mut start = 0;
    let mut current = 0u64;
    for (i, &size) in bytes_per_partition.iter().enumerate() {
        if i > start && current + size > target {
            groups.push((start, i));
            sizes.push(current);
            start = i;
            current = 0;
        }
        current += size;
    }
    if !bytes_per_partition.is_empty() {
        groups.push((start, bytes_per_partition.len()));
        sizes.push(current);
    }
    let groups = merge_small_groups(groups, sizes, target);
    CoalesceDecision { before: bytes_per_partition.len(), target_bytes: target, groups }
}

/// Merges a group far below the target into its smaller neighbour, if the result stays near the target.
fn merge_small_groups(mut groups: Vec<(usize, usize)>, mut sizes: Vec<u64>, target: u64) -> Vec<(usize, usize)> {
    let small = (target as f64 * SMALL_PARTITION_FACTOR) as u64;
    let merged_limit = (target as f64 * MERGED_PARTITION_FACTOR) as u64;
    let mut i = 0;
    while i < groups.len() {
        if sizes[i] < small && groups.len() > 1 {
            let left = (i > 0).then(|| sizes[i - 1]);
            let right = sizes.get(i + 1).copied();
            let neighbour = match (left, right) {
                (Some(l), Some(r)) => if l <= r { i - 1 } else { i + 1 },
                (Some(_), None) => i - 1,
                _ => i + 1,
            };
            if sizes[i] + sizes[neighbour] <= merged_limit {
                let (a, b) = (i.min(neighbour), i.max(neighbour));
                groups[a] = (groups[a].0, groups[b].1);
                sizes[a] += sizes[b];
                groups.remove(b);
                sizes.remove(b);
                i = a;
                continue;
            }
        }
        i += 1;
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_shuffle_becomes_one_partition() {
        let decision = coalesce_partitions(&[1000; 200], &Config::default(), 4);
        assert_eq!(decision.groups, vec![(0, 200)]);
        assert_eq!(decision.target_bytes, 1024 * 1024, "the 1 MB minimum partition size");
    }

    #[test]
    fn a_large_shuffle_keeps_the_cores_busy() {
        let mb = 1024 * 1024;
        let decision = coalesce_partitions(&[mb; 200], &Config::default(), 4);
        assert_eq!(decision.target_bytes, 50 * mb, "total / parallelism, under the 64 MB advisory size");
        assert_eq!(decision.groups.len(), 4);
        assert!(decision.groups.iter().all(|(s, e)| e - s == 50));
    }

    #[test]
    fn groups_cover_every_partition_in_order() {
        let sizes: Vec<u64> = (0..57).map(|i| (i * 7919 % 100_000) as u64 * 30).collect();
        let decision = coalesce_partitions(&sizes, &Config::default(), 2);
        let mut next = 0;
        for (start, end) in &decision.groups {
            assert_eq!(*start, next);
            assert!(end > start);
            next = *end;
        }
        assert_eq!(next, 57);
    }
}
