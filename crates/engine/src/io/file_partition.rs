//! Input partitions: how a scan cuts its files into the partitions of the first stage.
//!
//! Spark does not make one partition per file. It first picks a split size, `maxSplitBytes`: at most
//! `spark.sql.files.maxPartitionBytes` (128 MB), at least `spark.sql.files.openCostInBytes` (4 MB), and otherwise
//! the total input divided by the number of cores — so small inputs still keep every core busy. Files larger than
//! that are cut into splits of that size; then the splits, largest first, are packed into partitions, each file
//! also costing `openCostInBytes`, as if opening a file were reading 4 MB. A Parquet row group belongs to the split
//! that holds its middle byte, so some splits — and partitions — end up with no rows at all; a CSV line belongs to
//! the split it starts in. A gzipped file is never cut.

use super::vfs::FileStatus;

/// Spark's defaults for the three settings that shape input partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitSettings {
    /// `spark.sql.files.maxPartitionBytes`
    pub max_partition_bytes: u64,
    /// `spark.sql.files.openCostInBytes`
    pub open_cost_in_bytes: u64,
    /// `spark.sql.files.minPartitionNum`, by default the number of cores (`local[N]` → N).
    pub min_partitions: usize,
}

impl SplitSettings {
    pub fn with_cores(cores: usize) -> Self {
        Self { max_partition_bytes: 128 * 1024 * 1024, open_cost_in_bytes: 4 * 1024 * 1024, min_partitions: cores.max(1) }
    }
}

/// A byte range of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSplit {
    pub path: String,
    pub start: u64,
    pub length: u64,
}

/// The splits one task of the scan reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePartition {
    pub index: usize,
    pub splits: Vec<FileSplit>,
}

/// The split size Spark picks for these files.
pub fn max_split_bytes(files: &[FileStatus], settings: &SplitSettings) -> u64 {
    let total: u64 = files.iter().map(|f| f.size + settings.open_cost_in_bytes).sum();
    let per_core = total / settings.min_partitions as u64;
    settings.max_partition_bytes.min(settings.open_cost_in_bytes.max(per_core))
}

/// Cuts `files` into splits and packs them into partitions, the way Spark's file scans do.
pub fn plan_file_partitions(files: &[FileStatus], settings: &SplitSettings) -> Vec<FilePartition> {
    let split_bytes = max_split_bytes(files, settings).max(1);
    let mut splits: Vec<FileSplit> = files.iter().flat_map(|file| split_file(file, split_bytes)).collect();
    // Largest first; a stable sort keeps equal-sized splits in file order, as Spark's does.
    splits.sort_by_key(|split| std::cmp::Reverse(split.length));

    let mut partitions: Vec<Vec<FileSplit>> = Vec::new();
    let mut current: Vec<FileSplit> = Vec::new();
    let mut current_size = 0;
    for split in splits {
        if current_size + split.length > split_bytes && !current.is_empty() {
            partitions.push(std::mem::take(&mut current));
            current_size = 0;
        }
        current_size += split.length + settings.open_cost_in_bytes;
        current.push(split);
    }
    if !current.is_empty() {
        partitions.push(current);
    }
    partitions.into_iter().enumerate().map(|(index, splits)| FilePartition { index, splits }).collect()
}

/// A file's splits. A gzipped file is one split: it can only be unzipped from its start (Spark reads such files
/// whole too).
fn split_file(file: &FileStatus, split_bytes: u64) -> Vec<FileSplit> {
    if super::is_gzipped(&file.path) {
        return vec![FileSplit { path: file.path.clone(), start: 0, length: file.size }];
    }
    (0..file.size.div_ceil(split_bytes).max(1))
        .map(|i| {
            let start = i * split_bytes;
            FileSplit { path: file.path.clone(), start, length: split_bytes.min(file.size - start) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, size: u64) -> FileStatus {
        FileStatus { path: path.into(), size }
    }

    #[test]
    fn small_inputs_use_the_open_cost_as_the_split_size() {
        let files = [file("a", 1000), file("b", 2000)];
        assert_eq!(max_split_bytes(&files, &SplitSettings::with_cores(8)), 4 * 1024 * 1024);
    }

    #[test]
    fn large_inputs_are_capped_at_max_partition_bytes() {
        let files = [file("a", 10 * 1024 * 1024 * 1024)];
        assert_eq!(max_split_bytes(&files, &SplitSettings::with_cores(2)), 128 * 1024 * 1024);
    }

    #[test]
    fn a_gzipped_file_is_one_split() {
        let files = [file("big.csv.gz", 900 << 20), file("big.csv", 900 << 20)];
        let splits: Vec<FileSplit> = plan_file_partitions(&files, &SplitSettings::with_cores(2)).into_iter().flat_map(|p| p.splits).collect();
        assert_eq!(splits.iter().filter(|s| s.path == "big.csv.gz").count(), 1);
        assert_eq!(splits.iter().filter(|s| s.path == "big.csv").count(), 8, "900 MB in splits of 128 MB");
    }

    #[test]
    fn every_byte_of_every_file_is_in_exactly_one_split() {
        let files = [file("a", 300 * 1024 * 1024), file("b", 5), file("c", 0)];
        let partitions = plan_file_partitions(&files, &SplitSettings::with_cores(4));
        for f in &files {
            let mut splits: Vec<&FileSplit> =
                partitions.iter().flat_map(|p| &p.splits).filter(|s| s.path == f.path).collect();
            splits.sort_by_key(|s| s.start);
            assert_eq!(splits.iter().map(|s| s.length).sum::<u64>(), f.size, "{}", f.path);
            assert!(splits.windows(2).all(|w| w[0].start + w[0].length == w[1].start));
        }
    }
}
