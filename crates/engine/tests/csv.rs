//! CSV reading against real Spark (tests/golden/csv.json, recorded by tests/spark/record_csv.py): the real TLC CSV
//! samples and the zone lookup with and without inferSchema, and the three parse modes on a malformed file.

use std::io::Write;
use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use kindling_engine::EngineError;
use kindling_engine::display::{show_string, tree_string};
use kindling_engine::io::Table;
use kindling_engine::io::csv::{CsvOptions, ParseMode, csv_batches, read_csv, split_lines};
use kindling_engine::schema::{SparkField, SparkSchema};
use kindling_engine::types::SparkType;
use serde_json::Value;

mod common;

fn golden() -> Value {
    common::golden("csv.json")
}

fn shared_file(name: &str) -> (String, Bytes) {
    (common::shared_path(name).display().to_string(), common::shared_data(name))
}

fn assert_like_spark(table: &Table, expected: &Value, rows: usize, what: &str) {
    let schema = SparkSchema::from_arrow(&table.schema).unwrap();
    assert_eq!(tree_string(&schema), expected["tree_string"].as_str().unwrap(), "printSchema() of {what}");
    assert_eq!(show_string(&schema, &table.batches, rows, 20).unwrap(), expected["show"].as_str().unwrap(), "show() of {what}");
}

#[test]
fn real_csv_files_with_inferred_schemas_read_like_spark() {
    let golden = golden();
    let options = CsvOptions { header: true, infer_schema: true, ..CsvOptions::default() };
    for (name, expected) in golden["inferred"].as_object().unwrap() {
        let (path, bytes) = shared_file(name);
        let table = read_csv(&path, bytes, &options).unwrap();
        assert_like_spark(&table, expected, 5, name);
        assert_eq!(table.num_rows() as u64, expected["count"].as_u64().unwrap(), "count() of {name}");
    }
}

#[test]
fn without_infer_schema_every_column_is_a_string_like_spark() {
    let golden = golden();
    let options = CsvOptions { header: true, ..CsvOptions::default() };
    for (name, expected) in golden["strings"].as_object().unwrap() {
        let (path, bytes) = shared_file(name);
        assert_like_spark(&read_csv(&path, bytes, &options).unwrap(), expected, 2, name);
    }
}

#[test]
fn gzipped_csv_reads_the_same_as_plain() {
    let (path, bytes) = shared_file("tlc/fhv_tripdata_sample_2020-04.csv");
    let mut zipped = GzEncoder::new(Vec::new(), Compression::default());
    zipped.write_all(&bytes).unwrap();
    let options = CsvOptions { header: true, infer_schema: true, ..CsvOptions::default() };
    let plain = read_csv(&path, bytes, &options).unwrap();
    let gz = read_csv(&format!("{path}.gz"), Bytes::from(zipped.finish().unwrap()), &options).unwrap();
    assert_eq!(plain.batches, gz.batches);
}

fn malformed_schema() -> SparkSchema {
    let field = |name: &str, data_type| SparkField { name: name.into(), data_type, nullable: true };
    SparkSchema {
        fields: vec![field("id", SparkType::Integer), field("name", SparkType::String), field("amount", SparkType::Double)],
    }
}

fn read_malformed(mode: ParseMode) -> Result<Table, EngineError> {
    let golden = golden();
    assert_eq!(golden["malformed"]["schema"], "id INT, name STRING, amount DOUBLE", "keep malformed_schema() in step");
    let text = golden["malformed"]["text"].as_str().unwrap().to_string();
    let options = CsvOptions { header: true, schema: Some(malformed_schema()), mode, ..CsvOptions::default() };
    read_csv("data/malformed.csv", Bytes::from(text), &options)
}

#[test]
fn permissive_and_dropmalformed_modes_read_like_spark() {
    let golden = golden();
    let permissive = read_malformed(ParseMode::Permissive).unwrap();
    assert_like_spark(&permissive, &golden["malformed"]["PERMISSIVE"], 20, "PERMISSIVE");
    let dropped = read_malformed(ParseMode::DropMalformed).unwrap();
    assert_like_spark(&dropped, &golden["malformed"]["DROPMALFORMED"], 20, "DROPMALFORMED");
}

#[test]
fn failfast_names_the_file_the_line_and_the_record_like_spark() {
    let golden = golden();
    let error = read_malformed(ParseMode::FailFast).unwrap_err().to_string();
    let spark = golden["malformed"]["FAILFAST"].as_str().unwrap();
    let spark_message = &spark[spark.find("[MALFORMED").unwrap()..];
    assert!(error.starts_with("data/malformed.csv:4: "), "{error}");
    assert!(error.contains(spark_message), "{error}\nshould contain Spark's\n{spark_message}");
}

#[test]
fn a_broken_gzip_file_is_an_error_with_its_path() {
    let error = read_csv("trips.csv.gz", Bytes::from_static(b"not gzip"), &CsvOptions::default()).unwrap_err();
    assert!(error.to_string().starts_with("trips.csv.gz: not a valid gzip file"), "{error}");
}

/// The same files through a session and the DataFrame API: `spark.read.option(...).csv(path)`, then actions.
#[test]
fn real_csv_files_read_like_spark_through_a_dataframe() {
    let golden = golden();
    let session = kindling_engine::session::Session::local(2).unwrap();
    for (inferred, key) in [(true, "inferred"), (false, "strings")] {
        let options = CsvOptions { header: true, infer_schema: inferred, ..CsvOptions::default() };
        for (name, expected) in golden[key].as_object().unwrap() {
            let path = common::shared_path(name).display().to_string();
            let df = session.read_csv(&[&path], options.clone()).unwrap();
            let rows = if inferred { 5 } else { 2 };
            assert_eq!(df.print_schema_string(), expected["tree_string"].as_str().unwrap(), "printSchema() of {name}");
            assert_eq!(df.show_string(rows, 20).unwrap(), expected["show"].as_str().unwrap(), "show() of {name}");
            assert_eq!(df.count().unwrap(), expected["count"].as_i64().unwrap(), "count() of {name}");
        }
    }
}

/// FAILFAST stops the job at the first malformed record, naming the file and line.
#[test]
fn a_failfast_read_fails_the_job_with_the_file_and_line() {
    let dir = std::env::temp_dir().join(format!("kindling-failfast-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("malformed.csv");
    std::fs::write(&path, golden()["malformed"]["text"].as_str().unwrap()).unwrap();
    let session = kindling_engine::session::Session::local(1).unwrap();
    let options = CsvOptions { header: true, schema: Some(malformed_schema()), mode: ParseMode::FailFast, ..CsvOptions::default() };
    let error = session.read_csv(&[path.to_str().unwrap()], options).unwrap().collect().unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(error.contains("malformed.csv:4"), "{error}");
}

/// `id,zone` lines after a header: ids 1..=rows, zone `z<id mod 7>`.
fn numbered_csv(rows: usize) -> String {
    let mut text = String::from("id,zone\n");
    for id in 1..=rows {
        text.push_str(&format!("{id},z{}\n", id % 7));
    }
    text
}

/// A file is parsed a batch at a time: a big file comes as several batches, with the header read once and every
/// row in order.
#[test]
fn a_big_file_is_read_a_batch_at_a_time_with_every_row_in_order() {
    let rows = 20_000;
    let options = CsvOptions { header: true, infer_schema: true, ..CsvOptions::default() };
    let table = read_csv("big.csv", Bytes::from(numbered_csv(rows)), &options).unwrap();
    assert!(table.batches.len() > 1, "one batch of {} rows", table.num_rows());
    assert!(table.batches.iter().all(|b| b.num_rows() <= 8192));
    let ids: Vec<i32> = table
        .batches
        .iter()
        .flat_map(|b| b.column(0).as_any().downcast_ref::<arrow::array::Int32Array>().unwrap().values().to_vec())
        .collect();
    assert_eq!(ids, (1..=rows as i32).collect::<Vec<_>>());
}

/// A malformed row deep in a big file still stops a FAILFAST read with its own line number.
#[test]
fn failfast_names_the_line_of_a_malformed_row_past_the_first_batch() {
    let text = numbered_csv(20_000).replacen("15000,z6", "15000,z6,extra", 1);
    let field = |name: &str, data_type| SparkField { name: name.into(), data_type, nullable: true };
    let schema = SparkSchema { fields: vec![field("id", SparkType::Integer), field("zone", SparkType::String)] };
    let options = CsvOptions { header: true, schema: Some(schema), mode: ParseMode::FailFast, ..CsvOptions::default() };
    let error = read_csv("big.csv", Bytes::from(text), &options).unwrap_err().to_string();
    assert!(error.starts_with("big.csv:15001: "), "{error}");
}

fn ids_and_zones() -> SparkSchema {
    let field = |name: &str, data_type| SparkField { name: name.into(), data_type, nullable: true };
    SparkSchema { fields: vec![field("id", SparkType::Integer), field("zone", SparkType::String)] }
}

fn ids_of_split(text: &Bytes, start: u64, length: u64, mode: ParseMode) -> Result<Vec<i32>, EngineError> {
    let lines = split_lines("big.csv", text.clone(), start, length, true);
    let mut ids = Vec::new();
    for batch in csv_batches("big.csv", lines, &ids_and_zones(), mode)? {
        let batch = batch?;
        ids.extend(batch.column(0).as_any().downcast_ref::<arrow::array::Int32Array>().unwrap().values().iter().copied());
    }
    Ok(ids)
}

/// Every line goes to the split it starts in (Hadoop's line reader, under Spark's CSV source): read split by
/// split, with cuts mid-line, right after a newline and on one, every row comes once, in order, and the header is
/// read only by the first split.
#[test]
fn the_splits_of_a_file_read_every_line_once_in_order() {
    let text = Bytes::from(numbered_csv(3_000));
    let size = text.len() as u64;
    let line_start = text.iter().position(|&b| b == b'\n').unwrap() as u64 + 1;
    for split_size in [7, 8, 100, 4096, line_start, size / 3, size] {
        let mut ids = Vec::new();
        let mut start = 0;
        while start < size {
            let length = split_size.min(size - start);
            ids.extend(ids_of_split(&text, start, length, ParseMode::FailFast).unwrap());
            start += length;
        }
        assert_eq!(ids, (1..=3_000).collect::<Vec<_>>(), "splits of {split_size} bytes");
    }
}

/// An error in a later split names its line in the whole file.
#[test]
fn a_malformed_row_in_a_later_split_is_named_by_its_line_in_the_file() {
    let text = Bytes::from(numbered_csv(3_000).replacen("2500,z1", "2500,z1,extra", 1));
    let half = text.len() as u64 / 2;
    assert!(ids_of_split(&text, 0, half, ParseMode::FailFast).is_ok());
    let error = ids_of_split(&text, half, text.len() as u64 - half, ParseMode::FailFast).unwrap_err().to_string();
    assert!(error.starts_with("big.csv:2501: "), "{error}");
}

/// A gzipped file is read whole by the split at its start.
#[test]
fn a_gzipped_file_is_read_whole_by_its_first_split() {
    let mut zipped = GzEncoder::new(Vec::new(), Compression::default());
    zipped.write_all(numbered_csv(100).as_bytes()).unwrap();
    let zipped = Bytes::from(zipped.finish().unwrap());
    let lines = split_lines("big.csv.gz", zipped.clone(), 0, zipped.len() as u64, true);
    let rows: usize = csv_batches("big.csv.gz", lines, &ids_and_zones(), ParseMode::FailFast).unwrap().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 100);
    let later = split_lines("big.csv.gz", zipped, 10, 5, true);
    assert!(later.is_empty());
}
