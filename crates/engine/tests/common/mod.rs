//! What the engine's integration tests share: the goldens recorded from real Spark, the real TLC files in
//! ../shared/data, and the generated files the goldens were recorded on.

#![allow(dead_code)] // each test binary uses its own subset

use std::path::PathBuf;

use bytes::Bytes;
use kindling_datagen::{Codec, TripSpec, green_trips, write_parquet};
use serde_json::Value;

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
