//! Input partitions of a folder of Parquet files against real Spark (tests/golden/input_partitions.json, recorded
//! by tests/spark/record_input_partitions.py): same number of partitions, same rows in each.

use std::sync::Arc;

use bytes::Bytes;
use kindling_engine::EngineError;
use kindling_engine::clock::MonotonicClock;
use kindling_engine::executor::Executors;
use kindling_engine::io::vfs::{FileSystem, LocalDisk, MemoryFiles, resolve};
use kindling_engine::session::Session;
use serde_json::Value;

mod common;

fn golden() -> Value {
    common::golden("input_partitions.json")
}

/// The golden's files, regenerated: (relative path, bytes). Checks they are byte-for-byte the size Spark read.
fn golden_files(golden: &Value) -> Vec<(String, Bytes)> {
    golden["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|spec| {
            let (_, file) = common::generated_green(spec);
            assert_eq!(file.len() as u64, spec["size"].as_u64().unwrap(), "generator output changed: re-record the golden");
            (spec["path"].as_str().unwrap().to_string(), file)
        })
        .collect()
}

/// Rows each scan task reads when a session with the run's cores and settings reads `pattern`.
fn rows_per_partition(fs: Arc<dyn FileSystem>, pattern: &str, run: &Value) -> Vec<u64> {
    let cores = run["cores"].as_u64().unwrap() as usize;
    let session = Session::new(fs, Executors::local(cores).unwrap(), Arc::new(MonotonicClock::new()));
    let mut config = session.config();
    if let Some(max) = run["max_partition_bytes"].as_u64() {
        config.set("spark.sql.files.maxPartitionBytes", &max.to_string()).unwrap();
    }
    let (_, trace) = session.with_config(config).read_parquet(&[pattern]).unwrap().execute("scan").unwrap();
    trace.tasks.iter().map(|t| t.rows_in).collect()
}

fn expected_rows(run: &Value) -> Vec<u64> {
    run["rows_per_partition"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect()
}

#[test]
fn files_on_disk_are_partitioned_like_spark() {
    let golden = golden();
    let dir = std::env::temp_dir().join(format!("kindling-input-partitions-{}", std::process::id()));
    for (path, bytes) in golden_files(&golden) {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    std::fs::write(dir.join("green/2021/01/_SUCCESS"), "").unwrap();
    let pattern = format!("{}/{}", dir.display(), golden["glob"].as_str().unwrap());
    for run in golden["runs"].as_array().unwrap() {
        assert_eq!(rows_per_partition(Arc::new(LocalDisk), &pattern, run), expected_rows(run), "run {run}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn files_in_memory_are_partitioned_like_spark() {
    let golden = golden();
    let mut fs = MemoryFiles::default();
    for (path, bytes) in golden_files(&golden) {
        fs.insert(&format!("data/pq/{path}"), bytes);
    }
    fs.insert("data/pq/green/2021/01/_SUCCESS", Bytes::new());
    let pattern = format!("data/pq/{}", golden["glob"].as_str().unwrap());
    let fs: Arc<dyn FileSystem> = Arc::new(fs);
    for run in golden["runs"].as_array().unwrap() {
        assert_eq!(rows_per_partition(fs.clone(), &pattern, run), expected_rows(run), "run {run}");
    }
}

#[test]
fn a_folder_reads_every_data_file_below_it_and_a_missing_path_is_named() {
    let mut fs = MemoryFiles::default();
    fs.insert("pq/green/2020/01/part-0.parquet", Bytes::from_static(b"x"));
    fs.insert("pq/green/2020/02/part-0.parquet", Bytes::from_static(b"yy"));
    fs.insert("pq/green/2020/02/.part-0.parquet.crc", Bytes::from_static(b"z"));
    fs.insert("pq/yellow/2020/01/part-0.parquet", Bytes::from_static(b"w"));
    let found: Vec<String> = resolve(&fs, "pq/green").unwrap().into_iter().map(|f| f.path).collect();
    assert_eq!(found, ["pq/green/2020/01/part-0.parquet", "pq/green/2020/02/part-0.parquet"]);
    let months: Vec<u64> = resolve(&fs, "pq/*/2020/0[12]").unwrap().into_iter().map(|f| f.size).collect();
    assert_eq!(months, [1, 2, 1]);
    let missing = resolve(&fs, "pq/fhv/*").unwrap_err();
    assert!(matches!(missing, EngineError::PathNotFound(_)));
    assert_eq!(missing.to_string(), "[PATH_NOT_FOUND] Path does not exist: pq/fhv/*.");
}
