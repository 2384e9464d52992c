//! Writing files, against real Spark (tests/golden/writes.json, recorded by tests/spark/record_writes.py): the
//! folder layout Spark writes (part files per partition, `_SUCCESS`, codec suffixes, `partitionBy` folders), the
//! error for an existing path, and what real Spark read back from files Kindling wrote — which Kindling must read
//! back the same.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kindling_engine::dataframe::DataFrame;
use kindling_engine::io::csv::CsvOptions;
use kindling_engine::io::write::{SaveMode, WriteFormat, WriteOptions};
use kindling_engine::session::Session;
use serde_json::Value;

mod common;

fn golden() -> Value {
    common::golden("writes.json")
}

/// A fresh folder for one test's output.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kindling-writes-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn green(session: &Arc<Session>) -> DataFrame {
    let path = common::shared_path("tlc/green_tripdata_sample_2020-04.csv").display().to_string();
    session.read_csv(&[&path], CsvOptions { header: true, infer_schema: true, ..CsvOptions::default() }).unwrap()
}

/// The files below `folder`, relative, with the job id replaced as the recorder replaces it.
fn layout(folder: &PathBuf) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![folder.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if !path.file_name().unwrap().to_string_lossy().starts_with('.') {
                found.push(without_job_id(&path.strip_prefix(folder).unwrap().to_string_lossy()));
            }
        }
    }
    found.sort();
    found
}

/// `part-00000-5c0d29f3-322f-43fb-853e-645f67f6b81a-c000…` → `part-00000-<uuid>-c000…`
fn without_job_id(name: &str) -> String {
    match name.find("part-") {
        Some(at) if name.len() > at + 47 => format!("{}<uuid>{}", &name[..at + 11], &name[at + 47..]),
        _ => name.to_string(),
    }
}

fn write(df: &DataFrame, format: WriteFormat, out: &Path, options: WriteOptions) {
    df.write(format, out.to_str().unwrap(), options).unwrap();
}

#[test]
fn written_folders_are_laid_out_like_spark() {
    let golden = golden();
    let expected = &golden["spark layouts"];
    let session = Session::local(2).unwrap();
    let green = green(&session);
    let out = scratch("layouts");
    let gzip = WriteOptions { compression: Some("gzip".into()), ..WriteOptions::default() };
    let csv = WriteOptions { header: true, ..WriteOptions::default() };
    let by_vendor = WriteOptions { partition_by: vec!["VendorID".into()], ..WriteOptions::default() };
    write(&green.repartition(4).unwrap(), WriteFormat::Parquet, &out.join("parquet"), WriteOptions::default());
    write(&green.repartition(3).unwrap(), WriteFormat::Parquet, &out.join("gzip"), gzip);
    write(&green.repartition(2).unwrap(), WriteFormat::Csv, &out.join("csv"), csv);
    write(&green, WriteFormat::Parquet, &out.join("by_vendor"), by_vendor);
    for name in ["parquet", "gzip", "csv", "by_vendor"] {
        let expected: Vec<String> = expected[name].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        assert_eq!(layout(&out.join(name)), expected, "{name}");
    }
    let again = green.write(WriteFormat::Parquet, out.join("parquet").to_str().unwrap(), WriteOptions::default());
    // Spark names the path qualified, as the recorder's `<tmp>` stands for `file:` and the folder.
    let message = again.unwrap_err().to_string().replace(&format!("file:{}", out.to_str().unwrap()), "<tmp>/spark");
    assert_eq!(message, golden["error mode"].as_str().unwrap());
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn files_kindling_writes_read_back_as_spark_reads_them() {
    let golden = golden();
    let session = Session::local(2).unwrap();
    let green = green(&session);
    let out = scratch("read-back");
    write(&green.repartition(4).unwrap(), WriteFormat::Parquet, &out.join("parquet"), WriteOptions::default());
    write(&green.repartition(2).unwrap(), WriteFormat::Csv, &out.join("csv"), WriteOptions { header: true, ..WriteOptions::default() });
    let by_vendor = WriteOptions { partition_by: vec!["VendorID".into()], ..WriteOptions::default() };
    write(&green, WriteFormat::Parquet, &out.join("by_vendor"), by_vendor);
    let parquet = session.read_parquet(&[out.join("parquet").to_str().unwrap()]).unwrap();
    let partitioned = session.read_parquet(&[out.join("by_vendor").to_str().unwrap()]).unwrap();
    let csv_options = CsvOptions { header: true, infer_schema: true, ..CsvOptions::default() };
    let csv = session.read_csv(&[out.join("csv").to_str().unwrap()], csv_options).unwrap();
    let read_backs = [
        ("spark reads kindling parquet", parquet),
        ("spark reads kindling csv", csv),
        ("spark reads kindling by_vendor", partitioned),
    ];
    for (name, df) in read_backs {
        let spark = &golden[name];
        assert_eq!(df.count().unwrap(), spark["count"].as_i64().unwrap(), "{name}");
        assert_eq!(df.print_schema_string(), spark["schema"].as_str().unwrap(), "{name}");
        common::check_rows(name, &df.collect().unwrap(), &spark["rows"]);
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn save_modes_behave_like_spark() {
    let session = Session::local(2).unwrap();
    let green = green(&session).repartition(2).unwrap();
    let out = scratch("modes");
    let target = out.join("trips");
    let with_mode = |mode| WriteOptions { mode, ..WriteOptions::default() };
    let files = || layout(&target).into_iter().filter(|f| f.starts_with("part-")).count();
    write(&green, WriteFormat::Parquet, &target, with_mode(SaveMode::ErrorIfExists));
    assert_eq!(files(), 2);
    write(&green, WriteFormat::Parquet, &target, with_mode(SaveMode::Append));
    assert_eq!(files(), 4, "append adds a job's files beside the old ones");
    assert_eq!(session.read_parquet(&[target.to_str().unwrap()]).unwrap().count().unwrap(), 2000);
    assert!(green.write(WriteFormat::Parquet, target.to_str().unwrap(), with_mode(SaveMode::Ignore)).unwrap().is_none());
    assert_eq!(files(), 4, "ignore leaves an existing folder alone");
    write(&green.repartition(6).unwrap(), WriteFormat::Parquet, &target, with_mode(SaveMode::Overwrite));
    assert_eq!(files(), 6, "overwrite replaces the folder; repartition(6) gives six files");
    std::fs::remove_dir_all(&out).unwrap();
}
