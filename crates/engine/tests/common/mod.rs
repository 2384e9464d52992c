//! What the engine's integration tests share: the goldens recorded from real Spark, the real TLC files in
//! ../shared/data, and the generated files the goldens were recorded on.

#![allow(dead_code)] // each test binary uses its own subset

use std::path::PathBuf;

use bytes::Bytes;
use kindling_datagen::{Codec, TripSpec, green_trips, write_parquet, yellow_trips};
use kindling_engine::io::vfs::MemoryFiles;
use serde_json::{Value, json};

/// The real TLC green file, relative to ../shared/data.
pub const REAL_GREEN: &str = "tlc/green_tripdata_2024-01.parquet";

/// A golden file from tests/golden, recorded by its script in tests/spark.
pub fn golden(file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The path of a file in ../shared/data (beside the repository).
pub fn shared_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(relative)
}

/// The bytes of a file in ../shared/data.
pub fn shared_data(relative: &str) -> Bytes {
    let path = shared_path(relative);
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (the real TLC files are in ../shared/data beside the repository)", path.display()));
    Bytes::from(bytes)
}

/// A green-trips Parquet file as `kindling gen green` writes it, from a golden's `{year, month, rows, seed}`.
pub fn generated_green(spec: &Value) -> (TripSpec, Bytes) {
    let number = |key: &str| spec[key].as_u64().unwrap();
    let trips = TripSpec {
        year: number("year") as i32,
        month: number("month") as u32,
        rows: number("rows") as usize,
        seed: number("seed"),
    };
    let mut file = Vec::new();
    write_parquet(&green_trips(&trips).unwrap(), Codec::Snappy, &mut file).unwrap();
    (trips, Bytes::from(file))
}

/// The files a golden was recorded on, generated again in memory: its trips as
/// `pq/<kind>/<year>/<MM>/part-0.parquet` (the course's layout) and the real zone lookup as `zones.csv`.
pub fn golden_files(golden: &Value) -> MemoryFiles {
    let mut files = MemoryFiles::default();
    for spec in golden["files"].as_array().unwrap() {
        let number = |key: &str| spec[key].as_u64().unwrap();
        let trips = TripSpec { year: number("year") as i32, month: number("month") as u32, rows: number("rows") as usize, seed: number("seed") };
        let kind = spec["kind"].as_str().unwrap();
        let batches = if kind == "green" { green_trips(&trips) } else { yellow_trips(&trips) }.unwrap();
        let mut bytes = Vec::new();
        write_parquet(&batches, Codec::Snappy, &mut bytes).unwrap();
        files.insert(&format!("pq/{kind}/{}/{:02}/part-0.parquet", trips.year, trips.month), bytes.into());
    }
    files.insert("zones.csv", shared_data("taxi_zone_lookup.csv"));
    files
}

/// A value as the recorder wrote it: timestamps and dates as text, numbers as numbers.
pub fn json_of(value: &kindling_engine::value::Value) -> Value {
    use kindling_engine::value::{NestedParts, Value as V};
    match value {
        V::Null => Value::Null,
        V::Boolean(b) => json!(b),
        V::Byte(v) => json!(v),
        V::Short(v) => json!(v),
        V::Integer(v) => json!(v),
        V::Long(v) => json!(v),
        V::Float(v) => json!(v),
        V::Double(v) if v.is_finite() => json!(v),
        // PySpark collects an instant as a datetime in the Python process's zone, which the recorder sets to UTC.
        V::Timestamp(micros) => json!(kindling_engine::display::timestamp_string(*micros).unwrap()),
        // Arrays come as lists, structs as Rows (tuples, so lists too), maps as dicts with text keys.
        nested @ V::Nested(_) => match nested.nested_parts() {
            Some(NestedParts::Array(elements)) => Value::Array(elements.iter().map(json_of).collect()),
            Some(NestedParts::Struct(fields)) => Value::Array(fields.iter().map(|(_, v)| json_of(v)).collect()),
            Some(NestedParts::Map(entries)) => Value::Object(entries.iter().map(|(k, v)| (k.to_string(), json_of(v))).collect()),
            None => Value::Null,
        },
        other => json!(other.to_string()),
    }
}

/// Equal, except that doubles may differ in the last bits (sums added in another order).
pub fn same(ours: &Value, spark: &Value) -> bool {
    match (ours.as_f64(), spark.as_f64()) {
        (Some(a), Some(b)) if ours.is_f64() || spark.is_f64() => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        _ => ours == spark,
    }
}

/// Rows in a canonical order, for results whose order Spark does not define.
pub fn sorted_rows(rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let mut rows = rows;
    rows.sort_by_key(|r| r.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("|"));
    rows
}

/// Our rows equal Spark's recorded ones, in any order, doubles up to rounding.
pub fn check_rows(name: &str, ours: &[kindling_engine::value::Row], spark: &Value) {
    let ours = sorted_rows(ours.iter().map(|r| r.iter().map(json_of).collect()).collect());
    let spark: Vec<Vec<Value>> = sorted_rows(spark.as_array().unwrap().iter().map(|r| r.as_array().unwrap().clone()).collect());
    assert_eq!(ours.len(), spark.len(), "{name}: number of rows");
    for (a, b) in ours.iter().zip(&spark) {
        assert!(a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)), "{name}: row {a:?} vs Spark's {b:?}");
    }
}

/// Spark's plans name expressions and plans by run-dependent ids, and locations differ by machine; the golden
/// has them replaced (see normalized_plan in the recorder). Long attributes keep their `L`.
pub fn normalized_plan(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '#' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('x');
        }
    }
    let out = replace_between(&out, "plan_id=", "]", "plan_id=x]");
    replace_between(&out, "Location: ", "PushedFilters: ", "Location: x, PushedFilters: ")
}

/// Replaces each `start…end` (both included) with `with`.
fn replace_between(text: &str, start: &str, end: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(start) {
        out.push_str(&rest[..at]);
        out.push_str(with);
        let after = &rest[at + start.len()..];
        rest = after.find(end).map_or("", |e| &after[e + end.len()..]);
    }
    out.push_str(rest);
    out
}
