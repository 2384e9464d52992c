//! The kindling binary, run as a user would.

use std::path::PathBuf;
use std::process::{Command, Output};

fn kindling(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kindling")).args(args).output().unwrap()
}

fn real_green_file() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/tlc/green_tripdata_2024-01.parquet");
    path.to_str().unwrap().to_string()
}

#[test]
fn schema_prints_what_spark_prints_for_the_real_tlc_file() {
    let golden_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/schemas.json");
    let golden: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(golden_path).unwrap()).unwrap();
    let output = kindling(&["schema", &real_green_file()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), golden["tlc green 2024-01"]["tree_string"].as_str().unwrap());
}

#[test]
fn gen_then_sum_in_json_covers_every_row() {
    let dir = std::env::temp_dir().join(format!("kindling-cli-test-{}", std::process::id()));
    let file = dir.join("green.parquet");
    let file = file.to_str().unwrap();
    let generated = kindling(&["gen", "green", "--year", "2020", "--month", "2", "--rows", "5000", "--out", file]);
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let summed = kindling(&["sum", file, "--column", "PULocationID", "--partitions", "5", "--master", "local[2]", "--json"]);
    assert!(summed.status.success(), "{}", String::from_utf8_lossy(&summed.stderr));
    let result: serde_json::Value = serde_json::from_slice(&summed.stdout).unwrap();
    let partitions = result["partitions"].as_array().unwrap();
    assert_eq!(partitions.len(), 5);
    assert_eq!(partitions.iter().map(|p| p["rows"].as_u64().unwrap()).sum::<u64>(), 5000);
    assert_eq!(result["trace"]["executors"], 2);
    let total: f64 = partitions.iter().map(|p| p["sum"].as_f64().unwrap()).sum();
    assert_eq!(result["total"].as_f64().unwrap(), total);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_file_that_is_not_parquet_fails_with_its_path() {
    let not_parquet = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let output = kindling(&["sum", not_parquet]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("Cargo.toml") && stderr.contains("cannot read Parquet"), "{stderr}");
}

#[test]
fn a_bad_master_is_refused_before_any_work() {
    let output = kindling(&["sum", &real_green_file(), "--master", "yarn"]);
    assert!(!output.status.success());
    assert!(String::from_utf8(output.stderr).unwrap().contains("local[N]"));
}

#[test]
fn show_prints_what_spark_prints_for_the_real_tlc_file() {
    let golden_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/show.json");
    let golden: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(golden_path).unwrap()).unwrap();
    let output = kindling(&["show", &real_green_file(), "-n", "5"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let expected = format!("{}\n", golden["green first 5"].as_str().unwrap());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}

#[test]
fn show_reads_csv_with_spark_options_like_spark() {
    let golden_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/csv.json");
    let golden: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(golden_path).unwrap()).unwrap();
    let zones = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/taxi_zone_lookup.csv");
    let output = kindling(&["show", zones.to_str().unwrap(), "--header", "--infer-schema", "-n", "5"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let expected = format!("{}\n", golden["inferred"]["taxi_zone_lookup.csv"]["show"].as_str().unwrap());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}
