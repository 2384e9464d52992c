//! A small virtual file system, so that the same paths work everywhere: files on disk natively, bundled samples and
//! uploaded files in the browser. Paths are `/`-separated text.
//!
//! Reading a path follows Spark: a glob (`data/pq/green/*/*`) expands component by component; a directory stands
//! for every file below it; names starting with `_` or `.` (`_SUCCESS`, `.crc` files) are never data.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::RwLock;
use std::path::Path;

use bytes::Bytes;
use globset::GlobBuilder;

use crate::{EngineError, Result};

/// A file found by [`resolve`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStatus {
    pub path: String,
    pub size: u64,
}

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File { size: u64 },
    Directory,
}

/// Where files come from.
pub trait FileSystem: Send + Sync {
    /// What `path` is, or `None` if nothing is there.
    fn entry(&self, path: &str) -> Result<Option<EntryKind>>;
    /// The names (not paths) of everything directly inside the directory `dir`.
    fn list(&self, dir: &str) -> Result<Vec<String>>;
    fn read(&self, path: &str) -> Result<Bytes>;
    /// Writes a whole file, creating the directories above it.
    fn write(&self, path: &str, contents: Bytes) -> Result<()>;
    /// Removes a file, or a directory and everything below it.
    fn delete(&self, path: &str) -> Result<()>;
    /// Creates a directory and the directories above it (nothing if it exists).
    fn create_dir(&self, path: &str) -> Result<()>;
    /// The path as Spark's messages name it, qualified with its scheme: `file:/tmp/out`.
    fn qualified(&self, path: &str) -> String {
        format!("file:/{}", normalize(path))
    }
    /// Where temporary files go (Python's `tempfile.gettempdir()`).
    fn temp_dir(&self) -> String {
        "/tmp".into()
    }
    /// The file's URI, as `input_file_name()` shows it (`file:///…`).
    fn uri(&self, path: &str) -> String {
        format!("file:///{}", path.trim_start_matches('/'))
    }
}

/// The machine's own disk.
pub struct LocalDisk;

impl FileSystem for LocalDisk {
    fn entry(&self, path: &str) -> Result<Option<EntryKind>> {
        let path = without_scheme(path);
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => Ok(Some(EntryKind::Directory)),
            Ok(meta) => Ok(Some(EntryKind::File { size: meta.len() })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(path, e)),
        }
    }

    fn list(&self, dir: &str) -> Result<Vec<String>> {
        let dir = without_scheme(dir);
        let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, e))?;
        entries
            .map(|entry| Ok(entry.map_err(|e| io_error(dir, e))?.file_name().to_string_lossy().into_owned()))
            .collect()
    }

    /// The file mapped into memory: a Parquet scan then reads only the pages of the column chunks it decodes (a
    /// query of 2 of 20 columns used to copy every file whole).
    #[cfg(not(target_arch = "wasm32"))]
    fn read(&self, path: &str) -> Result<Bytes> {
        let path = without_scheme(path);
        let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
        // SAFETY: the mapping is read-only. Kindling never rewrites a file in place (a write creates new files, an
        // overwrite deletes the old ones first, which leaves existing mappings intact); only another program
        // truncating the file during a read could invalidate it.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| io_error(path, e))?;
        Ok(Bytes::from_owner(map))
    }

    #[cfg(target_arch = "wasm32")]
    fn read(&self, path: &str) -> Result<Bytes> {
        let path = without_scheme(path);
        Ok(Bytes::from(std::fs::read(Path::new(path)).map_err(|e| io_error(path, e))?))
    }

    fn create_dir(&self, path: &str) -> Result<()> {
        let path = without_scheme(path);
        std::fs::create_dir_all(path).map_err(|e| io_error(path, e))
    }

    /// Relative to the working directory, not following links (Hadoop's `makeQualified`).
    fn qualified(&self, path: &str) -> String {
        let path = without_scheme(path);
        let absolute = std::path::absolute(path).map_or_else(|_| path.to_string(), |p| p.to_string_lossy().into_owned());
        format!("file:/{}", normalize(&absolute))
    }

    fn temp_dir(&self) -> String {
        std::env::temp_dir().to_string_lossy().trim_end_matches('/').to_string()
    }

    fn write(&self, path: &str, contents: Bytes) -> Result<()> {
        let path = without_scheme(path);
        if let Some(parent) = Path::new(path).parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(path, e))?;
        }
        std::fs::write(path, &contents).map_err(|e| io_error(path, e))
    }

    /// The absolute path, as Spark's file URIs name a file of the local disk.
    fn uri(&self, path: &str) -> String {
        let path = without_scheme(path);
        let absolute = std::fs::canonicalize(path).map_or_else(|_| path.to_string(), |p| p.to_string_lossy().into_owned());
        format!("file://{absolute}")
    }

    fn delete(&self, path: &str) -> Result<()> {
        let path = without_scheme(path);
        let removed = match self.entry(path)? {
            Some(EntryKind::Directory) => std::fs::remove_dir_all(path),
            Some(EntryKind::File { .. }) => std::fs::remove_file(path),
            None => Ok(()),
        };
        removed.map_err(|e| io_error(path, e))
    }
}

/// Files held in memory under made-up paths (the browser's samples and uploads). A directory exists while a file
/// is below it, or once it was made (`tempfile.mkdtemp()`) until it is deleted.
#[derive(Default)]
pub struct MemoryFiles {
    files: RwLock<BTreeMap<String, Bytes>>,
    directories: RwLock<BTreeSet<String>>,
}

impl MemoryFiles {
    pub fn insert(&mut self, path: &str, contents: Bytes) {
        self.files.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(normalize(path), contents);
    }

    /// Every file, by path.
    pub fn all(&self) -> Vec<FileStatus> {
        self.files().iter().map(|(path, contents)| FileStatus { path: path.clone(), size: contents.len() as u64 }).collect()
    }

    fn files(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Bytes>> {
        self.files.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn directories(&self) -> std::sync::RwLockReadGuard<'_, BTreeSet<String>> {
        self.directories.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The names directly inside `dir`.
    fn children(&self, dir: &str) -> Vec<String> {
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        let (files, directories) = (self.files(), self.directories());
        files
            .keys()
            .chain(directories.iter())
            .filter_map(|path| path.strip_prefix(prefix.as_str()))
            .map(|rest| rest.split('/').next().expect("split yields at least one part").to_string())
            .collect()
    }
}

impl FileSystem for MemoryFiles {
    fn entry(&self, path: &str) -> Result<Option<EntryKind>> {
        let path = normalize(path);
        if let Some(contents) = self.files().get(&path) {
            return Ok(Some(EntryKind::File { size: contents.len() as u64 }));
        }
        let made = self.directories().contains(&path);
        Ok((made || !self.children(&path).is_empty()).then_some(EntryKind::Directory))
    }

    fn list(&self, dir: &str) -> Result<Vec<String>> {
        let mut names = self.children(&normalize(dir));
        names.sort();
        names.dedup();
        Ok(names)
    }

    fn read(&self, path: &str) -> Result<Bytes> {
        self.files().get(&normalize(path)).cloned().ok_or_else(|| path_not_found(path))
    }

    fn write(&self, path: &str, contents: Bytes) -> Result<()> {
        self.files.write().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(normalize(path), contents);
        Ok(())
    }

    fn delete(&self, path: &str) -> Result<()> {
        let path = normalize(path);
        let below = format!("{path}/");
        let mut files = self.files.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        files.retain(|name, _| *name != path && !name.starts_with(&below));
        let mut directories = self.directories.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        directories.retain(|name| *name != path && !name.starts_with(&below));
        Ok(())
    }

    fn create_dir(&self, path: &str) -> Result<()> {
        self.directories.write().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(normalize(path));
        Ok(())
    }
}

/// Every data file `pattern` names, sorted by path, as Spark lists the input of `spark.read.parquet(pattern)`.
pub fn resolve(fs: &dyn FileSystem, pattern: &str) -> Result<Vec<FileStatus>> {
    let mut files = Vec::new();
    for path in expand_glob(fs, pattern)? {
        collect_files(fs, &path, &mut files)?;
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup();
    Ok(files)
}

/// The existing paths a pattern matches, one component at a time (`*` never crosses a `/`).
fn expand_glob(fs: &dyn FileSystem, pattern: &str) -> Result<Vec<String>> {
    let pattern = without_scheme(pattern);
    let absolute = pattern.starts_with('/');
    let mut paths = vec![if absolute { "/".to_string() } else { String::new() }];
    for component in pattern.split('/').filter(|c| !c.is_empty() && *c != ".") {
        let mut next = Vec::new();
        let matcher = name_matcher(component).map_err(|e| EngineError::InvalidArgument(format!("bad path pattern `{pattern}`: {e}")))?;
        for base in &paths {
            if let Some(matcher) = &matcher {
                if fs.entry(base_or_dot(base))? == Some(EntryKind::Directory) {
                    let mut names = fs.list(base_or_dot(base))?;
                    names.sort();
                    next.extend(names.into_iter().filter(|name| matcher(name)).map(|name| join(base, &name)));
                }
            } else {
                let candidate = join(base, component);
                if fs.entry(&candidate)?.is_some() {
                    next.push(candidate);
                }
            }
        }
        paths = next;
    }
    if paths.is_empty() || paths == [""] {
        return Err(path_not_found(pattern));
    }
    Ok(paths)
}

fn collect_files(fs: &dyn FileSystem, path: &str, files: &mut Vec<FileStatus>) -> Result<()> {
    if is_hidden(path) {
        return Ok(());
    }
    match fs.entry(path)? {
        Some(EntryKind::File { size }) => files.push(FileStatus { path: path.to_string(), size }),
        Some(EntryKind::Directory) => {
            for name in fs.list(path)? {
                collect_files(fs, &join(path, &name), files)?;
            }
        }
        None => return Err(path_not_found(path)),
    }
    Ok(())
}

/// Whether a file or folder name matches one component of a path pattern.
type NameMatcher = Box<dyn Fn(&str) -> bool>;

/// What a glob component of a path matches, compiled once for every folder it is matched in; `None` for a plain
/// name. A lone `*` (the course's `pq/green/*/*`) matches every name without a pattern to compile.
fn name_matcher(component: &str) -> std::result::Result<Option<NameMatcher>, globset::Error> {
    if component == "*" {
        return Ok(Some(Box::new(|_| true)));
    }
    if !is_glob(component) {
        return Ok(None);
    }
    let matcher = GlobBuilder::new(component).literal_separator(true).build()?.compile_matcher();
    Ok(Some(Box::new(move |name| matcher.is_match(name))))
}

fn is_glob(component: &str) -> bool {
    component.contains(['*', '?', '[', '{'])
}

fn is_hidden(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|name| name.starts_with('_') || name.starts_with('.'))
}

fn join(base: &str, name: &str) -> String {
    match base {
        "" => name.to_string(),
        "/" => format!("/{name}"),
        _ => format!("{base}/{name}"),
    }
}

fn base_or_dot(base: &str) -> &str {
    if base.is_empty() { "." } else { base }
}

fn normalize(path: &str) -> String {
    without_scheme(path).split('/').filter(|c| !c.is_empty() && *c != ".").collect::<Vec<_>>().join("/")
}

/// A local path given as a URI (`file:///tmp/out`, `file:/tmp/out`) is the path itself, as Spark reads it.
pub fn without_scheme(path: &str) -> &str {
    path.strip_prefix("file://").or_else(|| path.strip_prefix("file:")).unwrap_or(path)
}

fn path_not_found(path: &str) -> EngineError {
    EngineError::PathNotFound(path.to_string())
}

fn io_error(path: &str, error: std::io::Error) -> EngineError {
    EngineError::Io { path: path.to_string(), message: error.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(paths: &[&str]) -> MemoryFiles {
        let mut files = MemoryFiles::default();
        for path in paths {
            files.insert(path, Bytes::from_static(b"x"));
        }
        files
    }

    fn matched(fs: &dyn FileSystem, pattern: &str) -> Vec<String> {
        resolve(fs, pattern).unwrap().into_iter().map(|file| file.path).collect()
    }

    #[test]
    fn each_glob_component_matches_names_in_one_folder_only() {
        let fs = files(&["pq/green/2020/01/a.parquet", "pq/green/2020/02/b.parquet", "pq/green/2021/01/c.csv", "pq/yellow/2020/01/d.parquet"]);
        let all_green = ["pq/green/2020/01/a.parquet", "pq/green/2020/02/b.parquet", "pq/green/2021/01/c.csv"];
        assert_eq!(matched(&fs, "pq/green/*/*"), all_green);
        assert_eq!(matched(&fs, "pq/green/*"), all_green);
        assert_eq!(matched(&fs, "pq/*/2020/01"), ["pq/green/2020/01/a.parquet", "pq/yellow/2020/01/d.parquet"]);
        assert_eq!(matched(&fs, "pq/green/*/*/*.csv"), ["pq/green/2021/01/c.csv"]);
        assert_eq!(matched(&fs, "pq/green/202[0]/0?"), ["pq/green/2020/01/a.parquet", "pq/green/2020/02/b.parquet"]);
        assert_eq!(matched(&fs, "pq/green/{2020,2021}/01"), ["pq/green/2020/01/a.parquet", "pq/green/2021/01/c.csv"]);
        assert!(resolve(&fs, "pq/green/*/03").is_err(), "nothing matched is an error, as Spark's PATH_NOT_FOUND");
        assert!(resolve(&fs, "pq/green/[/01").is_err(), "a broken pattern is an error");
    }
}
