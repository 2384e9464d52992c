//! Text files as lines, cut the way `sc.textFile` cuts them (Hadoop's `TextInputFormat`): the files' bytes are
//! split into pieces of about `total size / minPartitions` bytes, one partition per piece. A line belongs to the
//! piece its first byte is in — a piece finishes the line it starts even past its end, and the next piece skips
//! that line's rest — so no line is cut in two and none is read twice.

use crate::io::vfs::{FileStatus, FileSystem};
use crate::Result;

/// Hadoop's block size on a local file system (`fs.local.block.size`): no piece is larger.
const LOCAL_BLOCK_SIZE: u64 = 32 * 1024 * 1024;
/// A file's last piece may be this much larger than the others rather than leave a sliver (Hadoop's `SPLIT_SLOP`).
const SPLIT_SLOP: f64 = 1.1;

/// One piece of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineSplit {
    pub path: String,
    pub start: u64,
    pub length: u64,
}

/// The pieces of `files` for at least `min_partitions` partitions (more for large files), in file order.
pub fn line_splits(files: &[FileStatus], min_partitions: usize) -> Vec<LineSplit> {
    let total: u64 = files.iter().map(|f| f.size).sum();
    let goal = total / min_partitions.max(1) as u64;
    let piece = goal.clamp(1, LOCAL_BLOCK_SIZE);
    let mut splits = Vec::new();
    for file in files {
        let mut remaining = file.size;
        while remaining as f64 / piece as f64 > SPLIT_SLOP {
            splits.push(LineSplit { path: file.path.clone(), start: file.size - remaining, length: piece });
            remaining -= piece;
        }
        if remaining != 0 || file.size == 0 {
            splits.push(LineSplit { path: file.path.clone(), start: file.size - remaining, length: remaining });
        }
    }
    splits
}

/// The lines of `split`, without their `\n`, `\r\n` or `\r` ends.
pub fn split_lines(files: &dyn FileSystem, split: &LineSplit) -> Result<Vec<String>> {
    let bytes = files.read(&split.path)?;
    let end = split.start + split.length;
    let mut lines = Vec::new();
    let mut at = 0usize;
    while at < bytes.len() && at as u64 <= end {
        let (content_end, next) = line_end(&bytes, at);
        if split.start == 0 || at as u64 > split.start {
            lines.push(String::from_utf8_lossy(&bytes[at..content_end]).into_owned());
        }
        at = next;
    }
    Ok(lines)
}

/// Where the line starting at `at` ends (before its line break) and where the next one starts.
fn line_end(bytes: &[u8], at: usize) -> (usize, usize) {
    match bytes[at..].iter().position(|b| *b == b'\n' || *b == b'\r') {
        None => (bytes.len(), bytes.len()),
        Some(offset) => {
            let end = at + offset;
            let crlf = bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n');
            (end, end + if crlf { 2 } else { 1 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::vfs::MemoryFiles;

    #[test]
    fn every_line_is_read_once_whatever_the_cuts() {
        let files = MemoryFiles::default();
        let text = "first\nsecond line\r\nthird\n\nfifth";
        files.write("t.txt", bytes::Bytes::from(text)).unwrap();
        let file = FileStatus { path: "t.txt".into(), size: text.len() as u64 };
        for partitions in 1..=text.len() {
            let splits = line_splits(std::slice::from_ref(&file), partitions);
            let lines: Vec<String> = splits.iter().flat_map(|s| split_lines(&files, s).unwrap()).collect();
            assert_eq!(lines, ["first", "second line", "third", "", "fifth"], "{partitions} partitions");
        }
        assert_eq!(line_splits(&[file], 2).iter().map(|s| (s.start, s.length)).collect::<Vec<_>>(), [(0, 15), (15, 16)]);
    }
}
