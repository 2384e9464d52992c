//! Kindling's hash partitioner against Spark's own `hash()` and `spark_partition_id()` after
//! `repartition(n, keys)`, recorded from real pyspark by tests/spark/record_hash_partitions.py.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float32Array, Float64Array, Int32Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use kindling_engine::partitioner::{hash_partition_ids, spark_hash};
use serde_json::Value;

mod common;

fn golden() -> Value {
    common::golden("hash_partitions.json")
}

/// One typed column from the golden file's text values, as Spark's casts would read them.
fn column(spark_type: &str, texts: Vec<Option<&str>>) -> ArrayRef {
    fn parsed<T: std::str::FromStr>(texts: &[Option<&str>]) -> Vec<Option<T>> {
        texts.iter().map(|t| t.map(|t| t.parse().ok().unwrap_or_else(|| panic!("bad value {t}")))).collect()
    }
    let doubles = |texts: &[Option<&str>]| -> Vec<Option<f64>> {
        texts.iter().map(|t| t.map(|t| t.parse::<f64>().unwrap_or_else(|_| panic!("bad double {t}")))).collect()
    };
    match spark_type {
        "boolean" => Arc::new(BooleanArray::from(parsed::<bool>(&texts))),
        "int" => Arc::new(Int32Array::from(parsed::<i32>(&texts))),
        "long" => Arc::new(Int64Array::from(parsed::<i64>(&texts))),
        "float" => Arc::new(Float32Array::from(doubles(&texts).into_iter().map(|v| v.map(|v| v as f32)).collect::<Vec<_>>())),
        "double" => Arc::new(Float64Array::from(doubles(&texts))),
        "string" => Arc::new(StringArray::from(texts)),
        "date" => Arc::new(Date32Array::from(parsed::<i32>(&texts))),
        "timestamp" => Arc::new(TimestampMicrosecondArray::from(parsed::<i64>(&texts)).with_timezone("UTC")),
        other => panic!("no column builder for {other}"),
    }
}

fn key_columns(case: &Value) -> Vec<ArrayRef> {
    let rows = case["rows"].as_array().unwrap();
    case["types"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(k, spark_type)| column(spark_type.as_str().unwrap(), rows.iter().map(|row| row[k].as_str()).collect()))
        .collect()
}

fn ints<T: TryFrom<i64>>(values: &Value) -> Vec<T> {
    values.as_array().unwrap().iter().map(|v| T::try_from(v.as_i64().unwrap()).ok().unwrap()).collect()
}

#[test]
fn hashes_equal_sparks_hash_function() {
    let golden = golden();
    let cases = golden["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        assert_eq!(spark_hash(&key_columns(case)).unwrap(), ints::<i32>(&case["hash"]), "case {}", case["name"]);
    }
}

#[test]
fn partition_ids_equal_sparks_after_repartition_by_keys() {
    let golden = golden();
    for case in golden["cases"].as_array().unwrap() {
        for (partitions, expected) in case["partition_ids"].as_object().unwrap() {
            let partitions: usize = partitions.parse().unwrap();
            let ids = hash_partition_ids(&key_columns(case), partitions).unwrap();
            assert_eq!(ids, ints::<u32>(expected), "case {} into {partitions} partitions", case["name"]);
        }
    }
}

#[test]
fn zero_partitions_is_an_error() {
    let keys: Vec<ArrayRef> = vec![Arc::new(Int32Array::from(vec![1]))];
    assert!(hash_partition_ids(&keys, 0).is_err());
}
